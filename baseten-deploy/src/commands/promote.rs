//! `promote`: a model deployment to an environment, and `--wait` for the promotion.

use baseten_api::types::builder::PromoteToEnvironmentRequestV1Builder;

use super::common::{
    Context, accepted, current_of, read_environment, refused_promotion, set_model_target, starting,
};
use crate::cli::{CheckArgs, ModelEnv, WaitArgs};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::report::{DeploymentSummary, Report};
use crate::watch::{self, Before, Intent};

pub(super) async fn promote(
    cx: &Context,
    report: &mut Report,
    target: &ModelEnv,
    deployment: &str,
    body: PromoteToEnvironmentRequestV1Builder,
    wait: &WaitArgs,
    check: &CheckArgs,
) -> Result<(), Failure> {
    // Before anything is sent: a check that could never run is a usage error.
    super::guard::validate(check)?;
    set_model_target(report, target);
    let (model, env) = (target.model.as_str(), target.env.as_str());
    let target = format!("{model}/{env}");
    let before = read_environment(cx, model, env).await?;
    let previous = current_of(&before);
    starting(cx, report, previous, deployment, &target);
    let promoted = cx
        .client
        .promote_model_to_environment()
        .model_id(model)
        .env_name(env)
        .body(body)
        .send()
        .await
        .map_err(|e| refused_promotion(&format!("promoting {deployment} to {target}"), &e))?
        .into_inner();
    accepted(cx, report, &target, DeploymentSummary::of(&promoted));
    if !wait.wait {
        report.end(
            Exit::Done,
            "accepted",
            format!(
                "{} is being promoted to {target}; `baseten-deploy wait --model {model} \
                 --env {env} --deployment {}` waits for it",
                promoted.id, promoted.id
            ),
        );
        return Ok(());
    }
    if let Some(command) = &check.check {
        return super::guard::guarded(
            cx,
            report,
            (model, env),
            &promoted.id,
            &wait.timing,
            check,
            command,
        )
        .await;
    }
    watch::promotion(
        &cx.client,
        &cx.out,
        report,
        (model, env),
        &promoted.id,
        Before::Promoting,
        &cx.remaining(&wait.timing),
        Intent::Promote,
    )
    .await
}
