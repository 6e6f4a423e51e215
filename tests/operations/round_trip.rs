//! One operation called through the client against a fresh mock, and checked end to end.

use std::sync::Arc;

use baseten_mock::RecordedRequest;
use baseten_mock::spec::{Operation, Spec};

use crate::values::{self, Match};
use crate::{answers, calls, world};

/// How a round trip failed.
#[derive(Debug)]
pub enum Failure {
    /// The mock refused the request: it breaks the served spec (`400 VALIDATION_ERROR`).
    Refused(String),
    /// Anything else.
    Other(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::Other(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Self::Other(message.to_owned())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(message) => write!(f, "refused: {message}"),
            Self::Other(message) => f.write_str(message),
        }
    }
}

/// Whether the mock checks requests against the served spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requests {
    Checked,
    Answered,
}

/// Calls `operation_id` (the client's name for `operation`, as `described` has it) with the
/// builder's `setters` given `described`'s values, on a fresh mock serving `served` (`None`:
/// the mock's own spec, the crate's) that checks requests or not, and checks the round trip:
/// the mock routed the request to that operation and answered 2xx (so, when it checks them,
/// the parameters and body passed its checks against the spec), and the decoded answer kept
/// everything the mock sent.
///
/// # Errors
///
/// What failed, for a list of failures.
pub async fn round_trip(
    served: Option<&Arc<Spec>>,
    requests: Requests,
    described: &Spec,
    operation: &Operation,
    operation_id: &str,
    setters: &[&str],
    matching: Match,
) -> Result<RecordedRequest, Failure> {
    let values = values::for_operation(described, operation, setters, matching)?;
    let mock = world::mock(served, requests == Requests::Checked).await;
    world::prepare(&mock, &operation.path);
    let before = mock.requests().len();
    let client = world::client(&mock);
    let answer = calls::call(&client, operation_id, &values)
        .await
        .ok_or("not in this build's call table")?;
    let mut requests = mock.requests();
    mock.shutdown().await;
    if requests.len() != before + 1 {
        return Err(Failure::Other(format!(
            "{} requests reached the mock, not one",
            requests.len() - before
        )));
    }
    let request = requests.pop().expect("one request");
    if request.method != operation.method {
        return Err(format!("sent {} {}", request.method, request.path).into());
    }
    if request.operation_id.as_deref() != Some(operation.id.as_str()) {
        return Err(format!(
            "{} {} was routed to {:?}, not {}",
            request.method, request.path, request.operation_id, operation.id
        )
        .into());
    }
    let refused = request.status == Some(400)
        && request
            .response_body
            .as_ref()
            .is_some_and(|body| body["code"] == "VALIDATION_ERROR");
    let decoded = answer.map_err(|e| {
        if refused {
            Failure::Refused(e.to_string())
        } else {
            Failure::Other(e.to_string())
        }
    })?;
    let sent = request
        .response_body
        .as_ref()
        .ok_or("the mock answered without a JSON body")?;
    answers::kept(sent, &decoded)?;
    Ok(request)
}
