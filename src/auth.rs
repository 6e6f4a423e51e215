//! How the API key is presented: `Authorization: Api-Key <key>` or `Authorization: Bearer <key>`.

use std::fmt;
use std::str::FromStr;

/// The `Authorization` scheme the key is sent with.
///
/// The documents this crate is generated from declare `Api-Key` (the default); Baseten's newer
/// specification declares `Bearer` and still accepts `Api-Key`. Choose with
/// [`ClientBuilder::auth_scheme`](crate::ClientBuilder::auth_scheme) or `BASETEN_AUTH_SCHEME`.
///
/// ```
/// use baseten_api::AuthScheme;
///
/// assert_eq!(AuthScheme::default(), AuthScheme::ApiKey);
/// assert_eq!("bearer".parse::<AuthScheme>(), Ok(AuthScheme::Bearer));
/// assert_eq!("Api-Key".parse::<AuthScheme>(), Ok(AuthScheme::ApiKey));
/// assert_eq!(AuthScheme::Bearer.to_string(), "Bearer");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `Authorization: Api-Key <key>`.
    #[default]
    ApiKey,
    /// `Authorization: Bearer <key>`.
    Bearer,
}

impl AuthScheme {
    /// The word before the key in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "Api-Key",
            Self::Bearer => "Bearer",
        }
    }
}

impl fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value was neither `Api-Key` nor `Bearer` (case-insensitive; `api_key` and `apikey` are
/// accepted too).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown auth scheme `{0}`: use `Api-Key` or `Bearer`")]
pub struct UnknownAuthScheme(pub String);

impl FromStr for AuthScheme {
    type Err = UnknownAuthScheme;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "api-key" | "api_key" | "apikey" => Ok(Self::ApiKey),
            "bearer" => Ok(Self::Bearer),
            _ => Err(UnknownAuthScheme(value.to_owned())),
        }
    }
}
