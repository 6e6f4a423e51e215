//! `promote_chain_to_environment` through `baseten_api::Client`.

use crate::common;

use baseten_api::types::PromoteToChainEnvironmentRequestV1;
use baseten_mock::{ChainDeploymentSeed, ChainSeed, ChainletSeed, DeploymentStatus, MockServer};
use common::{assert_api_error, demo};

async fn promote(
    mock: &MockServer,
    chain_id: &str,
    env: &str,
    deployment_id: &str,
    scale_down: bool,
) -> Result<baseten_api::types::ChainDeploymentV1, baseten_api::Error> {
    mock.client()
        .promote_chain_to_environment()
        .chain_id(chain_id)
        .env_name(env)
        .body(PromoteToChainEnvironmentRequestV1 {
            deployment_id: deployment_id.into(),
            scale_down_previous_deployment: scale_down,
        })
        .send()
        .await
        .map(|r| r.into_inner())
}

#[tokio::test]
async fn promotion_switches_the_environment_and_scales_the_previous_chain_down() {
    let mock = demo().await;
    let chain = promote(&mock, "chn-rag", "production", "chd-rag-2", true)
        .await
        .expect("promotion accepted");

    assert_eq!(chain.id, "chd-rag-2");
    assert_eq!(chain.chain_id, "chn-rag");
    assert_eq!(chain.environment.as_deref(), Some("production"));
    assert_eq!(chain.status.to_string(), "ACTIVE");
    let names: Vec<_> = chain.chainlets.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Entrypoint", "Embedder"]);
    assert_eq!(chain.chainlets[1].instance_type_name, "L4:1x16");
    assert!(chain.chainlets.iter().all(|c| c.active_replica_count >= 1));

    assert_eq!(
        mock.chain_environment("chn-rag", "production")
            .unwrap()
            .deployment_id
            .as_deref(),
        Some("chd-rag-2")
    );
    let old = mock.chain_deployment("chd-rag-1").unwrap();
    assert_eq!(old.status, DeploymentStatus::ScaledToZero);
    assert_eq!(old.environment, None);
    assert!(
        old.chainlets
            .iter()
            .all(|c| c.status == DeploymentStatus::ScaledToZero && c.active_replica_count == 0)
    );
}

#[tokio::test]
async fn without_scale_down_the_previous_chain_keeps_running_and_can_come_back() {
    let mock = demo().await;
    promote(&mock, "chn-rag", "production", "chd-rag-2", false)
        .await
        .unwrap();
    let old = mock.chain_deployment("chd-rag-1").unwrap();
    assert_eq!(old.status, DeploymentStatus::Active);
    assert_eq!(old.chainlets[0].active_replica_count, 1);

    // Scale it down with a second switch, then bring it back: it wakes up.
    promote(&mock, "chn-rag", "production", "chd-rag-1", true)
        .await
        .unwrap();
    assert_eq!(
        mock.chain_deployment("chd-rag-2").unwrap().status,
        DeploymentStatus::ScaledToZero
    );
    let back = promote(&mock, "chn-rag", "production", "chd-rag-2", true)
        .await
        .unwrap();
    assert_eq!(back.status.to_string(), "ACTIVE");
    assert!(back.chainlets.iter().all(|c| c.active_replica_count == 1));
}

#[tokio::test]
async fn unknown_chain_environment_or_deployment_is_404() {
    let mock = demo().await;
    let err = promote(&mock, "chn-nope", "production", "chd-rag-2", true)
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Chain chn-nope not found.");
    let err = promote(&mock, "chn-rag", "staging", "chd-rag-2", true)
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        404,
        "Environment staging not found for chain chn-rag.",
    );
    let err = promote(&mock, "chn-rag", "production", "chd-nope", true)
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Chain deployment chd-nope not found.");
    assert_eq!(
        mock.chain_environment("chn-rag", "production")
            .unwrap()
            .deployment_id
            .as_deref(),
        Some("chd-rag-1")
    );
}

#[tokio::test]
async fn a_deployment_of_another_chain_is_a_validation_error() {
    let mock = demo().await;
    mock.seed(
        baseten_mock::Seed::new().chain(ChainSeed::new("chn-other").deployment(
            ChainDeploymentSeed::new("chd-other").chainlet(ChainletSeed::new("c", "Entrypoint")),
        )),
    )
    .unwrap();
    let err = promote(&mock, "chn-rag", "production", "chd-other", true)
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        400,
        "Chain deployment chd-other does not belong to chain chn-rag.",
    );
    assert!(err.to_string().contains("VALIDATION_ERROR"), "{err}");
}
