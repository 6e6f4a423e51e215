//! HTTP routing: every operation of the served spec, found by method and path template
//! (`paths.rs`), and checked in this order — API key (401), operation exists (404), errors a test
//! scripted for the operation, rate limit (429), path and query parameters (400, `params.rs`),
//! request body against the spec (400), then the operation itself: its stateful handler (a row
//! in `operations.rs` or `lifecycle.rs`, matched by method and path) if the mock has one, else
//! an answer generated from the spec (`generate.rs`) after a 404 for a model, chain, deployment
//! or environment the path names and the mock does not hold. A JSON 404 answers everything the
//! spec does not define.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::app::{App, lock};
use crate::error::ApiError;
use crate::generate::{self, Echo};
use crate::operations::{self, Implemented, Reply};
use crate::paths::{Params, Templates};
use crate::rate_limit::Limited;
use crate::spec::Operation;

/// Marks a response with the operation it answered, for the request log.
#[derive(Debug, Clone)]
pub(crate) struct AnsweredOperation(pub(crate) String);

/// The key a request authenticated with.
#[derive(Debug, Clone)]
struct ApiKeyUsed(String);

pub(crate) fn router(app: Arc<App>) -> Router {
    // One entry per path template, with its operations.
    let mut paths: Vec<(String, Vec<Operation>)> = Vec::new();
    for op in app.spec.operations() {
        match paths.iter_mut().find(|(path, _)| *path == op.path) {
            Some((_, ops)) => ops.push(op.clone()),
            None => paths.push((op.path.clone(), vec![op.clone()])),
        }
    }
    let templates = Templates::new(paths.iter().map(|(path, _)| path.as_str()));
    let table = Arc::new((templates, paths));
    let dispatch = move |State(app): State<Arc<App>>,
                         method: Method,
                         uri: Uri,
                         axum::Extension(key): axum::Extension<ApiKeyUsed>,
                         body: Result<Bytes, BytesRejection>| {
        let table = Arc::clone(&table);
        async move {
            let (templates, paths) = &*table;
            let found = templates.find(uri.path()).and_then(|(index, params)| {
                let op = paths[index]
                    .1
                    .iter()
                    .find(|op| op.method == method.as_str())?;
                Some((op, params))
            });
            match found {
                Some((op, params)) => handle(&app, op, &key.0, &params, uri.query(), body),
                None => unknown_operation(&method, &uri),
            }
        }
    };
    Router::new()
        .fallback(dispatch)
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

fn unknown_operation(method: &Method, uri: &Uri) -> Response {
    ApiError::not_found(format!(
        "No operation {method} {}. The mock serves the operations of its OpenAPI document.",
        uri.path()
    ))
    .into_response()
}

fn handle(
    app: &App,
    op: &Operation,
    key: &str,
    params: &Params,
    query: Option<&str>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut response = match run(app, op, key, params, query, body) {
        Ok(Some(value)) => (status_of(op), axum::Json(value)).into_response(),
        Ok(None) => status_of(op).into_response(),
        Err(Refusal::Api(error)) => error.into_response(),
        Err(Refusal::RateLimited(limited)) => limited.into_response(),
    };
    response
        .extensions_mut()
        .insert(AnsweredOperation(op.id.clone()));
    response
}

fn status_of(op: &Operation) -> StatusCode {
    StatusCode::from_u16(op.response_status).unwrap_or(StatusCode::OK)
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

/// The stateful handler for an operation, by method and path template.
fn stateful(op: &Operation) -> Option<&'static Implemented> {
    operations::OPERATIONS
        .iter()
        .chain(crate::lifecycle::LIFECYCLE.iter())
        .find(|row| row.method == op.method && row.path == op.path)
}

/// The success body to send, or `None` for an operation whose success has no JSON body.
fn run(
    app: &App,
    op: &Operation,
    key: &str,
    params: &Params,
    query: Option<&str>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<Value>, Refusal> {
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
    if app.validate_requests {
        crate::params::check(&app.spec, op, params, query)?;
    }
    let body = body.map_err(|e| {
        ApiError::validation(format!("Cannot read the request body: {}", e.body_text()))
    })?;
    let body = request_body(app, op, &body)?;

    let reply = match stateful(op) {
        Some(row) => {
            let mut reply = {
                let mut world = lock(&app.world);
                (row.handler)(&mut world, params, body)?
            };
            // A newer spec may require fields the mock does not model: generated ones.
            if let Some(schema) = &op.response_schema {
                generate::complete(app.spec.components(), schema, &mut reply.body);
            }
            reply
        }
        None => {
            lock(&app.world).check_named_resources(&op.path, params)?;
            let Some(schema) = &op.response_schema else {
                return Ok(None);
            };
            let echo = Echo {
                fields: params.clone(),
                id: crate::spec::template_names(&op.path)
                    .last()
                    .filter(|name| op.path.ends_with(&format!("{{{name}}}")))
                    .and_then(|name| params.get(name).cloned()),
            };
            Reply::new(generate::example(app.spec.components(), schema, &echo))
        }
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
    Ok(Some(reply.into_sent()))
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
        if op.request_required && app.validate_requests {
            return Err(ApiError::validation(
                "Request body is required: send a JSON object (`{}` for the defaults).",
            ));
        }
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::validation(format!("Request body is not valid JSON: {e}")))?;
    if !app.validate_requests {
        return Ok(value);
    }
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
