//! The errors every promotion signal (cancel, force cancel, pause, resume, force roll forward)
//! shares: Baseten's documented 400 with no promotion in progress, and 404s for unknown models
//! and environments.

use crate::common;

use baseten_mock::MockServer;
use common::{MINUTE, assert_api_error, demo, promote};

const SIGNALS: [&str; 5] = [
    "cancel_promotion",
    "force_cancel_promotion",
    "pause_promotion",
    "resume_promotion",
    "force_roll_forward_promotion",
];

/// Sends one signal through the typed client; only whether and how it failed matters here.
async fn signal(
    mock: &MockServer,
    name: &str,
    model: &str,
    env: &str,
) -> Result<(), baseten_api::Error> {
    let client = mock.client();
    match name {
        "cancel_promotion" => client
            .cancel_promotion()
            .model_id(model)
            .env_name(env)
            .send()
            .await
            .map(drop),
        "force_cancel_promotion" => client
            .force_cancel_promotion()
            .model_id(model)
            .env_name(env)
            .send()
            .await
            .map(drop),
        "pause_promotion" => client
            .pause_promotion()
            .model_id(model)
            .env_name(env)
            .send()
            .await
            .map(drop),
        "resume_promotion" => client
            .resume_promotion()
            .model_id(model)
            .env_name(env)
            .send()
            .await
            .map(drop),
        "force_roll_forward_promotion" => client
            .force_roll_forward_promotion()
            .model_id(model)
            .env_name(env)
            .send()
            .await
            .map(drop),
        other => panic!("not a signal: {other}"),
    }
}

const NONE_IN_PROGRESS: &str = "Environment production has no in progress promotion.";

#[tokio::test]
async fn every_signal_without_a_promotion_in_progress_is_the_documented_400() {
    let mock = demo().await;
    for name in SIGNALS {
        // llama's production promotes at once: never anything in progress.
        let err = signal(&mock, name, "mdl-llama", "production")
            .await
            .expect_err(name);
        assert_api_error(&err, 400, NONE_IN_PROGRESS);
        assert!(
            err.to_string().contains("VALIDATION_ERROR"),
            "{name}: {err}"
        );
    }
}

#[tokio::test]
async fn every_signal_after_the_promotion_ended_is_the_documented_400() {
    let mock = demo().await;
    promote(&mock, "mdl-whisper", "production", "dpl-whisper-v2").await;
    mock.advance(4 * MINUTE);
    for name in SIGNALS {
        let err = signal(&mock, name, "mdl-whisper", "production")
            .await
            .expect_err(name);
        assert_api_error(&err, 400, NONE_IN_PROGRESS);
    }
}

#[tokio::test]
async fn every_signal_after_a_cancel_is_the_documented_400() {
    let mock = demo().await;
    promote(&mock, "mdl-whisper", "production", "dpl-whisper-v2").await;
    signal(&mock, "force_cancel_promotion", "mdl-whisper", "production")
        .await
        .unwrap();
    for name in SIGNALS {
        let err = signal(&mock, name, "mdl-whisper", "production")
            .await
            .expect_err(name);
        assert_api_error(&err, 400, NONE_IN_PROGRESS);
    }
}

#[tokio::test]
async fn every_signal_to_an_unknown_model_or_environment_is_404() {
    let mock = demo().await;
    for name in SIGNALS {
        let err = signal(&mock, name, "mdl-nope", "production")
            .await
            .expect_err(name);
        assert_api_error(&err, 404, "Model mdl-nope not found.");
        let err = signal(&mock, name, "mdl-whisper", "staging")
            .await
            .expect_err(name);
        assert_api_error(
            &err,
            404,
            "Environment staging not found for model mdl-whisper.",
        );
    }
}
