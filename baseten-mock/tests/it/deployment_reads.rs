//! `get_deployment` through `baseten_api::Client`: a development build read stage by stage
//! (`BUILDING` → `DEPLOYING` → `LOADING_MODEL` → `ACTIVE`), the 404 a brand-new deployment
//! answers for a few seconds (`Timings::new_deployment_not_found`, 5 s by default), and the
//! other 404s.

use crate::common;

use std::time::Duration;

use baseten_mock::{MockServer, Seed, Timings};
use common::{assert_api_error, demo};

async fn read(
    mock: &MockServer,
    model_id: &str,
    deployment_id: &str,
) -> Result<baseten_api::types::DeploymentV1, baseten_api::Error> {
    mock.client()
        .get_deployment()
        .model_id(model_id)
        .deployment_id(deployment_id)
        .send()
        .await
        .map(|r| r.into_inner())
}

async fn promote_dev(mock: &MockServer) -> String {
    common::promote_development(mock, "mdl-llama").await.id
}

#[tokio::test]
async fn a_development_build_reads_stage_by_stage_after_a_few_seconds_of_404() {
    let mock = demo().await;
    let id = promote_dev(&mock).await;

    // Baseten answers 404 for a brand-new deployment for a few seconds: 5 s by default.
    let err = read(&mock, "mdl-llama", &id).await.unwrap_err();
    assert_api_error(&err, 404, &format!("Deployment {id} not found."));
    mock.advance(Duration::from_millis(4999));
    assert_api_error(
        &read(&mock, "mdl-llama", &id).await.unwrap_err(),
        404,
        "not found",
    );

    let mut seen = Vec::new();
    for at in [5, 59, 60, 89, 90, 119, 120] {
        mock.advance(Duration::from_secs(at) - mock.elapsed());
        let d = read(&mock, "mdl-llama", &id)
            .await
            .expect("found after 5 s");
        seen.push((at, d.status.to_string(), d.is_production));
    }
    assert_eq!(
        seen,
        [
            (5, "BUILDING".to_owned(), false),
            (59, "BUILDING".to_owned(), false),
            (60, "DEPLOYING".to_owned(), false),
            (89, "DEPLOYING".to_owned(), false),
            (90, "LOADING_MODEL".to_owned(), false),
            (119, "LOADING_MODEL".to_owned(), false),
            (120, "ACTIVE".to_owned(), true),
        ]
    );
}

#[tokio::test]
async fn the_404_window_is_configurable_and_zero_turns_it_off() {
    for (window, found_at_once) in [(Duration::ZERO, true), (Duration::from_secs(30), false)] {
        let mock = MockServer::builder()
            .seed(Seed::demo())
            .timings(Timings::default().new_deployment_not_found(window))
            .start()
            .await
            .unwrap();
        let id = promote_dev(&mock).await;
        assert_eq!(
            read(&mock, "mdl-llama", &id).await.is_ok(),
            found_at_once,
            "{window:?}"
        );
        mock.advance(Duration::from_secs(29));
        assert_eq!(
            read(&mock, "mdl-llama", &id).await.is_ok(),
            found_at_once,
            "{window:?}"
        );
        mock.advance(Duration::from_secs(1));
        assert!(read(&mock, "mdl-llama", &id).await.is_ok(), "{window:?}");
    }
}

#[tokio::test]
async fn seeded_deployments_are_found_at_once_with_their_state() {
    let mock = demo().await;
    let d = read(&mock, "mdl-llama", "dpl-llama-v1").await.unwrap();
    assert!(d.is_production);
    assert_eq!(d.status.to_string(), "ACTIVE");
    assert_eq!(d.active_replica_count, 2);
    let dev = read(&mock, "mdl-llama", "dpl-llama-dev").await.unwrap();
    assert!(dev.is_development);
}

#[tokio::test]
async fn unknown_models_unknown_deployments_and_other_models_deployments_are_404() {
    let mock = demo().await;
    let err = read(&mock, "mdl-nope", "dpl-llama-v1").await.unwrap_err();
    assert_api_error(&err, 404, "Model mdl-nope not found.");
    let err = read(&mock, "mdl-llama", "dpl-nope").await.unwrap_err();
    assert_api_error(&err, 404, "Deployment dpl-nope not found.");
    // The path names a deployment of llama; whisper's is not one.
    let err = read(&mock, "mdl-llama", "dpl-whisper-v1")
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Deployment dpl-whisper-v1 not found.");
}
