//! Every operation on the spec this crate is generated from (the mock serves the same
//! document): its wire request snapshotted, the mock's checks passed, the answer decoded whole.

use std::collections::BTreeMap;

use baseten_mock::RecordedRequest;
use baseten_mock::spec::Spec;
use serde::Serialize;

use crate::calls;
use crate::round_trip::{Requests, round_trip};
use crate::values::Match;

/// The headers a request may carry (as tests/it/wire.rs allows them). `host` (its port
/// changes), `content-length` (the body says it) and `user-agent` (the crate's version) are
/// checked and left out of the snapshots.
#[path = "../shared/allowed_headers.rs"]
mod allowed_headers;
use allowed_headers::ALLOWED_HEADERS;

/// What an operation puts on the wire, as snapshotted. The mock's log never holds the key
/// (`Api-Key [redacted]`).
#[derive(Serialize)]
struct Wire<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: BTreeMap<&'a str, &'a str>,
    /// The body's bytes as sent.
    body: Option<&'a str>,
}

impl<'a> Wire<'a> {
    fn of(request: &'a RecordedRequest) -> Result<Self, String> {
        let mut headers = BTreeMap::new();
        for (name, value) in &request.headers {
            if !ALLOWED_HEADERS.contains(&name.as_str()) {
                return Err(format!("an unexpected header `{name}: {value}`"));
            }
            if !matches!(name.as_str(), "host" | "content-length" | "user-agent") {
                headers.insert(name.as_str(), value.as_str());
            }
        }
        Ok(Self {
            method: &request.method,
            path: &request.path,
            query: request.query.as_deref(),
            headers,
            body: request.body.as_deref(),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_round_trips_through_the_mock_and_its_wire_request_is_snapshotted() {
    let spec = Spec::embedded().expect("the mock's spec");
    let mut failures = Vec::new();
    let mut wires = Vec::new();
    for (operation_id, setters) in calls::OPERATIONS {
        let Some(operation) = spec.operation(operation_id) else {
            failures.push(format!("{operation_id}: not in the mock's spec"));
            continue;
        };
        let result = round_trip(
            None,
            Requests::Checked,
            spec,
            operation,
            operation_id,
            setters,
            Match::Every,
        )
        .await;
        match result {
            Ok(request) => wires.push((*operation_id, request)),
            Err(e) => failures.push(format!("{operation_id}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} operations failed:\n{}",
        failures.len(),
        calls::OPERATIONS.len(),
        failures.join("\n")
    );
    for (operation_id, request) in &wires {
        let wire = Wire::of(request).unwrap_or_else(|e| panic!("{operation_id}: {e}"));
        insta::assert_yaml_snapshot!(*operation_id, wire);
    }
}

/// The lifecycle is in every build, so the default build's call table is never empty; with
/// `full`, the whole API is.
#[test]
fn the_call_table_has_this_builds_operations() {
    let ids: Vec<&str> = calls::OPERATIONS.iter().map(|(id, _)| *id).collect();
    for lifecycle in [
        "promote_model_to_environment",
        "get_environment",
        "cancel_promotion",
    ] {
        assert!(ids.contains(&lifecycle), "{lifecycle} missing from {ids:?}");
    }
    if cfg!(feature = "full") {
        assert_eq!(ids.len(), 183);
    }
}
