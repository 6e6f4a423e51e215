//! Client configuration: [`ClientBuilder`] and its defaults.

use std::time::Duration;

use crate::auth::{AuthScheme, UnknownAuthScheme};
use crate::client::ClientState;
use crate::decode::DEFAULT_MAX_RESPONSE_BYTES;
use crate::env::{API_KEY_VAR, API_URL_VAR, AUTH_SCHEME_VAR};
use crate::{ApiKey, Client, ConfigError, RetryPolicy};

/// Base URL of Baseten's management API.
///
/// ```
/// use baseten_api::{Client, ClientInfo, DEFAULT_BASE_URL};
///
/// let client = Client::builder().api_key("my-key").build().unwrap();
/// assert_eq!(client.baseurl(), DEFAULT_BASE_URL);
/// ```
pub const DEFAULT_BASE_URL: &str = "https://api.baseten.co";

/// `User-Agent` sent unless [`ClientBuilder::user_agent`] overrides it.
///
/// ```
/// use baseten_api::{Client, ClientInfo, DEFAULT_USER_AGENT};
///
/// assert!(DEFAULT_USER_AGENT.starts_with("baseten-api-rs/"));
/// let client = Client::builder().api_key("my-key").build().unwrap();
/// assert_eq!(client.inner().user_agent(), DEFAULT_USER_AGENT);
/// ```
pub const DEFAULT_USER_AGENT: &str = concat!("baseten-api-rs/", env!("CARGO_PKG_VERSION"));

/// Time allowed to establish a connection, unless overridden.
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(baseten_api::DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
/// ```
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Time allowed for a whole request (connect to end of response body),
/// unless overridden.
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(baseten_api::DEFAULT_REQUEST_TIMEOUT, Duration::from_secs(60));
/// // A deploy job that prefers failing fast:
/// let client = baseten_api::Client::builder()
///     .api_key("my-key")
///     .request_timeout(baseten_api::DEFAULT_REQUEST_TIMEOUT / 4)
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Configures and builds a [`Client`].
///
/// Obtained from [`Client::builder`] (defaults only) or
/// [`ClientBuilder::from_env`] (key and URL from the environment). Nothing is
/// checked until [`build`](Self::build), which reports every problem as a
/// [`ConfigError`] rather than panicking.
///
/// ```
/// use std::time::Duration;
///
/// let client = baseten_api::Client::builder()
///     .api_key("my-key")
///     .request_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    /// `Err` holds a value from `BASETEN_AUTH_SCHEME` that is no scheme, reported by `build`.
    auth_scheme: Result<AuthScheme, UnknownAuthScheme>,
    base_url: String,
    connect_timeout: Duration,
    request_timeout: Duration,
    user_agent: String,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    allow_insecure_http: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// A builder with no API key and the default URL, timeouts and user
    /// agent (the same as [`Client::builder`]).
    ///
    /// ```
    /// use baseten_api::{ClientBuilder, ConfigError};
    ///
    /// let builder = ClientBuilder::new();
    /// // Everything has a default except the key.
    /// assert!(matches!(builder.build(), Err(ConfigError::MissingApiKey)));
    /// ```
    pub fn new() -> Self {
        Self {
            api_key: None,
            auth_scheme: Ok(AuthScheme::default()),
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            http_client: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
        }
    }

    /// How the key is sent: `Authorization: Api-Key <key>` (default) or `Bearer <key>`, which
    /// Baseten's newer specification declares. `from_env` reads `BASETEN_AUTH_SCHEME`.
    ///
    /// ```
    /// use baseten_api::AuthScheme;
    ///
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .auth_scheme(AuthScheme::Bearer)
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn auth_scheme(mut self, scheme: AuthScheme) -> Self {
        self.auth_scheme = Ok(scheme);
        self
    }

    /// Like [`auth_scheme`](Self::auth_scheme), from text such as an environment variable's;
    /// a value that is no scheme is reported by [`build`](Self::build).
    pub(crate) fn auth_scheme_text(mut self, text: &str) -> Self {
        self.auth_scheme = text.parse();
        self
    }

    /// The API key, sent as `Authorization: Api-Key <key>` (or `Bearer <key>`, see
    /// [`auth_scheme`](Self::auth_scheme)). Required.
    ///
    /// ```
    /// # fn key_from_vault() -> String { "my-key".into() }
    /// let client = baseten_api::Client::builder()
    ///     .api_key(key_from_vault()) // a String, a &str or an ApiKey
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API's base URL (scheme, host, optional port and path prefix);
    /// default [`DEFAULT_BASE_URL`]. A trailing `/` is ignored.
    ///
    /// ```
    /// use baseten_api::ClientInfo;
    ///
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .base_url("https://baseten-proxy.internal.example/api/")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.baseurl(), "https://baseten-proxy.internal.example/api");
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time allowed to connect; default [`DEFAULT_CONNECT_TIMEOUT`].
    /// Ignored when [`http_client`](Self::http_client) is used.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .connect_timeout(Duration::from_secs(3))
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request; default [`DEFAULT_REQUEST_TIMEOUT`].
    /// Ignored when [`http_client`](Self::http_client) is used.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .request_timeout(Duration::from_secs(20))
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The `User-Agent` header; default [`DEFAULT_USER_AGENT`]. It is set on
    /// every request, so it also applies with [`http_client`](Self::http_client).
    ///
    /// ```
    /// use baseten_api::{ClientInfo, ConfigError};
    ///
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .user_agent("deployer/2.1")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.inner().user_agent(), "deployer/2.1");
    ///
    /// // Not a valid header value: an error, never a panic.
    /// let bad = baseten_api::Client::builder().api_key("k").user_agent("a\nb").build();
    /// assert!(matches!(bad, Err(ConfigError::InvalidUserAgent { .. })));
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests through the caller's own `reqwest::Client` (proxies,
    /// TLS roots, connection pool, ...). Its timeouts apply instead of
    /// [`connect_timeout`](Self::connect_timeout) and
    /// [`request_timeout`](Self::request_timeout). Authentication and user
    /// agent are still added to every request.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let http = baseten_api::reqwest::Client::builder()
    ///     .timeout(Duration::from_secs(30))
    ///     .pool_idle_timeout(Duration::from_secs(15))
    ///     .build()
    ///     .unwrap();
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .http_client(http)
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// When to send a request again; default [`RetryPolicy::default`] (rate limits and
    /// connection failures only). [`RetryPolicy::disabled`] turns retries off.
    ///
    /// ```
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .retry_policy(baseten_api::RetryPolicy::disabled())
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest successful response body decoded (default 16 MiB); a larger one is a
    /// decode error, so a runaway response cannot exhaust memory.
    ///
    /// ```
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .max_response_bytes(1024 * 1024)
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Allows a plain `http://` base URL to a host other than this machine. Off by default,
    /// because the API key would cross the network in clear text; loopback URLs
    /// (`127.0.0.1`, `[::1]`, `localhost`) are always allowed, for local test servers.
    ///
    /// ```
    /// use baseten_api::{Client, ConfigError};
    ///
    /// let refused = Client::builder().api_key("k").base_url("http://10.0.0.5:8080").build();
    /// assert!(matches!(refused, Err(ConfigError::InsecureBaseUrl { .. })));
    ///
    /// // A proxy on a trusted network, knowingly:
    /// let client = Client::builder()
    ///     .api_key("k")
    ///     .base_url("http://10.0.0.5:8080")
    ///     .allow_insecure_http(true)
    ///     .build();
    /// assert!(client.is_ok());
    /// // Loopback never needs it:
    /// assert!(Client::builder().api_key("k").base_url("http://127.0.0.1:9000").build().is_ok());
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Validates the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] if the key is missing or not a valid header value, the
    /// base URL is not an absolute `http`/`https` URL, the user agent is not a
    /// valid header value, or reqwest cannot build its client.
    ///
    /// ```
    /// use baseten_api::{Client, ConfigError};
    ///
    /// match Client::builder().api_key("my-key").base_url("not a url").build() {
    ///     Err(ConfigError::InvalidBaseUrl { url, reason }) => println!("{url}: {reason}"),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn build(self) -> Result<Client, ConfigError> {
        let api_key = self
            .api_key
            .filter(|key| !key.is_blank())
            .ok_or(ConfigError::MissingApiKey)?;
        let auth_scheme = self.auth_scheme.map_err(ConfigError::InvalidAuthScheme)?;
        let base_url = parse_base_url(&self.base_url)?;
        if !self.allow_insecure_http && sends_key_in_clear(&base_url) {
            return Err(ConfigError::InsecureBaseUrl {
                url: base_url_text(&base_url).to_owned(),
            });
        }
        let state = ClientState::new(
            &api_key,
            auth_scheme,
            &self.user_agent,
            self.retry,
            self.max_response_bytes,
        )?;

        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.request_timeout)
                .build()
                .map_err(ConfigError::HttpClient)?,
        };

        Ok(Client::new_with_client(
            base_url_text(&base_url),
            http,
            state,
        ))
    }
}

/// Parses and checks the base URL, once; [`base_url_text`] gives the form the generated code
/// appends paths to.
fn parse_base_url(raw: &str) -> Result<reqwest::Url, ConfigError> {
    let invalid = |url: &str, reason: String| ConfigError::InvalidBaseUrl {
        url: url.to_owned(),
        reason,
    };

    // `localhost:8080` parses as the scheme `localhost`, and `127.0.0.1:8080` not at all: both
    // are a host and port without a scheme, and the fix is the same.
    if !raw.contains("://") {
        let trimmed = raw.trim();
        let local = ["localhost", "127.", "[::1]"]
            .iter()
            .any(|prefix| trimmed.starts_with(prefix));
        let suggestion = if local {
            format!("http://{trimmed}")
        } else {
            format!("https://{trimmed}")
        };
        return Err(invalid(
            raw,
            format!("the scheme is missing: use {suggestion}"),
        ));
    }

    let mut url = reqwest::Url::parse(raw).map_err(|e| invalid(raw, e.to_string()))?;

    if !url.username().is_empty() || url.password().is_some() {
        // Never echo credentials back in an error message.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        return Err(invalid(
            url.as_str(),
            "credentials in the URL are not supported (the API key is sent in the Authorization header)".into(),
        ));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            raw,
            format!("the scheme must be http or https, not `{}`", url.scheme()),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(raw, "it must not have a query or fragment".into()));
    }
    Ok(url)
}

/// The generated methods append `/v1/...` to the base URL with `format!`, so it must not end in
/// `/` (or paths get `//`); [`parse_base_url`] has refused a query or fragment.
fn base_url_text(url: &reqwest::Url) -> &str {
    url.as_str().trim_end_matches('/')
}

/// Is this an `http://` URL to a host that is not this machine?
fn sends_key_in_clear(url: &reqwest::Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.scheme() == "http" && !loopback
}

impl Client {
    /// A [`ClientBuilder`] with default settings and no API key.
    ///
    /// ```
    /// let client = baseten_api::Client::builder().api_key("my-key").build().unwrap();
    /// # let _ = client;
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `BASETEN_API_KEY` (required) and
    /// `BASETEN_API_URL` (optional, default
    /// [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL)).
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingApiKey`] (naming `BASETEN_API_KEY`) if the key is
    /// unset or empty, or any other error of [`ClientBuilder::build`].
    ///
    /// ```no_run
    /// # fn main() -> Result<(), baseten_api::ConfigError> {
    /// // BASETEN_API_KEY=... [BASETEN_API_URL=...] your-program
    /// let client = baseten_api::Client::from_env()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientBuilder::from_env().build()
    }
}

impl ClientBuilder {
    /// A builder configured from the process environment: the key from
    /// `BASETEN_API_KEY`, the base URL from `BASETEN_API_URL` if set (else
    /// [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL)), and the auth scheme from
    /// `BASETEN_AUTH_SCHEME` if set (else `Api-Key`).
    ///
    /// Nothing is validated yet; a missing key is reported by
    /// [`build`](Self::build). Variables that are not valid Unicode count as
    /// unset.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// // Key and URL from the environment, the rest in code.
    /// let client = baseten_api::ClientBuilder::from_env()
    ///     .request_timeout(Duration::from_secs(30))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), baseten_api::ConfigError>(())
    /// ```
    pub fn from_env() -> Self {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), but reads variables through
    /// `lookup` instead of the process environment.
    ///
    /// This keeps tests (which run in parallel) from mutating global state,
    /// and lets callers source the values from elsewhere.
    ///
    /// ```
    /// let client = baseten_api::ClientBuilder::from_env_with(|name| match name {
    ///     "BASETEN_API_KEY" => Some("my-key".to_owned()),
    ///     _ => None,
    /// })
    /// .build()
    /// .unwrap();
    /// # let _ = client;
    /// ```
    pub fn from_env_with(mut lookup: impl FnMut(&str) -> Option<String>) -> Self {
        // An exported but empty variable is treated as unset, as shells make
        // `BASETEN_API_URL=` an easy way to "unset" a value.
        let mut read = |name| lookup(name).filter(|v: &String| !v.trim().is_empty());

        let mut builder = Self::new();
        if let Some(key) = read(API_KEY_VAR) {
            builder = builder.api_key(key);
        }
        if let Some(url) = read(API_URL_VAR) {
            builder = builder.base_url(url);
        }
        if let Some(scheme) = read(AUTH_SCHEME_VAR) {
            builder = builder.auth_scheme_text(&scheme);
        }
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::{base_url_text, parse_base_url, sends_key_in_clear};

    fn normalized(raw: &str) -> String {
        base_url_text(&parse_base_url(raw).unwrap()).to_owned()
    }

    fn reason(raw: &str) -> String {
        match parse_base_url(raw) {
            Err(crate::ConfigError::InvalidBaseUrl { reason, .. }) => reason,
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn only_plain_http_to_another_host_sends_the_key_in_clear() {
        let clear = |raw| sends_key_in_clear(&parse_base_url(raw).unwrap());
        assert!(clear("http://api.baseten.co"));
        assert!(clear("http://10.0.0.5:8080"));
        assert!(!clear("https://api.baseten.co"));
        assert!(!clear("http://127.0.0.1:8080"));
        assert!(!clear("http://[::1]:8080"));
        assert!(!clear("http://localhost:8080"));
    }

    #[test]
    fn trailing_slashes_are_trimmed_and_prefixes_kept() {
        assert_eq!(
            normalized("https://api.baseten.co"),
            "https://api.baseten.co"
        );
        assert_eq!(
            normalized("https://api.baseten.co/"),
            "https://api.baseten.co"
        );
        assert_eq!(
            normalized("http://127.0.0.1:8080/prefix//"),
            "http://127.0.0.1:8080/prefix"
        );
    }

    #[test]
    fn a_host_and_port_without_scheme_says_which_url_to_use() {
        assert_eq!(
            reason("127.0.0.1:8080"),
            "the scheme is missing: use http://127.0.0.1:8080"
        );
        assert_eq!(
            reason("localhost:8080"),
            "the scheme is missing: use http://localhost:8080"
        );
        assert_eq!(
            reason("api.baseten.co"),
            "the scheme is missing: use https://api.baseten.co"
        );
    }

    #[test]
    fn credentials_are_rejected_without_being_echoed() {
        let err = parse_base_url("https://user:hunter2@example.com").unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("credentials"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("user"), "{shown}");
    }

    #[test]
    fn non_http_schemes_queries_and_fragments_are_rejected() {
        assert_eq!(
            reason("ftp://example.com"),
            "the scheme must be http or https, not `ftp`"
        );
        for bad in ["https://example.com/?a=b", "https://example.com/#x"] {
            assert!(parse_base_url(bad).is_err(), "{bad} was accepted");
        }
    }
}
