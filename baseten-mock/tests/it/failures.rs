//! The failure paths a user tests against: a rolling promotion that a seed makes fail at a step
//! (`FAILED` with its `error_message`, traffic back on the previous deployment), a
//! development build that fails (`BUILD_FAILED`, `DEPLOY_FAILED`, `FAILED`), and
//! `MockServer::fail_promotion_with`.

use crate::common;

use std::time::Duration;

use baseten_mock::{
    DeploymentSeed, DeploymentStatus, EnvironmentSeed, MockServer, ModelSeed, PromotionFailure,
    PromotionStatus, RollingSettings, Seed, Timings,
};
use common::{MINUTE, deployments_of, environment, error_message_of, promote, promotion_of, shown};

/// Model `m`: `v1` serves a production that rolls 25 % a minute and fails as `failure` says;
/// ended promotions stay visible for a minute, so that `FAILED` can be read.
async fn failing_world(failure: PromotionFailure) -> MockServer {
    MockServer::builder()
        .timings(Timings::default().ended_promotion_visible(MINUTE))
        .seed(
            Seed::new().model(
                ModelSeed::new("m")
                    .deployment(DeploymentSeed::new("v1"))
                    .deployment(DeploymentSeed::new("v2"))
                    .environment(
                        EnvironmentSeed::new("production")
                            .deployment("v1")
                            .rolling(RollingSettings::default())
                            .promotion_failure(failure),
                    ),
            ),
        )
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_promotion_failing_at_a_step_rolls_back_and_ends_failed_with_its_message() {
    let mock =
        failing_world(PromotionFailure::at_step(3).error_message("Replicas crashed on start-up."))
            .await;
    promote(&mock, "m", "production", "v2").await;
    mock.advance(2 * MINUTE);
    let env = environment(&mock, "m", "production").await;
    assert_eq!(promotion_of(&env), shown("RAMPING_UP", 50));
    assert_eq!(error_message_of(&env), None);

    // Step 3 fails: traffic stays at 50 % and starts moving back.
    mock.advance(MINUTE);
    let env = environment(&mock, "m", "production").await;
    assert_eq!(promotion_of(&env), shown("RAMPING_DOWN", 50));
    assert_eq!(
        error_message_of(&env),
        Some("Replicas crashed on start-up.")
    );
    mock.advance(MINUTE);
    assert_eq!(
        promotion_of(&environment(&mock, "m", "production").await),
        shown("RAMPING_DOWN", 25)
    );
    mock.advance(MINUTE);
    let env = environment(&mock, "m", "production").await;
    assert_eq!(promotion_of(&env), shown("FAILED", 0));
    assert_eq!(
        error_message_of(&env),
        Some("Replicas crashed on start-up.")
    );
    assert_eq!(deployments_of(&env), (Some("v1".to_owned()), None));
    assert_eq!(
        mock.deployment("v1").unwrap().status,
        DeploymentStatus::Active
    );
    assert_eq!(
        mock.promotion_ended_at("m", "production")
            .map(|e| (e.at, e.status)),
        Some((5 * MINUTE, PromotionStatus::Failed))
    );

    // After the visible minute: null, like any ended promotion.
    mock.advance(MINUTE);
    assert_eq!(
        promotion_of(&environment(&mock, "m", "production").await),
        None
    );
}

#[tokio::test]
async fn failing_at_the_first_step_fails_at_once_with_the_default_message() {
    let mock = failing_world(PromotionFailure::at_step(1)).await;
    promote(&mock, "m", "production", "v2").await;
    mock.advance(MINUTE);
    let env = environment(&mock, "m", "production").await;
    assert_eq!(promotion_of(&env), shown("FAILED", 0));
    assert_eq!(
        error_message_of(&env),
        Some("Candidate deployment v2 failed health checks.")
    );
}

#[tokio::test]
async fn every_promotion_to_the_environment_fails_the_same_way() {
    let mock = failing_world(PromotionFailure::at_step(1)).await;
    for _ in 0..2 {
        promote(&mock, "m", "production", "v2").await;
        mock.advance(MINUTE);
        assert_eq!(
            mock.promotion("m", "production").map(|p| p.status),
            Some(PromotionStatus::Failed)
        );
    }
}

#[tokio::test]
async fn fail_promotion_with_sets_the_error_message_reads_show() {
    let mock = MockServer::builder()
        .seed(Seed::demo())
        .timings(Timings::default().ended_promotion_visible(MINUTE))
        .start()
        .await
        .unwrap();
    promote(&mock, "mdl-whisper", "production", "dpl-whisper-v2").await;
    mock.advance(MINUTE);
    mock.fail_promotion_with("mdl-whisper", "production", "OOM in the candidate.")
        .unwrap();
    let env = environment(&mock, "mdl-whisper", "production").await;
    assert_eq!(promotion_of(&env), shown("RAMPING_DOWN", 25));
    assert_eq!(error_message_of(&env), Some("OOM in the candidate."));
    mock.advance(MINUTE);
    assert_eq!(
        promotion_of(&environment(&mock, "mdl-whisper", "production").await),
        shown("FAILED", 0)
    );
}

async fn build_failing_with(status: DeploymentStatus) -> MockServer {
    MockServer::builder()
        .timings(Timings::default().ended_promotion_visible(MINUTE))
        .seed(
            Seed::new().model(
                ModelSeed::new("m")
                    .deployment(DeploymentSeed::new("dev").development())
                    .deployment(DeploymentSeed::new("v1"))
                    .environment(EnvironmentSeed::new("production").deployment("v1"))
                    .build_fails_with(status),
            ),
        )
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_failing_build_ends_in_its_status_and_leaves_production_alone() {
    // Default timings: 60 s building, 30 s deploying, 30 s loading the model.
    for (status, fails_at, last_good) in [
        (
            DeploymentStatus::BuildFailed,
            60,
            DeploymentStatus::Building,
        ),
        (
            DeploymentStatus::DeployFailed,
            90,
            DeploymentStatus::Deploying,
        ),
        (
            DeploymentStatus::Failed,
            120,
            DeploymentStatus::LoadingModel,
        ),
    ] {
        let mock = build_failing_with(status).await;
        // Accepted: it fails later.
        let id = common::promote_development(&mock, "m").await.id;
        mock.advance(Duration::from_secs(fails_at - 1));
        assert_eq!(mock.deployment(&id).unwrap().status, last_good, "{status}");

        mock.advance(Duration::from_secs(1));
        let read = mock
            .client()
            .get_deployment()
            .model_id("m")
            .deployment_id(&id)
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(read.status.to_string(), status.as_str());
        assert!(!read.is_production);
        assert_eq!(read.active_replica_count, 0);

        let env = environment(&mock, "m", "production").await;
        assert_eq!(promotion_of(&env), shown("FAILED", 0), "{status}");
        assert_eq!(
            error_message_of(&env),
            Some(format!("Deployment {id} failed to build: {status}.").as_str())
        );
        assert_eq!(deployments_of(&env), (Some("v1".to_owned()), None));

        // Nothing more happens to it, and production may be promoted again.
        mock.advance(10 * MINUTE);
        assert_eq!(mock.deployment(&id).unwrap().status, status);
        assert!(mock.deployment("v1").unwrap().is_production);
        // A new build may start.
        common::promote_development(&mock, "m").await;
    }
}
