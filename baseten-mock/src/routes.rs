//! HTTP routing: one route per operation of the spec, checked in this order — API key (401),
//! operation exists (404), errors a test scripted for the operation, rate limit (429), request
//! body against the spec (400), then the operation itself (its row in `operations.rs`) — plus a
//! JSON 404 for everything the spec does not define.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::Value;

use crate::app::{App, lock};
use crate::error::ApiError;
use crate::operations::{self, Params};
use crate::rate_limit::Limited;
use crate::spec::Operation;

/// Marks a response with the operation it answered, for the request log.
#[derive(Debug, Clone)]
pub(crate) struct AnsweredOperation(pub(crate) String);

/// The key a request authenticated with.
#[derive(Debug, Clone)]
struct ApiKeyUsed(String);

pub(crate) fn router(app: Arc<App>) -> Router {
    let mut by_path: BTreeMap<&str, Vec<Operation>> = BTreeMap::new();
    for op in app.spec.operations() {
        by_path
            .entry(op.path.as_str())
            .or_default()
            .push(op.clone());
    }
    let mut router = Router::new();
    for (path, ops) in by_path {
        let ops = Arc::new(ops);
        let route = any(
            move |State(app): State<Arc<App>>,
                  method: Method,
                  uri: Uri,
                  axum::Extension(key): axum::Extension<ApiKeyUsed>,
                  params: Result<Path<Params>, PathRejection>,
                  body: Result<Bytes, BytesRejection>| {
                let ops = Arc::clone(&ops);
                async move {
                    match ops.iter().find(|op| op.method == method.as_str()) {
                        Some(op) => handle(&app, op, &key.0, params, body),
                        None => unknown_operation(method, uri).await,
                    }
                }
            },
        );
        router = router.route(path, route);
    }
    router
        .fallback(unknown_operation)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            authenticate,
        ))
        .with_state(app)
}

/// Authentication comes first, for known and unknown paths alike, as on the live API.
async fn authenticate(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    let checked = {
        let keys = lock(&app.keys);
        crate::auth::authenticate(request.headers(), &keys)
    };
    match checked {
        Ok(key) => {
            request.extensions_mut().insert(ApiKeyUsed(key));
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

async fn unknown_operation(method: Method, uri: Uri) -> Response {
    ApiError::not_found(format!(
        "No operation {method} {}. The mock serves the operations of openapi/baseten.yaml.",
        uri.path()
    ))
    .into_response()
}

fn handle(
    app: &App,
    op: &Operation,
    key: &str,
    params: Result<Path<Params>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut response = match run(app, op, key, params, body) {
        Ok(value) => (StatusCode::OK, axum::Json(value)).into_response(),
        Err(Refusal::Api(error)) => error.into_response(),
        Err(Refusal::RateLimited(limited)) => limited.into_response(),
    };
    response
        .extensions_mut()
        .insert(AnsweredOperation(op.id.clone()));
    response
}

/// Why an operation was not carried out.
enum Refusal {
    Api(ApiError),
    RateLimited(Limited),
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

fn run(
    app: &App,
    op: &Operation,
    key: &str,
    params: Result<Path<Params>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, Refusal> {
    // Errors a test asked for (`MockServer::fail_next`): not processed, not rate-counted.
    if let Some(status) = lock(&app.scripted).next(&op.id) {
        return Err(if status == StatusCode::TOO_MANY_REQUESTS {
            Refusal::RateLimited(Limited { retry_after: 1 })
        } else {
            Refusal::Api(ApiError::internal(
                status,
                format!(
                    "Injected fault: {} was asked to fail (MockServer::fail_next).",
                    op.id
                ),
            ))
        });
    }
    lock(&app.rate)
        .check(key, &op.id, tokio::time::Instant::now())
        .map_err(Refusal::RateLimited)?;
    let Path(params) = params
        .map_err(|e| ApiError::validation(format!("Invalid path parameter: {}", e.body_text())))?;
    let body = body.map_err(|e| {
        ApiError::validation(format!("Cannot read the request body: {}", e.body_text()))
    })?;
    let body = request_body(app, op, &body)?;

    let reply = {
        let mut world = lock(&app.world);
        operations::run(&mut world, &op.id, &params, body)?
    };

    if app.validate_responses
        && let Err(violations) = app.spec.validate_response(&op.id, &reply.body)
    {
        let message = format!(
            "baseten-mock bug: its {} response does not match the spec: {}",
            op.id,
            join(&violations)
        );
        tracing::error!("{message}");
        return Err(Refusal::Api(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "MOCK_BUG",
            message,
        }));
    }
    // Status overrides are off the spec on purpose, so they come after the check.
    Ok(reply.into_sent())
}

/// The request body as JSON, checked against the operation's schema. Content-Type is not
/// checked: Baseten's own curl samples send JSON without it.
fn request_body(app: &App, op: &Operation, body: &[u8]) -> Result<Value, ApiError> {
    if op.request_schema.is_none() {
        // No body defined (signals, reads): whatever is sent is ignored, as Baseten's Python
        // samples send `{}`, even with GET.
        return Ok(Value::Null);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        if op.request_required {
            return Err(ApiError::validation(
                "Request body is required: send a JSON object (`{}` for the defaults).",
            ));
        }
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::validation(format!("Request body is not valid JSON: {e}")))?;
    app.spec
        .validate_request(&op.id, &value)
        .map_err(|violations| {
            ApiError::validation(format!("Invalid request body: {}.", join(&violations)))
        })?;
    Ok(value)
}

fn join(violations: &[crate::spec::SchemaViolation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
