//! The waiters against baseten-mock's rolling promotions, on its simulated clock
//! (`mock.wait_clock()`): ten minutes of promotion are waited for in milliseconds, and every
//! lifecycle signal a CI job may send meanwhile ends the wait the way it should.

use std::time::Duration;

use baseten_api::types::PromoteToEnvironmentRequestV1;
use baseten_api::wait::{DeploymentOutcome, PromotionOutcome, WaitError};
use baseten_api::{Client, types::InProgressPromotionStatusV1 as Status};
use baseten_mock::{MockServer, Seed, Timings};

pub(crate) const MODEL: &str = "mdl-rolling";
pub(crate) const ENV: &str = "production";

/// A model whose production rolls 10 % every 60 s (ten minutes), optionally failing at `fail_at`.
pub(crate) fn seed(fail_at: Option<u32>) -> Seed {
    let failure = fail_at
        .map(|step| {
            format!(
                "        promotion_failure: {{at_step: {step}, error_message: Replicas crashed.}}\n"
            )
        })
        .unwrap_or_default();
    let text = format!(
        "models:\n  - id: {MODEL}\n    deployments:\n      - {{id: dpl-old, name: deployment-1}}\n      - {{id: dpl-new, name: deployment-2}}\n      - {{id: dpl-dev, name: development, development: true}}\n    environments:\n      - name: {ENV}\n        deployment_id: dpl-old\n        rolling: {{step_percent: 10, step_seconds: 60}}\n{failure}"
    );
    Seed::from_yaml_str(&text, "waiter test").expect("a valid seed")
}

/// The two worlds every test here runs in: the mock's clean one, where each transition is
/// atomic, and an adversarial one, where the candidate shows 30 s before its promotion object,
/// an ended promotion keeps its candidate while it is shown, and `current_deployment` switches
/// 8 s after the promotion object clears (`baseten_mock::Timings`; the waiters' model of what
/// Baseten may show is `src/wait/model.rs`).
pub(crate) const WORLDS: [bool; 2] = [false, true];

/// A mock seeded with `seed`; `ended_visible` is how long an ended promotion stays readable;
/// `adversarial` turns on the in-between states above.
pub(crate) async fn mock(seed: Seed, ended_visible: Duration, adversarial: bool) -> MockServer {
    let timings = Timings::default().ended_promotion_visible(ended_visible);
    let timings = if adversarial {
        timings
            .candidate_lead(Duration::from_secs(30))
            .ended_candidate_visible(true)
            .current_switch_delay(Duration::from_secs(8))
    } else {
        timings
    };
    let mock = MockServer::builder()
        .timings(timings)
        .start()
        .await
        .expect("the mock starts");
    mock.seed(seed).expect("seeded");
    mock
}

pub(crate) async fn promote(client: &Client) {
    client
        .promote_model_to_environment()
        .model_id(MODEL)
        .env_name(ENV)
        .body(PromoteToEnvironmentRequestV1::builder().deployment_id("dpl-new"))
        .send()
        .await
        .expect("the promotion is accepted");
}

async fn wait(mock: &MockServer, timeout: Duration) -> Result<PromotionOutcome, WaitError> {
    mock.client()
        .wait_for_promotion(MODEL, ENV, "dpl-new")
        .timeout(timeout)
        .clock(mock.wait_clock())
        .await
}

/// Sends one of the lifecycle signals to the environment; it must be accepted.
async fn signal(client: &Client, operation: &str) {
    crate::lifecycle::call_on(client, operation, MODEL, ENV)
        .await
        .unwrap_or_else(|e| panic!("{operation}: {e}"));
}

pub(crate) fn current_of(mock: &MockServer) -> Option<String> {
    mock.environment(MODEL, ENV).and_then(|e| e.deployment_id)
}

#[tokio::test]
async fn a_ten_minute_rolling_promotion_succeeds_within_sixty_reads() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::ZERO, adversarial).await;
        promote(&mock.client()).await;
        let outcome = wait(&mock, Duration::from_secs(1800)).await.unwrap();
        assert!(
            matches!(&outcome, PromotionOutcome::Succeeded { deployment } if deployment.id == "dpl-new")
        );
        assert!(
            mock.elapsed() >= Duration::from_secs(600),
            "{:?}",
            mock.elapsed()
        );
        let reads = mock.request_count("get_environment");
        assert!(reads <= 60, "{reads} reads");
    }
}

#[tokio::test]
async fn a_failure_at_a_step_is_failed_with_its_message_when_the_end_is_seen() {
    for adversarial in WORLDS {
        let mock = mock(seed(Some(3)), Duration::from_secs(60), adversarial).await;
        promote(&mock.client()).await;
        let outcome = wait(&mock, Duration::from_secs(1800)).await.unwrap();
        let PromotionOutcome::Failed { error_message, .. } = &outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(error_message.as_deref(), Some("Replicas crashed."));
        assert_eq!(current_of(&mock).as_deref(), Some("dpl-old"));
    }
}

#[tokio::test]
async fn a_failure_whose_end_is_not_seen_is_still_not_a_success() {
    for adversarial in WORLDS {
        let mock = mock(seed(Some(3)), Duration::ZERO, adversarial).await;
        promote(&mock.client()).await;
        let outcome = wait(&mock, Duration::from_secs(1800)).await.unwrap();
        let PromotionOutcome::OtherDeploymentCurrent {
            current,
            last_status,
            ..
        } = &outcome
        else {
            panic!("{outcome:?}")
        };
        assert_eq!(current.as_ref().map(|d| d.id.as_str()), Some("dpl-old"));
        assert_eq!(last_status.as_ref(), Some(&Status::RampingDown));
    }
}

#[tokio::test]
async fn cancel_while_ramping_ends_canceled_with_the_previous_deployment_current() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::from_secs(60), adversarial).await;
        let client = mock.client();
        promote(&client).await;
        mock.advance(Duration::from_secs(130)); // two steps: 20 % on the candidate
        let answer = client
            .cancel_promotion()
            .model_id(MODEL)
            .env_name(ENV)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.into_inner().status.to_string(), "RAMPING_DOWN");
        let outcome = wait(&mock, Duration::from_secs(1800)).await.unwrap();
        assert!(
            matches!(outcome, PromotionOutcome::Canceled { .. }),
            "{outcome:?}"
        );
        assert_eq!(current_of(&mock).as_deref(), Some("dpl-old"));
    }
}

#[tokio::test]
async fn a_paused_promotion_is_waited_for_until_resumed() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::ZERO, adversarial).await;
        let client = mock.client();
        promote(&client).await;
        mock.advance(Duration::from_secs(90));
        signal(&client, "pause_promotion").await;
        let err = wait(&mock, Duration::from_secs(900)).await.unwrap_err();
        let WaitError::Timeout { last_progress, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(
            last_progress
                .as_deref()
                .is_some_and(|p| p.starts_with("PAUSED 20%")),
            "{err}"
        );
        signal(&client, "resume_promotion").await;
        let outcome = wait(&mock, Duration::from_secs(1800)).await.unwrap();
        assert!(outcome.is_success(), "{outcome:?}");
    }
}

#[tokio::test]
async fn force_roll_forward_ends_the_wait_early_with_success() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::ZERO, adversarial).await;
        let client = mock.client();
        promote(&client).await;
        mock.advance(Duration::from_secs(70));
        signal(&client, "force_roll_forward_promotion").await;
        let outcome = wait(&mock, Duration::from_secs(1800)).await.unwrap();
        assert!(outcome.is_success(), "{outcome:?}");
        assert!(
            mock.elapsed() < Duration::from_secs(300),
            "{:?}",
            mock.elapsed()
        );
    }
}

#[tokio::test]
async fn force_cancel_rolls_back_and_is_not_a_success() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::ZERO, adversarial).await;
        let client = mock.client();
        promote(&client).await;
        mock.advance(Duration::from_secs(130));
        signal(&client, "force_cancel_promotion").await;
        // The rollback is immediate: the waiter finds the previous deployment current and no
        // promotion, and after its start grace concludes that the promotion did not take.
        let outcome = wait(&mock, Duration::from_secs(1800)).await.unwrap();
        let PromotionOutcome::OtherDeploymentCurrent { current, .. } = &outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(current.as_ref().map(|d| d.id.as_str()), Some("dpl-old"));
        assert_eq!(current_of(&mock).as_deref(), Some("dpl-old"));
    }
}

#[tokio::test]
async fn an_unknown_status_is_waited_on_and_named_at_the_deadline() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::ZERO, adversarial).await;
        promote(&mock.client()).await;
        mock.set_promotion_status_override(MODEL, ENV, Some("HALTED"))
            .unwrap();
        let err = wait(&mock, Duration::from_secs(300)).await.unwrap_err();
        let WaitError::Timeout {
            waited,
            unknown_status,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(*waited, Duration::from_secs(300));
        assert_eq!(unknown_status.as_deref(), Some("HALTED"));
    }
}

#[tokio::test]
async fn a_503_blip_on_the_read_does_not_end_the_wait() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::ZERO, adversarial).await;
        promote(&mock.client()).await;
        mock.fail_next("get_environment", 3, 503).unwrap();
        let outcome = wait(&mock, Duration::from_secs(1800)).await.unwrap();
        assert!(outcome.is_success(), "{outcome:?}");
    }
}

#[tokio::test]
async fn the_deadline_ends_the_wait_with_the_last_state() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::ZERO, adversarial).await;
        promote(&mock.client()).await;
        let err = wait(&mock, Duration::from_secs(180)).await.unwrap_err();
        let WaitError::Timeout {
            waited,
            last,
            last_progress,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(*waited, Duration::from_secs(180));
        assert!(last.is_some());
        // No read starts at the deadline: the last one is the last poll before it, before the step
        // to 30 % that falls due at 180 s.
        assert!(
            last_progress
                .as_deref()
                .is_some_and(|p| p.starts_with("RAMPING_UP 20%")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn a_new_development_build_is_waited_for_through_its_early_404() {
    for adversarial in WORLDS {
        let mock = mock(seed(None), Duration::ZERO, adversarial).await;
        let client = mock.client();
        let building = client
            .promote_development_to_production()
            .model_id(MODEL)
            .body(baseten_api::types::PromoteRequestV1::default())
            .send()
            .await
            .unwrap()
            .into_inner();
        let outcome = client
            .wait_for_deployment(MODEL, &building.id)
            .clock(mock.wait_clock())
            .await
            .unwrap();
        assert!(
            matches!(&outcome, DeploymentOutcome::Ready(d) if d.id == building.id),
            "{outcome:?}"
        );
    }
}
