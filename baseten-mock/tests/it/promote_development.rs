//! `promote_development_to_production` through `baseten_api::Client`: the new deployment's build
//! in simulated time (60 s BUILDING, 30 s DEPLOYING, 30 s LOADING_MODEL by default), its flags,
//! and its errors.

use crate::common;

use std::time::Duration;

use baseten_api::types::PromoteRequestV1;
use baseten_mock::{
    DeploymentSeed, DeploymentStatus, EnvironmentSeed, MockServer, ModelSeed, PromotionStatus,
    RollingSettings, Seed, Timings,
};
use common::{MINUTE, assert_api_error, demo};

async fn promote_dev(
    mock: &MockServer,
    model_id: &str,
    body: PromoteRequestV1,
) -> Result<baseten_api::types::DeploymentV1, baseten_api::Error> {
    mock.client()
        .promote_development_to_production()
        .model_id(model_id)
        .body(body)
        .send()
        .await
        .map(|r| r.into_inner())
}

fn status(mock: &MockServer, id: &str) -> DeploymentStatus {
    mock.deployment(id).expect("deployment exists").status
}

#[tokio::test]
async fn the_new_deployment_is_built_then_becomes_production() {
    let mock = demo().await;
    // The client's default body (both flags true), without calling `.body(..)`.
    let new = mock
        .client()
        .promote_development_to_production()
        .model_id("mdl-llama")
        .send()
        .await
        .expect("promotion accepted")
        .into_inner();

    assert_eq!(new.id, "dpl-1");
    assert_eq!(new.name, "deployment-3");
    assert_eq!(new.status.to_string(), "BUILDING");
    assert_eq!(new.active_replica_count, 0);
    assert!(new.autoscaling_settings.is_none());
    assert!(!new.is_production && !new.is_development);
    assert_eq!(new.environment, None);
    // preserve_env_instance_type: production's H100, not development's A10G.
    assert_eq!(new.instance_type_name.as_deref(), Some("H100:1x80"));
    assert_eq!(new.created_at.to_rfc3339(), "2026-01-01T00:00:00+00:00");

    mock.advance(Duration::from_secs(59));
    assert_eq!(status(&mock, "dpl-1"), DeploymentStatus::Building);
    mock.advance(Duration::from_secs(1));
    assert_eq!(status(&mock, "dpl-1"), DeploymentStatus::Deploying);
    mock.advance(Duration::from_secs(30));
    assert_eq!(status(&mock, "dpl-1"), DeploymentStatus::LoadingModel);
    assert!(!mock.deployment("dpl-1").unwrap().is_production);
    mock.advance(Duration::from_secs(30));

    let built = mock.deployment("dpl-1").unwrap();
    assert_eq!(built.status, DeploymentStatus::Active);
    assert!(built.is_production);
    assert_eq!(built.environment.as_deref(), Some("production"));
    assert!(built.active_replica_count >= 1);
    assert!(built.autoscaling_settings.is_some());

    let old = mock.deployment("dpl-llama-v1").unwrap();
    assert_eq!(old.status, DeploymentStatus::ScaledToZero);
    assert!(!old.is_production);
    // The development deployment stays what it was.
    let dev = mock.deployment("dpl-llama-dev").unwrap();
    assert!(dev.is_development);
    assert_eq!(dev.status, DeploymentStatus::Active);
    assert_eq!(mock.deployments("mdl-llama").len(), 4);
}

#[tokio::test]
async fn false_flags_keep_the_old_production_running_and_the_development_instance_type() {
    let mock = demo().await;
    let new = promote_dev(
        &mock,
        "mdl-llama",
        PromoteRequestV1 {
            scale_down_previous_production: false,
            preserve_env_instance_type: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(new.instance_type_name.as_deref(), Some("A10G:1x24"));
    mock.advance(2 * MINUTE);
    assert!(mock.deployment(&new.id).unwrap().is_production);
    let old = mock.deployment("dpl-llama-v1").unwrap();
    assert_eq!(old.status, DeploymentStatus::Active);
    assert_eq!(old.active_replica_count, 2);
    assert_eq!(old.environment, None);
}

#[tokio::test]
async fn a_build_in_progress_blocks_promotions_to_production_until_it_is_done() {
    let mock = demo().await;
    promote_dev(&mock, "mdl-llama", PromoteRequestV1::default())
        .await
        .unwrap();

    let err = promote_dev(&mock, "mdl-llama", PromoteRequestV1::default())
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        400,
        "Environment production already has a promotion in progress.",
    );

    let err = common::try_promote(&mock, "mdl-llama", "production", "dpl-llama-v2")
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        400,
        "Environment production already has a promotion in progress.",
    );

    // The building deployment itself cannot be promoted elsewhere yet.
    let err = common::try_promote(&mock, "mdl-llama", "staging", "dpl-1")
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        400,
        "Deployment dpl-1 cannot be promoted while its status is BUILDING.",
    );

    mock.advance(2 * MINUTE);
    let second = promote_dev(&mock, "mdl-llama", PromoteRequestV1::default())
        .await
        .expect("allowed once the first is done");
    assert_eq!(second.id, "dpl-2");
    assert_eq!(second.name, "deployment-4");
}

#[tokio::test]
async fn without_a_development_deployment_or_model_it_is_404() {
    let mock = demo().await;
    let err = promote_dev(&mock, "mdl-whisper", PromoteRequestV1::default())
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        404,
        "Model mdl-whisper has no development deployment.",
    );
    let err = promote_dev(&mock, "mdl-nope", PromoteRequestV1::default())
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Model mdl-nope not found.");
    assert!(
        mock.deployments("mdl-whisper")
            .iter()
            .all(|d| d.id != "dpl-1")
    );
}

#[tokio::test]
async fn a_rolling_production_rolls_the_built_deployment_out() {
    let mock = MockServer::builder()
        .timings(Timings::new(
            Duration::from_secs(10),
            Duration::from_secs(5),
            Duration::from_secs(5),
        ))
        .seed(
            Seed::new().model(
                ModelSeed::new("m")
                    .deployment(DeploymentSeed::new("dev").development())
                    .deployment(DeploymentSeed::new("v1"))
                    .environment(EnvironmentSeed::new("production").deployment("v1").rolling(
                        RollingSettings {
                            step_percent: 50,
                            step_seconds: 30,
                        },
                    )),
            ),
        )
        .start()
        .await
        .unwrap();
    let new = promote_dev(&mock, "m", PromoteRequestV1::default())
        .await
        .unwrap();

    mock.advance(Duration::from_secs(19));
    assert_eq!(status(&mock, &new.id), DeploymentStatus::LoadingModel);
    // While it builds, production's promotion is in progress, its candidate still building.
    let p = mock
        .promotion("m", "production")
        .expect("a promotion while building");
    assert_eq!(
        (p.status, p.traffic_percent, p.building),
        (PromotionStatus::Releasing, 0, true)
    );
    assert_eq!(
        p.next_step_at, None,
        "the build, not the step clock, moves it"
    );
    mock.advance(Duration::from_secs(1));
    assert_eq!(status(&mock, &new.id), DeploymentStatus::Active);
    let p = mock.promotion("m", "production").expect("rollout started");
    assert_eq!(
        (p.status, p.traffic_percent, p.building),
        (PromotionStatus::Releasing, 0, false)
    );
    assert_eq!(p.candidate_deployment_id, new.id);
    assert_eq!(p.next_step_at, Some(Duration::from_secs(50)));

    // 20 s build, then 30 s per step: 50 % at 50 s, done at 80 s.
    mock.advance(Duration::from_secs(30));
    let p = mock.promotion("m", "production").unwrap();
    assert_eq!(
        (p.status, p.traffic_percent),
        (PromotionStatus::RampingUp, 50)
    );
    mock.advance(Duration::from_secs(30));
    assert_eq!(
        mock.promotion("m", "production").unwrap().status,
        PromotionStatus::Succeeded
    );
    assert!(mock.deployment(&new.id).unwrap().is_production);
    assert_eq!(status(&mock, "v1"), DeploymentStatus::ScaledToZero);
}
