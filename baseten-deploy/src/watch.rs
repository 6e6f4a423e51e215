//! Waiting, on the library's waiters: progress goes to the output, and each way a wait can end
//! becomes an outcome, an exit code and a sentence.

use std::time::{Duration, Instant};

use baseten_api::Client;
use baseten_api::types::{DeploymentV1, EnvironmentV1};
use baseten_api::wait::{DeploymentOutcome, LastSeen, Polling, PromotionOutcome, WaitError};

use crate::cli::Timing;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::report::{DeploymentSummary, PromotionSummary, Report};

/// What the command wanted of the promotion, which decides whether an ending is a success.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// promote, roll-forward, resume, wait: the candidate should become current.
    Promote,
    /// cancel, force-cancel: the candidate should not.
    Cancel,
}

fn polling(timing: &Timing) -> Polling {
    match timing.poll_interval {
        Some(every) => Polling::default().intervals(every, every),
        None => Polling::default(),
    }
}

/// Waits for the promotion of `deployment_id` to `model_id/env` to end and fills the report.
pub async fn promotion(
    client: &Client,
    out: &Output,
    report: &mut Report,
    (model_id, env): (&str, &str),
    deployment_id: &str,
    timing: &Timing,
    intent: Intent,
) -> Result<(), Failure> {
    let target = format!("{model_id}/{env}");
    let progress_out = out.clone();
    let progress_target = target.clone();
    let started = Instant::now();
    let result = client
        .wait_for_promotion(model_id, env, deployment_id)
        .timeout(timing.timeout)
        .polling(polling(timing))
        .on_progress(move |progress| {
            let percent = progress.status.as_ref().map(|_| progress.percent_traffic);
            progress_out.progress(&format!("{progress_target}: {progress}"), percent);
        })
        .await;
    report.waited(started.elapsed());
    let outcome = result.map_err(|error| wait_failure(report, error, &target))?;

    use Intent::*;
    use PromotionOutcome as P;
    let (exit, outcome_name, message) = match (&outcome, intent) {
        (P::Succeeded { deployment }, Promote) => {
            report.current_deployment = Some(DeploymentSummary::of(deployment));
            (
                Exit::Done,
                "succeeded",
                format!("{} is the current deployment of {target}", deployment.id),
            )
        }
        (P::Succeeded { deployment }, Cancel) => {
            report.current_deployment = Some(DeploymentSummary::of(deployment));
            (
                Exit::Failed,
                "succeeded",
                format!(
                    "the promotion finished before the cancel took effect: {} is the current \
                     deployment of {target}",
                    deployment.id
                ),
            )
        }
        (
            P::Failed {
                error_message,
                last,
            },
            _,
        ) => {
            record_environment(report, last);
            let why = error_message.as_deref().unwrap_or("Baseten gave no reason");
            let exit = if intent == Cancel {
                Exit::Done
            } else {
                Exit::Failed
            };
            (
                exit,
                "failed",
                format!(
                    "the promotion of {deployment_id} to {target} failed: {why}; {} stays current",
                    current_id(last)
                ),
            )
        }
        (P::Canceled { last }, _) => {
            record_environment(report, last);
            let exit = if intent == Cancel {
                Exit::Done
            } else {
                Exit::Canceled
            };
            (
                exit,
                "canceled",
                format!(
                    "the promotion of {deployment_id} to {target} was canceled; {} stays current",
                    current_id(last)
                ),
            )
        }
        (P::OtherDeploymentCurrent { last, .. }, _) => {
            record_environment(report, last);
            let exit = if intent == Cancel {
                Exit::Done
            } else {
                Exit::Canceled
            };
            (
                exit,
                "rolled_back",
                format!(
                    "the promotion of {deployment_id} to {target} is over and {} is current \
                     (rolled back, superseded or never started)",
                    current_id(last)
                ),
            )
        }
        // A way of ending that this version of the library added after this tool was written:
        // not a success.
        (other, _) => (
            Exit::Failed,
            "error",
            format!("the promotion of {deployment_id} to {target} ended: {other:?}"),
        ),
    };
    report.end(exit, outcome_name, message);
    Ok(())
}

/// Waits for a model deployment to be ready (or to fail) and fills the report.
pub async fn deployment(
    client: &Client,
    out: &Output,
    report: &mut Report,
    model_id: &str,
    deployment_id: &str,
    timing: &Timing,
) -> Result<Option<DeploymentV1>, Failure> {
    let subject = format!("deployment {deployment_id} of {model_id}");
    let progress_out = out.clone();
    let progress_subject = subject.clone();
    let started = Instant::now();
    let result = client
        .wait_for_deployment(model_id, deployment_id)
        .timeout(timing.timeout)
        .polling(polling(timing))
        .on_progress(move |progress| {
            progress_out.progress(&format!("{progress_subject}: {progress}"), None);
        })
        .await;
    report.waited(started.elapsed());
    let outcome = result.map_err(|error| wait_failure(report, error, &subject))?;
    report.deployment = Some(DeploymentSummary::of(outcome.deployment()));
    Ok(settled(report, &subject, outcome))
}

/// Waits for a chain deployment to be ready (or to fail) and fills the report; `true` if ready.
pub async fn chain_deployment(
    client: &Client,
    out: &Output,
    report: &mut Report,
    chain_id: &str,
    deployment_id: &str,
    timing: &Timing,
) -> Result<bool, Failure> {
    let subject = format!("chain deployment {deployment_id} of {chain_id}");
    let progress_out = out.clone();
    let progress_subject = subject.clone();
    let started = Instant::now();
    let result = client
        .wait_for_chain_deployment(chain_id, deployment_id)
        .timeout(timing.timeout)
        .polling(polling(timing))
        .on_progress(move |progress| {
            progress_out.progress(&format!("{progress_subject}: {progress}"), None);
        })
        .await;
    report.waited(started.elapsed());
    let outcome = result.map_err(|error| wait_failure(report, error, &subject))?;
    report.deployment = Some(DeploymentSummary::of_chain(outcome.deployment()));
    Ok(settled(report, &subject, outcome).is_some())
}

/// Ready: the deployment, for the caller to go on; failed or inactive: the report's ending.
fn settled<D>(report: &mut Report, subject: &str, outcome: DeploymentOutcome<D>) -> Option<D> {
    let status = report
        .deployment
        .as_ref()
        .map(|d| d.status.clone())
        .unwrap_or_default();
    match outcome {
        DeploymentOutcome::Ready(d) => Some(*d),
        DeploymentOutcome::Failed(_) => {
            report.end(
                Exit::Failed,
                "failed",
                format!("{subject} failed: {status}"),
            );
            None
        }
        DeploymentOutcome::Inactive(_) => {
            report.end(
                Exit::Failed,
                "inactive",
                format!("{subject} is {status}: it will not become ready unless activated"),
            );
            None
        }
        _ => {
            report.end(Exit::Failed, "error", format!("{subject} ended {status}"));
            None
        }
    }
}

/// A wait that ended without an outcome.
fn wait_failure(report: &mut Report, error: WaitError, subject: &str) -> Failure {
    match error {
        WaitError::Timeout { ref last, .. } => {
            if let Some(LastSeen::Environment(env)) = last {
                record_environment(report, env);
            }
            Failure::new(Exit::WaitTimedOut, error.to_string()).hint(
                "nothing was canceled: the promotion goes on; wait again with `baseten-deploy \
                 wait`, or give more time with --timeout",
            )
        }
        WaitError::NotFound { source, .. } => {
            let mut failure = Failure::request(subject, &source);
            failure.exit = Exit::NotFound;
            failure
        }
        WaitError::Request { source, .. } => Failure::request(subject, &source),
        other => Failure::new(Exit::Server, other.to_string()),
    }
}

/// The environment's current deployment and promotion, as last read.
pub fn record_environment(report: &mut Report, env: &EnvironmentV1) {
    report.current_deployment = env.current_deployment.as_ref().map(DeploymentSummary::of);
    report.promotion = env.in_progress_promotion.as_ref().map(PromotionSummary::of);
}

fn current_id(env: &EnvironmentV1) -> &str {
    env.current_deployment
        .as_ref()
        .map_or("no deployment", |d| d.id.as_str())
}

/// Time left of a deadline that started at `started`.
pub fn remaining(timing: &Timing, started: Instant) -> Timing {
    Timing {
        timeout: timing
            .timeout
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(1)),
        ..*timing
    }
}
