//! The API key as a secret value.

use std::fmt;

/// A Baseten API key.
///
/// A newtype so the key cannot end up in logs by accident: its `Debug`
/// output is `ApiKey(<redacted>)` and it has no `Display`. The only way to
/// read the key back is a crate-internal accessor, used once to
/// build the `Authorization` header.
///
/// ```
/// use baseten_api::ApiKey;
///
/// let key = ApiKey::new("s3cr3t-key");
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// // `&str` and `String` convert too: `.api_key("...")` takes any `impl Into<ApiKey>`.
/// assert_eq!(ApiKey::from("s3cr3t-key"), key);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key, e.g. one read from a secret store.
    ///
    /// ```
    /// # fn read_secret() -> String { "from-the-vault".into() }
    /// let key = baseten_api::ApiKey::new(read_secret());
    /// let client = baseten_api::Client::builder().api_key(key).build().unwrap();
    /// # let _ = client;
    /// ```
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself. Crate-internal on purpose: callers hand keys in, never
    /// get them back out.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the key is empty or only whitespace, i.e. not a key at all
    /// (an exported-but-blank `BASETEN_API_KEY` is the usual cause).
    pub(crate) fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self(key.to_owned())
    }
}
