//! One tracing span per operation with what an operator needs (operation id, method, path
//! template, status, attempt, duration), and never a secret or a body at INFO.
//!
//! A binary of its own (see `tests/it/main.rs`): tracing's call-site interest is process-wide.

use std::io::Write;
use std::sync::{Arc, Mutex};

use baseten_api::Client;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "trace-test-key-Q7";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn each_operation_runs_in_a_span_with_its_facts() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"error": "Rate limit exceeded.", "retry_after": 0.01})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "secret_body_marker": 1})),
        )
        .mount(&server)
        .await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    let answer = client
        .force_roll_forward_promotion()
        .model_id("m-1")
        .env_name("production")
        .send()
        .await
        .unwrap();
    assert!(answer.into_inner().success);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let close = log
        .lines()
        .find(|l| l.contains("close"))
        .unwrap_or_else(|| panic!("no span close in:\n{log}"));
    for fact in [
        "operation_id=\"force_roll_forward_promotion\"",
        "method=\"POST\"",
        "path=\"/v1/models/{model_id}/environments/{env_name}/force_roll_forward_promotion\"",
        "status=200",
        "attempt=2",
        "duration_ms=",
    ] {
        assert!(close.contains(fact), "{fact} missing from {close}");
    }
    assert!(
        log.contains("retrying") && log.contains("reason=\"rate_limited\""),
        "{log}"
    );
    assert!(!log.contains(KEY), "the key leaked into logs:\n{log}");
    assert!(
        !log.contains("secret_body_marker"),
        "a body leaked into INFO logs:\n{log}"
    );
}
