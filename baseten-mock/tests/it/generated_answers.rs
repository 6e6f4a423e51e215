//! What a request to an operation without a stateful handler gets, served from Baseten's full
//! specification: both auth schemes, the checks of path and query parameters and of the body
//! (400 naming what is wrong), 404 for an unknown path or method and for a model, deployment,
//! environment or chain the mock does not hold, 429 from the rate limiter, and ids echoed from
//! the path.

use crate::common;

use baseten_mock::{MockError, MockServer, RateLimit, Seed};
use common::full_demo;
use serde_json::{Value, json};

async fn call(
    mock: &MockServer,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request =
        common::http().request(method.parse().unwrap(), format!("{}{path}", mock.url()));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

async fn get(mock: &MockServer, path: &str) -> (u16, Value) {
    call(mock, "GET", path, Some("Bearer mock-api-key"), None).await
}

#[tokio::test]
async fn both_auth_schemes_are_accepted_and_a_wrong_key_is_401_under_each() {
    for mock in [full_demo().await, common::demo().await] {
        // A generated answer (full spec) and a stateful one (both specs).
        for path in ["/v1/models/mdl-llama/environments/staging"] {
            for scheme in ["Bearer", "Api-Key", "bearer", "API-KEY"] {
                let (status, body) = call(
                    &mock,
                    "GET",
                    path,
                    Some(&format!("{scheme} mock-api-key")),
                    None,
                )
                .await;
                assert_eq!(status, 200, "{scheme}: {body}");
                let (status, body) = call(
                    &mock,
                    "GET",
                    path,
                    Some(&format!("{scheme} wrong-key")),
                    None,
                )
                .await;
                assert_eq!(
                    (status, body["code"].as_str()),
                    (401, Some("UNAUTHORIZED")),
                    "{scheme}"
                );
                assert_eq!(body["message"], "Invalid API key.");
            }
            let (status, body) = call(&mock, "GET", path, Some("Basic mock-api-key"), None).await;
            assert_eq!(status, 401);
            assert!(
                body["message"].as_str().unwrap().contains("Bearer"),
                "{body}"
            );
        }
    }
    let mock = full_demo().await;
    let (status, _) = call(&mock, "GET", "/v1/models", None, None).await;
    assert_eq!(status, 401, "no header");
    let (status, _) = call(
        &mock,
        "GET",
        "/v1/models",
        Some("Bearer mock-api-key"),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn path_ids_are_echoed_and_answers_are_deterministic() {
    let mock = full_demo().await;
    let (status, model) = get(&mock, "/v1/models/mdl-llama").await;
    assert_eq!(status, 200, "{model}");
    assert_eq!(model["id"], "mdl-llama");
    let (status, deployment) = get(
        &mock,
        "/v1/models/mdl-llama/deployments/dpl-llama-v2/config",
    )
    .await;
    assert_eq!(status, 200, "{deployment}");
    let (_, again) = get(
        &mock,
        "/v1/models/mdl-llama/deployments/dpl-llama-v2/config",
    )
    .await;
    assert_eq!(deployment, again);
    // Another mock, the same answer.
    let other = full_demo().await;
    assert_eq!(get(&other, "/v1/models/mdl-llama").await.1, model);
}

#[tokio::test]
async fn parameters_and_bodies_the_spec_rejects_are_400_naming_them() {
    let mock = full_demo().await;
    let logs = "/v1/models/mdl-llama/audit_logs";
    assert_eq!(get(&mock, &format!("{logs}?limit=5")).await.0, 200);
    for (query, named) in [
        ("limit=five", "query parameter `limit`"),
        ("limit=0", "query parameter `limit`"),
        ("limit=500", "query parameter `limit`"),
        (
            "start_epoch_millis=yesterday",
            "query parameter `start_epoch_millis`",
        ),
        ("direction=sideways", "query parameter `direction`"),
        ("sources=NOWHERE", "query parameter `sources[0]`"),
    ] {
        let (status, body) = get(&mock, &format!("{logs}?{query}")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("VALIDATION_ERROR")),
            "{query}: {body}"
        );
        assert!(
            body["message"].as_str().unwrap().contains(named),
            "{query}: {body}"
        );
    }
    // Repeated parameters are a list; undeclared ones are ignored.
    assert_eq!(
        get(
            &mock,
            &format!("{logs}?deployment_ids=a&deployment_ids=b&colour=red")
        )
        .await
        .0,
        200
    );

    let (status, body) = get(&mock, "/v1/billing/usage_summary").await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("query parameter `start_date` is required"),
        "{body}"
    );
    let dates = "start_date=2026-01-01T00:00:00Z&end_date=2026-02-01T00:00:00Z";
    assert_eq!(
        get(&mock, &format!("/v1/billing/usage_summary?{dates}"))
            .await
            .0,
        200
    );
    let (status, body) = get(
        &mock,
        "/v1/billing/usage_summary?start_date=monday&end_date=2026-02-01T00:00:00Z",
    )
    .await;
    assert_eq!(status, 400, "{body}");

    // A required body: missing, not JSON, or against its schema.
    let secrets = "/v1/secrets";
    let auth = Some("Bearer mock-api-key");
    let (status, body) = call(&mock, "POST", secrets, auth, None).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Request body is required"),
        "{body}"
    );
    let (status, body) = call(&mock, "POST", secrets, auth, Some(json!({"name": "k"}))).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Invalid request body: value: required field is missing."
    );
    let (status, _) = call(
        &mock,
        "POST",
        secrets,
        auth,
        Some(json!({"name": "k", "value": "v"})),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn unknown_paths_methods_and_resources_are_404() {
    let mock = full_demo().await;
    for (method, path, message) in [
        ("GET", "/v1/nothing", "No operation GET /v1/nothing."),
        ("PUT", "/v1/models", "No operation PUT /v1/models."),
        ("GET", "/v1/models/mdl-nope", "Model mdl-nope not found."),
        (
            "GET",
            "/v1/models/mdl-llama/deployments/dpl-nope/config",
            "Deployment dpl-nope not found.",
        ),
        // Another model's deployment is not this model's.
        (
            "GET",
            "/v1/models/mdl-llama/deployments/dpl-whisper-v1/config",
            "Deployment dpl-whisper-v1 not found.",
        ),
        (
            "GET",
            "/v1/models/mdl-llama/environments/nope/metrics",
            "Environment nope not found for model mdl-llama.",
        ),
        ("GET", "/v1/chains/chn-nope", "Chain chn-nope not found."),
        (
            "GET",
            "/v1/chains/chn-rag/environments/nope",
            "Environment nope not found for chain chn-rag.",
        ),
    ] {
        let (status, body) = call(&mock, method, path, Some("Api-Key mock-api-key"), None).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        let shown = body["message"].as_str().unwrap();
        assert!(shown.starts_with(message), "{method} {path}: {shown}");
    }
    // Paths that name nothing the mock models answer whatever the id.
    assert_eq!(get(&mock, "/v1/teams/any-team").await.0, 200);
}

#[tokio::test]
async fn the_rate_limiter_answers_429_with_retry_after_on_generated_operations() {
    let mock = MockServer::builder()
        .parsed_spec(common::full_spec())
        .seed(Seed::demo())
        .rate_limit(RateLimit::per_second(2))
        .start()
        .await
        .unwrap();
    assert_eq!(get(&mock, "/v1/models").await.0, 200);
    assert_eq!(get(&mock, "/v1/models").await.0, 200);
    let (status, body) = get(&mock, "/v1/models").await;
    assert_eq!(status, 429);
    assert_eq!(
        body["error"],
        "Rate limit exceeded. Please try again later."
    );
    assert_eq!(body["retry_after"], 1);
    // Another operation has its own window; operations without operationIds are counted
    // under `METHOD /path`.
    assert_eq!(get(&mock, "/v1/secrets").await.0, 200);
    assert_eq!(mock.request_count("GET /v1/models"), 3);
    mock.fail_next("GET /v1/secrets", 1, 503).unwrap();
    assert_eq!(get(&mock, "/v1/secrets").await.0, 503);
}

#[tokio::test]
async fn a_document_that_cannot_be_served_is_a_clear_error() {
    let fixture = common::full_spec_text();
    let without_component = fixture.replace(
        "\"$ref\": \"#/components/schemas/DeploymentTombstoneV1\"",
        "\"$ref\": \"#/components/schemas/NoSuchSchema\"",
    );
    for (text, expected) in [
        ("{\"openapi\": ", "not JSON: EOF while parsing"),
        ("openapi: [3.1\n", "not YAML"),
        (
            "openapi: 3.0.3\npaths: {}\n",
            "`openapi: 3.0.3`: the mock serves OpenAPI 3.1 documents",
        ),
        ("openapi: 3.1.0\n", "no `paths`"),
        ("paths: {}\n", "no `openapi` version"),
        (
            "openapi: 3.1.0\npaths:\n  /a/{id}:\n    get:\n      parameters: [{$ref: '#/components/parameters/nope'}]\n",
            "GET /a/{id}: parameter $ref \"#/components/parameters/nope\" names nothing",
        ),
        (
            "openapi: 3.1.0\npaths:\n  /a:\n    post:\n      requestBody: {content: {application/json: {schema: {type: object}}}}\n",
            "POST /a: request schema is inline",
        ),
        (
            &without_component,
            "DELETE /v1/models/{model_id}/deployments/{deployment_id} refers to schema NoSuchSchema",
        ),
        (
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses: {'200': {content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}\ncomponents:\n  schemas:\n    A: {type: string, pattern: '('}\n",
            "GET /a: response schema A: the spec's schema for",
        ),
    ] {
        let error = MockServer::builder().spec(text).start().await.unwrap_err();
        assert!(matches!(error, MockError::InvalidSpec(_)), "{error:?}");
        let shown = error.to_string();
        assert!(
            shown.starts_with("the OpenAPI document cannot be served: ")
                && shown.contains(expected),
            "{shown}"
        );
    }
    // YAML works as well as JSON, and operationIds name the operations where present.
    let mock = MockServer::builder()
        .spec("openapi: 3.1.0\npaths:\n  /v1/ping:\n    get:\n      operationId: ping\n      responses:\n        '200': {content: {application/json: {schema: {$ref: '#/components/schemas/Pong'}}}}\ncomponents:\n  schemas:\n    Pong: {type: object, required: [ok], properties: {ok: {const: true}, at: {type: string, format: date-time}}}\n")
        .start()
        .await
        .unwrap();
    let (status, body) = get(&mock, "/v1/ping").await;
    assert_eq!(
        (status, body),
        (200, json!({"ok": true, "at": "2026-01-01T00:00:00Z"}))
    );
    assert_eq!(mock.request_count("ping"), 1);
}
