//! The accept loop: connections, injected faults, and logging every request with its answer.
//!
//! It is hyper's own loop rather than `axum::serve` because a dropped-connection fault must
//! close the socket without an answer: a hyper service that returns an error does exactly
//! that, while axum always answers.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_service::Service;

use crate::app::{App, lock};
use crate::error::ApiError;
use crate::faults::Fault;
use crate::routes::{self, AnsweredOperation};
use crate::types::RecordedRequest;

/// The error a service returns to make hyper close the connection without answering.
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedConnection {}

pub(crate) async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    mut shutdown: watch::Receiver<bool>,
) {
    let router = routes::router(Arc::clone(&app));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // E.g. out of file descriptors: back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let app = Arc::clone(&app);
                let router = router.clone();
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    answer(Arc::clone(&app), router.clone(), request)
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    // Errors here are clients going away and injected drops: nothing to do.
                    let _ = connection.await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(1), graceful.shutdown()).await;
}

/// Faults first (they stand for the network and Baseten's front end), then the routes; every
/// request is logged with its answer.
async fn answer(
    app: Arc<App>,
    mut router: axum::Router,
    request: Request<Incoming>,
) -> Result<Response<Body>, DroppedConnection> {
    let (parts, body) = request.into_parts();
    // The body is read whole before routing, so that the log can show what was sent; the
    // router gets the same bytes. Within the limit axum's extractors would apply anyway.
    let body = axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES)
        .await
        .map_err(|e| format!("Cannot read the request body: {e}."));
    let sent = Sent::of(&parts, body.as_deref().unwrap_or_default());
    let (latency, fault) = {
        let mut faults = lock(&app.faults);
        (faults.latency(), faults.next())
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match fault {
        Fault::Drop => {
            record(&app, sent, None, None, None);
            return Err(DroppedConnection);
        }
        Fault::ServerError(status) => {
            axum::response::IntoResponse::into_response(ApiError::internal(
                status,
                "Injected fault: the mock answered with a server error.",
            ))
        }
        Fault::None => match body {
            Ok(body) => {
                let request = Request::from_parts(parts, Body::from(body));
                let result: Result<_, Infallible> = router.call(request).await;
                match result {
                    Ok(response) => response,
                    Err(never) => match never {},
                }
            }
            // Too long, or cut off: what axum's `Bytes` extractor would have refused.
            Err(message) => {
                axum::response::IntoResponse::into_response(ApiError::validation(message))
            }
        },
    };

    let (parts, body) = response.into_parts();
    // Bodies are small, complete JSON documents; read it to log it, then send the same bytes.
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let operation = parts
        .extensions
        .get::<AnsweredOperation>()
        .map(|op| op.0.clone());
    let json = serde_json::from_slice(&bytes).ok();
    record(&app, sent, operation, Some(parts.status.as_u16()), json);
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// The longest request body read: axum's default limit for its body extractors.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The longest request body the log keeps (10 000 entries of it would be 640 MiB).
const LOGGED_BODY_BYTES: usize = 64 * 1024;

/// What the client sent, as the log keeps it.
struct Sent {
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

impl Sent {
    fn of(parts: &axum::http::request::Parts, body: &[u8]) -> Self {
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                let name = name.as_str().to_owned();
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                let value = if name == "authorization" || name == "api-key" {
                    redact_credential(&value)
                } else {
                    value
                };
                (name, value)
            })
            .collect();
        Self {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers,
            body: (!body.is_empty()).then(|| logged_body(body)),
        }
    }
}

/// The body as text, cut after [`LOGGED_BODY_BYTES`] with `…` and its length.
fn logged_body(body: &[u8]) -> String {
    if body.len() <= LOGGED_BODY_BYTES {
        return String::from_utf8_lossy(body).into_owned();
    }
    let kept = String::from_utf8_lossy(&body[..LOGGED_BODY_BYTES]);
    format!("{kept}… ({} bytes)", body.len())
}

/// `Api-Key abc` → `Api-Key [redacted]`; a value without a scheme → `[redacted]`.
fn redact_credential(value: &str) -> String {
    match value.trim_start().split_once(' ') {
        Some((scheme, _)) => format!("{scheme} [redacted]"),
        None => "[redacted]".to_owned(),
    }
}

fn record(
    app: &App,
    sent: Sent,
    operation_id: Option<String>,
    status: Option<u16>,
    response_body: Option<serde_json::Value>,
) {
    let Sent {
        method,
        path,
        query,
        headers,
        body,
    } = sent;
    tracing::debug!(%method, %path, ?status, "request");
    app.record(RecordedRequest {
        method,
        path,
        query,
        headers,
        body,
        operation_id,
        status,
        response_body,
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_credential_keeps_its_scheme_and_loses_its_value() {
        assert_eq!(
            super::redact_credential("Api-Key abc.def"),
            "Api-Key [redacted]"
        );
        assert_eq!(super::redact_credential("Bearer x y"), "Bearer [redacted]");
        assert_eq!(super::redact_credential("abc"), "[redacted]");
        assert_eq!(super::redact_credential(""), "[redacted]");
    }

    #[test]
    fn a_long_body_is_logged_cut_with_its_length() {
        assert_eq!(super::logged_body(b"{}"), "{}");
        let long = vec![b'a'; super::LOGGED_BODY_BYTES + 1];
        let logged = super::logged_body(&long);
        assert!(logged.ends_with(&format!("… ({} bytes)", long.len())));
        assert_eq!(
            logged.len(),
            super::LOGGED_BODY_BYTES + "… (65537 bytes)".len()
        );
    }
}
