//! Reading what the API answered: error bodies (bounded) and the facts in them.
//!
//! The request hook calls [`read_error_body`] on every non-2xx answer, so that the body is
//! read while the connection is still in hand and at most [`ApiError::BODY_LIMIT`] bytes of
//! it are kept; the parsed [`ApiError`] travels in the response's extensions to where the
//! generated code turns the response into an [`Error`](crate::Error).

use std::time::{Duration, SystemTime};

use bytes::Bytes;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;

use crate::error::ApiError;

/// Headers that carry a request id, in order of preference.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-baseten-request-id",
    "request-id",
    "x-amzn-requestid",
];

/// The longest wait a `retry_after` (in the body or a `Retry-After` header) is taken to ask
/// for; a longer one is read as this: a day.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(86_400);

/// The fields of Baseten's two error bodies: `{"code", "message"}` (validation, not found)
/// and `{"error", "retry_after"}` (rate limit). Unknown fields are ignored, and each known
/// field is read on its own: a value of an unexpected type (a `retry_after` of `"37"` or
/// `[]`, a numeric `code`) is skipped, never a reason to lose the others.
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
    retry_after: Option<Duration>,
}

impl ErrorBody {
    /// The fields of a JSON object body; `None` for anything else (HTML, a cut-off body).
    fn parse(body: &[u8]) -> Option<Self> {
        let fields: serde_json::Map<String, Value> = serde_json::from_slice(body).ok()?;
        let string = |name: &str| fields.get(name)?.as_str().map(str::to_string);
        Some(Self {
            code: string("code"),
            message: string("message").or_else(|| string("error")),
            retry_after: fields.get("retry_after").and_then(body_retry_after),
        })
    }
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
///
/// The wait asked for is the body's `retry_after` when it is one (Baseten's own answer), and
/// otherwise a `Retry-After` header's (a proxy's or a gateway's): a body value that is not a
/// wait (negative, not numeric) leaves the header's in force.
pub(crate) fn parse_api_error(
    status: reqwest::StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    truncated: bool,
) -> ApiError {
    let (code, message, body_retry) = match ErrorBody::parse(body) {
        Some(b) => (b.code, b.message, b.retry_after),
        None => (None, None, None),
    };
    let retry_after = body_retry.or_else(|| retry_after_header(headers, SystemTime::now()));
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

/// A body's `retry_after`: seconds as a number (Baseten documents `37`) or as a numeric string
/// (`"37"`, `"37.5"`), at most [`MAX_RETRY_AFTER`]. Anything else, a negative number included,
/// is no wait.
fn body_retry_after(value: &Value) -> Option<Duration> {
    let seconds = match value {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => text.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (seconds.is_finite() && seconds >= 0.0)
        .then(|| Duration::from_secs_f64(seconds.min(MAX_RETRY_AFTER.as_secs_f64())))
}

/// A `Retry-After` header (RFC 9110 §10.2.3; Baseten documents none, proxies may send one):
/// delay-seconds, or an HTTP date in any of its three forms (IMF-fixdate, RFC 850, asctime),
/// read as the time from `now` until then: a date already past is no wait at all. Either form
/// is capped at [`MAX_RETRY_AFTER`].
fn retry_after_header(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: too many for a u64 is still a (capped) number of seconds.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

/// The first request id header present.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use proptest::prelude::*;
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
    use serde_json::{Value, json};

    use super::{parse_api_error, retry_after_header};
    use crate::error::ApiError;

    const DAY: Duration = Duration::from_secs(86_400);

    fn parse(headers: &HeaderMap, body: &Value) -> ApiError {
        let body = body.to_string();
        parse_api_error(
            StatusCode::TOO_MANY_REQUESTS,
            headers,
            body.as_bytes(),
            false,
        )
    }

    fn with_retry_after(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        headers
    }

    /// What a `Retry-After` header alone asks for.
    fn header_says(value: &str) -> Option<Duration> {
        parse(&with_retry_after(value), &json!({})).retry_after
    }

    /// What a body's `retry_after` alone asks for.
    fn body_says(value: Value) -> Option<Duration> {
        parse(&HeaderMap::new(), &json!({"retry_after": value})).retry_after
    }

    /// An HTTP date `ahead` from now, in the form `format` (chrono's syntax, in GMT).
    fn date_ahead(ahead: Duration, format: &str) -> String {
        let at = chrono::DateTime::<chrono::Utc>::from(SystemTime::now() + ahead);
        at.format(format).to_string()
    }

    /// `got` is what a date `ahead` of now was read as: the date has whole seconds, and a
    /// moment passes between writing it and reading it.
    fn about(got: Option<Duration>, ahead: Duration) {
        let got = got.expect("a wait");
        assert!(
            got <= ahead && got + Duration::from_secs(2) > ahead,
            "{got:?} for a date {ahead:?} ahead"
        );
    }

    #[test]
    fn a_retry_after_header_in_seconds() {
        assert_eq!(header_says("7"), Some(Duration::from_secs(7)));
        assert_eq!(header_says(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(header_says("0"), Some(Duration::ZERO));
        // Absurd waits are capped at a day, in either form.
        assert_eq!(header_says("100000000"), Some(DAY));
        assert_eq!(header_says("99999999999999999999999"), Some(DAY));
        for garbage in ["", "-1", "1.5", "soon", "7s", "+7", "0x10"] {
            assert_eq!(header_says(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn a_retry_after_header_as_an_http_date_in_each_form() {
        let ahead = Duration::from_secs(120);
        // RFC 9110's preferred form, the obsolete RFC 850 form and asctime.
        about(
            header_says(&httpdate::fmt_http_date(SystemTime::now() + ahead)),
            ahead,
        );
        about(
            header_says(&date_ahead(ahead, "%a, %d %b %Y %H:%M:%S GMT")),
            ahead,
        );
        about(
            header_says(&date_ahead(ahead, "%A, %d-%b-%y %H:%M:%S GMT")),
            ahead,
        );
        about(
            header_says(&date_ahead(ahead, "%a %b %e %H:%M:%S %Y")),
            ahead,
        );
    }

    #[test]
    fn a_date_in_the_past_means_now_and_one_far_ahead_a_day() {
        for past in [
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Thu, 01 Jan 1970 00:00:00 GMT",
        ] {
            assert_eq!(header_says(past), Some(Duration::ZERO), "{past}");
        }
        assert_eq!(header_says("Fri, 31 Dec 9999 23:59:59 GMT"), Some(DAY));
        assert_eq!(
            header_says(&date_ahead(
                Duration::from_secs(3 * 86_400),
                "%a, %d %b %Y %H:%M:%S GMT"
            )),
            Some(DAY)
        );
        for garbage in [
            "Wed, 32 Oct 2026 07:28:00 GMT",
            "Wed, 21 Oct 2026 07:28:00 UTC",
            "2026-10-21T07:28:00Z",
            "Wed, 21 Oct 2026",
        ] {
            assert_eq!(header_says(garbage), None, "{garbage}");
        }
    }

    #[test]
    fn a_date_is_read_as_the_time_from_now_until_then() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2026 07:27:23 GMT").unwrap();
        let at = |value: &str| retry_after_header(&with_retry_after(value), now);
        let secs = Duration::from_secs;
        assert_eq!(at("Wed, 21 Oct 2026 07:28:00 GMT"), Some(secs(37)));
        assert_eq!(at("Wednesday, 21-Oct-26 07:28:00 GMT"), Some(secs(37)));
        assert_eq!(at("Wed Oct 21 07:28:00 2026"), Some(secs(37)));
        assert_eq!(at("Wed, 21 Oct 2026 07:27:23 GMT"), Some(Duration::ZERO));
        assert_eq!(at("Wed, 21 Oct 2026 07:27:22 GMT"), Some(Duration::ZERO));
        assert_eq!(at("Thu, 22 Oct 2026 07:27:23 GMT"), Some(DAY));
        assert_eq!(at("Thu, 22 Oct 2026 07:27:24 GMT"), Some(DAY));
        // A weekday that does not go with the date is not a date.
        assert_eq!(at("Thu, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(retry_after_header(&HeaderMap::new(), now), None);
    }

    #[test]
    fn a_body_retry_after_as_a_number_or_a_numeric_string() {
        let secs = Duration::from_secs;
        assert_eq!(body_says(json!(37)), Some(secs(37)));
        assert_eq!(body_says(json!(37.5)), Some(Duration::from_millis(37_500)));
        assert_eq!(body_says(json!(0)), Some(Duration::ZERO));
        assert_eq!(body_says(json!("37")), Some(secs(37)));
        assert_eq!(body_says(json!(" 37 ")), Some(secs(37)));
        assert_eq!(
            body_says(json!("37.5")),
            Some(Duration::from_millis(37_500))
        );
        assert_eq!(body_says(json!("0.25")), Some(Duration::from_millis(250)));
        assert_eq!(body_says(json!(1e12)), Some(DAY));
        assert_eq!(body_says(json!("1e12")), Some(DAY));
        for ignored in [
            json!(-1),
            json!(-0.5),
            json!("-1"),
            json!(""),
            json!("soon"),
            json!("37s"),
            json!("NaN"),
            json!("inf"),
            json!(true),
            json!(null),
            json!([37]),
            json!({"seconds": 37}),
        ] {
            assert_eq!(body_says(ignored.clone()), None, "{ignored}");
        }
    }

    #[test]
    fn an_odd_retry_after_loses_nothing_else() {
        for retry_after in [json!("37"), json!("soon"), json!(-1), json!([1]), json!({})] {
            let api = parse(
                &HeaderMap::new(),
                &json!({"error": "Rate limit exceeded.", "retry_after": retry_after}),
            );
            assert_eq!(
                api.message.as_deref(),
                Some("Rate limit exceeded."),
                "{retry_after}"
            );
            let api = parse(
                &HeaderMap::new(),
                &json!({"code": "RATE_LIMITED", "message": "slow down", "retry_after": retry_after}),
            );
            assert_eq!(api.code.as_deref(), Some("RATE_LIMITED"), "{retry_after}");
            assert_eq!(api.message.as_deref(), Some("slow down"), "{retry_after}");
        }
        // Nor does an odd `code` or `message`: each field is read on its own.
        let api = parse(
            &HeaderMap::new(),
            &json!({"code": 429, "message": {"text": "x"}, "error": "Rate limit exceeded.", "retry_after": 3}),
        );
        assert_eq!(api.code, None);
        assert_eq!(api.message.as_deref(), Some("Rate limit exceeded."));
        assert_eq!(api.retry_after, Some(Duration::from_secs(3)));
        // A field given twice is read as its last value, not a reason to drop the body.
        let twice =
            br#"{"code": "A", "code": "B", "message": "m", "retry_after": 1, "retry_after": 2}"#;
        let api = parse_api_error(
            StatusCode::TOO_MANY_REQUESTS,
            &HeaderMap::new(),
            twice,
            false,
        );
        assert_eq!(api.code.as_deref(), Some("B"));
        assert_eq!(api.message.as_deref(), Some("m"));
        assert_eq!(api.retry_after, Some(Duration::from_secs(2)));
    }

    #[test]
    fn the_body_s_retry_after_wins_over_the_header_and_the_header_fills_in() {
        let headers = with_retry_after("9");
        let said = |value: Value| parse(&headers, &json!({"retry_after": value})).retry_after;
        assert_eq!(said(json!(3)), Some(Duration::from_secs(3)));
        assert_eq!(said(json!("3")), Some(Duration::from_secs(3)));
        // A body value that is not a wait leaves the header's.
        assert_eq!(said(json!("soon")), Some(Duration::from_secs(9)));
        assert_eq!(said(json!(-3)), Some(Duration::from_secs(9)));
        assert_eq!(
            parse(&headers, &json!({"error": "x"})).retry_after,
            Some(Duration::from_secs(9))
        );
        let dated = with_retry_after("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(
            parse(&dated, &json!({"retry_after": 3})).retry_after,
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse(&dated, &json!({"retry_after": null})).retry_after,
            Some(Duration::ZERO)
        );
    }

    /// Any JSON value, strings biased towards numbers.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[-+ ]?[0-9]{0,25}(\\.[0-9]{0,6})?([eE][-+]?[0-9]{1,3})? ?".prop_map(Value::String),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{0,12}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Whatever `retry_after` holds, `code` and `message` (or `error`) are kept, and a wait
        /// is read only from a number or a numeric string, never negative, never past a day.
        #[test]
        fn code_and_message_survive_any_retry_after(retry_after in any_json(), rate_limit_form in any::<bool>()) {
            let body = if rate_limit_form {
                json!({"error": "Rate limit exceeded.", "retry_after": retry_after.clone()})
            } else {
                json!({"code": "RATE_LIMITED", "message": "Rate limit exceeded.", "retry_after": retry_after.clone()})
            };
            let api = parse(&HeaderMap::new(), &body);
            prop_assert_eq!(api.message.as_deref(), Some("Rate limit exceeded."));
            prop_assert_eq!(api.code.as_deref(), (!rate_limit_form).then_some("RATE_LIMITED"));
            let numeric = match &retry_after {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .filter(|s| s.is_finite() && *s >= 0.0);
            prop_assert_eq!(api.retry_after.is_some(), numeric.is_some(), "{}", retry_after);
            if let (Some(wait), Some(seconds)) = (api.retry_after, numeric) {
                prop_assert!(wait <= DAY);
                prop_assert!((wait.as_secs_f64() - seconds.min(86_400.0)).abs() < 1e-6, "{:?} for {}", wait, retry_after);
            }
        }

        /// Any value in any field: each string field is kept as it is, whatever the others hold.
        #[test]
        fn each_field_is_read_on_its_own(code in any_json(), message in any_json(), error in any_json(), retry_after in any_json()) {
            let body = json!({"code": code, "message": message, "error": error, "retry_after": retry_after});
            let api = parse(&HeaderMap::new(), &body);
            prop_assert_eq!(api.code.as_deref(), code.as_str());
            prop_assert_eq!(api.message.as_deref(), message.as_str().or(error.as_str()));
        }
    }
}
