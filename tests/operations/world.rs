//! The world the calls act on (baseten-mock's `every_operation`), a mock on it, and the client.

use std::sync::{Arc, LazyLock};

use baseten_mock::spec::Spec;
use baseten_mock::{MockServer, Seed, every_operation};

pub use every_operation::{fit_body, path_value};

static SEEDED: LazyLock<Seed> = LazyLock::new(every_operation::seed);

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

/// Makes the state the operation at `path` needs (a promotion to pause, cancel or resume).
pub fn prepare(mock: &MockServer, path: &str) {
    mock.prepare_for(path)
        .unwrap_or_else(|e| panic!("preparing for {path}: {e}"));
}
