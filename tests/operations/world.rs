//! The world the calls act on, and what an operation needs before it can succeed.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use baseten_mock::spec::Spec;
use baseten_mock::{MockServer, Seed};
use serde_json::json;

/// A model with a development deployment, a production and a rolling staging environment, and
/// a chain.
const SEED: &str = r#"
models:
  - id: mdl-a
    deployments:
      - {id: dpl-dev, name: development, development: true}
      - {id: dpl-0, name: deployment-0}
      - {id: dpl-1, name: deployment-1}
      - {id: dpl-2, name: deployment-2}
    environments:
      - {name: production, deployment_id: dpl-1}
      - {name: staging, deployment_id: dpl-0, rolling: {step_percent: 25, step_seconds: 60}}
chains:
  - id: chn-a
    deployments:
      - {id: chd-1, chainlets: [{id: chl-1, name: Entrypoint}]}
      - {id: chd-2, chainlets: [{id: chl-2, name: Entrypoint}]}
    environments:
      - {name: production, deployment_id: chd-1}
"#;

static SEEDED: LazyLock<Seed> =
    LazyLock::new(|| Seed::from_yaml_str(SEED, "the operations seed").expect("a valid seed"));

/// One HTTP client for every mock: building one costs tens of milliseconds (TLS roots).
static HTTP: LazyLock<reqwest::Client> = LazyLock::new(reqwest::Client::new);

/// A fresh mock serving `spec` (the mock's own, the crate's, when `None`) on the seeded world:
/// one operation's changes never decide another's answer. `check_requests` off, it answers
/// requests the spec refuses.
pub async fn mock(spec: Option<&Arc<Spec>>, check_requests: bool) -> MockServer {
    let mut builder = MockServer::builder()
        .seed(SEEDED.clone())
        .no_rate_limit()
        .validate_requests(check_requests);
    if let Some(spec) = spec {
        builder = builder.parsed_spec(Arc::clone(spec));
    }
    builder.start().await.expect("the mock starts")
}

/// The crate's client for `mock`, through the public builder.
pub fn client(mock: &MockServer) -> baseten_api::Client {
    baseten_api::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .http_client(HTTP.clone())
        .build()
        .expect("a valid configuration")
}

/// The value of a path parameter: the seeded ids where the path names the mock's resources.
pub fn path_value(path: &str, name: &str) -> String {
    let chain = path.starts_with("/v1/chains/");
    let model = path.starts_with("/v1/models/");
    match name {
        "model_id" if model => "mdl-a",
        "deployment_id" if model => "dpl-2",
        "env_name" if model => "staging",
        "env_name" if chain => "production",
        "chain_id" if chain => "chn-a",
        "chain_deployment_id" if chain => "chd-2",
        _ => return format!("x-{name}"),
    }
    .to_owned()
}

/// The ids a request body names, fitted to the seeded world: the deployment to promote exists,
/// and an environment to create does not yet.
pub fn fit_body(path: &str, body: &mut serde_json::Value) {
    let Some(object) = body.as_object_mut() else {
        return;
    };
    if object.contains_key("deployment_id") {
        let id = if path.starts_with("/v1/chains/") {
            "chd-2"
        } else {
            "dpl-2"
        };
        object.insert("deployment_id".into(), json!(id));
    }
    if path == "/v1/models/{model_id}/environments" {
        object.insert("name".into(), json!("qa"));
    }
}

/// What must hold before the operation at `path` can succeed: a promotion to pause, cancel or
/// roll forward; a paused one to resume. Done with plain HTTP, not with the client under test.
pub async fn prepare(mock: &MockServer, path: &str) {
    let signal = [
        "cancel_promotion",
        "pause_promotion",
        "force_cancel_promotion",
        "force_roll_forward_promotion",
        "resume_promotion",
    ]
    .iter()
    .any(|s| path.ends_with(s));
    if !(signal && path.starts_with("/v1/models/")) {
        return;
    }
    post(
        mock,
        "/v1/models/mdl-a/environments/staging/promote",
        json!({"deployment_id": "dpl-2"}),
    )
    .await;
    mock.advance(Duration::from_secs(60));
    if path.ends_with("/resume_promotion") {
        post(
            mock,
            "/v1/models/mdl-a/environments/staging/pause_promotion",
            json!({}),
        )
        .await;
        mock.advance(Duration::from_secs(60));
    }
}

async fn post(mock: &MockServer, path: &str, body: serde_json::Value) {
    let response = HTTP
        .post(format!("{}{path}", mock.url()))
        .header("authorization", format!("Api-Key {}", mock.api_key()))
        .json(&body)
        .send()
        .await
        .expect("the mock answers");
    assert!(
        response.status().is_success(),
        "POST {path}: {}",
        response.status()
    );
}
