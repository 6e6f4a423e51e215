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
use crate::error::transport_outcome;
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

/// Where the request of each attempt comes from.
///
/// Most operations hand the send loop a recipe ([`Rebuilt`]): the generated code's request
/// chain as a closure over the values it has already checked, called again only for a retry,
/// so a request that is answered at once copies nothing. Operations whose chain consumes a value
/// (a raw body, a header map) hand it a built request instead ([`Copied`]), copied before each
/// attempt that may be followed by another.
pub(crate) trait Attempts {
    /// The first attempt's request.
    fn first(&mut self) -> reqwest::Result<reqwest::Request>;
    /// Called before `request` is sent when another attempt may follow it: whether one can
    /// (false when the request cannot be sent again).
    fn prepare_retry(&mut self, request: &reqwest::Request) -> bool;
    /// The next attempt's request, once `prepare_retry` said there can be one.
    fn again(&mut self) -> Option<reqwest::Request>;
}

/// A request built once; each attempt that may be retried keeps a copy of it.
pub(crate) struct Copied {
    request: Option<reqwest::Request>,
    copy: Option<reqwest::Request>,
}

impl Copied {
    pub(crate) fn new(request: reqwest::Request) -> Self {
        Self {
            request: Some(request),
            copy: None,
        }
    }
}

impl Attempts for Copied {
    fn first(&mut self) -> reqwest::Result<reqwest::Request> {
        Ok(self
            .request
            .take()
            .expect("the first attempt is asked for once"))
    }

    fn prepare_retry(&mut self, request: &reqwest::Request) -> bool {
        // Bodies here are in memory, so a copy is cheap; a streamed body cannot be sent twice.
        self.copy = request.try_clone();
        self.copy.is_some()
    }

    fn again(&mut self) -> Option<reqwest::Request> {
        self.copy.take()
    }
}

/// A request built by calling the generated code's request chain, again for each retry.
pub(crate) struct Rebuilt<F>(pub(crate) F);

impl<F: FnMut() -> reqwest::Result<reqwest::Request>> Attempts for Rebuilt<F> {
    fn first(&mut self) -> reqwest::Result<reqwest::Request> {
        (self.0)()
    }

    fn prepare_retry(&mut self, _: &reqwest::Request) -> bool {
        true
    }

    fn again(&mut self) -> Option<reqwest::Request> {
        // The chain built the first request from the same values, so it builds this one too.
        (self.0)().ok()
    }
}

impl ClientState {
    /// Signs and sends the requests of `attempts` through `http`, retrying what the
    /// [`RetryPolicy`] allows, inside one tracing span per operation. Error bodies are read here
    /// (bounded) so the error can carry them.
    pub(crate) async fn execute(
        &self,
        http: &reqwest::Client,
        attempts: &mut (dyn Attempts + Send),
        info: &OperationInfo,
    ) -> Result<reqwest::Response, Error> {
        let request = attempts.first()?;
        // The field values are evaluated only when a subscriber wants the span.
        let span = tracing::info_span!(
            "baseten_api",
            operation_id = info.operation_id,
            method = operations::describe(info.operation_id).0,
            path = operations::describe(info.operation_id).1,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let timed = !span.is_disabled();
        self.send_with_retries(http, attempts, request, timed)
            .instrument(span)
            .await
    }

    async fn send_with_retries(
        &self,
        http: &reqwest::Client,
        attempts: &mut (dyn Attempts + Send),
        mut request: reqwest::Request,
        timed: bool,
    ) -> Result<reqwest::Response, Error> {
        let policy = &self.retry;
        let method = request.method().clone();
        // Only the span records the duration: no clock reads for a span no one collects.
        let started = timed.then(Instant::now);
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.apply(request.headers_mut());
            let may_retry = attempt < policy.max_attempts && attempts.prepare_retry(&request);
            let mut result = match http.execute(request).await {
                // A GET that may be retried reads its body here, so a body cut off by a reset
                // or a timeout is retried like a failure before the headers.
                Ok(response)
                    if response.status().is_success()
                        && may_retry
                        && policy.retries_body_failures(&method) =>
                {
                    let limit = self.max_response_bytes.saturating_add(1);
                    response::buffer_body(response, limit).await
                }
                Ok(response) if response.status().is_success() => Ok(response),
                Ok(response) => response::read_error_body(response).await,
                Err(error) => Err(error),
            };
            let answered = match &mut result {
                Ok(response) if response.status().is_success() => {
                    self.set_body_limit(response);
                    true
                }
                _ => false,
            };
            // A success is never retried: no decision to take.
            let retry = (may_retry && !answered)
                .then(|| {
                    let outcome = attempt_outcome(&result);
                    let wait = policy.decide(&method, outcome, attempt, waited)?;
                    Some((wait, outcome))
                })
                .flatten()
                .and_then(|(wait, outcome)| Some((wait, outcome, attempts.again()?)));
            match retry {
                Some((wait, outcome, next)) => {
                    let wait = policy.jittered(wait, waited);
                    tracing::info!(
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        reason = outcome.reason(),
                        "retrying",
                    );
                    drop(result);
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    request = next;
                }
                None => {
                    if let Some(started) = started {
                        let span = tracing::Span::current();
                        span.record("attempt", attempt);
                        span.record("duration_ms", started.elapsed().as_millis() as u64);
                        if let Ok(response) = &result {
                            span.record("status", response.status().as_u16());
                        }
                    }
                    match &result {
                        Ok(response) => {
                            tracing::info!(
                                status = response.status().as_u16(),
                                attempt,
                                "answered"
                            );
                        }
                        Err(error) => {
                            let reason = attempt_outcome(&result).reason();
                            tracing::info!(attempt, reason, %error, "failed")
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
    fn set_body_limit(&self, response: &mut reqwest::Response) {
        if self.max_response_bytes != DEFAULT_MAX_RESPONSE_BYTES {
            response
                .extensions_mut()
                .insert(BodyLimit(self.max_response_bytes));
        }
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
        // The same classification as the error the caller gets, if this is the last attempt.
        Err(error) => transport_outcome(error),
    }
}

#[cfg(test)]
mod tests {
    use super::{Attempts, Copied, Rebuilt};

    fn request() -> reqwest::Result<reqwest::Request> {
        reqwest::Client::new()
            .post("http://127.0.0.1:9/v1/x")
            .header("accept", "application/json")
            .json(&serde_json::json!({"deployment_id": "d"}))
            .build()
    }

    fn same(a: &reqwest::Request, b: &reqwest::Request) {
        assert_eq!(a.method(), b.method());
        assert_eq!(a.url(), b.url());
        assert_eq!(a.headers(), b.headers());
        assert_eq!(
            a.body().and_then(reqwest::Body::as_bytes),
            b.body().and_then(reqwest::Body::as_bytes)
        );
    }

    #[test]
    fn a_built_request_is_copied_for_each_retry() {
        let mut attempts = Copied::new(request().unwrap());
        let first = attempts.first().unwrap();
        assert!(attempts.prepare_retry(&first));
        let again = attempts.again().expect("a copy");
        same(&first, &again);
        assert!(attempts.again().is_none(), "one copy per prepared attempt");
    }

    #[test]
    fn a_streamed_body_is_not_retried() {
        // A body wrapped as `http_body::Body` is streamed: reqwest cannot copy it.
        let streamed = reqwest::Body::wrap(reqwest::Body::from("{}"));
        let request = reqwest::Client::new()
            .post("http://127.0.0.1:9/v1/x")
            .body(streamed)
            .build()
            .unwrap();
        let mut attempts = Copied::new(request);
        let first = attempts.first().unwrap();
        assert!(!attempts.prepare_retry(&first));
    }

    #[test]
    fn a_recipe_is_rebuilt_for_each_retry() {
        let mut calls = 0;
        {
            let mut attempts = Rebuilt(|| {
                calls += 1;
                request()
            });
            let first = attempts.first().unwrap();
            assert!(attempts.prepare_retry(&first));
            let again = attempts.again().expect("rebuilt");
            same(&first, &again);
        }
        assert_eq!(calls, 2);
    }
}
