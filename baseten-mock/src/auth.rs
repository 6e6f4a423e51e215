//! `Authorization: Api-Key <key>` or `Authorization: Bearer <key>`, as the live API accepts
//! them: Baseten's specification declared `ApiKeyAuth` until June 2026 and `BearerAuth` since,
//! saying the legacy `Api-Key` scheme is still accepted. Both are accepted whichever document
//! the mock serves, as the live API does not change with the document a client was built from.
//! Schemes are case-insensitive (RFC 9110, 11.1); anything else is a 401 naming the schemes.

use std::collections::BTreeSet;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use crate::error::ApiError;

/// The key the request authenticates with, or the 401 to answer.
pub(crate) fn authenticate(
    headers: &HeaderMap,
    keys: &BTreeSet<String>,
) -> Result<String, ApiError> {
    let value = headers.get(AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized(
            "Missing Authorization header. Send `Authorization: Bearer <your API key>` (or the \
             legacy `Authorization: Api-Key <your API key>`).",
        )
    })?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("The Authorization header is not valid text."))?;
    let (scheme, key) = value.split_once(' ').unwrap_or((value, ""));
    if !["Api-Key", "Bearer"]
        .iter()
        .any(|known| scheme.eq_ignore_ascii_case(known))
    {
        return Err(ApiError::unauthorized(
            "Unsupported authorization scheme. Send `Authorization: Bearer <your API key>` (or \
             the legacy `Authorization: Api-Key <your API key>`).",
        ));
    }
    let key = key.trim();
    if key.is_empty() || !keys.contains(key) {
        return Err(ApiError::unauthorized("Invalid API key."));
    }
    Ok(key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn check(header: Option<&str>) -> Result<String, ApiError> {
        let mut headers = HeaderMap::new();
        if let Some(value) = header {
            headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        authenticate(&headers, &BTreeSet::from(["k1".to_owned()]))
    }

    #[test]
    fn known_key_with_either_scheme_is_accepted() {
        assert_eq!(check(Some("Api-Key k1")).unwrap(), "k1");
        assert_eq!(check(Some("api-key k1")).unwrap(), "k1");
        assert_eq!(check(Some("Bearer k1")).unwrap(), "k1");
        assert_eq!(check(Some("bearer k1")).unwrap(), "k1");
    }

    #[test]
    fn everything_else_is_401_with_a_reason() {
        for (header, reason) in [
            (None, "Missing Authorization header"),
            (Some("Basic k1"), "Unsupported authorization scheme"),
            (Some("k1"), "Unsupported authorization scheme"),
            (Some("Api-Key"), "Invalid API key"),
            (Some("Api-Key k2"), "Invalid API key"),
            (Some("Bearer"), "Invalid API key"),
            (Some("Bearer k2"), "Invalid API key"),
        ] {
            let err = check(header).unwrap_err();
            assert_eq!(err.status.as_u16(), 401);
            assert!(err.message.contains(reason), "{header:?}: {}", err.message);
        }
    }
}
