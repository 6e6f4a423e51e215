//! Errors from configuring a [`Client`](crate::Client).
//!
//! Request-time errors are progenitor's [`Error`](crate::Error); these are the
//! ones [`ClientBuilder::build`](crate::ClientBuilder::build) reports before
//! any request is made. None of them carries the API key.

use crate::env::API_KEY_VAR;

/// Why a [`Client`](crate::Client) could not be built.
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

    /// The user agent cannot be sent in an HTTP header.
    #[error("invalid user agent `{user_agent}`: not a valid HTTP header value")]
    InvalidUserAgent {
        /// The user agent as given.
        user_agent: String,
        /// The underlying header error.
        #[source]
        source: reqwest::header::InvalidHeaderValue,
    },

    /// reqwest could not build its client (e.g. the TLS backend failed to
    /// initialise).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}
