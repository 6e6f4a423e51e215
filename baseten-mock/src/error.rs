//! Errors: the JSON errors the API answers with ([`ApiError`], crate-internal) and the errors of
//! the Rust API ([`MockError`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::seed::SeedError;

/// An error answer of the API: `{"code": ..., "message": ...}` with an HTTP status.
///
/// Baseten documents this shape for validation errors (`VALIDATION_ERROR`, 400); the mock uses
/// it for its 401, 404 and injected 5xx answers too (their codes are the mock's choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "VALIDATION_ERROR",
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "NOT_FOUND",
            message: message.into(),
        }
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "UNAUTHORIZED",
            message: message.into(),
        }
    }

    pub(crate) fn internal(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code: "INTERNAL_ERROR",
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"code": self.code, "message": self.message});
        (self.status, axum::Json(body)).into_response()
    }
}

/// What can go wrong driving the mock from Rust.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: std::net::SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// An API key cannot be sent in an HTTP header (empty, or with control characters).
    #[error("invalid API key {0:?}: it must be non-empty visible ASCII without spaces")]
    InvalidApiKey(String),

    /// The seed data is invalid.
    #[error(transparent)]
    Seed(#[from] SeedError),

    /// The embedded OpenAPI document could not be turned into validators (a build problem).
    #[error(
        "the embedded spec (spec/baseten.yaml, a copy of openapi/baseten.yaml) is unusable: {0}"
    )]
    Spec(String),

    /// The OpenAPI document given to [`MockServerBuilder::spec`](crate::MockServerBuilder::spec)
    /// cannot be served; the message says what is wrong with it and where.
    #[error("the OpenAPI document cannot be served: {0}")]
    InvalidSpec(String),

    /// A model, chain, environment or deployment named in a call does not exist.
    #[error("{0}")]
    NotFound(String),

    /// [`MockServer::fail_promotion`](crate::MockServer::fail_promotion) on an environment with
    /// no rolling promotion in progress (a development build is not one: use
    /// [`ModelSeed::build_fails_with`](crate::ModelSeed::build_fails_with)).
    #[error("environment {env} of model {model_id} has no rolling promotion in progress")]
    NoPromotionInProgress {
        /// The model.
        model_id: String,
        /// The environment.
        env: String,
    },

    /// A hook asked for what the API refuses with 400 `VALIDATION_ERROR`, e.g.
    /// [`MockServer::delete_environment`](crate::MockServer::delete_environment) of
    /// `production`. The message is the one the API would answer.
    #[error("{0}")]
    Validation(String),

    /// [`MockServer::fail_next`](crate::MockServer::fail_next) with a name that is not one of
    /// the served spec's operations.
    #[error(
        "unknown operation {0:?}: expected one of {list}, or another operation of the served \
         spec, named by its operationId or, where it has none, `METHOD /path/template` (e.g. \
         `GET /v1/models/{{model_id}}`)",
        list = crate::IMPLEMENTED_OPERATIONS.join(", ")
    )]
    UnknownOperation(String),

    /// [`MockServer::fail_next`](crate::MockServer::fail_next) with a status that is not 429 or
    /// 5xx (the errors a client retries or waits out).
    #[error("cannot inject status {0}: use 429 or 500-599")]
    InvalidFaultStatus(u16),
}
