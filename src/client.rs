//! Sending a request of the generated [`Client`]: authentication, user agent, retries and the
//! tracing span.
//!
//! The headers are added per request rather than as `reqwest` default headers, so they are
//! also sent when the caller supplies their own `reqwest::Client`.

use std::fmt;
use std::time::{Duration, Instant};

use progenitor_client::OperationInfo;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use tracing::Instrument;

use crate::auth::AuthScheme;
use crate::decode::{BodyLimit, DEFAULT_MAX_RESPONSE_BYTES};
use crate::error::is_tls_to_plain_http;
use crate::retry::AttemptOutcome;
use crate::{ApiKey, ConfigError, Error, RetryPolicy, operations, response};

/// Per-client state the request hook needs: the prepared header values.
///
/// It is the generated client's "inner type"; you get one only through
/// [`ClientBuilder::build`](crate::ClientBuilder::build). Its `Debug` output never shows the key.
///
/// ```
/// use baseten_api::ClientInfo;
///
/// let client = baseten_api::Client::builder().api_key("s3cr3t").build().unwrap();
/// let state = client.inner();
/// assert!(!format!("{state:?}").contains("s3cr3t"));
/// ```
#[derive(Clone)]
pub struct ClientState {
    /// `Api-Key <key>` or `Bearer <key>`, marked sensitive so `http`/`reqwest` don't print it.
    authorization: HeaderValue,
    auth_scheme: AuthScheme,
    user_agent: HeaderValue,
    retry: RetryPolicy,
    max_response_bytes: usize,
}

impl ClientState {
    /// Prepares the header values once, so a bad key or user agent is a
    /// build-time [`ConfigError`] instead of a per-request failure.
    pub(crate) fn new(
        api_key: &ApiKey,
        auth_scheme: AuthScheme,
        user_agent: &str,
        retry: RetryPolicy,
        max_response_bytes: usize,
    ) -> Result<Self, ConfigError> {
        let mut authorization =
            HeaderValue::from_str(&format!("{auth_scheme} {}", api_key.expose()))
                .map_err(ConfigError::InvalidApiKey)?;
        authorization.set_sensitive(true);

        let user_agent =
            HeaderValue::from_str(user_agent).map_err(|source| ConfigError::InvalidUserAgent {
                user_agent: user_agent.to_owned(),
                source,
            })?;

        Ok(Self {
            authorization,
            auth_scheme,
            user_agent,
            retry,
            max_response_bytes,
        })
    }

    /// The `User-Agent` value sent with every request.
    ///
    /// ```
    /// use baseten_api::ClientInfo;
    ///
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .user_agent("deployer/2.1")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.inner().user_agent(), "deployer/2.1");
    /// ```
    pub fn user_agent(&self) -> &HeaderValue {
        &self.user_agent
    }

    /// Sets this client's headers on an outgoing request, replacing any the
    /// caller's `reqwest::Client` would have added.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field(
                "authorization",
                &format_args!("{} <redacted>", self.auth_scheme),
            )
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ClientState {
    /// Signs and sends `request` through `http`, retrying what the [`RetryPolicy`] allows,
    /// inside one tracing span per operation. Error bodies are read here (bounded) so the error
    /// can carry them.
    pub(crate) async fn execute(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> Result<reqwest::Response, Error> {
        self.apply(request.headers_mut());
        let (method, path) = operations::describe(info.operation_id);
        let span = tracing::info_span!(
            "baseten_api",
            operation_id = info.operation_id,
            method,
            path,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.send_with_retries(http, request).instrument(span).await
    }

    async fn send_with_retries(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
    ) -> Result<reqwest::Response, Error> {
        let policy = &self.retry;
        let method = request.method().clone();
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let mut next = Some(request);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let Some(request) = next.take() else {
                unreachable!("a retry always has its copy of the request")
            };
            // Bodies here are in-memory JSON, so a copy is cheap; keep one only if it may be needed.
            let copy = if attempt < policy.max_attempts {
                request.try_clone()
            } else {
                None
            };
            let result = match http.execute(request).await {
                // A GET that may be retried reads its body here, so a body cut off by a reset
                // or a timeout is retried like a failure before the headers.
                Ok(response)
                    if response.status().is_success()
                        && copy.is_some()
                        && policy.retries_body_failures(&method) =>
                {
                    let limit = self.max_response_bytes.saturating_add(1);
                    response::buffer_body(response, limit)
                        .await
                        .map(|response| self.with_body_limit(response))
                }
                Ok(response) if response.status().is_success() => {
                    Ok(self.with_body_limit(response))
                }
                Ok(response) => response::read_error_body(response).await,
                Err(error) => Err(error),
            };
            let outcome = attempt_outcome(&result);
            let wait = copy
                .as_ref()
                .and_then(|_| policy.decide(&method, outcome, attempt, waited));
            match (wait, copy) {
                (Some(wait), Some(copy)) => {
                    let wait = policy.jittered(wait, waited);
                    tracing::info!(
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        reason = outcome.reason(),
                        "retrying",
                    );
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    next = Some(copy);
                }
                _ => {
                    let span = tracing::Span::current();
                    span.record("attempt", attempt);
                    span.record("duration_ms", started.elapsed().as_millis() as u64);
                    match &result {
                        Ok(response) => {
                            span.record("status", response.status().as_u16());
                            tracing::info!(
                                status = response.status().as_u16(),
                                attempt,
                                "answered"
                            );
                        }
                        Err(error) => {
                            tracing::info!(attempt, reason = outcome.reason(), %error, "failed")
                        }
                    }
                    return result.map_err(|error| Error::from_transport_after(error, attempt));
                }
            }
        }
    }
}

impl ClientState {
    /// Tells the decoder this client's body limit (the first extension allocates the map: only
    /// say what is not the default).
    fn with_body_limit(&self, mut response: reqwest::Response) -> reqwest::Response {
        if self.max_response_bytes != DEFAULT_MAX_RESPONSE_BYTES {
            response
                .extensions_mut()
                .insert(BodyLimit(self.max_response_bytes));
        }
        response
    }
}

/// What an attempt ended with, in the terms of [`RetryPolicy::decide`].
fn attempt_outcome(result: &reqwest::Result<reqwest::Response>) -> AttemptOutcome {
    match result {
        Ok(response) => AttemptOutcome::Status {
            status: response.status().as_u16(),
            retry_after: (response.status() == StatusCode::TOO_MANY_REQUESTS)
                .then(|| response::api_error_of(response).retry_after)
                .flatten(),
        },
        Err(error) if is_tls_to_plain_http(error) => AttemptOutcome::NotTls,
        // Before `is_timeout`: a connect timeout also sent nothing.
        Err(error) if error.is_connect() => AttemptOutcome::ConnectFailed,
        Err(error) if error.is_timeout() => AttemptOutcome::TimedOut,
        Err(error) if error.is_request() || error.is_body() || error.is_decode() => {
            AttemptOutcome::ConnectionLost
        }
        Err(_) => AttemptOutcome::Other,
    }
}
