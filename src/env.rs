//! The environment variables the client reads (`ClientBuilder::from_env`, in `config.rs`).

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
