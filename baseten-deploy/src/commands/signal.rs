//! The promotion signals: `roll-forward`, `cancel`, `force-cancel`, `pause`, `resume`, each
//! read first and followed by a wait with `--wait`.

use baseten_api::types::{EnvironmentV1, SignalPromotionResponseV1};
use baseten_api::{Error, ResponseValue};

use super::common::{Context, current_of, read_environment, set_model_target};
use crate::cli::Signal;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::report::{DeploymentSummary, Report, SignalSummary};
use crate::watch::{self, Before, Intent};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SignalKind {
    RollForward,
    Cancel,
    ForceCancel,
    Pause,
    Resume,
}

impl SignalKind {
    fn verb(self) -> &'static str {
        match self {
            SignalKind::RollForward => "force roll forward",
            SignalKind::Cancel => "cancel",
            SignalKind::ForceCancel => "force cancel",
            SignalKind::Pause => "pause",
            SignalKind::Resume => "resume",
        }
    }
}

/// Sends a promotion signal, and with `--wait` follows the promotion to its end (or, for a
/// pause, until it is really paused).
pub(super) async fn send_signal(
    cx: &Context,
    report: &mut Report,
    Signal { target, wait }: &Signal,
    kind: SignalKind,
) -> Result<(), Failure> {
    set_model_target(report, target);
    let (model, env) = (target.model.as_str(), target.env.as_str());
    let target = format!("{model}/{env}");
    // Read first: the summary names the deployments, and a wait needs the candidate's id.
    let before = read_environment(cx, model, env).await?;
    report.previous_deployment = current_of(&before);
    report.deployment = before
        .candidate_deployment
        .as_ref()
        .map(DeploymentSummary::of);
    watch::record_environment(report, &before);
    let what = format!("{} the promotion in {target}", kind.verb());
    let no_promotion_hint = |failure: Failure| {
        if failure.exit == Exit::Refused {
            failure.hint(format!(
                "`baseten-deploy status --model {model} --env {env}` shows whether a promotion \
                 is in progress"
            ))
        } else {
            failure
        }
    };
    // pause, resume, roll-forward and force-cancel answer `{"success": bool}`.
    let flag = |sent: Result<ResponseValue<SignalPromotionResponseV1>, Error>| {
        let answer = sent
            .map_err(|e| no_promotion_hint(Failure::request(&what, &e)))?
            .into_inner();
        if answer.success {
            Ok(SignalSummary {
                success: Some(true),
                status: None,
                message: None,
            })
        } else {
            Err(no_promotion_hint(Failure::new(
                Exit::Refused,
                format!("{what}: Baseten did not accept it (success: false)"),
            )))
        }
    };
    // The four operations are four generated builders with the same two parameters.
    macro_rules! flag_signal {
        ($operation:ident) => {
            flag(
                cx.client
                    .$operation()
                    .model_id(model)
                    .env_name(env)
                    .send()
                    .await,
            )?
        };
    }
    let sent = async {
        Ok(match kind {
            SignalKind::Cancel => {
                let answer = cx
                    .client
                    .cancel_promotion()
                    .model_id(model)
                    .env_name(env)
                    .send()
                    .await
                    .map_err(|e| no_promotion_hint(Failure::request(&what, &e)))?
                    .into_inner();
                SignalSummary {
                    success: None,
                    status: Some(answer.status.to_string()),
                    message: Some(answer.message),
                }
            }
            SignalKind::RollForward => flag_signal!(force_roll_forward_promotion),
            SignalKind::ForceCancel => flag_signal!(force_cancel_promotion),
            SignalKind::Pause => flag_signal!(pause_promotion),
            SignalKind::Resume => flag_signal!(resume_promotion),
        })
    };
    let summary = match sent.await {
        Ok(summary) => summary,
        Err(failure) => {
            return match kind {
                SignalKind::Cancel | SignalKind::ForceCancel => {
                    too_late_to_cancel(cx, report, &before, (model, env), failure).await
                }
                _ => Err(failure),
            };
        }
    };
    if let Some(said) = &summary.message {
        cx.out.event(&format!("{target}: {}: {said}", kind.verb()));
    }
    report.signal = Some(summary);

    let candidate = before.candidate_deployment.as_ref().map(|d| d.id.clone());
    match (wait.wait, candidate) {
        (true, Some(candidate)) => {
            let intent = match kind {
                SignalKind::Cancel | SignalKind::ForceCancel => Intent::Cancel,
                SignalKind::Pause => Intent::Pause,
                SignalKind::RollForward | SignalKind::Resume => Intent::Promote,
            };
            watch::promotion(
                &cx.client,
                &cx.out,
                report,
                (model, env),
                &candidate,
                Before::Seen(&before),
                &cx.remaining(&wait.timing),
                intent,
            )
            .await
        }
        (true, None) => {
            report.end(
                Exit::Done,
                "no_promotion",
                format!(
                    "{target}: {} accepted; there was no candidate to wait for",
                    kind.verb()
                ),
            );
            Ok(())
        }
        (false, _) => {
            let note = match kind {
                SignalKind::Pause | SignalKind::RollForward => {
                    " (it takes effect at the next step)"
                }
                _ => "",
            };
            report.end(
                Exit::Done,
                "accepted",
                format!("{target}: {} accepted{note}", kind.verb()),
            );
            Ok(())
        }
    }
}

/// A cancel the API refused (400 "no in progress promotion"): if the candidate the command saw
/// has meanwhile gone live, the cancel came too late (exit 8), which is what the pipeline must
/// know; otherwise the refusal stands.
async fn too_late_to_cancel(
    cx: &Context,
    report: &mut Report,
    before: &EnvironmentV1,
    (model, env): (&str, &str),
    refused: Failure,
) -> Result<(), Failure> {
    let Some(candidate) = before.candidate_deployment.as_ref().map(|d| d.id.clone()) else {
        return Err(refused);
    };
    if refused.exit != Exit::Refused {
        return Err(refused);
    }
    let after = read_environment(cx, model, env).await?;
    watch::record_environment(report, &after);
    match &after.current_deployment {
        Some(current) if current.id == candidate => {
            report.end(
                Exit::Failed,
                "succeeded",
                format!(
                    "too late: the promotion ended before the cancel arrived; {candidate} is the \
                     current deployment of {model}/{env}"
                ),
            );
            Ok(())
        }
        _ => Err(refused),
    }
}
