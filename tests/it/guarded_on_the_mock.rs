//! Guarded promotions (`baseten_api::guard`) against baseten-mock's rolling promotions, on its
//! simulated clock: ten minutes of promotion (10 % a minute) in milliseconds, in the clean world
//! and in the adversarial one (`waiters_on_the_mock::WORLDS`). Each test asserts the mock's own
//! state afterwards, not only what the guard says.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use baseten_api::Client;
use baseten_api::guard::{
    CheckContext, CheckResult, CheckVerdict, GuardedEnding, GuardedOutcome, OnFailure, Policy,
    Trigger,
};
use baseten_api::wait::PromotionOutcome;
use baseten_mock::{MockServer, PromotionStatus};

use crate::waiters_on_the_mock::{ENV, MODEL, WORLDS, current_of, mock, promote, seed};

/// What a check saw: its context, and the mock's promotion as it ran (status, traffic).
type Seen = Arc<Mutex<Vec<(CheckContext, Option<(PromotionStatus, u8)>)>>>;

fn mock_promotion(mock: &MockServer) -> Option<(PromotionStatus, u8)> {
    let promotion = mock.environment(MODEL, ENV)?.promotion?;
    Some((promotion.status, promotion.traffic_percent))
}

/// A check that passes below `fail_from` percent of traffic and fails from there on.
fn failing_from(
    mock: &MockServer,
    fail_from: i64,
    seen: &Seen,
) -> impl FnMut(CheckContext) -> std::future::Ready<CheckResult> + Send {
    move |context: CheckContext| {
        let percent = context.percent_traffic;
        seen.lock().unwrap().push((context, mock_promotion(mock)));
        std::future::ready(if percent < fail_from {
            CheckResult::Passed
        } else {
            CheckResult::failed(format!("500s at {percent}%"))
        })
    }
}

/// A mock on the standard world (ended promotions visible for `ended_visible`, adversarial
/// timings or not), its client, and `dpl-new`'s promotion to `ENV` started through it.
async fn promoting(ended_visible: Duration, adversarial: bool) -> (MockServer, Client) {
    let mock = mock(seed(None), ended_visible, adversarial).await;
    let client = mock.client();
    promote(&client).await;
    (mock, client)
}

fn percents(outcome: &GuardedOutcome) -> Vec<i64> {
    outcome.checks.iter().map(|c| c.percent_traffic).collect()
}

#[tokio::test]
async fn every_checkpoint_is_checked_once_on_the_way_to_success() {
    for adversarial in WORLDS {
        let (mock, client) = promoting(Duration::ZERO, adversarial).await;
        let seen = Seen::default();
        let outcome = client
            .guard_promotion(MODEL, ENV, "dpl-new", failing_from(&mock, 101, &seen))
            .check_at([10, 50, 100])
            .clock(mock.wait_clock())
            .await
            .unwrap();
        assert!(outcome.is_success(), "{outcome:?}");
        assert_eq!(percents(&outcome), [10, 50, 100], "{outcome:?}");
        let triggers: Vec<Trigger> = outcome.checks.iter().map(|c| c.trigger).collect();
        assert_eq!(
            triggers,
            [10, 50, 100].map(Trigger::Percent),
            "adversarial: {adversarial}"
        );
        // Each check ran with that traffic really on the candidate.
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].1.as_ref().map(|p| p.1), Some(10));
        assert_eq!(seen[1].1.as_ref().map(|p| p.1), Some(50));
        assert_eq!(seen[2].0.current_deployment.as_deref(), Some("dpl-new"));
        assert_eq!(current_of(&mock).as_deref(), Some("dpl-new"));
    }
}

#[tokio::test]
async fn a_check_failing_at_50_cancels_and_the_previous_deployment_is_current() {
    for (adversarial, on_failure) in [
        (false, OnFailure::Cancel),
        (true, OnFailure::Cancel),
        (false, OnFailure::ForceCancel),
        (true, OnFailure::ForceCancel),
    ] {
        let (mock, client) = promoting(Duration::from_secs(60), adversarial).await;
        let seen = Seen::default();
        let outcome = client
            .guard_promotion(MODEL, ENV, "dpl-new", failing_from(&mock, 50, &seen))
            .check_at([10, 50, 100])
            .on_failure(on_failure)
            .clock(mock.wait_clock())
            .await
            .unwrap();
        let failed = outcome.failed_check().expect("a failed check").clone();
        assert_eq!(failed.percent_traffic, 50);
        assert_eq!(failed.trigger, Trigger::Percent(50));
        assert!(
            matches!(&failed.verdict, CheckVerdict::Failed { reason } if reason == "500s at 50%")
        );
        let GuardedEnding::CheckFailed { action, after, .. } = &outcome.ending else {
            panic!("{outcome:?}")
        };
        assert_eq!(*action, Some(on_failure));
        // Whatever the waiter saw of the ending, the previous deployment is current, and the
        // mock agrees.
        let current = match after {
            PromotionOutcome::Canceled { last } => last.current_deployment.clone(),
            PromotionOutcome::OtherDeploymentCurrent { current, .. } => current.as_deref().cloned(),
            other => panic!("{other:?}"),
        };
        assert_eq!(current.map(|d| d.id).as_deref(), Some("dpl-old"));
        assert_eq!(current_of(&mock).as_deref(), Some("dpl-old"));
        assert_eq!(percents(&outcome), [10, 50]);
    }
}

#[tokio::test]
async fn a_check_that_does_not_answer_in_time_is_a_failed_check() {
    let (mock, client) = promoting(Duration::from_secs(60), false).await;
    let clock = mock.wait_clock();
    let outcome = client
        .guard_promotion(MODEL, ENV, "dpl-new", |_| {
            let clock = Arc::clone(&clock);
            async move {
                // A minute of (simulated) work, then never an answer.
                clock.sleep(Duration::from_secs(60)).await;
                std::future::pending::<CheckResult>().await
            }
        })
        .check_at([20])
        .check_timeout(Duration::from_secs(45))
        .policy(Policy::new(OnFailure::ForceCancel).retries(1))
        .clock(mock.wait_clock())
        .await
        .unwrap();
    assert_eq!(
        outcome.checks.len(),
        2,
        "a retry, then the abort: {outcome:?}"
    );
    for check in &outcome.checks {
        assert!(check.duration >= Duration::from_secs(45), "{check:?}");
        assert_eq!(
            check.verdict,
            CheckVerdict::TimedOut {
                after: Duration::from_secs(45)
            }
        );
    }
    assert!(matches!(
        outcome.ending,
        GuardedEnding::CheckFailed {
            action: Some(OnFailure::ForceCancel),
            ..
        }
    ));
    assert_eq!(current_of(&mock).as_deref(), Some("dpl-old"));
}

#[tokio::test]
async fn a_hold_at_50_checks_while_really_paused_then_resumes_to_success() {
    for adversarial in WORLDS {
        let (mock, client) = promoting(Duration::ZERO, adversarial).await;
        let seen = Seen::default();
        let outcome = client
            .guard_promotion(MODEL, ENV, "dpl-new", failing_from(&mock, 101, &seen))
            .hold_at([50])
            .clock(mock.wait_clock())
            .await
            .unwrap();
        assert!(outcome.is_success(), "{outcome:?}");
        assert_eq!(outcome.checks.len(), 1, "{outcome:?}");
        assert!(outcome.checks[0].held);
        let seen = seen.lock().unwrap();
        // The mock was paused at 50 % while the check ran: the first step at or past 50.
        assert_eq!(seen[0].1, Some((PromotionStatus::Paused, 50)));
        assert_eq!(seen[0].0.percent_traffic, 50);
        assert_eq!(current_of(&mock).as_deref(), Some("dpl-new"));
    }
}

#[tokio::test]
async fn a_failure_with_pause_leaves_it_paused_where_it_failed() {
    let (mock, client) = promoting(Duration::ZERO, true).await;
    let seen = Seen::default();
    let outcome = client
        .guard_promotion(MODEL, ENV, "dpl-new", failing_from(&mock, 30, &seen))
        .check_at([30])
        .on_failure(OnFailure::Pause)
        .clock(mock.wait_clock())
        .await
        .unwrap();
    let GuardedEnding::CheckFailed { after, .. } = &outcome.ending else {
        panic!("{outcome:?}")
    };
    // Baseten pauses at the next step: 40 %.
    assert!(
        matches!(
            after,
            PromotionOutcome::Paused {
                percent_traffic: 40,
                ..
            }
        ),
        "{after:?}"
    );
    assert_eq!(mock_promotion(&mock), Some((PromotionStatus::Paused, 40)));
    assert_eq!(current_of(&mock).as_deref(), Some("dpl-old"));
}

#[tokio::test]
async fn a_retry_held_that_passes_resumes_and_the_interval_checks_while_ramping() {
    let (mock, client) = promoting(Duration::ZERO, false).await;
    let calls = Arc::new(Mutex::new(0));
    let outcome = client
        .guard_promotion(MODEL, ENV, "dpl-new", |context: CheckContext| {
            let mut calls = calls.lock().unwrap();
            *calls += 1;
            // The second run fails once: held and run again, it passes.
            let result = if *calls == 2 {
                CheckResult::failed("flaky")
            } else {
                CheckResult::Passed
            };
            assert!(context.attempt == 1 || context.held, "{context:?}");
            std::future::ready(result)
        })
        .check_every(Duration::from_secs(150))
        .policy(
            Policy::new(OnFailure::Cancel)
                .retries(1)
                .hold_to_retry(true),
        )
        .clock(mock.wait_clock())
        .await
        .unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
    assert!(
        outcome
            .checks
            .iter()
            .all(|c| c.trigger == Trigger::Interval),
        "{outcome:?}"
    );
    let second = &outcome.checks[1..3];
    assert!(!second[0].verdict.passed() && !second[0].held, "{second:?}");
    assert!(second[1].verdict.passed() && second[1].held && second[1].attempt == 2);
    // A ten-minute promotion, a check every 150 s of ramping: a few, not one per read.
    assert!((4..=6).contains(&outcome.checks.len()), "{outcome:?}");
    assert_eq!(current_of(&mock).as_deref(), Some("dpl-new"));
}
