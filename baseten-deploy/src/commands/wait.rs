//! `wait`: the promotion in progress (or of `--deployment`) until it ends, or pauses.

use baseten_api::wait::{DeploymentStatusClass, classify_deployment_status};

use super::common::{Context, current_of, read_environment, set_model_target};
use crate::cli::{ModelEnv, Timing};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::report::{DeploymentSummary, Report};
use crate::watch::{self, Before, Intent};

pub(super) async fn wait(
    cx: &Context,
    report: &mut Report,
    target: &ModelEnv,
    deployment: Option<&str>,
    timing: &Timing,
    intent: Intent,
) -> Result<(), Failure> {
    set_model_target(report, target);
    let (model, env) = (target.model.as_str(), target.env.as_str());
    let before = read_environment(cx, model, env).await?;
    report.previous_deployment = current_of(&before);
    watch::record_environment(report, &before);
    let candidate = deployment
        .map(str::to_owned)
        .or_else(|| before.candidate_deployment.as_ref().map(|d| d.id.clone()));
    let Some(candidate) = candidate else {
        let current = before
            .current_deployment
            .as_ref()
            .map_or("no deployment", |d| d.id.as_str());
        report.end(
            Exit::Done,
            "no_promotion",
            format!("no promotion in progress in {model}/{env}; {current} is current"),
        );
        return Ok(());
    };
    let in_environment = before
        .candidate_deployment
        .iter()
        .chain(before.current_deployment.iter())
        .find(|d| d.id == candidate);
    report.deployment = in_environment.map(DeploymentSummary::of);
    let asked = *timing;
    let mut timing = cx.remaining(&asked);
    if in_environment.is_none() {
        // Not in the environment yet: a deployment still building (promote-development) is
        // promoted when it is ready, so wait for that first; a promotion waiter alone would give
        // up after its start grace.
        let read = cx
            .client
            .get_deployment()
            .model_id(model)
            .deployment_id(&candidate)
            .send()
            .await;
        let building = match read {
            Ok(deployment) => {
                let deployment = deployment.into_inner();
                report.deployment = Some(DeploymentSummary::of(&deployment));
                match classify_deployment_status(&deployment.status) {
                    DeploymentStatusClass::InProgress => true,
                    // It will not be promoted: say so now, not after the start grace.
                    class @ (DeploymentStatusClass::Failed | DeploymentStatusClass::Inactive) => {
                        let (outcome, why) = if class == DeploymentStatusClass::Failed {
                            ("failed", "failed")
                        } else {
                            (
                                "inactive",
                                "is inactive: it will not be promoted unless activated",
                            )
                        };
                        report.end(
                            Exit::Failed,
                            outcome,
                            format!(
                                "deployment {candidate} of {model} {why} ({}); {} stays the \
                                 current deployment of {model}/{env}",
                                deployment.status,
                                watch::current_id(&before)
                            ),
                        );
                        return Ok(());
                    }
                    _ => false,
                }
            }
            // A deployment created seconds ago answers 404; the deployment waiter allows for it.
            Err(error) if error.is_not_found() => true,
            Err(error) => {
                let what = format!("reading deployment {candidate} of {model}");
                return Err(Failure::request(&what, &error));
            }
        };
        if building {
            cx.out.event(&format!(
                "{model}: {candidate} is not ready yet; waiting for it first"
            ));
            if watch::deployment(&cx.client, &cx.out, report, model, &candidate, &timing)
                .await?
                .is_none()
            {
                return Ok(());
            }
            timing = cx.remaining(&asked);
        }
    }
    cx.out.event(&format!(
        "waiting for the promotion of {candidate} to {model}/{env}"
    ));
    watch::promotion(
        &cx.client,
        &cx.out,
        report,
        (model, env),
        &candidate,
        Before::Seen(&before),
        &timing,
        intent,
    )
    .await
}
