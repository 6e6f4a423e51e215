//! Waiting, on the library's waiters: progress goes to the output, and each way a wait can end
//! becomes an outcome, an exit code and a sentence.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baseten_api::Client;
use baseten_api::types::{DeploymentV1, EnvironmentV1};
use baseten_api::wait::{
    ChainPromotionOutcome, DeploymentOutcome, DeploymentProgress, LastSeen, Polling,
    PromotionOutcome, WaitError,
};

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
    /// pause, `wait --until paused`: traffic should stop moving (paused, or ended).
    Pause,
}

impl Intent {
    /// The exit code when the promotion ended without the candidate taking over: what a cancel
    /// asked for, or `otherwise`.
    fn exit_if_not_promoted(self, otherwise: Exit) -> Exit {
        match self {
            Intent::Cancel => Exit::Done,
            Intent::Promote | Intent::Pause => otherwise,
        }
    }
}

pub fn polling(timing: &Timing) -> Polling {
    match timing.poll_interval {
        Some(every) => Polling::default().intervals(every, every),
        None => Polling::default(),
    }
}

/// What the command read of the environment before the wait.
#[derive(Clone, Copy)]
pub enum Before<'a> {
    /// A read before the promotion request: the environment exists (a 404 later means it was
    /// deleted), but a promotion it shows is not ours.
    Promoting,
    /// A read after the promotion was accepted (before a signal, or `wait`): if it shows the
    /// promotion in progress, its ending is known to be this promotion's.
    Seen(&'a EnvironmentV1),
}

/// Waits for the promotion of `deployment_id` to `model_id/env` to end and fills the report.
#[allow(clippy::too_many_arguments)]
pub async fn promotion(
    client: &Client,
    out: &Output,
    report: &mut Report,
    (model_id, env): (&str, &str),
    deployment_id: &str,
    before: Before<'_>,
    timing: &Timing,
    intent: Intent,
) -> Result<(), Failure> {
    let target = format!("{model_id}/{env}");
    let progress_out = out.clone();
    let progress_target = target.clone();
    // The promotion as the last read showed it, for the report (`promotion`: as last seen).
    let last_seen = Arc::new(Mutex::new(None::<PromotionSummary>));
    let seen = last_seen.clone();
    let started = Instant::now();
    let wait = client
        .wait_for_promotion(model_id, env, deployment_id)
        .timeout(timing.timeout)
        .settle(timing.settle)
        .polling(polling(timing))
        .environment_exists()
        .on_progress(move |progress| {
            let percent = progress.status.as_ref().map(|_| progress.percent_traffic);
            progress_out.progress(&format!("{progress_target}: {progress}"), percent);
            *seen.lock().unwrap_or_else(|p| p.into_inner()) =
                progress.status.as_ref().map(|status| PromotionSummary {
                    status: status.to_string(),
                    percent_traffic: progress.percent_traffic,
                    error_message: None,
                });
        });
    let wait = match before {
        Before::Promoting => wait,
        Before::Seen(environment) => wait.already_seen(environment),
    };
    let wait = if intent == Intent::Pause {
        wait.until_paused()
    } else {
        wait
    };
    let result = wait.await;
    let last_promotion = || last_seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
    report.waited(started.elapsed());
    let outcome = result.map_err(|error| wait_failure(report, error, &target))?;

    record_promotion_outcome(
        report,
        &outcome,
        (model_id, env),
        deployment_id,
        intent,
        last_promotion(),
    );
    Ok(())
}

/// How a promotion ended, in the report: its exit code, outcome and sentence, and where the
/// environment stands. `last_promotion`: the promotion as last reported, for a success.
pub fn record_promotion_outcome(
    report: &mut Report,
    outcome: &PromotionOutcome,
    (model_id, env): (&str, &str),
    deployment_id: &str,
    intent: Intent,
    last_promotion: Option<PromotionSummary>,
) {
    let target = format!("{model_id}/{env}");
    use Intent::*;
    use PromotionOutcome as P;
    let (exit, outcome_name, message) = match (outcome, intent) {
        (
            P::Paused {
                percent_traffic,
                last,
            },
            _,
        ) => {
            record_environment(report, last);
            (
                Exit::Done,
                "paused",
                format!(
                    "the promotion of {deployment_id} to {target} is paused at {percent_traffic}% \
                     to the candidate; {} is current",
                    current_id(last)
                ),
            )
        }
        (P::Succeeded { deployment }, _) => {
            report.current_deployment = Some(DeploymentSummary::of(deployment));
            report.promotion = last_promotion;
            let current = format!("{} is the current deployment of {target}", deployment.id);
            match intent {
                Promote => (Exit::Done, "succeeded", current),
                Pause => (
                    Exit::Done,
                    "succeeded",
                    format!("the promotion ended before it paused: {current}"),
                ),
                Cancel => (
                    Exit::Failed,
                    "succeeded",
                    format!(
                        "too late: the promotion finished before the cancel took effect; {current}"
                    ),
                ),
            }
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
            let exit = intent.exit_if_not_promoted(Exit::Failed);
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
            let exit = intent.exit_if_not_promoted(Exit::Canceled);
            (
                exit,
                "canceled",
                format!(
                    "the promotion of {deployment_id} to {target} was canceled; {} stays current",
                    current_id(last)
                ),
            )
        }
        (
            P::OtherDeploymentCurrent {
                last, last_status, ..
            },
            _,
        ) => {
            record_environment(report, last);
            let exit = intent.exit_if_not_promoted(Exit::Canceled);
            let how = match last_status {
                Some(status) => format!(
                    "ended (last seen {status}) and {} is current: rolled back or superseded",
                    current_id(last)
                ),
                None => format!(
                    "never showed up in the environment and {} is current: rolled back, \
                     superseded or never started",
                    current_id(last)
                ),
            };
            (
                exit,
                "rolled_back",
                format!("the promotion of {deployment_id} to {target} {how}"),
            )
        }
        (P::EnvironmentDeleted { last_status }, _) => {
            report.promotion = None;
            report.current_deployment = None;
            let seen = last_status
                .as_ref()
                .map(|s| format!(" (last seen {s})"))
                .unwrap_or_default();
            (
                Exit::EnvironmentDeleted,
                "environment_deleted",
                format!(
                    "environment {env} of model {model_id} was deleted during the wait (it \
                     answers 404); the promotion of {deployment_id}{seen} was canceled with it"
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
}

/// Waits for the promotion of chain deployment `deployment_id` to `chain_id/env` to end (the
/// chain environment's candidate), and fills the report.
pub async fn chain_promotion(
    client: &Client,
    out: &Output,
    report: &mut Report,
    (chain_id, env): (&str, &str),
    deployment_id: &str,
    timing: &Timing,
) -> Result<(), Failure> {
    let target = format!("{chain_id}/{env}");
    let progress_out = out.clone();
    let progress_target = target.clone();
    let started = Instant::now();
    let result = client
        .wait_for_chain_promotion(chain_id, env, deployment_id)
        .timeout(timing.timeout)
        .settle(timing.settle)
        .polling(polling(timing))
        .environment_exists()
        .on_progress(move |progress| {
            progress_out.progress(&format!("{progress_target}: {progress}"), None);
        })
        .await;
    report.waited(started.elapsed());
    let outcome = result.map_err(|error| wait_failure(report, error, &target))?;
    use ChainPromotionOutcome as C;
    match outcome {
        C::Succeeded { deployment } => {
            report.current_deployment = Some(DeploymentSummary::of_chain(&deployment));
            report.end(
                Exit::Done,
                "succeeded",
                format!("{} is the current deployment of {target}", deployment.id),
            );
        }
        C::OtherDeploymentCurrent {
            current,
            was_candidate,
            ..
        } => {
            report.current_deployment = current.as_deref().map(DeploymentSummary::of_chain);
            let current = current.map_or("no deployment".to_owned(), |d| d.id);
            let how = if was_candidate {
                "was the candidate, then the promotion ended"
            } else {
                "never showed up as the candidate"
            };
            report.end(
                Exit::Canceled,
                "rolled_back",
                format!(
                    "{deployment_id} {how} and {current} is the current deployment of {target}"
                ),
            );
        }
        C::EnvironmentDeleted => report.end(
            Exit::EnvironmentDeleted,
            "environment_deleted",
            format!(
                "environment {env} of chain {chain_id} was deleted during the wait (it answers \
                 404)"
            ),
        ),
        other => report.end(
            Exit::Failed,
            "error",
            format!("the promotion of {deployment_id} to {target} ended: {other:?}"),
        ),
    }
    Ok(())
}

/// Waits for a model deployment to be ready and fills the report: the deployment if it is,
/// `None` if it failed or is inactive (the report says so).
pub async fn deployment(
    client: &Client,
    out: &Output,
    report: &mut Report,
    model_id: &str,
    deployment_id: &str,
    timing: &Timing,
) -> Result<Option<DeploymentV1>, Failure> {
    let subject = format!("deployment {deployment_id} of {model_id}");
    let started = Instant::now();
    let result = client
        .wait_for_deployment(model_id, deployment_id)
        .timeout(timing.timeout)
        .polling(polling(timing))
        .on_progress(print_deployment_progress(out, &subject))
        .await;
    settled(report, &subject, started, result, DeploymentSummary::of)
}

/// Waits for a chain deployment to be ready, as [`deployment`] does; `true` if it is.
pub async fn chain_deployment(
    client: &Client,
    out: &Output,
    report: &mut Report,
    chain_id: &str,
    deployment_id: &str,
    timing: &Timing,
) -> Result<bool, Failure> {
    let subject = format!("chain deployment {deployment_id} of {chain_id}");
    let started = Instant::now();
    let result = client
        .wait_for_chain_deployment(chain_id, deployment_id)
        .timeout(timing.timeout)
        .polling(polling(timing))
        .on_progress(print_deployment_progress(out, &subject))
        .await;
    let ready = settled(
        report,
        &subject,
        started,
        result,
        DeploymentSummary::of_chain,
    )?;
    Ok(ready.is_some())
}

/// A deployment waiter's progress callback: a line per status change.
fn print_deployment_progress(
    out: &Output,
    subject: &str,
) -> impl FnMut(&DeploymentProgress) + Send + 'static {
    let (out, subject) = (out.clone(), subject.to_owned());
    move |progress| out.progress(&format!("{subject}: {progress}"), None)
}

/// How a deployment wait ended, in the report. Ready: the deployment, for the caller to go on;
/// failed or inactive: `None`, and the report's ending says which.
fn settled<D>(
    report: &mut Report,
    subject: &str,
    started: Instant,
    result: Result<DeploymentOutcome<D>, WaitError>,
    summarize: fn(&D) -> DeploymentSummary,
) -> Result<Option<D>, Failure> {
    report.waited(started.elapsed());
    let outcome = result.map_err(|error| wait_failure(report, error, subject))?;
    let summary = summarize(outcome.deployment());
    let status = summary.status.clone();
    report.deployment = Some(summary);
    match outcome {
        DeploymentOutcome::Ready(d) => return Ok(Some(*d)),
        DeploymentOutcome::Failed(_) => {
            report.end(
                Exit::Failed,
                "failed",
                format!("{subject} failed: {status}"),
            );
        }
        DeploymentOutcome::Inactive(_) => report.end(
            Exit::Failed,
            "inactive",
            format!("{subject} is {status}: it will not become ready unless activated"),
        ),
        _ => report.end(Exit::Failed, "error", format!("{subject} ended {status}")),
    }
    Ok(None)
}

/// A wait that ended without an outcome.
pub fn wait_failure(report: &mut Report, error: WaitError, subject: &str) -> Failure {
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

pub fn current_id(env: &EnvironmentV1) -> &str {
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
