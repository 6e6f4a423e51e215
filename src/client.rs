//! Authentication and user agent for the generated [`Client`], via
//! progenitor's hooks.
//!
//! The headers are added per request by a `pre` hook rather than as
//! `reqwest` default headers, so they are also sent when the caller supplies
//! their own `reqwest::Client`.

use std::fmt;

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::{ApiKey, Client, ClientBuilder, ConfigError};

/// progenitor adds `api-version: <info.version>` to every request (a Dropshot
/// convention). Baseten documents no such header, so the hook removes it:
/// requests carry only auth, accept, content type and user agent.
const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// Per-client state the request hook needs: the prepared header values.
///
/// It is the generated client's "inner type"; you get one only through
/// [`ClientBuilder::build`]. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct ClientState {
    /// `Api-Key <key>`, marked sensitive so `http`/`reqwest` don't print it.
    authorization: HeaderValue,
    user_agent: HeaderValue,
}

impl ClientState {
    /// Prepares the header values once, so a bad key or user agent is a
    /// build-time [`ConfigError`] instead of a per-request failure.
    pub(crate) fn new(api_key: &ApiKey, user_agent: &str) -> Result<Self, ConfigError> {
        let mut authorization = HeaderValue::from_str(&format!("Api-Key {}", api_key.expose()))
            .map_err(ConfigError::InvalidApiKey)?;
        authorization.set_sensitive(true);

        let user_agent =
            HeaderValue::from_str(user_agent).map_err(|source| ConfigError::InvalidUserAgent {
                user_agent: user_agent.to_owned(),
                source,
            })?;

        Ok(Self {
            authorization,
            user_agent,
        })
    }

    /// The `User-Agent` value sent with every request.
    pub fn user_agent(&self) -> &HeaderValue {
        &self.user_agent
    }

    /// Sets this client's headers on an outgoing request, replacing any the
    /// caller's `reqwest::Client` would have added.
    fn apply(&self, headers: &mut HeaderMap) {
        headers.remove(PROGENITOR_API_VERSION);
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field("authorization", &format_args!("Api-Key <redacted>"))
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

// Required by `HooksMode::Expected` in build.rs: without this impl the
// generated code does not compile, so requests can never go out unsigned.
impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        self.inner.apply(request.headers_mut());
        Ok(())
    }
}

impl Client {
    /// A [`ClientBuilder`] with default settings and no API key.
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
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientBuilder::from_env().build()
    }
}
