//! The one module of the hand-written layer that the generated code calls.
//!
//! build.rs rewrites progenitor's output to call these functions instead of progenitor's own
//! (`build/postprocess.rs` says which call becomes which), so every operation, present or
//! future, gets the same path checks, decoding and errors. Nothing here is public: the
//! generated code is part of this crate (`src/generated.rs` includes it).

use progenitor_client::OperationInfo;
use reqwest::StatusCode;

use crate::client::{Attempts, ClientState, Copied, Rebuilt};
use crate::error::{DecodeError, Error, excerpt};
use crate::response::{api_error_of, parse_api_error};

/// progenitor's `client.pre(..)`, `client.exec(..)`, `client.post(..)` and `result?` become
/// `send(&client.client, &client.inner, request, &info).await?`: sign, send with retries, and
/// map transport errors (with the number of attempts) to [`Error`]. `request` is the request
/// chain as a closure (`|| client.client.post(&url)….build()`), which a retry calls again, or,
/// for a chain that consumes a value, the built request, which a retry copies.
pub(crate) async fn send(
    http: &reqwest::Client,
    state: &ClientState,
    request: impl IntoAttempts,
    info: &OperationInfo,
) -> Result<reqwest::Response, Error> {
    state
        .execute(http, &mut request.into_attempts(), info)
        .await
}

/// What [`send`] accepts as the requests of an operation.
pub(crate) trait IntoAttempts {
    type Attempts: Attempts + Send;
    fn into_attempts(self) -> Self::Attempts;
}

impl IntoAttempts for reqwest::Request {
    type Attempts = Copied;
    fn into_attempts(self) -> Copied {
        Copied::new(self)
    }
}

impl<F: FnMut() -> reqwest::Result<reqwest::Request> + Send> IntoAttempts for F {
    type Attempts = Rebuilt<F>;
    fn into_attempts(self) -> Rebuilt<F> {
        Rebuilt(self)
    }
}

/// `encode_path(&x.to_string())` becomes `encode_segment("x", &x)?`: checked at once, and
/// percent-encoded as the URL is formatted.
pub(crate) use crate::path::encode_segment;

/// `ResponseValue::from_response` becomes `from_response`.
pub(crate) use crate::decode::from_response;

/// The `Deserialize` build.rs writes for an open enum: a string, turned into a variant by
/// `from` (a `match` on the known values that keeps any other one), without buffering it.
pub(crate) fn open_enum<'de, D, T>(deserializer: D, from: fn(&str) -> T) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Values<T>(fn(&str) -> T);
    impl<T> serde::de::Visitor<'_> for Values<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            Ok((self.0)(value))
        }
    }
    deserializer.deserialize_str(Values(from))
}

// progenitor's code builds its own error variants (`Error::InvalidRequest(..)`, …); build.rs
// rewrites each to the function of the same name in snake case below.

/// A parameter or body that could not be converted.
pub(crate) fn invalid_request(message: impl Into<String>) -> Error {
    Error::InvalidRequest(message.into())
}

/// A status the operation does not document. The request hook has already read an error
/// body into the response's extensions.
pub(crate) fn unexpected_response(response: reqwest::Response) -> Error {
    Error::Api(Box::new(api_error_of(&response)))
}

/// A documented error status; its body was decoded into `T`, so only status and headers
/// are reported here (the request hook keeps the details for undocumented ones).
pub(crate) fn error_response<T>(response: progenitor_client::ResponseValue<T>) -> Error {
    let api = parse_api_error(response.status(), response.headers(), &[], false);
    Error::Api(Box::new(api))
}

/// A failure reported by a `pre` or `post` hook (progenitor emits this call only for
/// operations with such hooks; ours never fail, so the four operations today do not use it).
#[allow(dead_code)]
pub(crate) fn custom(message: String) -> Error {
    Error::InvalidRequest(message)
}

/// The generated code's hooks return progenitor's error type; ours never produce one, but the
/// conversion keeps `?` on them compiling.
impl From<progenitor_client::Error<()>> for Error {
    fn from(error: progenitor_client::Error<()>) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::InvalidRequest(message) | P::Custom(message) => Self::InvalidRequest(message),
            P::CommunicationError(source)
            | P::ResponseBodyError(source)
            | P::InvalidUpgrade(source) => Self::from_transport(source),
            P::UnexpectedResponse(response) => unexpected_response(response),
            P::ErrorResponse(response) => error_response(response),
            P::InvalidResponsePayload(body, source) => Self::Decode(Box::new(DecodeError {
                status: StatusCode::OK,
                path: ".".into(),
                message: source.to_string(),
                content_type: None,
                excerpt: excerpt(&String::from_utf8_lossy(&body), 256),
            })),
        }
    }
}
