//! Reading what the API answered: error bodies (bounded) and the facts in them.
//!
//! The request hook calls [`read_error_body`] on every non-2xx answer, so that the body is
//! read while the connection is still in hand and at most [`ApiError::BODY_LIMIT`] bytes of
//! it are kept; the parsed [`ApiError`] travels in the response's extensions to where the
//! generated code turns the response into an [`Error`](crate::Error).

use std::time::Duration;

use bytes::Bytes;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;

use crate::error::ApiError;

/// Headers that carry a request id, in order of preference.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-baseten-request-id",
    "request-id",
    "x-amzn-requestid",
];

/// The fields of Baseten's two error bodies: `{"code", "message"}` (validation, not found)
/// and `{"error", "retry_after"}` (rate limit). Unknown fields are ignored.
#[derive(Deserialize)]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
    error: Option<String>,
    retry_after: Option<f64>,
}

/// Reads at most `limit` bytes of a body; returns them and whether there was more.
///
/// A body that arrives in one piece (the usual small JSON answer) is returned as that piece,
/// without copying it; only a body in several pieces is gathered into a buffer of its own.
pub(crate) async fn read_bounded(
    response: &mut reqwest::Response,
    limit: usize,
) -> reqwest::Result<(Bytes, bool)> {
    let expected = response.content_length().unwrap_or(0);
    let Some(mut first) = response.chunk().await? else {
        return Ok((Bytes::new(), false));
    };
    if first.len() > limit {
        first.truncate(limit);
        return Ok((first, true));
    }
    let Some(second) = response.chunk().await? else {
        return Ok((first, false));
    };
    let capacity = usize::try_from(expected).unwrap_or(limit).min(limit);
    let mut body = Vec::with_capacity(capacity.max(first.len() + second.len()).min(limit));
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body.into(), true));
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await?;
    }
    Ok((body.into(), false))
}

/// Reads an error response's body and returns the response rebuilt around the bytes read,
/// with the parsed [`ApiError`] in its extensions. The rest of an oversized body is dropped
/// with the connection.
pub(crate) async fn read_error_body(
    response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let (mut rebuilt, truncated) = in_memory(response, ApiError::BODY_LIMIT).await?;
    let api = parse_api_error(
        rebuilt.status(),
        rebuilt.headers(),
        rebuilt.body(),
        truncated,
    );
    rebuilt.extensions_mut().insert(api);
    Ok(reqwest::Response::from(rebuilt))
}

/// Reads a successful response's body into memory (at most `limit` bytes) and returns the
/// response rebuilt around it, so that a body cut off by a reset or a timeout is an error of
/// the attempt, which the send loop can retry (for a `GET`), rather than of the decoding after
/// it. Reading `limit` bytes of a body larger than the decoder's limit keeps that fact visible
/// to it (pass the decoder's limit plus one).
pub(crate) async fn buffer_body(
    response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<reqwest::Response> {
    let (rebuilt, _) = in_memory(response, limit).await?;
    Ok(reqwest::Response::from(rebuilt))
}

/// The response with at most `limit` bytes of its body read into memory (the rest is dropped
/// with the connection), and whether there was more.
async fn in_memory(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<(http::Response<Bytes>, bool)> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let (body, truncated) = read_bounded(&mut response, limit).await?;
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    Ok((rebuilt, truncated))
}

/// The [`ApiError`] the request hook attached, or one made from status and headers.
pub(crate) fn api_error_of(response: &reqwest::Response) -> ApiError {
    match response.extensions().get::<ApiError>() {
        Some(api) => api.clone(),
        None => parse_api_error(response.status(), response.headers(), &[], false),
    }
}

/// Builds the [`ApiError`] for a status, headers and (the start of) a body.
pub(crate) fn parse_api_error(
    status: reqwest::StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    truncated: bool,
) -> ApiError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (code, message, body_retry) = match parsed {
        Some(b) => (b.code, b.message.or(b.error), b.retry_after),
        None => (None, None, None),
    };
    let retry_after = body_retry
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
        .or_else(|| retry_after_header(headers));
    ApiError {
        status,
        code,
        message,
        retry_after,
        request_id: request_id(headers),
        body: String::from_utf8_lossy(body).into_owned(),
        body_truncated: truncated,
    }
}

/// `Retry-After` in its delay-seconds form (Baseten documents none; proxies may send one).
fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.min(86_400)))
}

/// The first request id header present.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok().map(str::to_string))
}
