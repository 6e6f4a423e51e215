//! Rolling promotions in simulated time, and `force_roll_forward_promotion` with and without a
//! promotion in progress. whisper's `production` in the demo rolls 25 % every 60 s.

use crate::common;

use std::time::Duration;

use baseten_mock::{DeploymentStatus, MockError, MockServer, PromotionStatus, Timings};
use common::{MINUTE, assert_api_error, demo};

const MODEL: &str = "mdl-whisper";
const ENV: &str = "production";

async fn start_rollout(mock: &MockServer) -> baseten_api::types::DeploymentV1 {
    common::promote(mock, MODEL, ENV, "dpl-whisper-v2").await
}

async fn force(mock: &MockServer, model: &str, env: &str) -> Result<bool, baseten_api::Error> {
    mock.client()
        .force_roll_forward_promotion()
        .model_id(model)
        .env_name(env)
        .send()
        .await
        .map(|r| r.into_inner().success)
}

/// `(status, traffic %)` of the promotion now.
fn state(mock: &MockServer) -> (PromotionStatus, u8) {
    let p = mock.promotion(MODEL, ENV).expect("a promotion");
    (p.status, p.traffic_percent)
}

fn serving(mock: &MockServer) -> Option<String> {
    mock.environment(MODEL, ENV).unwrap().deployment_id
}

#[tokio::test]
async fn a_rolling_promotion_steps_through_its_states_then_switches() {
    let mock = demo().await;
    let d = start_rollout(&mock).await;
    // Returned as it is: not serving production until the promotion succeeds.
    assert_eq!(d.id, "dpl-whisper-v2");
    assert!(!d.is_production);
    assert_eq!(d.environment, None);

    assert_eq!(state(&mock), (PromotionStatus::Releasing, 0));
    let p = mock.promotion(MODEL, ENV).unwrap();
    assert_eq!(p.candidate_deployment_id, "dpl-whisper-v2");
    assert_eq!(p.previous_deployment_id.as_deref(), Some("dpl-whisper-v1"));
    assert_eq!(p.next_step_at, Some(MINUTE));

    mock.advance(Duration::from_secs(59));
    assert_eq!(state(&mock), (PromotionStatus::Releasing, 0));
    mock.advance(Duration::from_secs(1));
    assert_eq!(state(&mock), (PromotionStatus::RampingUp, 25));
    assert_eq!(serving(&mock).as_deref(), Some("dpl-whisper-v1"));
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::RampingUp, 50));
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::RampingUp, 75));
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::Succeeded, 100));
    assert_eq!(mock.elapsed(), 4 * MINUTE);

    assert_eq!(serving(&mock).as_deref(), Some("dpl-whisper-v2"));
    assert!(mock.deployment("dpl-whisper-v2").unwrap().is_production);
    let v1 = mock.deployment("dpl-whisper-v1").unwrap();
    assert_eq!(v1.status, DeploymentStatus::ScaledToZero);
    assert_eq!(mock.promotion(MODEL, ENV).unwrap().next_step_at, None);
}

#[tokio::test]
async fn one_big_jump_replays_every_step_in_order() {
    let mock = demo().await;
    start_rollout(&mock).await;
    mock.advance(Duration::from_secs(3600));
    assert_eq!(state(&mock), (PromotionStatus::Succeeded, 100));
    assert_eq!(serving(&mock).as_deref(), Some("dpl-whisper-v2"));
}

#[tokio::test]
async fn force_roll_forward_completes_the_promotion_at_its_next_step() {
    let mock = demo().await;
    start_rollout(&mock).await;
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::RampingUp, 25));

    assert!(force(&mock, MODEL, ENV).await.expect("signal accepted"));
    // Between steps nothing changes yet...
    assert_eq!(state(&mock), (PromotionStatus::RampingUp, 25));
    assert!(mock.promotion(MODEL, ENV).unwrap().force_roll_forward);
    mock.advance(Duration::from_secs(59));
    assert_eq!(serving(&mock).as_deref(), Some("dpl-whisper-v1"));
    // ...then the next step boundary finishes it, skipping 50 % and 75 %.
    mock.advance(Duration::from_secs(1));
    assert_eq!(state(&mock), (PromotionStatus::Succeeded, 100));
    assert_eq!(serving(&mock).as_deref(), Some("dpl-whisper-v2"));
}

#[tokio::test]
async fn force_roll_forward_works_while_releasing_and_twice() {
    let mock = demo().await;
    start_rollout(&mock).await;
    assert!(force(&mock, MODEL, ENV).await.unwrap());
    assert!(force(&mock, MODEL, ENV).await.unwrap());
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::Succeeded, 100));
}

#[tokio::test]
async fn force_roll_forward_works_while_ramping_down() {
    let mock = demo().await;
    start_rollout(&mock).await;
    mock.advance(2 * MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::RampingUp, 50));
    mock.fail_promotion(MODEL, ENV)
        .expect("a promotion to fail");
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::RampingDown, 25));

    assert!(
        force(&mock, MODEL, ENV)
            .await
            .expect("accepted while rolling back")
    );
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::Succeeded, 100));
    assert_eq!(serving(&mock).as_deref(), Some("dpl-whisper-v2"));
}

#[tokio::test]
async fn a_rollback_left_alone_fails_and_keeps_the_previous_deployment() {
    let mock = demo().await;
    start_rollout(&mock).await;
    mock.advance(2 * MINUTE);
    mock.fail_promotion(MODEL, ENV).unwrap();
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::RampingDown, 25));
    mock.advance(MINUTE);
    assert_eq!(state(&mock), (PromotionStatus::Failed, 0));
    assert_eq!(serving(&mock).as_deref(), Some("dpl-whisper-v1"));
    assert_eq!(
        mock.deployment("dpl-whisper-v1").unwrap().status,
        DeploymentStatus::Active
    );

    // Finished: nothing to roll forward, and a new promotion may start.
    let err = force(&mock, MODEL, ENV).await.unwrap_err();
    assert_api_error(
        &err,
        400,
        "Environment production has no in progress promotion.",
    );
    start_rollout(&mock).await;
    assert_eq!(state(&mock), (PromotionStatus::Releasing, 0));
}

#[tokio::test]
async fn force_roll_forward_without_a_promotion_is_the_documented_validation_error() {
    let mock = demo().await;
    // llama's production promotes at once: never anything in progress.
    let err = force(&mock, "mdl-llama", "production").await.unwrap_err();
    assert_api_error(
        &err,
        400,
        "Environment production has no in progress promotion.",
    );
    assert!(err.to_string().contains("VALIDATION_ERROR"), "{err}");

    // And after a rolling promotion has succeeded.
    start_rollout(&mock).await;
    mock.advance(4 * MINUTE);
    let err = force(&mock, MODEL, ENV).await.unwrap_err();
    assert_api_error(
        &err,
        400,
        "Environment production has no in progress promotion.",
    );
}

#[tokio::test]
async fn force_roll_forward_on_unknown_model_or_environment_is_404() {
    let mock = demo().await;
    let err = force(&mock, "mdl-nope", ENV).await.unwrap_err();
    assert_api_error(&err, 404, "Model mdl-nope not found.");
    let err = force(&mock, MODEL, "staging").await.unwrap_err();
    assert_api_error(
        &err,
        404,
        "Environment staging not found for model mdl-whisper.",
    );
}

#[tokio::test]
async fn fail_promotion_needs_a_promotion_in_progress() {
    let mock = demo().await;
    assert!(matches!(
        mock.fail_promotion(MODEL, ENV),
        Err(MockError::NoPromotionInProgress { .. })
    ));
    assert!(matches!(
        mock.fail_promotion("mdl-nope", ENV),
        Err(MockError::NotFound(_))
    ));
}

/// Durations near `u64::MAX` seconds (a seed's `step_seconds`, the binary's build flags) put
/// the next step beyond the end of time instead of overflowing when it is scheduled.
#[tokio::test]
async fn the_longest_step_and_build_durations_do_not_overflow() {
    let forever = Duration::MAX;
    let mock = MockServer::builder()
        .seed(
            baseten_mock::Seed::new().model(
                baseten_mock::ModelSeed::new("m")
                    .deployment(baseten_mock::DeploymentSeed::new("dev").development())
                    .deployment(baseten_mock::DeploymentSeed::new("v1"))
                    .deployment(baseten_mock::DeploymentSeed::new("v2"))
                    .environment(baseten_mock::EnvironmentSeed::new("staging").rolling(
                        baseten_mock::RollingSettings {
                            step_percent: 50,
                            step_seconds: u64::MAX,
                        },
                    )),
            ),
        )
        .timings(Timings::new(forever, forever, forever).new_deployment_not_found(forever))
        .start()
        .await
        .unwrap();
    mock.advance(Duration::from_secs(1));
    common::promote(&mock, "m", "staging", "v2").await;
    let building = common::promote_development(&mock, "m").await;
    mock.advance(Duration::from_secs(3600));
    let p = mock.promotion("m", "staging").unwrap();
    assert_eq!(
        (p.status, p.next_step_at),
        (PromotionStatus::Releasing, Some(forever))
    );
    assert_eq!(
        mock.deployment(&building.id).unwrap().status,
        DeploymentStatus::Building
    );
    let err = mock
        .client()
        .get_deployment()
        .model_id("m")
        .deployment_id(&building.id)
        .send()
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "not found");
}
