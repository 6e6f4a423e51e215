//! `promote_model_to_environment` through `baseten_api::Client`: immediate promotions, their
//! flags, and every documented error.

use crate::common;

use baseten_api::types::PromoteToEnvironmentRequestV1;
use baseten_mock::{
    DeploymentSeed, DeploymentStatus, EnvironmentSeed, MockServer, ModelSeed, Seed,
};
use common::{assert_api_error, demo};

async fn promote(
    mock: &MockServer,
    model_id: &str,
    env: &str,
    body: PromoteToEnvironmentRequestV1,
) -> Result<baseten_api::types::DeploymentV1, baseten_api::Error> {
    mock.client()
        .promote_model_to_environment()
        .model_id(model_id)
        .env_name(env)
        .body(body)
        .send()
        .await
        .map(|r| r.into_inner())
}

fn request(deployment_id: &str) -> PromoteToEnvironmentRequestV1 {
    PromoteToEnvironmentRequestV1 {
        deployment_id: deployment_id.into(),
        scale_down_previous_deployment: true,
        preserve_env_instance_type: true,
    }
}

#[tokio::test]
async fn promoting_to_an_empty_environment_switches_it_at_once() {
    let mock = demo().await;
    let d = promote(&mock, "mdl-llama", "staging", request("dpl-llama-v2"))
        .await
        .expect("promotion accepted");

    assert_eq!(d.id, "dpl-llama-v2");
    assert_eq!(d.model_id, "mdl-llama");
    assert_eq!(d.environment.as_deref(), Some("staging"));
    assert_eq!(d.status.to_string(), "ACTIVE");
    assert!(!d.is_production && !d.is_development);
    // Staging served nothing, so there was no instance type to preserve.
    assert_eq!(d.instance_type_name.as_deref(), Some("A10G:1x24"));

    let staging = mock.environment("mdl-llama", "staging").unwrap();
    assert_eq!(staging.deployment_id.as_deref(), Some("dpl-llama-v2"));
    assert_eq!(
        mock.deployment("dpl-llama-v2")
            .unwrap()
            .environment
            .as_deref(),
        Some("staging")
    );
    // Production is untouched.
    let v1 = mock.deployment("dpl-llama-v1").unwrap();
    assert!(v1.is_production);
    assert_eq!(v1.status, DeploymentStatus::Active);
}

#[tokio::test]
async fn promoting_to_production_scales_the_previous_down_and_keeps_the_env_instance_type() {
    let mock = demo().await;
    let d = promote(&mock, "mdl-llama", "production", request("dpl-llama-v2"))
        .await
        .expect("promotion accepted");

    assert!(d.is_production);
    assert_eq!(d.environment.as_deref(), Some("production"));
    // preserve_env_instance_type: the environment's H100 wins over the deployment's A10G.
    assert_eq!(d.instance_type_name.as_deref(), Some("H100:1x80"));

    let v1 = mock.deployment("dpl-llama-v1").unwrap();
    assert_eq!(v1.status, DeploymentStatus::ScaledToZero);
    assert_eq!(v1.active_replica_count, 0);
    assert!(!v1.is_production);
    assert_eq!(v1.environment, None);
}

#[tokio::test]
async fn false_flags_keep_the_previous_running_and_the_deployments_own_instance_type() {
    let mock = demo().await;
    let d = promote(
        &mock,
        "mdl-llama",
        "production",
        PromoteToEnvironmentRequestV1 {
            deployment_id: "dpl-llama-v2".into(),
            scale_down_previous_deployment: false,
            preserve_env_instance_type: false,
        },
    )
    .await
    .expect("promotion accepted");
    assert_eq!(d.instance_type_name.as_deref(), Some("A10G:1x24"));

    let v1 = mock.deployment("dpl-llama-v1").unwrap();
    assert_eq!(v1.status, DeploymentStatus::Active);
    assert_eq!(v1.active_replica_count, 2);
    assert!(!v1.is_production);
    assert_eq!(v1.environment, None);
}

#[tokio::test]
async fn a_previous_deployment_still_serving_another_environment_is_not_scaled_down() {
    let mock = demo().await;
    promote(&mock, "mdl-llama", "staging", request("dpl-llama-v1"))
        .await
        .expect("v1 to staging");
    // v1 serves both; production wins as the reported environment.
    assert_eq!(
        mock.deployment("dpl-llama-v1")
            .unwrap()
            .environment
            .as_deref(),
        Some("production")
    );

    promote(&mock, "mdl-llama", "production", request("dpl-llama-v2"))
        .await
        .expect("v2 to production");
    let v1 = mock.deployment("dpl-llama-v1").unwrap();
    assert_eq!(v1.status, DeploymentStatus::Active);
    assert_eq!(v1.environment.as_deref(), Some("staging"));
}

#[tokio::test]
async fn promoting_what_the_environment_already_serves_changes_nothing() {
    let mock = demo().await;
    let before = mock.deployment("dpl-llama-v1").unwrap();
    let d = promote(&mock, "mdl-llama", "production", request("dpl-llama-v1"))
        .await
        .expect("accepted");
    assert_eq!(d.id, "dpl-llama-v1");
    assert_eq!(mock.deployment("dpl-llama-v1").unwrap(), before);
}

#[tokio::test]
async fn a_scaled_down_deployment_wakes_up_when_promoted_again() {
    let mock = demo().await;
    promote(&mock, "mdl-llama", "production", request("dpl-llama-v2"))
        .await
        .unwrap();
    assert_eq!(
        mock.deployment("dpl-llama-v1").unwrap().status,
        DeploymentStatus::ScaledToZero
    );
    let back = promote(&mock, "mdl-llama", "production", request("dpl-llama-v1"))
        .await
        .unwrap();
    assert_eq!(back.status.to_string(), "ACTIVE");
    // Back to its autoscaling minimum.
    assert_eq!(back.active_replica_count, 2);
}

#[tokio::test]
async fn unknown_model_environment_or_deployment_is_404() {
    let mock = demo().await;
    let err = promote(&mock, "mdl-nope", "production", request("dpl-llama-v2"))
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Model mdl-nope not found.");

    let err = promote(&mock, "mdl-llama", "qa", request("dpl-llama-v2"))
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Environment qa not found for model mdl-llama.");

    let err = promote(&mock, "mdl-llama", "staging", request("dpl-nope"))
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Deployment dpl-nope not found.");
    assert!(err.to_string().contains("NOT_FOUND"), "{err}");

    assert_eq!(
        mock.environment("mdl-llama", "staging")
            .unwrap()
            .deployment_id,
        None
    );
}

#[tokio::test]
async fn a_deployment_of_another_model_is_a_validation_error() {
    let mock = demo().await;
    let err = promote(&mock, "mdl-llama", "staging", request("dpl-whisper-v2"))
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        400,
        "Deployment dpl-whisper-v2 does not belong to model mdl-llama.",
    );
    assert!(err.to_string().contains("VALIDATION_ERROR"), "{err}");
    assert_eq!(
        mock.environment("mdl-llama", "staging")
            .unwrap()
            .deployment_id,
        None
    );
}

#[tokio::test]
async fn a_promotion_in_progress_blocks_the_next_one() {
    let mock = demo().await;
    // whisper's production promotes by rolling, so the first promotion stays in progress.
    promote(
        &mock,
        "mdl-whisper",
        "production",
        request("dpl-whisper-v2"),
    )
    .await
    .expect("first promotion accepted");
    let err = promote(
        &mock,
        "mdl-whisper",
        "production",
        request("dpl-whisper-v1"),
    )
    .await
    .unwrap_err();
    assert_api_error(
        &err,
        400,
        "Environment production already has a promotion in progress.",
    );
    assert!(err.to_string().contains("VALIDATION_ERROR"), "{err}");
}

#[tokio::test]
async fn a_failed_or_unfinished_build_cannot_be_promoted() {
    let mock = MockServer::start().await;
    mock.seed(
        Seed::new().model(
            ModelSeed::new("m")
                .deployment(DeploymentSeed::new("broken").status(DeploymentStatus::BuildFailed))
                .deployment(DeploymentSeed::new("wip").status(DeploymentStatus::Deploying))
                .environment(EnvironmentSeed::new("production")),
        ),
    )
    .unwrap();
    let err = promote(&mock, "m", "production", request("broken"))
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        400,
        "Deployment broken cannot be promoted while its status is BUILD_FAILED.",
    );
    let err = promote(&mock, "m", "production", request("wip"))
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        400,
        "Deployment wip cannot be promoted while its status is DEPLOYING.",
    );
}

#[tokio::test]
async fn path_parameters_are_decoded() {
    let mock = MockServer::start().await;
    mock.seed(
        Seed::new().model(
            ModelSeed::new("team a/model 1")
                .deployment(DeploymentSeed::new("d?1"))
                .environment(EnvironmentSeed::new("blue green")),
        ),
    )
    .unwrap();
    let d = promote(&mock, "team a/model 1", "blue green", request("d?1"))
        .await
        .expect("ids with reserved characters round-trip");
    assert_eq!(d.environment.as_deref(), Some("blue green"));
    assert_eq!(d.model_id, "team a/model 1");
}
