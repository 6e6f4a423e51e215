//! End to end, for every path parameter of every operation of the build: a value that URL
//! parsers treat specially reaches the server as exactly one segment that decodes back to it,
//! and a value that cannot be a segment (blank, `.`, `..`) is refused before anything is sent.
//! (`src/path.rs` checks the encoding itself over arbitrary values; this checks what the
//! generated code, reqwest and hyper put on the wire, as the server reads it.)

use baseten_mock::spec::Spec;
use serde_json::Value;

use crate::calls;
use crate::values::{self, Match};
use crate::world;

/// The issue-9 escapes and their relatives, and characters every layer treats specially.
const VALUES: &[&str] = &[
    "..\\..\\v1\\chains\\c",
    "a\\b",
    "a/b",
    "../x",
    "%2e%2e",
    ".%2e",
    "a?b=c",
    "a#b",
    "a;b",
    "a b",
    "100%",
    "é\u{ff0f}\u{2215}",
    "...",
];

/// Values that cannot be a path segment.
const REFUSED: &[&str] = &["", " ", ".", ".."];

/// Splits a template into its segments: `Ok(literal)` or `Err(parameter)`.
fn template(path: &str) -> Vec<Result<&str, &str>> {
    path.split('/')
        .skip(1)
        .map(|segment| match segment.strip_prefix('{') {
            Some(name) => Err(name.trim_end_matches('}')),
            None => Ok(segment),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_path_parameter_stays_in_its_segment_on_the_wire() {
    let spec = Spec::embedded().expect("the mock's spec");
    let mut problems = Vec::new();
    let mut checked = 0;
    for (operation_id, setters) in calls::OPERATIONS {
        let operation = spec.operation(operation_id).expect("in the spec");
        let parameters = template(&operation.path);
        if parameters.iter().all(Result::is_ok) {
            continue;
        }
        // A mock per operation: its request log, read after every call, stays short.
        let mock = world::mock(None, true).await;
        let client = world::client(&mock);
        let base = values::for_operation(spec, operation, setters, Match::Every).expect("values");
        for name in parameters.iter().filter_map(|p| p.err()) {
            for value in VALUES.iter().chain(REFUSED) {
                let values = base.clone().with(name, Value::from(*value));
                let before = mock.requests().len();
                let answer = calls::call(&client, operation_id, &values)
                    .await
                    .expect("in the call table");
                let requests = mock.requests();
                let shown = format!("{operation_id} `{name}` = {value:?}");
                if REFUSED.contains(value) {
                    match answer {
                        Err(baseten_api::Error::InvalidRequest(message))
                            if requests.len() == before && message.contains(name) => {}
                        other => problems.push(format!("{shown}: not refused: {other:?}")),
                    }
                    continue;
                }
                checked += 1;
                let Some(request) = requests.get(before) else {
                    problems.push(format!("{shown}: nothing sent ({answer:?})"));
                    continue;
                };
                let segments: Vec<&str> = request.path.split('/').skip(1).collect();
                if segments.len() != parameters.len() {
                    problems.push(format!("{shown}: sent {}", request.path));
                    continue;
                }
                for (segment, expected) in segments.iter().zip(&parameters) {
                    let decoded = percent_encoding::percent_decode_str(segment)
                        .decode_utf8_lossy()
                        .into_owned();
                    let fine = match expected {
                        Ok(literal) => segment == literal,
                        Err(p) if p == &name => decoded == *value,
                        Err(p) => decoded == world::path_value(&operation.path, p),
                    };
                    if !fine {
                        problems.push(format!("{shown}: sent {}", request.path));
                        break;
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked >= 13 * VALUES.len(),
        "only {checked} values checked"
    );
}
