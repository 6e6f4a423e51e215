//! `cancel_promotion` and `force_cancel_promotion` through `baseten_api::Client`: canceled at
//! once before traffic moved, stepped back while ramping, rolled back at once when forced; the
//! previous deployment stays current throughout. whisper's `production` in the demo rolls 25 %
//! every 60 s.

use crate::common;

use std::time::Duration;

use baseten_api::types::CancelPromotionStatusV1;
use baseten_mock::{DeploymentStatus, MockServer, PromotionStatus};
use common::{MINUTE, demo, deployments_of, environment, promote, promotion_of, shown};

const MODEL: &str = "mdl-whisper";
const ENV: &str = "production";
const V1: &str = "dpl-whisper-v1";
const V2: &str = "dpl-whisper-v2";

async fn cancel(mock: &MockServer) -> baseten_api::types::CancelPromotionResponseV1 {
    mock.client()
        .cancel_promotion()
        .model_id(MODEL)
        .env_name(ENV)
        .send()
        .await
        .expect("cancel accepted")
        .into_inner()
}

async fn force_cancel(mock: &MockServer) -> bool {
    mock.client()
        .force_cancel_promotion()
        .model_id(MODEL)
        .env_name(ENV)
        .send()
        .await
        .expect("force cancel accepted")
        .into_inner()
        .success
}

/// `(status, traffic)` of the mock's promotion record (which stays after the promotion ended).
fn record(mock: &MockServer) -> (PromotionStatus, u8) {
    let p = mock.promotion(MODEL, ENV).expect("a promotion");
    (p.status, p.traffic_percent)
}

#[tokio::test]
async fn a_cancel_before_traffic_moved_is_canceled_at_once() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(Duration::from_secs(30));

    let answer = cancel(&mock).await;
    assert_eq!(answer.status, CancelPromotionStatusV1::Canceled);
    assert_eq!(
        answer.message,
        "Promotion to production was successfully canceled."
    );

    let env = environment(&mock, MODEL, ENV).await;
    assert_eq!(
        promotion_of(&env),
        None,
        "ended: in_progress_promotion is null"
    );
    assert_eq!(deployments_of(&env), (Some(V1.to_owned()), None));
    assert_eq!(record(&mock), (PromotionStatus::Canceled, 0));
    assert_eq!(
        mock.promotion_ended_at(MODEL, ENV)
            .map(|e| (e.at, e.status)),
        Some((Duration::from_secs(30), PromotionStatus::Canceled))
    );
    // Nothing moves afterwards, and the candidate is left as it was.
    mock.advance(10 * MINUTE);
    assert_eq!(record(&mock), (PromotionStatus::Canceled, 0));
    assert_eq!(
        mock.deployment(V2).unwrap().status,
        DeploymentStatus::Active
    );

    // The environment is free for the next promotion.
    promote(&mock, MODEL, ENV, V2).await;
    assert_eq!(record(&mock), (PromotionStatus::Releasing, 0));
}

#[tokio::test]
async fn a_cancel_while_ramping_steps_traffic_back_then_ends_canceled() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(2 * MINUTE + Duration::from_secs(10));
    assert_eq!(
        promotion_of(&environment(&mock, MODEL, ENV).await),
        shown("RAMPING_UP", 50)
    );

    let answer = cancel(&mock).await;
    assert_eq!(answer.status, CancelPromotionStatusV1::RampingDown);
    assert!(
        answer.message.contains("being canceled"),
        "{}",
        answer.message
    );

    // Steps keep their clock: 180 s, 240 s.
    for (at, expected) in [
        (Duration::ZERO, shown("RAMPING_DOWN", 50)),
        (Duration::from_secs(49), shown("RAMPING_DOWN", 50)),
        (Duration::from_secs(1), shown("RAMPING_DOWN", 25)),
        (MINUTE, None),
    ] {
        mock.advance(at);
        let env = environment(&mock, MODEL, ENV).await;
        assert_eq!(promotion_of(&env), expected, "at {:?}", mock.elapsed());
        // The previous deployment stays current; the candidate shows while it rolls back.
        let candidate = expected.is_some().then(|| V2.to_owned());
        assert_eq!(deployments_of(&env), (Some(V1.to_owned()), candidate));
    }
    assert_eq!(record(&mock), (PromotionStatus::Canceled, 0));
    assert_eq!(
        mock.deployment(V1).unwrap().status,
        DeploymentStatus::Active
    );
    assert!(mock.deployment(V1).unwrap().is_production);
    assert_eq!(
        mock.promotion_ended_at(MODEL, ENV).map(|e| e.at),
        Some(4 * MINUTE)
    );
}

#[tokio::test]
async fn force_roll_forward_overrides_a_cancel_that_is_rolling_back() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(2 * MINUTE);
    cancel(&mock).await;
    mock.client()
        .force_roll_forward_promotion()
        .model_id(MODEL)
        .env_name(ENV)
        .send()
        .await
        .expect("accepted while rolling back");
    mock.advance(MINUTE);
    assert_eq!(record(&mock), (PromotionStatus::Succeeded, 100));
    assert_eq!(
        mock.environment(MODEL, ENV)
            .unwrap()
            .deployment_id
            .as_deref(),
        Some(V2)
    );
}

#[tokio::test]
async fn a_cancel_drops_a_pending_force_roll_forward() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(MINUTE);
    mock.client()
        .force_roll_forward_promotion()
        .model_id(MODEL)
        .env_name(ENV)
        .send()
        .await
        .unwrap();
    assert_eq!(
        cancel(&mock).await.status,
        CancelPromotionStatusV1::RampingDown
    );
    mock.advance(MINUTE);
    assert_eq!(record(&mock), (PromotionStatus::Canceled, 0));
    assert_eq!(
        mock.environment(MODEL, ENV)
            .unwrap()
            .deployment_id
            .as_deref(),
        Some(V1)
    );
}

#[tokio::test]
async fn a_cancel_during_a_failure_rollback_lets_it_end_failed() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(2 * MINUTE);
    mock.fail_promotion(MODEL, ENV).unwrap();

    let answer = cancel(&mock).await;
    assert_eq!(answer.status, CancelPromotionStatusV1::RampingDown);
    assert_eq!(
        answer.message,
        "Promotion to production is already rolling back after a failure."
    );
    mock.advance(2 * MINUTE);
    assert_eq!(record(&mock), (PromotionStatus::Failed, 0));
}

#[tokio::test]
async fn force_cancel_rolls_back_at_once_from_any_in_progress_state() {
    for setup in ["ramping up", "ramping down", "paused"] {
        let mock = demo().await;
        promote(&mock, MODEL, ENV, V2).await;
        mock.advance(2 * MINUTE);
        match setup {
            "ramping down" => {
                cancel(&mock).await;
            }
            "paused" => {
                mock.client()
                    .pause_promotion()
                    .model_id(MODEL)
                    .env_name(ENV)
                    .send()
                    .await
                    .unwrap();
                mock.advance(MINUTE);
                assert_eq!(record(&mock), (PromotionStatus::Paused, 75), "{setup}");
            }
            _ => {}
        }
        let at = mock.elapsed();

        assert!(force_cancel(&mock).await, "{setup}");
        let env = environment(&mock, MODEL, ENV).await;
        assert_eq!(promotion_of(&env), None, "{setup}");
        assert_eq!(deployments_of(&env), (Some(V1.to_owned()), None), "{setup}");
        assert_eq!(record(&mock), (PromotionStatus::Canceled, 0), "{setup}");
        let end = mock.promotion_ended_at(MODEL, ENV).unwrap();
        assert_eq!((end.at, end.percent_traffic), (at, 0), "{setup}");
    }
}

#[tokio::test]
async fn canceling_a_development_build_stops_it() {
    let mock = demo().await;
    let building = common::promote_development(&mock, "mdl-llama").await;
    mock.advance(Duration::from_secs(70));
    assert_eq!(
        mock.deployment(&building.id).unwrap().status,
        DeploymentStatus::Deploying
    );

    let answer = mock
        .client()
        .cancel_promotion()
        .model_id("mdl-llama")
        .env_name("production")
        .send()
        .await
        .expect("a build is a promotion in progress")
        .into_inner();
    assert_eq!(answer.status, CancelPromotionStatusV1::Canceled);

    let stopped = mock.deployment(&building.id).unwrap();
    assert_eq!(stopped.status, DeploymentStatus::BuildStopped);
    mock.advance(10 * MINUTE);
    assert_eq!(
        mock.deployment(&building.id).unwrap().status,
        DeploymentStatus::BuildStopped
    );
    assert_eq!(
        mock.environment("mdl-llama", "production")
            .unwrap()
            .deployment_id
            .as_deref(),
        Some("dpl-llama-v1")
    );
    // Production is free again.
    common::promote_development(&mock, "mdl-llama").await;
}
