//! Decoding a successful response into the operation's type (build.rs points the generated
//! code here instead of progenitor's `ResponseValue::from_response`).
//!
//! Differences from progenitor's decoder, each one a promise of this crate: the body is read
//! up to a limit (a runaway body cannot exhaust memory); a failure names the JSON path of the
//! value that failed and quotes the start of the body; a body that is not JSON at all says so.
//! Error statuses never get here with a body to decode: the request hook has read them.

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error, excerpt};
use crate::response::{api_error_of, read_bounded};

/// The largest successful body decoded unless the client sets another limit.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The body limit the request hook attached to a response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyLimit(pub usize);

/// Reads and decodes `response` into `T`.
pub(crate) async fn from_response<T: DeserializeOwned>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error> {
    let status = response.status();
    if !status.is_success() {
        return Err(Error::Api(Box::new(api_error_of(&response))));
    }
    // Moved out, not cloned: reading the body does not need them.
    let headers = std::mem::take(response.headers_mut());
    let limit = response
        .extensions()
        .get::<BodyLimit>()
        .map_or(DEFAULT_MAX_RESPONSE_BYTES, |l| l.0);
    let (body, truncated) = read_bounded(&mut response, limit)
        .await
        .map_err(Error::from_transport)?;
    if truncated {
        let start = &body[..256.min(body.len())];
        let message = format!("the body is larger than the limit of {limit} bytes");
        return Err(decode_error(status, &headers, ".", message, start));
    }
    let inner = decode_body(status, &headers, &body)?;
    Ok(ResponseValue::new(inner, status, headers))
}

/// Decodes a successful response body into an API type exactly as the client does: the
/// content type must be JSON (when given), and a failure is an [`Error::Decode`] that names the
/// JSON path of the value that failed and quotes the start of the body.
///
/// For bodies that did not come through [`Client`](crate::Client), such as a response saved by
/// a test or a proxy.
///
/// ```
/// use baseten_api::{Error, decode_body, reqwest::{StatusCode, header::HeaderMap}};
/// use baseten_api::types::SignalPromotionResponseV1;
///
/// let ok: SignalPromotionResponseV1 =
///     decode_body(StatusCode::OK, &HeaderMap::new(), br#"{"success": true}"#)?;
/// assert!(ok.success);
///
/// let err = decode_body::<SignalPromotionResponseV1>(
///     StatusCode::OK,
///     &HeaderMap::new(),
///     br#"{"success": "yes"}"#,
/// )
/// .unwrap_err();
/// let Error::Decode(decode) = err else { unreachable!() };
/// assert_eq!(decode.path, "success");
/// # Ok::<(), Error>(())
/// ```
pub fn decode_body<T: DeserializeOwned>(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Error> {
    if let Some(kind) = headers.get(CONTENT_TYPE)
        && !is_json(kind.as_bytes())
    {
        let kind = String::from_utf8_lossy(kind.as_bytes());
        let message = format!("expected a JSON body, got content type `{kind}`");
        return Err(decode_error(status, headers, ".", message, body));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(decode_error(
            status,
            headers,
            ".",
            "the body is empty".into(),
            body,
        ));
    }
    // The plain parse is the fast path; tracking the field path costs as much as the parse
    // itself, so it is done again only to explain a failure (same input, same verdict).
    serde_json::from_slice(body).map_err(|plain| {
        let deserializer = &mut serde_json::Deserializer::from_slice(body);
        match serde_path_to_error::deserialize::<_, T>(deserializer) {
            Err(err) => {
                let path = err.path().to_string();
                decode_error(status, headers, &path, err.into_inner().to_string(), body)
            }
            Ok(_) => decode_error(status, headers, ".", plain.to_string(), body),
        }
    })
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn decode_error(
    status: StatusCode,
    headers: &HeaderMap,
    path: &str,
    message: String,
    body: &[u8],
) -> Error {
    Error::Decode(Box::new(DecodeError {
        status,
        path: path.to_string(),
        message,
        content_type: content_type(headers),
        excerpt: excerpt(&String::from_utf8_lossy(body), 256),
    }))
}

/// `application/json`, `application/problem+json`, … (parameters such as charset ignored).
/// Compared as bytes, case-insensitively, without allocating.
fn is_json(content_type: &[u8]) -> bool {
    // What the API sends, at the cost of one comparison.
    if content_type == b"application/json" {
        return true;
    }
    let essence = content_type
        .split(|b| *b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    let prefix = b"application/";
    essence.eq_ignore_ascii_case(b"application/json")
        || (essence.len() > prefix.len()
            && essence[..prefix.len()].eq_ignore_ascii_case(prefix)
            && essence.to_ascii_lowercase().ends_with(b"+json"))
}
