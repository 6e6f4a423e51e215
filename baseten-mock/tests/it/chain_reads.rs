//! `get_chain_environment` and `get_chain_deployment` through `baseten_api::Client`: the
//! current chain deployment and its chainlets' settings, never a candidate or an
//! `in_progress_promotion` (chains have no rolling deploys; a candidate shown on request,
//! `Timings::chain_promotion`, is in `adversarial_timings.rs`), and the 404s.

use crate::common;

use baseten_api::types::PromoteToChainEnvironmentRequestV1;
use baseten_mock::{ChainDeploymentSeed, ChainSeed, ChainletSeed, MockServer, Seed};
use common::{assert_api_error, demo, get};

async fn chain_env(
    mock: &MockServer,
    chain_id: &str,
    env: &str,
) -> Result<baseten_api::types::ChainEnvironmentV1, baseten_api::Error> {
    mock.client()
        .get_chain_environment()
        .chain_id(chain_id)
        .env_name(env)
        .send()
        .await
        .map(|r| r.into_inner())
}

async fn chain_deployment(
    mock: &MockServer,
    chain_id: &str,
    id: &str,
) -> Result<baseten_api::types::ChainDeploymentV1, baseten_api::Error> {
    mock.client()
        .get_chain_deployment()
        .chain_id(chain_id)
        .chain_deployment_id(id)
        .send()
        .await
        .map(|r| r.into_inner())
}

#[tokio::test]
async fn a_chain_environment_shows_its_current_deployment_and_switches_at_once() {
    let mock = demo().await;
    let env = chain_env(&mock, "chn-rag", "production").await.unwrap();
    assert_eq!(
        (env.name.as_str(), env.chain_id.as_str()),
        ("production", "chn-rag")
    );
    assert_eq!(
        env.current_deployment.as_ref().map(|d| d.id.as_str()),
        Some("chd-rag-1")
    );
    assert!(env.candidate_deployment.is_none());
    assert_eq!(env.promotion_settings.rolling_deploy, Some(false));
    let names: Vec<_> = env
        .chainlet_settings
        .iter()
        .map(|c| c.chainlet_name.as_str())
        .collect();
    assert_eq!(names, ["Entrypoint"]);

    mock.client()
        .promote_chain_to_environment()
        .chain_id("chn-rag")
        .env_name("production")
        .body(PromoteToChainEnvironmentRequestV1::builder().deployment_id("chd-rag-2"))
        .send()
        .await
        .unwrap();
    let env = chain_env(&mock, "chn-rag", "production").await.unwrap();
    assert_eq!(
        env.current_deployment.as_ref().map(|d| d.id.as_str()),
        Some("chd-rag-2")
    );
    assert!(
        env.candidate_deployment.is_none(),
        "chain promotions are immediate"
    );
    let settings: Vec<_> = env
        .chainlet_settings
        .iter()
        .map(|c| (c.chainlet_name.as_str(), c.instance_type.name.as_str()))
        .collect();
    assert_eq!(settings, [("Entrypoint", "1x2"), ("Embedder", "L4:1x16")]);

    // No `in_progress_promotion` on the wire at all: it is not part of ChainEnvironmentV1.
    let (status, body) = get(&mock, "/v1/chains/chn-rag/environments/production").await;
    assert_eq!(status, 200);
    assert!(body.get("in_progress_promotion").is_none(), "{body}");
    assert!(body["candidate_deployment"].is_null(), "{body}");
}

#[tokio::test]
async fn a_chain_deployment_reads_with_its_chainlets_and_environment() {
    let mock = demo().await;
    let d = chain_deployment(&mock, "chn-rag", "chd-rag-1")
        .await
        .unwrap();
    assert_eq!(d.environment.as_deref(), Some("production"));
    assert_eq!(d.chainlets.len(), 1);
    let d = chain_deployment(&mock, "chn-rag", "chd-rag-2")
        .await
        .unwrap();
    assert_eq!(d.environment, None);
    assert_eq!(d.chainlets.len(), 2);
}

#[tokio::test]
async fn unknown_chains_environments_and_deployments_are_404() {
    let mock = demo().await;
    mock.seed(Seed::new().chain(
        ChainSeed::new("chn-other").deployment(
            ChainDeploymentSeed::new("chd-other").chainlet(ChainletSeed::new("c", "E")),
        ),
    ))
    .unwrap();
    let err = chain_env(&mock, "chn-nope", "production")
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Chain chn-nope not found.");
    let err = chain_env(&mock, "chn-rag", "staging").await.unwrap_err();
    assert_api_error(
        &err,
        404,
        "Environment staging not found for chain chn-rag.",
    );

    let err = chain_deployment(&mock, "chn-nope", "chd-rag-1")
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Chain chn-nope not found.");
    let err = chain_deployment(&mock, "chn-rag", "chd-nope")
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Chain deployment chd-nope not found.");
    // Another chain's deployment is not found under this chain.
    let err = chain_deployment(&mock, "chn-rag", "chd-other")
        .await
        .unwrap_err();
    assert_api_error(&err, 404, "Chain deployment chd-other not found.");
    assert!(
        chain_deployment(&mock, "chn-other", "chd-other")
            .await
            .is_ok()
    );
}
