//! Helpers shared by the integration tests.

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

pub const MINUTE: Duration = Duration::from_secs(60);
