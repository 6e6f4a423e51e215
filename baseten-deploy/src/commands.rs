//! One function per subcommand: read what the summary needs, send the request, wait if asked,
//! and fill the report. Every failure returns a [`Failure`]; `main` turns it into output and an
//! exit code.

use std::time::Instant;

use baseten_api::types::{
    EnvironmentV1, PromoteRequestV1, PromoteToChainEnvironmentRequestV1,
    PromoteToEnvironmentRequestV1, SignalPromotionResponseV1,
};
use baseten_api::wait::{DeploymentStatusClass, classify_deployment_status};
use baseten_api::{Client, Error, ResponseValue};

use crate::cli::{Command, ModelEnv, Signal, Timing, Until, WaitArgs};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::report::{DeploymentSummary, EnvironmentSummary, Report, SignalSummary};
use crate::watch::{self, Before, Intent};

/// What every command needs.
pub struct Context {
    pub client: Client,
    pub out: Output,
    /// When the command started: `--timeout` counts from here, so the requests before a wait
    /// take from its time.
    pub started: Instant,
}

impl Context {
    /// The time left of the command's `--timeout`.
    fn remaining(&self, timing: &Timing) -> Timing {
        watch::remaining(timing, self.started)
    }
}

/// The subcommand's name, as typed.
pub fn name(command: &Command) -> &'static str {
    match command {
        Command::Promote { .. } => "promote",
        Command::PromoteChain { .. } => "promote-chain",
        Command::PromoteDevelopment { .. } => "promote-development",
        Command::RollForward(_) => "roll-forward",
        Command::Cancel(_) => "cancel",
        Command::ForceCancel(_) => "force-cancel",
        Command::Pause(_) => "pause",
        Command::Resume(_) => "resume",
        Command::Status { .. } => "status",
        Command::Wait { .. } => "wait",
    }
}

pub async fn run(command: &Command, cx: &Context, report: &mut Report) -> Result<(), Failure> {
    match command {
        Command::Promote {
            target,
            deployment,
            no_scale_down,
            no_preserve_instance_type,
            wait,
        } => {
            let body = PromoteToEnvironmentRequestV1::builder()
                .deployment_id(deployment.clone())
                .scale_down_previous_deployment(!no_scale_down)
                .preserve_env_instance_type(!no_preserve_instance_type);
            promote(cx, report, target, deployment, body, wait).await
        }
        Command::PromoteChain {
            chain,
            env,
            deployment,
            wait,
        } => promote_chain(cx, report, chain, env, deployment, wait).await,
        Command::PromoteDevelopment {
            model,
            no_scale_down,
            no_preserve_instance_type,
            wait,
        } => {
            let body = PromoteRequestV1::builder()
                .scale_down_previous_production(!no_scale_down)
                .preserve_env_instance_type(!no_preserve_instance_type);
            promote_development(cx, report, model, body, wait).await
        }
        Command::RollForward(signal) => {
            waiting_signal(cx, report, signal, SignalKind::RollForward).await
        }
        Command::Cancel(signal) => waiting_signal(cx, report, signal, SignalKind::Cancel).await,
        Command::ForceCancel(signal) => {
            waiting_signal(cx, report, signal, SignalKind::ForceCancel).await
        }
        Command::Resume(signal) => waiting_signal(cx, report, signal, SignalKind::Resume).await,
        Command::Pause(signal) => waiting_signal(cx, report, signal, SignalKind::Pause).await,
        Command::Status { model, env } => status(cx, report, model, env.as_deref()).await,
        Command::Wait {
            target,
            deployment,
            until,
            timing,
        } => {
            let intent = match until {
                Until::Ended => Intent::Promote,
                Until::Paused => Intent::Pause,
            };
            wait(cx, report, target, deployment.as_deref(), timing, intent).await
        }
    }
}

/// Reads a model environment, naming both ids if it does not exist.
async fn read_environment(cx: &Context, model: &str, env: &str) -> Result<EnvironmentV1, Failure> {
    cx.client
        .get_environment()
        .model_id(model)
        .env_name(env)
        .send()
        .await
        .map(|r| r.into_inner())
        .map_err(|e| Failure::request(&format!("reading environment {env} of model {model}"), &e))
}

fn set_model_target(report: &mut Report, target: &ModelEnv) {
    report.model_id = Some(target.model.clone());
    report.environment = Some(target.env.clone());
}

async fn promote(
    cx: &Context,
    report: &mut Report,
    target: &ModelEnv,
    deployment: &str,
    body: baseten_api::types::builder::PromoteToEnvironmentRequestV1Builder,
    wait: &WaitArgs,
) -> Result<(), Failure> {
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

/// The model environment's current deployment, as the report shows it.
fn current_of(env: &EnvironmentV1) -> Option<DeploymentSummary> {
    env.current_deployment.as_ref().map(DeploymentSummary::of)
}

/// Before a promotion request: the environment's current deployment becomes the report's
/// previous one, and the first event names both.
fn starting(
    cx: &Context,
    report: &mut Report,
    previous: Option<DeploymentSummary>,
    deployment: &str,
    target: &str,
) {
    let from = previous.as_ref().map_or("none", |d| d.id.as_str());
    cx.out.event(&format!(
        "promoting {deployment} to {target} (current: {from})"
    ));
    report.previous_deployment = previous;
}

/// The API took the promotion: the deployment it returned is the one the report follows.
fn accepted(cx: &Context, report: &mut Report, target: &str, promoted: DeploymentSummary) {
    cx.out.event(&format!(
        "{target}: promotion of {} accepted (deployment {})",
        promoted.id, promoted.status
    ));
    report.deployment = Some(promoted);
}

/// A refused promotion: the API's message says why (e.g. a promotion already in progress).
fn refused_promotion(what: &str, error: &Error) -> Failure {
    let failure = Failure::request(what, error);
    if failure.exit == Exit::Refused && failure.hint.is_none() {
        failure.hint(
            "if a promotion is in progress, wait for it (`baseten-deploy wait`) or cancel it \
             (`baseten-deploy cancel`)",
        )
    } else {
        failure
    }
}

async fn promote_chain(
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

async fn promote_development(
    cx: &Context,
    report: &mut Report,
    model: &str,
    body: baseten_api::types::builder::PromoteRequestV1Builder,
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum SignalKind {
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

/// A signal that `--wait` can follow.
async fn waiting_signal(
    cx: &Context,
    report: &mut Report,
    signal: &Signal,
    kind: SignalKind,
) -> Result<(), Failure> {
    send_signal(cx, report, &signal.target, Some(&signal.wait), kind).await
}

/// Sends a promotion signal; `wait` is `None` for pause, which has nothing to wait for.
async fn send_signal(
    cx: &Context,
    report: &mut Report,
    target: &ModelEnv,
    wait: Option<&WaitArgs>,
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
    match (wait.filter(|w| w.wait), candidate) {
        (Some(wait), Some(candidate)) => {
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
        (Some(_), None) => {
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
        (None, _) => {
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

async fn status(
    cx: &Context,
    report: &mut Report,
    model: &str,
    env: Option<&str>,
) -> Result<(), Failure> {
    report.model_id = Some(model.to_owned());
    report.environment = env.map(str::to_owned);
    let environments = match env {
        Some(env) => vec![read_environment(cx, model, env).await?],
        None => {
            cx.client
                .list_environments()
                .model_id(model)
                .send()
                .await
                .map_err(|e| Failure::request(&format!("listing the environments of {model}"), &e))?
                .into_inner()
                .environments
        }
    };
    let summaries: Vec<EnvironmentSummary> =
        environments.iter().map(EnvironmentSummary::of).collect();
    for summary in &summaries {
        cx.out.event(&format!("{model}/{}", summary.line()));
    }
    let promoting = summaries.iter().filter(|s| s.promotion.is_some()).count();
    report.environments = Some(summaries);
    report.end(
        Exit::Done,
        "read",
        format!(
            "{model}: {} environment(s), {promoting} with a promotion in progress",
            environments.len()
        ),
    );
    Ok(())
}

async fn wait(
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
                                current_id(&before)
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

/// The id of the environment's current deployment, for messages.
fn current_id(env: &EnvironmentV1) -> &str {
    env.current_deployment
        .as_ref()
        .map_or("no deployment", |d| d.id.as_str())
}
