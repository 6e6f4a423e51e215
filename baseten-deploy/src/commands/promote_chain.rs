//! `promote-chain`: a chain deployment to an environment; `--wait` until it is ready and the
//! environment serves it.

use baseten_api::types::PromoteToChainEnvironmentRequestV1;

use super::common::{Context, accepted, refused_promotion, starting};
use crate::cli::WaitArgs;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::report::{DeploymentSummary, Report};
use crate::watch;

pub(super) async fn promote_chain(
    cx: &Context,
    report: &mut Report,
    chain: &str,
    env: &str,
    deployment: &str,
    wait: &WaitArgs,
) -> Result<(), Failure> {
    report.chain_id = Some(chain.to_owned());
    report.environment = Some(env.to_owned());
    let target = format!("{chain}/{env}");
    let read = |what: String| {
        let client = &cx.client;
        async move {
            client
                .get_chain_environment()
                .chain_id(chain)
                .env_name(env)
                .send()
                .await
                .map(|r| r.into_inner())
                .map_err(|e| Failure::request(&what, &e))
        }
    };
    let before = read(format!("reading environment {env} of chain {chain}")).await?;
    let previous = before
        .current_deployment
        .as_ref()
        .map(DeploymentSummary::of_chain);
    starting(cx, report, previous, deployment, &target);
    let promoted = cx
        .client
        .promote_chain_to_environment()
        .chain_id(chain)
        .env_name(env)
        .body(PromoteToChainEnvironmentRequestV1::builder().deployment_id(deployment.to_owned()))
        .send()
        .await
        .map_err(|e| refused_promotion(&format!("promoting {deployment} to {target}"), &e))?
        .into_inner();
    accepted(cx, report, &target, DeploymentSummary::of_chain(&promoted));
    if !wait.wait {
        report.end(
            Exit::Done,
            "accepted",
            format!("{} is being promoted to {target}", promoted.id),
        );
        return Ok(());
    }
    // Chains have no rolling promotions: the deployment must be ready, and then the environment
    // must serve it; while it is the environment's candidate, the promotion goes on.
    if !watch::chain_deployment(
        &cx.client,
        &cx.out,
        report,
        chain,
        &promoted.id,
        &cx.remaining(&wait.timing),
    )
    .await?
    {
        return Ok(());
    }
    watch::chain_promotion(
        &cx.client,
        &cx.out,
        report,
        (chain, env),
        &promoted.id,
        &cx.remaining(&wait.timing),
    )
    .await
}
