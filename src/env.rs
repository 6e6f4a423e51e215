//! Reading the client configuration from environment variables.

use crate::ClientBuilder;

/// Variable holding the API key; the same one Baseten's own tools read.
///
/// ```
/// use baseten_api::{API_KEY_VAR, ClientBuilder};
///
/// assert_eq!(API_KEY_VAR, "BASETEN_API_KEY");
/// let builder = ClientBuilder::from_env_with(|name| (name == API_KEY_VAR).then(|| "k".to_owned()));
/// assert!(builder.build().is_ok());
/// ```
pub const API_KEY_VAR: &str = "BASETEN_API_KEY";

/// Variable that overrides the base URL, e.g. for a proxy or a test server.
///
/// ```
/// use baseten_api::{API_KEY_VAR, API_URL_VAR, ClientBuilder, ClientInfo};
///
/// let client = ClientBuilder::from_env_with(|name| match name {
///     n if n == API_KEY_VAR => Some("k".to_owned()),
///     n if n == API_URL_VAR => Some("http://127.0.0.1:8080".to_owned()),
///     _ => None,
/// })
/// .build()
/// .unwrap();
/// assert_eq!(client.baseurl(), "http://127.0.0.1:8080");
/// ```
pub const API_URL_VAR: &str = "BASETEN_API_URL";

/// Variable that chooses how the key is sent: `Api-Key` (default) or `Bearer`
/// ([`AuthScheme`](crate::AuthScheme)).
///
/// ```
/// use baseten_api::{API_KEY_VAR, AUTH_SCHEME_VAR, ClientBuilder, ConfigError};
///
/// let builder = ClientBuilder::from_env_with(|name| match name {
///     n if n == API_KEY_VAR => Some("k".to_owned()),
///     n if n == AUTH_SCHEME_VAR => Some("Basic".to_owned()),
///     _ => None,
/// });
/// let err = builder.build().unwrap_err();
/// assert!(matches!(err, ConfigError::InvalidAuthScheme(_)));
/// assert_eq!(
///     err.to_string(),
///     "unknown auth scheme `Basic`: use `Api-Key` or `Bearer` (from BASETEN_AUTH_SCHEME)"
/// );
/// ```
pub const AUTH_SCHEME_VAR: &str = "BASETEN_AUTH_SCHEME";

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
