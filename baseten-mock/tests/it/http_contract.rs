//! What the mock checks at the HTTP level, seen with a plain HTTP client: authentication,
//! rate limits, unknown operations, and request bodies against the spec.

use crate::common;

use std::time::{Duration, Instant};

use baseten_api::types::PromoteToEnvironmentRequestV1;
use baseten_mock::{MockServer, RateLimit, Seed};
use common::{demo, http, post};
use serde_json::{Value, json};

const ROLL: &str = "/v1/models/mdl-llama/environments/production/force_roll_forward_promotion";
const PROMOTE: &str = "/v1/models/mdl-llama/environments/staging/promote";

async fn send(mock: &MockServer, path: &str, authorization: Option<&str>) -> (u16, Value) {
    let mut request = http()
        .post(format!("{}{path}", mock.url()))
        .json(&json!({}));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("an answer");
    (
        response.status().as_u16(),
        response.json().await.expect("JSON"),
    )
}

#[tokio::test]
async fn missing_or_wrong_credentials_are_401_with_a_json_body() {
    let mock = demo().await;
    for (authorization, reason) in [
        (None, "Missing Authorization header"),
        (Some("Api-Key not-the-key"), "Invalid API key"),
        (Some("Bearer not-the-key"), "Invalid API key"),
        (
            Some("Basic mock-api-key"),
            "Unsupported authorization scheme",
        ),
    ] {
        let (status, body) = send(&mock, ROLL, authorization).await;
        assert_eq!(status, 401, "{authorization:?}");
        assert_eq!(body["code"], "UNAUTHORIZED");
        assert!(
            body["message"].as_str().unwrap().contains(reason),
            "{authorization:?}: {body}"
        );
    }
    // Unknown paths too: authentication comes first.
    let (status, _) = send(&mock, "/v1/nothing", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn configured_and_added_keys_are_accepted() {
    let mock = MockServer::builder()
        .api_key("key-one")
        .api_key("key-two")
        .seed(Seed::demo())
        .start()
        .await
        .unwrap();
    assert_eq!(mock.api_key(), "key-one");
    for key in ["key-one", "key-two"] {
        // 400: authenticated, and nothing to roll forward.
        let (status, _) = send(&mock, ROLL, Some(&format!("Api-Key {key}"))).await;
        assert_eq!(status, 400, "{key}");
    }
    let (status, _) = send(&mock, ROLL, Some("Api-Key mock-api-key")).await;
    assert_eq!(
        status, 401,
        "the default key is replaced by configured ones"
    );
    mock.add_api_key("key-three").unwrap();
    let (status, _) = send(&mock, ROLL, Some("Api-Key key-three")).await;
    assert_eq!(status, 400);
    assert!(mock.add_api_key("has space").is_err());
}

#[tokio::test]
async fn rate_limit_is_per_key_and_operation_with_the_documented_429() {
    let mock = MockServer::builder()
        .api_key("a")
        .api_key("b")
        .rate_limit(RateLimit::new(3, Duration::from_secs(60)))
        .seed(Seed::demo())
        .start()
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(send(&mock, ROLL, Some("Api-Key a")).await.0, 400);
    }
    let (status, body) = send(&mock, ROLL, Some("Api-Key a")).await;
    assert_eq!(status, 429);
    assert_eq!(
        body["error"],
        "Rate limit exceeded. Please try again later."
    );
    let retry_after = body["retry_after"].as_u64().expect("whole seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");

    // Another operation, or another key: their own budgets.
    let (status, _) = send(&mock, PROMOTE, Some("Api-Key a")).await;
    assert_eq!(status, 400, "promote is tracked separately");
    assert_eq!(send(&mock, ROLL, Some("Api-Key b")).await.0, 400);

    // Lifting the limit takes effect at once.
    mock.set_rate_limit(None);
    assert_eq!(send(&mock, ROLL, Some("Api-Key a")).await.0, 400);
}

#[tokio::test]
async fn a_hundred_requests_pass_and_the_next_is_limited() {
    // Baseten's 100 requests per window; a longer window than its one second keeps the test
    // independent of the machine's speed.
    let mock = MockServer::builder()
        .rate_limit(RateLimit::new(100, Duration::from_secs(60)))
        .seed(Seed::demo())
        .start()
        .await
        .unwrap();
    for i in 0..100 {
        assert_eq!(post(&mock, ROLL, None).await.0, 400, "request {i}");
    }
    assert_eq!(post(&mock, ROLL, None).await.0, 429);
    assert_eq!(RateLimit::default(), RateLimit::per_second(100));
}

#[tokio::test]
async fn the_client_gets_through_a_low_rate_limit_eventually() {
    let mock = MockServer::builder()
        .rate_limit(RateLimit::per_second(1))
        .seed(Seed::demo())
        .start()
        .await
        .unwrap();
    let client = mock.client();
    let started = Instant::now();
    for env in ["staging", "staging"] {
        client
            .promote_model_to_environment()
            .model_id("mdl-llama")
            .env_name(env)
            .body(PromoteToEnvironmentRequestV1::builder().deployment_id("dpl-llama-v2"))
            .send()
            .await
            .expect("the client waits out the 429 and retries");
    }
    let statuses: Vec<_> = mock.requests().iter().map(|r| r.status).collect();
    assert!(statuses.contains(&Some(429)), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&Some(200)));
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn unknown_operations_are_404_with_a_json_body() {
    let mock = demo().await;
    // (A path Baseten's specification does not have.)
    let (status, body) = post(&mock, "/v1/models/mdl-llama/rollback", Some("{}")).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "NOT_FOUND");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("POST /v1/models/mdl-llama/rollback"),
        "{body}"
    );

    // A known path with a method the spec does not define.
    let response = http()
        .get(format!("{}{PROMOTE}", mock.url()))
        .header("authorization", "Api-Key mock-api-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("GET"), "{body}");
}

#[tokio::test]
async fn a_missing_required_field_is_a_400_naming_it() {
    let mock = demo().await;
    let (status, body) = post(
        &mock,
        PROMOTE,
        Some(r#"{"scale_down_previous_deployment": true}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "VALIDATION_ERROR");
    assert_eq!(
        body["message"],
        "Invalid request body: deployment_id: required field is missing."
    );
    assert_eq!(
        mock.environment("mdl-llama", "staging")
            .unwrap()
            .deployment_id,
        None,
        "a rejected request changes nothing"
    );
}

#[tokio::test]
async fn wrong_types_are_400_naming_each_field() {
    let mock = demo().await;
    let (status, body) = post(
        &mock,
        PROMOTE,
        Some(r#"{"deployment_id": 5, "preserve_env_instance_type": "yes"}"#),
    )
    .await;
    assert_eq!(status, 400);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("deployment_id: 5 is not of type \"string\""),
        "{message}"
    );
    assert!(
        message.contains("preserve_env_instance_type: \"yes\" is not of type \"boolean\""),
        "{message}"
    );

    let (status, body) = post(
        &mock,
        "/v1/chains/chn-rag/environments/production/promote",
        Some("[]"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not of type \"object\""),
        "{body}"
    );
}

#[tokio::test]
async fn bodies_that_are_not_json_or_missing_are_400() {
    let mock = demo().await;
    let (status, body) = post(&mock, PROMOTE, Some("{deployment_id: x")).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Request body is not valid JSON"),
        "{body}"
    );

    let dev = "/v1/models/mdl-llama/deployments/development/promote";
    let (status, body) = post(&mock, dev, None).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Request body is required"),
        "{body}"
    );
    // `{}` is the documented way to take the defaults.
    let (status, body) = post(&mock, dev, Some("{}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "BUILDING");
}

#[tokio::test]
async fn unknown_fields_are_ignored_and_force_roll_forward_takes_any_body() {
    let mock = demo().await;
    let (status, body) = post(
        &mock,
        PROMOTE,
        Some(r#"{"deployment_id": "dpl-llama-v2", "comment": "from CI"}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Baseten's Python sample sends `{}`; curl sends nothing. Both reach the operation.
    for body in [Some("{}"), None] {
        let (status, answer) = post(&mock, ROLL, body).await;
        assert_eq!(status, 400);
        assert_eq!(
            answer["message"],
            "Environment production has no in progress promotion."
        );
    }
}

/// Every operation the mock implements statefully is one of the spec's (operations without a
/// stateful handler are answered from the spec: `all_operations.rs`).
#[tokio::test]
async fn every_implemented_operation_is_in_the_spec() {
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/baseten.yaml"
    ))
    .expect("the spec file");
    let document: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    let in_spec: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| {
            op.get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    for id in baseten_mock::IMPLEMENTED_OPERATIONS {
        assert!(in_spec.iter().any(|s| s == id), "{id} is not in the spec");
    }
}

#[tokio::test]
async fn the_request_log_shows_what_was_sent_without_the_key_and_a_long_body_is_refused() {
    let mock = demo().await;
    let body = r#"{"deployment_id":"dpl-llama-v2"}"#;
    let (status, _) = post(&mock, PROMOTE, Some(body)).await;
    assert_eq!(status, 200);
    let logged = mock.requests().pop().unwrap();
    assert_eq!(logged.body.as_deref(), Some(body), "the bytes as sent");
    assert_eq!(logged.query, None);
    let header = |name: &str| {
        logged
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("authorization"), Some("Api-Key [redacted]"));
    assert_eq!(header("content-type"), Some("application/json"));
    assert!(
        !format!("{logged:?}").contains(mock.api_key()),
        "the key is in {logged:?}"
    );

    // Over 2 MiB: refused as axum's extractors would (the body is read before routing).
    let long = format!(
        r#"{{"deployment_id":"dpl-llama-v2","x":"{}"}}"#,
        "a".repeat(3 << 20)
    );
    let (status, answer) = post(&mock, PROMOTE, Some(&long)).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "VALIDATION_ERROR");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("Cannot read the request body"),
        "{answer}"
    );
    let logged = mock.requests().pop().unwrap();
    assert_eq!(logged.body, None, "nothing was read whole");
}
