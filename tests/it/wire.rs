//! What the client puts on the wire, and what it makes of the answers.
//!
//! Each test starts a wiremock server on 127.0.0.1 that accepts any request,
//! calls one operation, and checks the single request the server received:
//! method, exact path, headers (nothing beyond auth, accept, content type,
//! user agent and transport headers) and the exact JSON body. The request is
//! also snapshotted (`tests/snapshots/`) with the key and port redacted.

use std::collections::BTreeMap;

use baseten_api::types::{self, DeploymentStatusV1};
use baseten_api::{Client, DEFAULT_USER_AGENT};
use serde::Serialize;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-key-wire-7Hq2";

/// The headers every test of what the client sends allows (shared with tests/operations).
#[path = "../shared/allowed_headers.rs"]
mod allowed_headers;
use allowed_headers::ALLOWED_HEADERS;

/// A server that answers every request with `200` and `response`.
pub(crate) async fn server_answering(response: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(response))
        .mount(&server)
        .await;
    server
}

pub(crate) fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .expect("valid test configuration")
}

/// The simplest request: force roll forward on `m-1`/`production`.
async fn roll_forward(
    client: &Client,
) -> Result<baseten_api::ResponseValue<types::SignalPromotionResponseV1>, baseten_api::Error> {
    client
        .force_roll_forward_promotion()
        .model_id("m-1")
        .env_name("production")
        .send()
        .await
}

pub(crate) async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server
        .received_requests()
        .await
        .expect("request recording is on");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.pop().unwrap()
}

pub(crate) fn header<'r>(request: &'r wiremock::Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("ASCII header value"))
}

/// Checks the headers every operation must send, and that there are no others.
pub(crate) fn assert_headers(request: &wiremock::Request, has_body: bool) {
    let expected_auth = format!("Api-Key {KEY}");
    assert_eq!(
        header(request, "authorization"),
        Some(expected_auth.as_str())
    );
    assert_eq!(header(request, "user-agent"), Some(DEFAULT_USER_AGENT));
    assert_eq!(header(request, "accept"), Some("application/json"));
    if has_body {
        assert_eq!(header(request, "content-type"), Some("application/json"));
    } else {
        assert_eq!(header(request, "content-type"), None);
        assert!(
            request.body.is_empty(),
            "unexpected body: {:?}",
            request.body
        );
    }
    for name in request.headers.keys() {
        assert!(
            ALLOWED_HEADERS.contains(&name.as_str()),
            "unexpected header `{name}` in {:?}",
            request.headers
        );
    }
    // Each header once: the hook replaces, never appends.
    for name in ALLOWED_HEADERS {
        assert!(
            request.headers.get_all(*name).iter().count() <= 1,
            "{name} repeated"
        );
    }
}

fn body_json(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).expect("JSON body")
}

/// The snapshot form of a request. Values that vary between runs (the port)
/// or must not be stored (the key) are redacted after being asserted.
#[derive(Serialize)]
pub(crate) struct WireRequest {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: Option<Value>,
}

pub(crate) fn wire(request: &wiremock::Request) -> WireRequest {
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| {
            let value = match name.as_str() {
                "authorization" => "Api-Key [redacted]".to_owned(),
                "host" => "127.0.0.1:[port]".to_owned(),
                "user-agent" => "baseten-api-rs/[version]".to_owned(),
                _ => value.to_str().unwrap().to_owned(),
            };
            (name.as_str().to_owned(), value)
        })
        .collect();
    WireRequest {
        method: request.method.to_string(),
        path: request.url.path().to_owned(),
        headers,
        body: (!request.body.is_empty()).then(|| body_json(request)),
    }
}

/// A `DeploymentV1` as the documents describe it, every field filled in.
pub(crate) fn deployment_json() -> Value {
    json!({
        "id": "dep-2",
        "created_at": "2026-08-22T10:15:30.123456Z",
        "name": "v2",
        "model_id": "m-1",
        "is_production": true,
        "is_development": false,
        "status": "ACTIVE",
        "active_replica_count": 2,
        "autoscaling_settings": {
            "min_replica": 1,
            "max_replica": 4,
            "autoscaling_window": 60,
            "scale_down_delay": 900,
            "concurrency_target": 8,
            "target_utilization_percentage": 70,
            "target_in_flight_tokens": 4096
        },
        "instance_type_name": "H100:1x80",
        "environment": "production",
        "labels": {"team": "search", "tier": 1}
    })
}

// --- requests -------------------------------------------------------------

#[tokio::test]
async fn promote_model_to_environment_sends_id_and_documented_defaults() {
    let server = server_answering(deployment_json()).await;
    let deployment = client_for(&server)
        .promote_model_to_environment()
        .model_id("m-1")
        .env_name("production")
        .body(types::PromoteToEnvironmentRequestV1::builder().deployment_id("dep-2"))
        .send()
        .await
        .expect("200 with a valid DeploymentV1")
        .into_inner();
    assert_eq!(deployment.id, "dep-2");

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        request.url.path(),
        "/v1/models/m-1/environments/production/promote"
    );
    assert_eq!(request.url.query(), None);
    assert_headers(&request, true);
    assert_eq!(
        body_json(&request),
        json!({
            "deployment_id": "dep-2",
            "scale_down_previous_deployment": true,
            "preserve_env_instance_type": true
        })
    );
    insta::assert_yaml_snapshot!(wire(&request));
}

#[tokio::test]
async fn promote_model_to_environment_sends_explicit_false_flags() {
    let server = server_answering(deployment_json()).await;
    client_for(&server)
        .promote_model_to_environment()
        .model_id("m-1")
        .env_name("staging")
        .body(types::PromoteToEnvironmentRequestV1 {
            deployment_id: "dep-3".into(),
            scale_down_previous_deployment: false,
            preserve_env_instance_type: false,
        })
        .send()
        .await
        .expect("200");

    let request = only_request(&server).await;
    assert_eq!(
        request.url.path(),
        "/v1/models/m-1/environments/staging/promote"
    );
    assert_eq!(
        body_json(&request),
        json!({
            "deployment_id": "dep-3",
            "scale_down_previous_deployment": false,
            "preserve_env_instance_type": false
        })
    );
}

#[tokio::test]
async fn promote_chain_to_environment_sends_id_and_documented_default() {
    let server = server_answering(json!({
        "id": "cd-1",
        "created_at": "2026-06-03T08:00:00Z",
        "chain_id": "c-1",
        "environment": "production",
        "status": "DEPLOYING",
        "chainlets": [
            {
                "id": "cl-1",
                "name": "Entrypoint",
                "autoscaling_settings": {
                    "min_replica": 0,
                    "max_replica": 2,
                    "autoscaling_window": null,
                    "scale_down_delay": null,
                    "concurrency_target": 4,
                    "target_utilization_percentage": null
                },
                "instance_type_name": "1x2",
                "active_replica_count": 1,
                "status": "ACTIVE"
            },
            {
                "id": "cl-2",
                "name": "Embedder",
                "autoscaling_settings": null,
                "instance_type_name": "L4:1x16",
                "active_replica_count": 0,
                "status": "BUILDING"
            }
        ]
    }))
    .await;
    let chain = client_for(&server)
        .promote_chain_to_environment()
        .chain_id("c-1")
        .env_name("production")
        .body(types::PromoteToChainEnvironmentRequestV1::builder().deployment_id("cd-1"))
        .send()
        .await
        .expect("200 with a valid ChainDeploymentV1")
        .into_inner();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        request.url.path(),
        "/v1/chains/c-1/environments/production/promote"
    );
    assert_headers(&request, true);
    assert_eq!(
        body_json(&request),
        json!({"deployment_id": "cd-1", "scale_down_previous_deployment": true})
    );
    insta::assert_yaml_snapshot!(wire(&request));

    assert_eq!(chain.id, "cd-1");
    assert_eq!(chain.chain_id, "c-1");
    assert_eq!(chain.environment.as_deref(), Some("production"));
    assert_eq!(chain.status, DeploymentStatusV1::Deploying);
    assert_eq!(chain.created_at.to_rfc3339(), "2026-06-03T08:00:00+00:00");
    assert_eq!(chain.chainlets.len(), 2);

    let entry = &chain.chainlets[0];
    assert_eq!(
        (entry.id.as_str(), entry.name.as_str()),
        ("cl-1", "Entrypoint")
    );
    assert_eq!(entry.instance_type_name, "1x2");
    assert_eq!(entry.active_replica_count, 1);
    assert_eq!(entry.status, DeploymentStatusV1::Active);
    let scaling = entry.autoscaling_settings.as_ref().expect("settings");
    assert_eq!((scaling.min_replica, scaling.max_replica), (0, 2));
    assert_eq!(scaling.concurrency_target, 4);
    assert_eq!(scaling.autoscaling_window, None);
    assert_eq!(scaling.target_in_flight_tokens, None);

    let embedder = &chain.chainlets[1];
    assert_eq!(embedder.name, "Embedder");
    assert!(embedder.autoscaling_settings.is_none());
    assert_eq!(embedder.status, DeploymentStatusV1::Building);
}

#[tokio::test]
async fn promote_development_to_production_sends_documented_defaults_without_body_call() {
    let server = server_answering(deployment_json()).await;
    // No `.body(..)`: the builder starts from `PromoteRequestV1`'s defaults.
    client_for(&server)
        .promote_development_to_production()
        .model_id("m-1")
        .send()
        .await
        .expect("200");

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        request.url.path(),
        "/v1/models/m-1/deployments/development/promote"
    );
    assert_headers(&request, true);
    assert_eq!(
        body_json(&request),
        json!({"scale_down_previous_production": true, "preserve_env_instance_type": true})
    );
    insta::assert_yaml_snapshot!(wire(&request));
}

#[tokio::test]
async fn promote_development_to_production_default_body_matches_curl_sample() {
    let server = server_answering(deployment_json()).await;
    client_for(&server)
        .promote_development_to_production()
        .model_id("m-1")
        .body(types::PromoteRequestV1::default())
        .send()
        .await
        .expect("200");

    let request = only_request(&server).await;
    assert_eq!(
        body_json(&request),
        json!({"scale_down_previous_production": true, "preserve_env_instance_type": true})
    );
}

#[tokio::test]
async fn force_roll_forward_promotion_sends_no_body() {
    let server = server_answering(json!({"success": true})).await;
    let response = roll_forward(&client_for(&server))
        .await
        .expect("200 with a valid SignalPromotionResponseV1");
    assert!(response.into_inner().success);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        request.url.path(),
        "/v1/models/m-1/environments/production/force_roll_forward_promotion"
    );
    assert_headers(&request, false);
    insta::assert_yaml_snapshot!(wire(&request));
}

#[tokio::test]
async fn force_roll_forward_promotion_decodes_false() {
    let server = server_answering(json!({"success": false})).await;
    let response = roll_forward(&client_for(&server)).await.expect("200");
    assert!(!response.into_inner().success);
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let server = server_answering(json!({"success": true})).await;
    client_for(&server)
        .force_roll_forward_promotion()
        .model_id("a/b c")
        .env_name("prod?x#y")
        .send()
        .await
        .expect("200");

    let request = only_request(&server).await;
    assert_eq!(
        request.url.path(),
        "/v1/models/a%2Fb%20c/environments/prod%3Fx%23y/force_roll_forward_promotion"
    );
    assert_eq!(request.url.query(), None);
}

#[tokio::test]
async fn base_url_path_prefix_and_trailing_slash_are_respected() {
    let server = server_answering(json!({"success": true})).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/proxy/", server.uri()))
        .build()
        .unwrap();
    roll_forward(&client).await.expect("200");

    let request = only_request(&server).await;
    assert_eq!(
        request.url.path(),
        "/proxy/v1/models/m-1/environments/production/force_roll_forward_promotion"
    );
}

#[tokio::test]
async fn caller_supplied_http_client_still_gets_auth_and_user_agent() {
    let server = server_answering(json!({"success": true})).await;
    // A caller's client with its own default user agent: ours must win, and
    // authentication must be added although this client knows nothing of it.
    let http = baseten_api::reqwest::Client::builder()
        .user_agent("callers-agent/1.0")
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .user_agent("my-tool/2.0")
        .http_client(http)
        .build()
        .unwrap();
    roll_forward(&client).await.expect("200");

    let request = only_request(&server).await;
    let expected_auth = format!("Api-Key {KEY}");
    assert_eq!(
        header(&request, "authorization"),
        Some(expected_auth.as_str())
    );
    assert_eq!(header(&request, "user-agent"), Some("my-tool/2.0"));
    assert_eq!(request.headers.get_all("user-agent").iter().count(), 1);
}

#[tokio::test]
async fn bearer_auth_sends_the_key_as_a_bearer_token() {
    let server = server_answering(json!({"success": true})).await;
    let from_code = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .auth_scheme(baseten_api::AuthScheme::Bearer)
        .build()
        .unwrap();
    let from_env = baseten_api::ClientBuilder::from_env_with(|name| match name {
        "BASETEN_API_KEY" => Some(KEY.to_owned()),
        "BASETEN_API_URL" => Some(server.uri()),
        "BASETEN_AUTH_SCHEME" => Some("bearer".to_owned()),
        _ => None,
    })
    .build()
    .unwrap();
    for client in [from_code, from_env] {
        roll_forward(&client).await.expect("200");
        let shown = format!("{client:?}");
        assert!(
            shown.contains("Bearer <redacted>") && !shown.contains(KEY),
            "{shown}"
        );
    }
    let expected = format!("Bearer {KEY}");
    for request in server.received_requests().await.unwrap() {
        assert_eq!(header(&request, "authorization"), Some(expected.as_str()));
    }
}

#[tokio::test]
async fn missing_path_parameter_fails_before_sending() {
    let server = server_answering(json!({"success": true})).await;
    let err = client_for(&server)
        .force_roll_forward_promotion()
        .model_id("m-1")
        .send()
        .await
        .expect_err("env_name is required");
    assert!(
        matches!(&err, baseten_api::Error::InvalidRequest(msg) if msg.contains("env_name")),
        "{err:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn error_status_is_reported_and_does_not_leak_the_key() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "VALIDATION_ERROR",
            "message": "Environment production has no in progress promotion."
        })))
        .mount(&server)
        .await;
    let err = roll_forward(&client_for(&server))
        .await
        .expect_err("400 is not a documented response");

    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let baseten_api::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.code.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(
        api.message.as_deref(),
        Some("Environment production has no in progress promotion.")
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(KEY), "key leaked: {shown}");
}

// --- responses ------------------------------------------------------------

async fn promote_returning(response: Value) -> types::DeploymentV1 {
    let server = server_answering(response).await;
    client_for(&server)
        .promote_model_to_environment()
        .model_id("m-1")
        .env_name("production")
        .body(types::PromoteToEnvironmentRequestV1::builder().deployment_id("dep-2"))
        .send()
        .await
        .expect("a decodable DeploymentV1")
        .into_inner()
}

#[tokio::test]
async fn deployment_with_every_field_decodes() {
    let d = promote_returning(deployment_json()).await;
    assert_eq!(d.id, "dep-2");
    assert_eq!(d.name, "v2");
    assert_eq!(d.model_id, "m-1");
    assert_eq!(
        d.created_at.to_rfc3339(),
        "2026-08-22T10:15:30.123456+00:00"
    );
    assert!(d.is_production);
    assert!(!d.is_development);
    assert_eq!(d.status, DeploymentStatusV1::Active);
    assert_eq!(d.active_replica_count, 2);
    assert_eq!(d.instance_type_name.as_deref(), Some("H100:1x80"));
    assert_eq!(d.environment.as_deref(), Some("production"));
    let labels = d.labels.expect("labels");
    assert_eq!(labels.get("team"), Some(&json!("search")));
    assert_eq!(labels.get("tier"), Some(&json!(1)));
    let s = d.autoscaling_settings.expect("settings");
    assert_eq!(
        (s.min_replica, s.max_replica, s.concurrency_target),
        (1, 4, 8)
    );
    assert_eq!(s.autoscaling_window, Some(60));
    assert_eq!(s.scale_down_delay, Some(900));
    assert_eq!(s.target_utilization_percentage, Some(70));
    assert_eq!(s.target_in_flight_tokens, Some(4096));
}

#[tokio::test]
async fn deployment_with_null_in_every_nullable_field_decodes() {
    let mut body = deployment_json();
    for field in [
        "autoscaling_settings",
        "instance_type_name",
        "environment",
        "labels",
    ] {
        body[field] = Value::Null;
    }
    let d = promote_returning(body).await;
    assert!(d.autoscaling_settings.is_none());
    assert!(d.instance_type_name.is_none());
    assert!(d.environment.is_none());
    assert!(d.labels.is_none());
    assert_eq!(d.id, "dep-2");

    // The nullable fields inside the autoscaling settings.
    let mut body = deployment_json();
    for field in [
        "autoscaling_window",
        "scale_down_delay",
        "target_utilization_percentage",
        "target_in_flight_tokens",
    ] {
        body["autoscaling_settings"][field] = Value::Null;
    }
    let s = promote_returning(body)
        .await
        .autoscaling_settings
        .expect("settings");
    assert_eq!(s.autoscaling_window, None);
    assert_eq!(s.scale_down_delay, None);
    assert_eq!(s.target_utilization_percentage, None);
    assert_eq!(s.target_in_flight_tokens, None);
    assert_eq!(
        (s.min_replica, s.max_replica, s.concurrency_target),
        (1, 4, 8)
    );
}

#[tokio::test]
async fn deployment_without_optional_fields_decodes() {
    // `labels` (absent from the older document) and `target_in_flight_tokens`
    // are optional; everything else is required even when nullable.
    let mut body = deployment_json();
    body.as_object_mut().unwrap().remove("labels");
    body["autoscaling_settings"]
        .as_object_mut()
        .unwrap()
        .remove("target_in_flight_tokens");
    let d = promote_returning(body).await;
    assert!(d.labels.is_none());
    let s = d.autoscaling_settings.expect("settings");
    assert_eq!(s.target_in_flight_tokens, None);
    assert_eq!(s.target_utilization_percentage, Some(70));
}

#[tokio::test]
async fn deployment_with_fields_the_live_api_added_decodes() {
    // Fields the live API returns beyond the seed pages (August 2026), shaped as Baseten's
    // specification of 2026-08-22 gives them, plus one nobody documents yet.
    let mut body = deployment_json();
    body["region"] = json!({"slug": "us", "display_name": "United States"});
    body["request_backpressure_settings"] =
        json!({"policy": "QUEUE_ON_FULL", "max_queue_size": 128});
    body["autoscaling_settings"]["max_scale_down_rate"] = json!(0.25);
    let d = promote_returning(body).await;
    assert_eq!(d.id, "dep-2");
    assert_eq!(d.status, DeploymentStatusV1::Active);
    let s = d.autoscaling_settings.expect("settings");
    assert_eq!(s.max_replica, 4);
    assert_eq!(s.target_in_flight_tokens, Some(4096));
}

#[tokio::test]
async fn deployment_missing_a_required_nullable_field_decodes_as_none() {
    // The live API omits nullable fields at times; a client that refused the whole
    // deployment over a missing `null` would stop a pipeline for nothing.
    let mut body = deployment_json();
    body.as_object_mut().unwrap().remove("environment");
    body.as_object_mut().unwrap().remove("autoscaling_settings");
    let d = promote_returning(body).await;
    assert_eq!(d.environment, None);
    assert!(d.autoscaling_settings.is_none());
    assert_eq!(d.id, "dep-2");
}
