//! `pause_promotion` and `resume_promotion` through `baseten_api::Client`: a pause takes effect
//! at the next step boundary and holds everything until resumed; a resume continues from
//! there. Also the choices the docs leave open (README, "Assumptions"): pausing twice, resuming
//! a running promotion, force roll forward, cancel or a new promotion while paused.

use crate::common;

use std::time::Duration;

use baseten_api::types::CancelPromotionStatusV1;
use baseten_mock::{
    DeploymentSeed, EnvironmentSeed, MockServer, ModelSeed, PromotionStatus, RollingSettings, Seed,
};
use common::{MINUTE, demo, deployments_of, environment, promote, promotion_of, shown};

const MODEL: &str = "mdl-whisper";
const ENV: &str = "production";
const V1: &str = "dpl-whisper-v1";
const V2: &str = "dpl-whisper-v2";

async fn pause(mock: &MockServer) -> bool {
    mock.client()
        .pause_promotion()
        .model_id(MODEL)
        .env_name(ENV)
        .send()
        .await
        .expect("pause accepted")
        .into_inner()
        .success
}

async fn resume(mock: &MockServer) -> bool {
    mock.client()
        .resume_promotion()
        .model_id(MODEL)
        .env_name(ENV)
        .send()
        .await
        .expect("resume accepted")
        .into_inner()
        .success
}

async fn read(mock: &MockServer) -> Option<(String, i64)> {
    promotion_of(&environment(mock, MODEL, ENV).await)
}

#[tokio::test]
async fn a_pause_takes_effect_at_the_next_step_and_holds_until_resumed() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(Duration::from_secs(70));
    assert_eq!(read(&mock).await, shown("RAMPING_UP", 25));

    assert!(pause(&mock).await);
    assert!(mock.promotion(MODEL, ENV).unwrap().pause_requested);
    // Not yet: the current step completes first.
    mock.advance(Duration::from_secs(49));
    assert_eq!(read(&mock).await, shown("RAMPING_UP", 25));
    mock.advance(Duration::from_secs(1));
    assert_eq!(read(&mock).await, shown("PAUSED", 50));

    // Nothing changes while paused, however long.
    mock.advance(Duration::from_secs(3600));
    let env = environment(&mock, MODEL, ENV).await;
    assert_eq!(promotion_of(&env), shown("PAUSED", 50));
    assert_eq!(
        deployments_of(&env),
        (Some(V1.to_owned()), Some(V2.to_owned()))
    );
    assert_eq!(mock.promotion(MODEL, ENV).unwrap().next_step_at, None);

    // Resumed at 3720 s: the status it had, and its next step a full step later.
    assert!(resume(&mock).await);
    assert_eq!(read(&mock).await, shown("RAMPING_UP", 50));
    mock.advance(Duration::from_secs(59));
    assert_eq!(read(&mock).await, shown("RAMPING_UP", 50));
    mock.advance(Duration::from_secs(1));
    assert_eq!(read(&mock).await, shown("RAMPING_UP", 75));
    mock.advance(MINUTE);
    let env = environment(&mock, MODEL, ENV).await;
    assert_eq!(promotion_of(&env), None);
    assert_eq!(deployments_of(&env), (Some(V2.to_owned()), None));

    let history: Vec<_> = mock
        .promotion_history(MODEL, ENV)
        .iter()
        .map(|e| (e.at.as_secs(), e.status, e.percent_traffic))
        .collect();
    assert_eq!(
        history,
        [
            (0, PromotionStatus::Releasing, 0),
            (60, PromotionStatus::RampingUp, 25),
            (120, PromotionStatus::Paused, 50),
            (3720, PromotionStatus::RampingUp, 50),
            (3780, PromotionStatus::RampingUp, 75),
            (3840, PromotionStatus::Succeeded, 100),
        ]
    );
}

#[tokio::test]
async fn a_pause_requested_while_releasing_pauses_after_the_first_step() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    assert!(pause(&mock).await);
    mock.advance(MINUTE);
    assert_eq!(read(&mock).await, shown("PAUSED", 25));
}

#[tokio::test]
async fn pausing_twice_and_resuming_a_running_promotion_change_nothing() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(MINUTE);

    // Resuming what runs: success, same schedule.
    let before = mock.promotion(MODEL, ENV).unwrap();
    assert!(resume(&mock).await);
    assert_eq!(mock.promotion(MODEL, ENV).unwrap(), before);

    // A second pause, before and after the first took effect.
    assert!(pause(&mock).await);
    assert!(pause(&mock).await);
    mock.advance(MINUTE);
    assert_eq!(read(&mock).await, shown("PAUSED", 50));
    assert!(pause(&mock).await);
    mock.advance(10 * MINUTE);
    assert_eq!(read(&mock).await, shown("PAUSED", 50));
}

#[tokio::test]
async fn a_resume_before_the_pause_took_effect_withdraws_it() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    assert!(pause(&mock).await);
    assert!(resume(&mock).await);
    assert!(!mock.promotion(MODEL, ENV).unwrap().pause_requested);
    mock.advance(2 * MINUTE);
    assert_eq!(read(&mock).await, shown("RAMPING_UP", 50));
}

#[tokio::test]
async fn force_roll_forward_while_paused_succeeds_one_step_later() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    pause(&mock).await;
    mock.advance(MINUTE);
    assert_eq!(read(&mock).await, shown("PAUSED", 25));
    mock.advance(10 * MINUTE);

    let signal = mock
        .client()
        .force_roll_forward_promotion()
        .model_id(MODEL)
        .env_name(ENV)
        .send()
        .await
        .expect("accepted while paused")
        .into_inner();
    assert!(signal.success);
    // Paused until the step it scheduled (one step_seconds after the request)...
    mock.advance(Duration::from_secs(59));
    assert_eq!(read(&mock).await, shown("PAUSED", 25));
    // ...which succeeds.
    mock.advance(Duration::from_secs(1));
    let env = environment(&mock, MODEL, ENV).await;
    assert_eq!(promotion_of(&env), None);
    assert_eq!(deployments_of(&env), (Some(V2.to_owned()), None));
    assert_eq!(
        mock.promotion_ended_at(MODEL, ENV)
            .map(|e| (e.at, e.status)),
        Some((12 * MINUTE, PromotionStatus::Succeeded))
    );
}

#[tokio::test]
async fn a_cancel_while_paused_rolls_back_from_where_it_paused() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(MINUTE);
    pause(&mock).await;
    mock.advance(MINUTE);
    assert_eq!(read(&mock).await, shown("PAUSED", 50));
    mock.advance(5 * MINUTE);

    let answer = mock
        .client()
        .cancel_promotion()
        .model_id(MODEL)
        .env_name(ENV)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.status, CancelPromotionStatusV1::RampingDown);
    assert_eq!(read(&mock).await, shown("RAMPING_DOWN", 50));
    mock.advance(MINUTE);
    assert_eq!(read(&mock).await, shown("RAMPING_DOWN", 25));
    mock.advance(MINUTE);
    assert_eq!(read(&mock).await, None);
    assert_eq!(
        mock.promotion(MODEL, ENV).unwrap().status,
        PromotionStatus::Canceled
    );
    assert_eq!(
        mock.environment(MODEL, ENV)
            .unwrap()
            .deployment_id
            .as_deref(),
        Some(V1)
    );
}

#[tokio::test]
async fn a_pause_during_a_rollback_holds_it_and_a_resume_continues_it() {
    let mock = demo().await;
    promote(&mock, MODEL, ENV, V2).await;
    mock.advance(3 * MINUTE);
    mock.fail_promotion(MODEL, ENV).unwrap();
    pause(&mock).await;
    mock.advance(MINUTE);
    assert_eq!(read(&mock).await, shown("PAUSED", 50));
    mock.advance(10 * MINUTE);
    resume(&mock).await;
    assert_eq!(read(&mock).await, shown("RAMPING_DOWN", 50));
    mock.advance(2 * MINUTE);
    assert_eq!(
        mock.promotion(MODEL, ENV).map(|p| p.status),
        Some(PromotionStatus::Failed)
    );
}

#[tokio::test]
async fn a_new_promotion_replaces_a_paused_one() {
    let mock = MockServer::start().await;
    mock.seed(
        Seed::new().model(
            ModelSeed::new("m")
                .deployment(DeploymentSeed::new("v1"))
                .deployment(DeploymentSeed::new("v2"))
                .deployment(DeploymentSeed::new("v3"))
                .environment(
                    EnvironmentSeed::new("production")
                        .deployment("v1")
                        .rolling(RollingSettings::default()),
                ),
        ),
    )
    .unwrap();
    promote(&mock, "m", "production", "v2").await;
    mock.advance(MINUTE);
    mock.client()
        .pause_promotion()
        .model_id("m")
        .env_name("production")
        .send()
        .await
        .unwrap();
    mock.advance(MINUTE);

    // Baseten refuses a second promotion "until the current one completes, pauses or is
    // canceled": while paused, one is accepted and the paused one ends CANCELED.
    promote(&mock, "m", "production", "v3").await;
    let env = environment(&mock, "m", "production").await;
    assert_eq!(promotion_of(&env), shown("RELEASING", 0));
    assert_eq!(
        deployments_of(&env),
        (Some("v1".to_owned()), Some("v3".to_owned()))
    );
    let history: Vec<_> = mock
        .promotion_history("m", "production")
        .iter()
        .map(|e| (e.at.as_secs(), e.deployment_id.clone(), e.status))
        .collect();
    assert_eq!(
        history[history.len() - 2..],
        [
            (120, "v2".to_owned(), PromotionStatus::Canceled),
            (120, "v3".to_owned(), PromotionStatus::Releasing),
        ]
    );
}
