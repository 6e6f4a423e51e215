//! Typed client for the [Baseten] management API: promoting model and chain
//! deployments to environments, promoting a development deployment to
//! production, watching, pausing, resuming, canceling or forcing a rolling
//! promotion, and waiting until it has finished ([`wait`]).
//!
//! The client and its types are generated at build time by [progenitor] from
//! `openapi/baseten-3.0.json`; this crate adds configuration
//! ([`ClientBuilder`], [`Client::from_env`]), authentication, one [`Error`] type for every
//! operation, automatic retries of what is safe to retry ([`RetryPolicy`]), bounded reading of
//! responses, and forward compatibility (unknown enum values and fields decode).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use baseten_api::{Client, types};
//!
//! // BASETEN_API_KEY is required; BASETEN_API_URL optionally overrides the URL.
//! let client = Client::from_env()?;
//!
//! let deployment = client
//!     .promote_model_to_environment()
//!     .model_id("abc123")
//!     .env_name("production")
//!     // Unset fields get the API's documented defaults (`true` for the flags).
//!     .body(types::PromoteToEnvironmentRequestV1::builder().deployment_id("def456"))
//!     .send()
//!     .await?
//!     .into_inner();
//! println!("{} is {}", deployment.id, deployment.status);
//! # Ok(())
//! # }
//! ```
//!
//! # TLS
//!
//! The `rustls` feature (default) or `native-tls` feature selects reqwest's
//! TLS backend. With neither, only `http://` base URLs work unless you pass
//! your own TLS-enabled `reqwest::Client` to [`ClientBuilder::http_client`].
//!
//! [Baseten]: https://docs.baseten.co/reference/management-api
//! [progenitor]: https://github.com/oxidecomputer/progenitor

// Every public item of the hand-written layer is documented; the generated module opts out in
// `src/generated.rs` (progenitor does not document every item it generates).
#![deny(missing_docs)]

mod api_key;
mod auth;
mod client;
mod config;
mod decode;
mod env;
mod error;
mod generated;
pub mod guard;
mod operations;
mod path;
mod response;
mod retry;
mod runtime;
pub mod wait;

pub use api_key::ApiKey;
pub use auth::{AuthScheme, UnknownAuthScheme};
pub use client::ClientState;
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_USER_AGENT,
};
pub use decode::decode_body;
pub use env::{API_KEY_VAR, API_URL_VAR, AUTH_SCHEME_VAR};
pub use error::{ApiError, ConfigError, DecodeError, Error};
pub use retry::{AttemptOutcome, RetryPolicy};

/// Request builders returned by the [`Client`] operation methods
/// (`client.promote_model_to_environment()` returns
/// [`builder::PromoteModelToEnvironment`], and so on).
///
/// ```no_run
/// # async fn run(client: baseten_api::Client) -> Result<(), baseten_api::Error> {
/// // A builder can be kept, passed around and sent later.
/// let request: baseten_api::builder::ForceRollForwardPromotion<'_> = client
///     .force_roll_forward_promotion()
///     .model_id("abc123")
///     .env_name("production");
/// let signal = request.send().await?;
/// assert!(signal.success);
/// # Ok(())
/// # }
/// ```
pub use generated::builder;
/// Schema types of the API: request bodies, responses and their builders.
///
/// ```
/// use baseten_api::types::{DeploymentStatusV1, PromoteRequestV1, PromoteToEnvironmentRequestV1};
///
/// // Request bodies: a struct literal, or a builder that fills in the documented defaults.
/// let body = PromoteRequestV1 { scale_down_previous_production: false, ..Default::default() };
/// assert!(body.preserve_env_instance_type);
/// let body: PromoteToEnvironmentRequestV1 =
///     PromoteToEnvironmentRequestV1::builder().deployment_id("def456").try_into().unwrap();
/// assert!(body.scale_down_previous_deployment);
///
/// // Enumerations keep values this version does not know.
/// let status: DeploymentStatusV1 = serde_json::from_str(r#""HIBERNATING""#).unwrap();
/// assert_eq!(status, DeploymentStatusV1::Unknown("HIBERNATING".into()));
/// assert_eq!(status.to_string(), "HIBERNATING");
/// ```
pub use generated::types;
pub use generated::{ByteStream, Client, ClientInfo, ResponseValue};

/// The reqwest version this crate uses, for [`ClientBuilder::http_client`].
///
/// ```
/// let http = baseten_api::reqwest::Client::builder()
///     .pool_max_idle_per_host(4)
///     .build()
///     .unwrap();
/// let client = baseten_api::Client::builder().api_key("my-key").http_client(http).build();
/// assert!(client.is_ok());
/// ```
pub use reqwest;

/// The README's examples, compiled and type-checked as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
