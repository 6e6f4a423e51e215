//! `promote-development`: a new production deployment built from the development deployment;
//! `--wait` until it is ready and serves production.

use baseten_api::types::builder::PromoteRequestV1Builder;

use super::common::{Context, current_of, read_environment, refused_promotion};
use crate::cli::WaitArgs;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::report::{DeploymentSummary, Report};
use crate::watch::{self, Before, Intent};

pub(super) async fn promote_development(
    cx: &Context,
    report: &mut Report,
    model: &str,
    body: PromoteRequestV1Builder,
    wait: &WaitArgs,
) -> Result<(), Failure> {
    const PRODUCTION: &str = "production";
    report.model_id = Some(model.to_owned());
    report.environment = Some(PRODUCTION.to_owned());
    let before = read_environment(cx, model, PRODUCTION).await?;
    report.previous_deployment = current_of(&before);
    cx.out.event(&format!(
        "building a production deployment of {model} from its development deployment"
    ));
    let created = cx
        .client
        .promote_development_to_production()
        .model_id(model)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            refused_promotion(
                &format!("promoting the development deployment of {model}"),
                &e,
            )
        })?
        .into_inner();
    report.deployment = Some(DeploymentSummary::of(&created));
    cx.out.event(&format!(
        "{model}: new deployment {} ({})",
        created.id, created.status
    ));
    if !wait.wait {
        report.end(
            Exit::Done,
            "accepted",
            format!(
                "{} is building and will be promoted to {model}/production; `baseten-deploy \
                 wait --model {model} --env production --deployment {}` waits for both",
                created.id, created.id
            ),
        );
        return Ok(());
    }
    let Some(ready) = watch::deployment(
        &cx.client,
        &cx.out,
        report,
        model,
        &created.id,
        &cx.remaining(&wait.timing),
    )
    .await?
    else {
        return Ok(());
    };
    if ready.is_production {
        report.current_deployment = Some(DeploymentSummary::of(&ready));
        report.end(
            Exit::Done,
            "succeeded",
            format!(
                "{} is ACTIVE and the production deployment of {model}",
                ready.id
            ),
        );
        return Ok(());
    }
    // Ready but not yet serving production: the promotion's own end decides.
    cx.out.event(&format!(
        "{model}: {} is {}; waiting for it to take over production",
        ready.id, ready.status
    ));
    watch::promotion(
        &cx.client,
        &cx.out,
        report,
        (model, PRODUCTION),
        &created.id,
        Before::Promoting,
        &cx.remaining(&wait.timing),
        Intent::Promote,
    )
    .await
}
