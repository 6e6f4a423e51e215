//! Helpers shared by the integration tests.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use baseten_mock::{MockServer, Seed};
use serde_json::Value;

/// A mock holding the demo data (see `Seed::demo`), manual clock.
pub async fn demo() -> MockServer {
    let mock = MockServer::start().await;
    mock.seed(Seed::demo()).expect("the demo seed is valid");
    mock
}

/// Checks a client error the way the brief allows: only its status and its text.
#[track_caller]
pub fn assert_api_error(err: &baseten_api::Error, status: u16, message: &str) {
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(status),
        "wrong status: {err}"
    );
    let shown = err.to_string();
    assert!(shown.contains(message), "expected {message:?} in: {shown}");
}

/// A plain HTTP client, for what the typed client hides (401, 429, malformed requests).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a reqwest client")
}

/// `POST {mock}{path}` with the mock's key and an optional raw body; returns status and JSON.
pub async fn post(mock: &MockServer, path: &str, body: Option<&str>) -> (u16, Value) {
    let mut request = http()
        .post(format!("{}{path}", mock.url()))
        .header("authorization", format!("Api-Key {}", mock.api_key()));
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.expect("the mock answers");
    let status = response.status().as_u16();
    let json = response.json().await.expect("a JSON body");
    (status, json)
}

/// `GET {mock}{path}` with the mock's key; returns status and JSON.
pub async fn get(mock: &MockServer, path: &str) -> (u16, Value) {
    let response = http()
        .get(format!("{}{path}", mock.url()))
        .header("authorization", format!("Api-Key {}", mock.api_key()))
        .send()
        .await
        .expect("the mock answers");
    let status = response.status().as_u16();
    let json = response.json().await.expect("a JSON body");
    (status, json)
}

/// Promotes `deployment_id` to a model environment through the client.
pub async fn promote(
    mock: &MockServer,
    model_id: &str,
    env: &str,
    deployment_id: &str,
) -> baseten_api::types::DeploymentV1 {
    try_promote(mock, model_id, env, deployment_id)
        .await
        .unwrap_or_else(|e| panic!("promote {deployment_id} to {model_id}/{env}: {e}"))
}

/// [`promote`], for tests that expect it to be refused.
pub async fn try_promote(
    mock: &MockServer,
    model_id: &str,
    env: &str,
    deployment_id: &str,
) -> Result<baseten_api::types::DeploymentV1, baseten_api::Error> {
    mock.client()
        .promote_model_to_environment()
        .model_id(model_id)
        .env_name(env)
        .body(
            baseten_api::types::PromoteToEnvironmentRequestV1::builder()
                .deployment_id(deployment_id),
        )
        .send()
        .await
        .map(|r| r.into_inner())
}

/// Starts a production build from the model's development deployment (the client's default
/// body: both flags true) and returns the new deployment.
pub async fn promote_development(
    mock: &MockServer,
    model_id: &str,
) -> baseten_api::types::DeploymentV1 {
    mock.client()
        .promote_development_to_production()
        .model_id(model_id)
        .send()
        .await
        .unwrap_or_else(|e| panic!("promote the development deployment of {model_id}: {e}"))
        .into_inner()
}

/// A model environment read through the client (`get_environment`).
pub async fn environment(
    mock: &MockServer,
    model_id: &str,
    env: &str,
) -> baseten_api::types::EnvironmentV1 {
    mock.client()
        .get_environment()
        .model_id(model_id)
        .env_name(env)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get_environment {model_id}/{env}: {e}"))
        .into_inner()
}

/// What an environment read says about its promotion: status and traffic, or `None` when
/// `in_progress_promotion` is null.
pub fn promotion_of(env: &baseten_api::types::EnvironmentV1) -> Option<(String, i64)> {
    env.in_progress_promotion
        .as_ref()
        .map(|p| (p.status.to_string(), p.percent_traffic_to_new_version))
}

/// The `error_message` of an environment read's promotion; panics if none is shown.
pub fn error_message_of(env: &baseten_api::types::EnvironmentV1) -> Option<&str> {
    env.in_progress_promotion
        .as_ref()
        .expect("a promotion is shown")
        .error_message
        .as_deref()
}

/// The ids of an environment read's current and candidate deployments.
pub fn deployments_of(env: &baseten_api::types::EnvironmentV1) -> (Option<String>, Option<String>) {
    (
        env.current_deployment.as_ref().map(|d| d.id.clone()),
        env.candidate_deployment.as_ref().map(|d| d.id.clone()),
    )
}

/// `Some((status, traffic))` in the form [`promotion_of`] returns.
pub fn shown(status: &str, traffic: i64) -> Option<(String, i64)> {
    Some((status.to_owned(), traffic))
}

pub const MINUTE: Duration = Duration::from_secs(60);

/// Baseten's full specification of 2026-08-22 (183 operations, no operationIds, `BearerAuth`),
/// as published; a copy of the shared fixture, so that the tests read only this crate.
pub fn full_spec_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/openapi-2026-08-22.json"
    ))
    .expect("the fixture")
}

/// [`full_spec_text`], parsed once for all the tests that serve it.
pub fn full_spec() -> Arc<baseten_mock::spec::Spec> {
    static SPEC: OnceLock<Arc<baseten_mock::spec::Spec>> = OnceLock::new();
    Arc::clone(SPEC.get_or_init(|| {
        Arc::new(baseten_mock::spec::Spec::parse(&full_spec_text()).expect("the fixture parses"))
    }))
}

/// A mock serving the full specification, holding the demo data.
pub async fn full_demo() -> MockServer {
    MockServer::builder()
        .parsed_spec(full_spec())
        .seed(Seed::demo())
        .start()
        .await
        .expect("the mock starts")
}
