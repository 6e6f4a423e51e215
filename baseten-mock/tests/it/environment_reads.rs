//! `get_environment` and `list_environments` through `baseten_api::Client`: current and
//! candidate deployments and `in_progress_promotion` step by step, what they show once a
//! promotion ended (null at once by default; `Timings::ended_promotion_visible`), a
//! development build as a promotion in progress, the environment's settings, and the 404s.

use crate::common;

use std::time::Duration;

use baseten_api::types::InProgressPromotionStatusV1;
use baseten_mock::{MockServer, Seed, Timings};
use common::{
    MINUTE, assert_api_error, demo, deployments_of, environment, get, promote, promotion_of, shown,
};

const MODEL: &str = "mdl-whisper";
const V1: &str = "dpl-whisper-v1";
const V2: &str = "dpl-whisper-v2";

#[tokio::test]
async fn a_rolling_promotion_reads_step_by_step() {
    let mock = demo().await;
    let before = environment(&mock, MODEL, "production").await;
    assert_eq!(promotion_of(&before), None);
    assert_eq!(deployments_of(&before), (Some(V1.to_owned()), None));

    promote(&mock, MODEL, "production", V2).await;
    for (step, expected) in [
        (0, shown("RELEASING", 0)),
        (1, shown("RAMPING_UP", 25)),
        (2, shown("RAMPING_UP", 50)),
        (3, shown("RAMPING_UP", 75)),
    ] {
        let env = environment(&mock, MODEL, "production").await;
        assert_eq!(promotion_of(&env), expected, "step {step}");
        assert_eq!(
            deployments_of(&env),
            (Some(V1.to_owned()), Some(V2.to_owned())),
            "step {step}"
        );
        let promotion = env.in_progress_promotion.as_ref().unwrap();
        assert_eq!(promotion.rolling_deploy, Some(true));
        assert_eq!(promotion.error_message, None);
        // The candidate is reported as the deployment it is: not yet production.
        assert!(!env.candidate_deployment.unwrap().is_production);
        mock.advance(MINUTE);
    }

    // Ended: no promotion and no candidate; the candidate is current.
    let after = environment(&mock, MODEL, "production").await;
    assert_eq!(promotion_of(&after), None);
    assert_eq!(deployments_of(&after), (Some(V2.to_owned()), None));
    assert!(after.current_deployment.unwrap().is_production);
}

#[tokio::test]
async fn an_ended_promotion_stays_visible_as_long_as_configured() {
    let mock = MockServer::builder()
        .seed(Seed::demo())
        .timings(Timings::default().ended_promotion_visible(Duration::from_secs(30)))
        .start()
        .await
        .unwrap();
    promote(&mock, MODEL, "production", V2).await;
    mock.advance(4 * MINUTE);

    let env = environment(&mock, MODEL, "production").await;
    assert_eq!(promotion_of(&env), shown("SUCCEEDED", 100));
    assert_eq!(
        env.in_progress_promotion.as_ref().unwrap().status,
        InProgressPromotionStatusV1::Succeeded
    );
    // Not in progress any more: no candidate, and the candidate is current.
    assert_eq!(deployments_of(&env), (Some(V2.to_owned()), None));

    mock.advance(Duration::from_secs(29));
    let env = environment(&mock, MODEL, "production").await;
    assert_eq!(promotion_of(&env), shown("SUCCEEDED", 100));
    mock.advance(Duration::from_secs(1));
    let env = environment(&mock, MODEL, "production").await;
    assert_eq!(promotion_of(&env), None);
}

#[tokio::test]
async fn a_development_build_reads_as_a_promotion_in_progress() {
    let mock = demo().await;
    let building = common::promote_development(&mock, "mdl-llama").await;

    let env = environment(&mock, "mdl-llama", "production").await;
    assert_eq!(promotion_of(&env), shown("RELEASING", 0));
    // llama's production switches at once when the build is done: not a rolling deploy.
    assert_eq!(
        env.in_progress_promotion.as_ref().unwrap().rolling_deploy,
        Some(false)
    );
    let candidate = env.candidate_deployment.expect("the building deployment");
    assert_eq!(candidate.id, building.id);
    assert_eq!(candidate.status.to_string(), "BUILDING");
    assert_eq!(
        env.current_deployment.map(|d| d.id).as_deref(),
        Some("dpl-llama-v1")
    );

    mock.advance(Duration::from_secs(90));
    let env = environment(&mock, "mdl-llama", "production").await;
    assert_eq!(promotion_of(&env), shown("RELEASING", 0));
    assert_eq!(
        env.candidate_deployment.unwrap().status.to_string(),
        "LOADING_MODEL"
    );

    mock.advance(Duration::from_secs(30));
    let env = environment(&mock, "mdl-llama", "production").await;
    assert_eq!(promotion_of(&env), None);
    assert_eq!(deployments_of(&env), (Some(building.id.clone()), None));
}

#[tokio::test]
async fn the_environment_describes_its_settings_from_what_it_serves() {
    let mock = demo().await;
    let llama = environment(&mock, "mdl-llama", "production").await;
    assert_eq!(llama.name, "production");
    assert_eq!(llama.model_id, "mdl-llama");
    assert_eq!(llama.created_at.to_rfc3339(), "2026-01-01T00:00:00+00:00");
    // From dpl-llama-v1, which it serves.
    assert_eq!(llama.autoscaling_settings.min_replica, 2);
    assert_eq!(llama.instance_type.name, "H100:1x80");
    assert_eq!(llama.instance_type.gpu_type.as_deref(), Some("H100"));
    assert_eq!(llama.instance_type.gpu_count, 1);
    assert_eq!(llama.promotion_settings.rolling_deploy, Some(false));
    assert!(llama.promotion_settings.rolling_deploy_config.is_none());

    let whisper = environment(&mock, MODEL, "production").await;
    assert_eq!(whisper.promotion_settings.rolling_deploy, Some(true));
    let config = whisper.promotion_settings.rolling_deploy_config.unwrap();
    assert_eq!(config.max_surge_percent, 25);

    // Serving nothing: no current deployment, the smallest CPU instance, default autoscaling.
    let staging = environment(&mock, "mdl-llama", "staging").await;
    assert!(staging.current_deployment.is_none());
    assert_eq!(staging.instance_type.name, "1x2");
    assert_eq!(staging.instance_type.gpu_count, 0);
    assert_eq!(staging.autoscaling_settings.min_replica, 1);
}

#[tokio::test]
async fn list_environments_shows_every_environment_by_name_with_its_promotion() {
    let mock = demo().await;
    promote(&mock, "mdl-llama", "staging", "dpl-llama-v2").await;
    let list = mock
        .client()
        .list_environments()
        .model_id("mdl-llama")
        .send()
        .await
        .unwrap()
        .into_inner();
    let names: Vec<_> = list.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["production", "staging"]);
    assert_eq!(
        deployments_of(&list.environments[1]),
        (Some("dpl-llama-v2".to_owned()), None)
    );

    promote(&mock, MODEL, "production", V2).await;
    mock.advance(MINUTE);
    let list = mock
        .client()
        .list_environments()
        .model_id(MODEL)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.environments.len(), 1, "seeding added only production");
    assert_eq!(promotion_of(&list.environments[0]), shown("RAMPING_UP", 25));
}

#[tokio::test]
async fn unknown_models_and_environments_are_404() {
    let mock = demo().await;
    let err = mock
        .client()
        .get_environment()
        .model_id("mdl-nope")
        .env_name("production")
        .send()
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Model mdl-nope not found.");
    let err = mock
        .client()
        .get_environment()
        .model_id(MODEL)
        .env_name("staging")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        404,
        "Environment staging not found for model mdl-whisper.",
    );
    let err = mock
        .client()
        .list_environments()
        .model_id("mdl-nope")
        .send()
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Model mdl-nope not found.");
}

#[tokio::test]
async fn a_null_promotion_and_candidate_are_sent_as_null() {
    // The typed client cannot tell an absent field from a null one; the wire can.
    let mock = demo().await;
    let (status, body) = get(&mock, "/v1/models/mdl-llama/environments/production").await;
    assert_eq!(status, 200);
    assert!(body["in_progress_promotion"].is_null(), "{body}");
    assert!(body["candidate_deployment"].is_null(), "{body}");
    let fields = body.as_object().unwrap();
    assert!(
        fields.contains_key("in_progress_promotion") && fields.contains_key("candidate_deployment")
    );
}
