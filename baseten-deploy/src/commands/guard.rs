//! `promote --wait --check`: the promotion followed by the library's guarded promotion, with
//! the `--check` command (`crate::check`) as its check, and how it ended in the report.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use baseten_api::guard::{
    CheckContext, CheckResult, CheckRun, CheckVerdict, GuardError, GuardedEnding, OnFailure,
    Policy, Trigger,
};
use baseten_api::wait::PromotionOutcome;

use super::common::Context;
use crate::check::{self, Ran};
use crate::cli::{CheckArgs, OnCheckFailure, Timing};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::report::{CheckSummary, DeploymentSummary, PromotionSummary, Report};
use crate::watch::{self, Intent};

/// Refuses `--check` without a point to run it at, before anything is sent.
pub(super) fn validate(args: &CheckArgs) -> Result<(), Failure> {
    if args.check.is_some()
        && args.check_at.is_empty()
        && args.hold_at.is_empty()
        && args.check_every.is_none()
    {
        return Err(Failure::new(
            Exit::Usage,
            "--check needs at least one of --check-at, --hold-at or --check-every: the check \
             would never run",
        ));
    }
    if args.check_timeout.is_zero() {
        return Err(Failure::new(Exit::Usage, "--check-timeout is zero"));
    }
    Ok(())
}

/// Follows the promotion of `deployment_id` to `model/env`, running `command` at the
/// checkpoints of `args`, and fills the report.
pub(super) async fn guarded(
    cx: &Context,
    report: &mut Report,
    (model, env): (&str, &str),
    deployment_id: &str,
    timing: &Timing,
    args: &CheckArgs,
    command: &str,
) -> Result<(), Failure> {
    let target = format!("{model}/{env}");
    // Each run's output and exit, in the order the library lists its runs.
    let runs: Arc<Mutex<Vec<Arc<Mutex<Ran>>>>> = Arc::default();
    let last_seen = Arc::new(Mutex::new(None::<PromotionSummary>));
    let check = {
        let (out, runs, command) = (cx.out.clone(), Arc::clone(&runs), command.to_owned());
        move |context: CheckContext| {
            let ran = Arc::new(Mutex::new(Ran::default()));
            lock(&runs).push(Arc::clone(&ran));
            let (out, command) = (out.clone(), command.clone());
            async move {
                let percent = context.percent_traffic;
                let env = environment(&context);
                let paused = if context.held {
                    ", promotion paused"
                } else {
                    ""
                };
                let title = format!(
                    "check at {percent}% ({}, attempt {}{paused})",
                    context.trigger, context.attempt
                );
                out.check_started(&title, context.held);
                check::run(&command, &env, &out, &format!("check {percent}%"), &ran).await;
                let ran = lock(&ran);
                match (ran.exit_code, &ran.error) {
                    (Some(0), _) => CheckResult::Passed,
                    (code, error) => CheckResult::Failed(
                        ran.last_line()
                            .map(str::to_owned)
                            .or_else(|| error.clone())
                            .unwrap_or_else(|| match code {
                                Some(code) => format!("exit code {code}, no output"),
                                None => "no exit code, no output".to_owned(),
                            }),
                    ),
                }
            }
        }
    };
    let progress_out = cx.out.clone();
    let progress_target = target.clone();
    let seen = Arc::clone(&last_seen);
    let check_out = cx.out.clone();
    let started = Instant::now();
    let timing = cx.remaining(timing);
    let result = cx
        .client
        .guard_promotion(model, env, deployment_id, check)
        .check_at(args.check_at.iter().copied())
        .hold_at(args.hold_at.iter().copied())
        .check_timeout(args.check_timeout)
        .policy(
            Policy::new(match args.on_check_failure {
                OnCheckFailure::Cancel => OnFailure::Cancel,
                OnCheckFailure::ForceCancel => OnFailure::ForceCancel,
                OnCheckFailure::Pause => OnFailure::Pause,
            })
            .retries(args.check_retries),
        )
        .timeout(timing.timeout)
        .settle(timing.settle)
        .polling(watch::polling(&timing))
        .environment_exists()
        .on_progress(move |progress| {
            let percent = progress.status.as_ref().map(|_| progress.percent_traffic);
            progress_out.progress(&format!("{progress_target}: {progress}"), percent);
            *lock(&seen) = progress.status.as_ref().map(|status| PromotionSummary {
                status: status.to_string(),
                percent_traffic: progress.percent_traffic,
                error_message: None,
            });
        })
        .on_check(move |run: &CheckRun| {
            check_out.check_ended(&format!(
                "check at {}% {}",
                run.percent_traffic, run.verdict
            ));
        });
    let result = match args.check_every {
        Some(every) => result.check_every(every).await,
        None => result.await,
    };
    report.waited(started.elapsed());
    let runs: Vec<Ran> = lock(&runs).iter().map(|r| lock(r).clone()).collect();
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => {
            report.checks = summaries(error.checks(), &runs);
            return Err(match error {
                GuardError::Wait { source, .. } => watch::wait_failure(report, source, &target),
                GuardError::Invalid(message) => Failure::new(Exit::Usage, message),
                other => Failure::new(Exit::Server, other.to_string()).hint(
                    "`baseten-deploy status` shows where the promotion stands; nothing else \
                     was sent",
                ),
            });
        }
    };
    report.checks = summaries(&outcome.checks, &runs);
    match &outcome.ending {
        GuardedEnding::Ended(ended) => {
            let last = lock(&last_seen).clone();
            watch::record_promotion_outcome(
                report,
                ended,
                (model, env),
                deployment_id,
                Intent::Promote,
                last,
            );
        }
        GuardedEnding::CheckFailed {
            check,
            action,
            after,
        } => {
            let Some(failed) = outcome.failed_check() else {
                let what = after_the_action(report, after, *action);
                report.end(
                    Exit::Failed,
                    "check_failed",
                    format!("a check failed; {what}"),
                );
                return Ok(());
            };
            let said = match &failed.verdict {
                CheckVerdict::Failed { reason } => reason.clone(),
                CheckVerdict::TimedOut { after } => {
                    let last = runs.get(*check).and_then(|r| r.last_line());
                    format!(
                        "timed out after {}{}",
                        humantime::format_duration(*after),
                        last.map(|l| format!(" (last output: {l})"))
                            .unwrap_or_default()
                    )
                }
                other => other.to_string(),
            };
            let what = after_the_action(report, after, *action);
            report.end(
                Exit::Failed,
                "check_failed",
                format!(
                    "check failed at {} %: {said}; {what}",
                    failed.percent_traffic
                ),
            );
        }
        // A way of ending added to the library after this was written: not a success.
        other => report.end(Exit::Failed, "error", format!("{target}: {other:?}")),
    }
    Ok(())
}

/// Where the action left the promotion, as the waiter read it, in the report and in words.
fn after_the_action(
    report: &mut Report,
    after: &PromotionOutcome,
    action: Option<OnFailure>,
) -> String {
    use PromotionOutcome as P;
    match after {
        P::Canceled { last } | P::OtherDeploymentCurrent { last, .. } => {
            watch::record_environment(report, last);
            let how = if action == Some(OnFailure::ForceCancel) {
                "force-canceled"
            } else {
                "rolled back"
            };
            format!("{how}, {} is current", watch::current_id(last))
        }
        P::Failed { last, .. } => {
            watch::record_environment(report, last);
            format!(
                "the promotion failed, {} is current",
                watch::current_id(last)
            )
        }
        P::Paused {
            percent_traffic,
            last,
        } => {
            watch::record_environment(report, last);
            format!(
                "paused at {percent_traffic}% to the candidate, {} is current (`baseten-deploy \
                 resume` or `cancel` decides)",
                watch::current_id(last)
            )
        }
        P::Succeeded { deployment } => {
            report.current_deployment = Some(DeploymentSummary::of(deployment));
            match action {
                None => format!(
                    "the promotion had already finished, {} is current",
                    deployment.id
                ),
                Some(_) => format!(
                    "too late to stop it: the promotion finished, {} is current",
                    deployment.id
                ),
            }
        }
        P::EnvironmentDeleted { .. } => {
            report.current_deployment = None;
            report.promotion = None;
            "the environment was deleted meanwhile".to_owned()
        }
        other => format!("then it ended: {other:?}"),
    }
}

/// The check's environment: the inherited one, plus the promotion's facts. The API key is not
/// added (a key given with --api-key-file stays out of it).
fn environment(context: &CheckContext) -> Vec<(&'static str, String)> {
    vec![
        ("BASETEN_MODEL_ID", context.model_id.clone()),
        ("BASETEN_ENVIRONMENT", context.env_name.clone()),
        (
            "BASETEN_CANDIDATE_DEPLOYMENT_ID",
            context.candidate_deployment.clone(),
        ),
        (
            "BASETEN_CURRENT_DEPLOYMENT_ID",
            context.current_deployment.clone().unwrap_or_default(),
        ),
        (
            "BASETEN_PERCENT_TRAFFIC",
            context.percent_traffic.to_string(),
        ),
    ]
}

fn trigger_name(trigger: Trigger) -> String {
    match trigger {
        Trigger::Percent(percent) => format!("{percent}%"),
        Trigger::Interval => "interval".to_owned(),
        other => other.to_string(),
    }
}

/// The library's runs with what each printed.
fn summaries(checks: &[CheckRun], runs: &[Ran]) -> Vec<CheckSummary> {
    checks
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let ran = runs.get(i).cloned().unwrap_or_default();
            CheckSummary {
                trigger: trigger_name(run.trigger),
                percent_traffic: run.percent_traffic,
                attempt: run.attempt,
                held: run.held,
                result: match run.verdict {
                    CheckVerdict::Passed => "passed",
                    CheckVerdict::TimedOut { .. } => "timed_out",
                    _ => "failed",
                },
                exit_code: ran.exit_code,
                duration_seconds: (run.duration.as_millis() as f64) / 1000.0,
                output_tail: ran.tail.into_iter().collect(),
            }
        })
        .collect()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
