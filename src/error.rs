//! The crate's errors: [`Error`] for requests, [`ConfigError`] for building a client.
//!
//! Every generated operation returns [`Error`] (build.rs rewrites progenitor's own error type
//! to this one), so a caller matches on one type whatever the operation. No variant's `Display`
//! or `Debug` contains the API key: it lives only in a sensitive header value.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::env::API_KEY_VAR;
use crate::retry::AttemptOutcome;

/// Why a request failed.
///
/// ```
/// # async fn run(client: baseten_api::Client) {
/// use baseten_api::Error;
///
/// let result = client
///     .force_roll_forward_promotion()
///     .model_id("abc123")
///     .env_name("production")
///     .send()
///     .await;
/// match result {
///     Ok(answer) => println!("signalled: {}", answer.into_inner().success),
///     Err(Error::Api(api)) if api.code.as_deref() == Some("VALIDATION_ERROR") => {
///         println!("nothing to roll forward: {}", api.message.unwrap_or_default())
///     }
///     Err(err) if err.is_rate_limited() => println!("slow down; retry in {:?}", err.retry_after()),
///     Err(Error::Timeout { .. }) => println!("no answer in time; the promotion may still happen"),
///     Err(err) => println!("failed: {err}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Rejected before anything was sent: a path parameter that is empty, `.`, `..` or blank,
    /// a required parameter that was not set, or a body that could not be built.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// No connection could be made (refused, DNS, no answer within the connect timeout, TLS
    /// handshake). The request was not sent.
    ///
    /// A connection that was refused, failed to resolve or timed out is retried
    /// ([`RetryPolicy`](crate::RetryPolicy)); this error comes after the last attempt. An
    /// `https://` URL to a server that does not speak TLS is not retried: it will not heal.
    #[error("{}", connect_message(url, *attempts, source))]
    Connect {
        /// The transport error.
        source: reqwest::Error,
        /// Where the client tried to connect: scheme, host and port of the base URL.
        url: String,
        /// How many connections were tried.
        attempts: u32,
    },

    /// No complete answer within the client's timeout. The request may have been executed.
    #[error("the Baseten API did not answer in time: {}", root_cause(source))]
    Timeout {
        /// The transport error.
        source: reqwest::Error,
    },

    /// The connection broke after the request was sent (reset, closed before or during the
    /// response). The request may have been executed.
    #[error("the connection to the Baseten API was lost: {}", root_cause(source))]
    ConnectionLost {
        /// The transport error.
        source: reqwest::Error,
    },

    /// The API answered with an error status (after any automatic retries).
    #[error(transparent)]
    Api(Box<ApiError>),

    /// A successful response could not be decoded into the operation's type.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// Another failure of the HTTP stack.
    #[error("HTTP error talking to the Baseten API: {}", root_cause(source))]
    Http {
        /// The transport error.
        source: reqwest::Error,
    },
}

impl Error {
    /// The HTTP status of an API error response.
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) {
    /// let result = client
    ///     .force_roll_forward_promotion()
    ///     .model_id("abc123")
    ///     .env_name("production")
    ///     .send()
    ///     .await;
    /// if let Err(err) = result {
    ///     match err.status() {
    ///         Some(status) if status.is_server_error() => println!("Baseten had a problem: {err}"),
    ///         Some(status) => println!("answered {status}: {err}"),
    ///         None => println!("no answer: {err}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Decode(decode) => Some(decode.status),
            _ => None,
        }
    }

    /// Baseten's error `code` (such as `VALIDATION_ERROR`), when the body carried one.
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) {
    /// let result = client
    ///     .force_roll_forward_promotion()
    ///     .model_id("abc123")
    ///     .env_name("production")
    ///     .send()
    ///     .await;
    /// if let Err(err) = result {
    ///     if err.code() == Some("VALIDATION_ERROR") {
    ///         println!("no rolling promotion to force forward");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api(api) => api.code.as_deref(),
            _ => None,
        }
    }

    /// Whether the API answered 404 (unknown model, environment or deployment; brand-new
    /// deployments can answer 404 for a few seconds).
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) {
    /// let result = client
    ///     .promote_model_to_environment()
    ///     .model_id("abc123")
    ///     .env_name("staging")
    ///     .body(baseten_api::types::PromoteToEnvironmentRequestV1::builder().deployment_id("def456"))
    ///     .send()
    ///     .await;
    /// if let Err(err) = &result
    ///     && err.is_not_found()
    /// {
    ///     // A deployment created seconds ago may not be visible yet: wait, then try once more.
    ///     tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    /// }
    /// # }
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the API answered 429 (still rate limited after the automatic retries).
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) {
    /// let result = client
    ///     .force_roll_forward_promotion()
    ///     .model_id("abc123")
    ///     .env_name("production")
    ///     .send()
    ///     .await;
    /// if let Err(err) = result
    ///     && err.is_rate_limited()
    /// {
    ///     println!("still rate limited; the API asks to wait {:?}", err.retry_after());
    /// }
    /// # }
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether the API rejected the credentials (401 or 403).
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) {
    /// let result = client
    ///     .force_roll_forward_promotion()
    ///     .model_id("abc123")
    ///     .env_name("production")
    ///     .send()
    ///     .await;
    /// if let Err(err) = result
    ///     && err.is_unauthorized()
    /// {
    ///     eprintln!("check BASETEN_API_KEY: {err}");
    /// }
    /// # }
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// Whether the request timed out.
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) {
    /// let result = client
    ///     .force_roll_forward_promotion()
    ///     .model_id("abc123")
    ///     .env_name("production")
    ///     .send()
    ///     .await;
    /// if let Err(err) = result
    ///     && err.is_timeout()
    /// {
    ///     // The signal may have been received: look before sending it again.
    ///     eprintln!("outcome unknown: {err}");
    /// }
    /// # }
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// How long the API asked to wait before trying again (rate limits).
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) {
    /// let result = client
    ///     .force_roll_forward_promotion()
    ///     .model_id("abc123")
    ///     .env_name("production")
    ///     .send()
    ///     .await;
    /// if let Err(err) = result
    ///     && let Some(wait) = err.retry_after()
    /// {
    ///     tokio::time::sleep(wait).await;
    /// }
    /// # }
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// The request id the API answered with, for Baseten support.
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) {
    /// let result = client
    ///     .force_roll_forward_promotion()
    ///     .model_id("abc123")
    ///     .env_name("production")
    ///     .send()
    ///     .await;
    /// if let Err(err) = result {
    ///     eprintln!("{err} (request id: {})", err.request_id().unwrap_or("none"));
    /// }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(api) => api.request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the request certainly was not executed by the server, so sending it again
    /// cannot repeat its effect: it was rejected before sending, could not connect, or was
    /// refused by the rate limiter.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = baseten_api::Client::builder().api_key("my-key").build().unwrap();
    /// // `..` cannot be a path segment: refused before anything is sent.
    /// let err = client
    ///     .force_roll_forward_promotion()
    ///     .model_id("..")
    ///     .env_name("production")
    ///     .send()
    ///     .await
    ///     .unwrap_err();
    /// assert!(matches!(err, baseten_api::Error::InvalidRequest(_)));
    /// assert!(err.is_safe_to_retry());
    /// assert_eq!(err.status(), None);
    /// # }
    /// ```
    pub fn is_safe_to_retry(&self) -> bool {
        matches!(self, Self::InvalidRequest(_) | Self::Connect { .. }) || self.is_rate_limited()
    }

    /// Classifies a transport error from reqwest, after one attempt.
    pub(crate) fn from_transport(source: reqwest::Error) -> Self {
        Self::from_transport_after(source, 1)
    }

    /// Classifies a transport error from reqwest, the last of `attempts`, as
    /// [`transport_outcome`] does for the retry decision.
    pub(crate) fn from_transport_after(source: reqwest::Error, attempts: u32) -> Self {
        match transport_outcome(&source) {
            AttemptOutcome::ConnectFailed | AttemptOutcome::NotTls => {
                let url = source
                    .url()
                    .map(|url| url.origin().ascii_serialization())
                    .unwrap_or_else(|| "the Baseten API".into());
                Self::Connect {
                    source,
                    url,
                    attempts,
                }
            }
            AttemptOutcome::TimedOut => Self::Timeout { source },
            AttemptOutcome::ConnectionLost => Self::ConnectionLost { source },
            AttemptOutcome::Status { .. } | AttemptOutcome::Other => Self::Http { source },
        }
    }
}

/// What a transport error from reqwest says happened to the request. This one classification
/// decides both whether an attempt is retried (`crate::client`) and which [`Error`] the caller
/// gets ([`Error::from_transport_after`]), so the two cannot disagree.
///
/// A connection that was never made comes first: a connect that timed out (reqwest says both
/// `is_connect` and `is_timeout`) sent nothing, so it is a connect failure, safe to retry, and
/// not a timeout after which the request may have been executed.
pub(crate) fn transport_outcome(error: &reqwest::Error) -> AttemptOutcome {
    if is_tls_to_plain_http(error) {
        AttemptOutcome::NotTls
    } else if error.is_connect() {
        AttemptOutcome::ConnectFailed
    } else if error.is_timeout() {
        AttemptOutcome::TimedOut
    } else if error.is_request() || error.is_body() || error.is_decode() {
        AttemptOutcome::ConnectionLost
    } else {
        AttemptOutcome::Other
    }
}

impl From<reqwest::Error> for Error {
    fn from(source: reqwest::Error) -> Self {
        Self::from_transport(source)
    }
}

/// Whether a connection failed because the server answered a TLS handshake with something
/// that is not TLS: an `https://` URL to a plain-HTTP server. rustls says "received corrupt
/// message of type InvalidContentType", OpenSSL "wrong version number"; neither exposes a type
/// through reqwest, so the words are matched.
fn is_tls_to_plain_http(error: &reqwest::Error) -> bool {
    let cause = root_cause(error);
    cause.contains("InvalidContentType") || cause.contains("wrong version number")
}

fn connect_message(url: &str, attempts: u32, source: &reqwest::Error) -> String {
    let cause = root_cause(source);
    if is_tls_to_plain_http(source) {
        let plain = url.replacen("https://", "http://", 1);
        return format!(
            "cannot connect to the Baseten API at {url}: the server does not speak TLS ({cause}); \
             if it is a plain-HTTP server such as a local mock, use {plain}"
        );
    }
    let tries = if attempts == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{attempts} attempts")
    };
    if source.is_timeout() {
        return format!(
            "cannot connect to the Baseten API at {url} ({tries}): no connection within the \
             connect timeout ({cause}); nothing was sent. Check the URL, and that this machine \
             can reach that host and port (a firewall or proxy may be dropping the connection)"
        );
    }
    format!("cannot connect to the Baseten API at {url} ({tries}): {cause}; nothing was sent")
}

/// The innermost cause of an error chain, which is what says what happened
/// ("Connection refused (os error 111)"), rather than reqwest's "error sending request".
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// An error response of the API.
///
/// ```no_run
/// # async fn run(client: baseten_api::Client) {
/// use baseten_api::Error;
///
/// let result = client
///     .promote_development_to_production()
///     .model_id("abc123")
///     .body(baseten_api::types::PromoteRequestV1::default())
///     .send()
///     .await;
/// if let Err(Error::Api(api)) = result {
///     eprintln!("{} {:?}: {:?}", api.status, api.code, api.message);
///     if api.code.is_none() {
///         // Not Baseten's JSON (a proxy's HTML page, say): show what came back.
///         eprintln!("{}{}", api.body, if api.body_truncated { "…" } else { "" });
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Baseten's error code, from a `{"code": …, "message": …}` body.
    pub code: Option<String>,
    /// Baseten's message, from `message` (or `error`, in rate-limit bodies).
    pub message: Option<String>,
    /// How long to wait before retrying, at most a day: the body's `retry_after` (seconds, as
    /// a number or a numeric string such as `"37.5"`) or, when the body gives none that is a
    /// wait, a `Retry-After` header (seconds, or an HTTP date: the time until then, zero for a
    /// date already past). The body wins when both say something: it is Baseten's own answer,
    /// the header may be a proxy's.
    pub retry_after: Option<Duration>,
    /// A request id header (`x-request-id` and similar), when present.
    pub request_id: Option<String>,
    /// The start of the body (at most [`ApiError::BODY_LIMIT`] bytes, lossily decoded), for
    /// bodies that are not Baseten's JSON, such as a proxy's HTML 502 page.
    pub body: String,
    /// Whether `body` was cut at the limit.
    pub body_truncated: bool,
}

impl ApiError {
    /// How much of an error body is kept.
    ///
    /// ```
    /// assert_eq!(baseten_api::ApiError::BODY_LIMIT, 8 * 1024);
    /// ```
    pub const BODY_LIMIT: usize = 8 * 1024;
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            write!(
                f,
                "the Baseten API rate limit was exceeded ({})",
                self.status
            )?;
        } else {
            write!(f, "the Baseten API answered {}", self.status)?;
        }
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, ": {code}: {message}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (Some(code), None) => write!(f, ": {code}")?,
            (None, None) if !self.body.trim().is_empty() => write!(
                f,
                " with a body that is not Baseten's JSON error: {}",
                excerpt(&self.body, 120)
            )?,
            (None, None) => {}
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {} s)", wait.as_secs())?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A successful response whose body is not what the operation returns.
///
/// ```no_run
/// # async fn run(client: baseten_api::Client) {
/// let result = client
///     .promote_chain_to_environment()
///     .chain_id("chain42")
///     .env_name("production")
///     .body(baseten_api::types::PromoteToChainEnvironmentRequestV1::builder().deployment_id("cd7"))
///     .send()
///     .await;
/// if let Err(baseten_api::Error::Decode(decode)) = result {
///     // e.g. `chainlets[3].active_replica_count`: invalid type: string "2", expected i64
///     eprintln!("`{}`: {}", decode.path, decode.message);
///     eprintln!("body starts with: {}", decode.excerpt);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The JSON path of the value that failed (`chainlets[0].status`), `.` for the document.
    pub path: String,
    /// What was wrong there.
    pub message: String,
    /// The response's content type, if any.
    pub content_type: Option<String>,
    /// The start of the body (at most 256 characters).
    pub excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot decode the Baseten API's {} response",
            self.status
        )?;
        if self.path != "." {
            write!(f, " at `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DecodeError {}

/// The first `max` characters of `text` on one line, for messages.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// Why a [`Client`](crate::Client) could not be built.
///
/// ```
/// use baseten_api::{Client, ConfigError};
///
/// let err = Client::builder().api_key("s3cr3t\nkey").build().unwrap_err();
/// assert!(matches!(err, ConfigError::InvalidApiKey(_)));
/// // The message says what is wrong, never what the key is.
/// assert!(!format!("{err} {err:?}").contains("s3cr3t"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key was given, or it was empty.
    #[error(
        "no Baseten API key: set the {API_KEY_VAR} environment variable or call ClientBuilder::api_key"
    )]
    MissingApiKey,

    /// The API key cannot be sent in an HTTP header, e.g. because it
    /// contains a newline. The key itself is deliberately not included.
    #[error(
        "the Baseten API key is not a valid HTTP header value (does it contain a newline or another control character?)"
    )]
    InvalidApiKey(#[source] reqwest::header::InvalidHeaderValue),

    /// The base URL is not an absolute `http`/`https` URL that request paths
    /// can be appended to.
    #[error("invalid Baseten API base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL as given (with any embedded credentials removed).
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A plain `http://` URL to a host that is not this machine: the API key would cross the
    /// network in clear. Allow it with
    /// [`ClientBuilder::allow_insecure_http`](crate::ClientBuilder::allow_insecure_http).
    #[error(
        "refusing to send the API key in clear text to `{url}`: use https, or call ClientBuilder::allow_insecure_http(true)"
    )]
    InsecureBaseUrl {
        /// The URL as given.
        url: String,
    },

    /// The user agent cannot be sent in an HTTP header.
    #[error("invalid user agent `{user_agent}`: not a valid HTTP header value")]
    InvalidUserAgent {
        /// The user agent as given.
        user_agent: String,
        /// The underlying header error.
        #[source]
        source: reqwest::header::InvalidHeaderValue,
    },

    /// `BASETEN_AUTH_SCHEME` is neither `Api-Key` nor `Bearer`.
    #[error("{0} (from BASETEN_AUTH_SCHEME)")]
    InvalidAuthScheme(#[source] crate::auth::UnknownAuthScheme),

    /// reqwest could not build its client (e.g. the TLS backend failed to
    /// initialise).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}
