//! HTTP routing: one route per operation of the spec, checked in this order — API key (401),
//! operation exists (404), rate limit (429), request body against the spec (400), then the
//! operation itself — plus a JSON 404 for everything the spec does not define.

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
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::rate_limit::Limited;
use crate::server::{App, lock};
use crate::spec::Operation;
use crate::state::{
    PromoteChainRequest, PromoteDevelopmentRequest, PromoteToEnvironmentRequest, World,
};

/// The operations this mock implements, by `operationId`. A spec operation missing here is
/// answered 501 (and fails the crate's tests).
pub(crate) const IMPLEMENTED: [&str; 4] = [
    "promote_model_to_environment",
    "promote_development_to_production",
    "promote_chain_to_environment",
    "force_roll_forward_promotion",
];

/// Marks a response with the operation it answered, for the request log.
#[derive(Debug, Clone)]
pub(crate) struct AnsweredOperation(pub(crate) String);

/// The key a request authenticated with.
#[derive(Debug, Clone)]
struct ApiKeyUsed(String);

type Params = BTreeMap<String, String>;

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
    lock(&app.rate)
        .check(key, &op.id, tokio::time::Instant::now())
        .map_err(Refusal::RateLimited)?;
    let Path(params) = params
        .map_err(|e| ApiError::validation(format!("Invalid path parameter: {}", e.body_text())))?;
    let body = body.map_err(|e| {
        ApiError::validation(format!("Cannot read the request body: {}", e.body_text()))
    })?;
    let body = request_body(app, op, &body)?;

    let value = {
        let mut world = lock(&app.world);
        dispatch(&mut world, &op.id, &params, body)?
    };

    if app.validate_responses
        && let Err(violations) = app.spec.validate_response(&op.id, &value)
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
    Ok(value)
}

/// The request body as JSON, checked against the operation's schema. Content-Type is not
/// checked: Baseten's own curl samples send JSON without it.
fn request_body(app: &App, op: &Operation, body: &[u8]) -> Result<Value, ApiError> {
    if op.request_schema.is_none() {
        // No body defined (force roll forward): whatever is sent is ignored, as Baseten's Python
        // sample sends `{}`.
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

fn dispatch(world: &mut World, op: &str, params: &Params, body: Value) -> Result<Value, ApiError> {
    match op {
        "promote_model_to_environment" => {
            let request: PromoteToEnvironmentRequest = parse(body)?;
            let deployment = world.promote_to_environment(
                param(params, "model_id")?,
                param(params, "env_name")?,
                &request,
            )?;
            to_json(&deployment)
        }
        "promote_development_to_production" => {
            let request: PromoteDevelopmentRequest = parse(body)?;
            let deployment = world.promote_development(param(params, "model_id")?, &request)?;
            to_json(&deployment)
        }
        "promote_chain_to_environment" => {
            let request: PromoteChainRequest = parse(body)?;
            let deployment = world.promote_chain(
                param(params, "chain_id")?,
                param(params, "env_name")?,
                &request,
            )?;
            to_json(&deployment)
        }
        "force_roll_forward_promotion" => {
            world.force_roll_forward(param(params, "model_id")?, param(params, "env_name")?)?;
            Ok(serde_json::json!({"success": true}))
        }
        other => Err(ApiError {
            status: StatusCode::NOT_IMPLEMENTED,
            code: "NOT_IMPLEMENTED",
            message: format!("baseten-mock does not implement operation {other} yet."),
        }),
    }
}

fn param<'p>(params: &'p Params, name: &str) -> Result<&'p str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::validation(format!("Missing path parameter {name}.")))
}

/// The body was validated against the spec already; this only fails if the mock's request
/// types disagree with the spec.
fn parse<T: DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::validation(format!("Invalid request body: {e}.")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| {
        ApiError::internal(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot encode the response: {e}"),
        )
    })
}
