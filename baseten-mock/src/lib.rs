//! A local, stateful Baseten management API for tests, demos and development: the thirteen
//! operations of `openapi/baseten.yaml` (promotions, the signals that steer a rolling promotion,
//! and the reads of environments and deployments), with Baseten's documented behaviour (errors,
//! rate limits, rolling promotions, build statuses), simulated time and fault injection. It can
//! serve another OpenAPI 3.1 document instead ([`MockServerBuilder::spec`]), e.g. Baseten's full
//! specification: operations it does not model statefully then answer deterministic bodies
//! generated from their schemas, every request checked against the document.
//!
//! In a test:
//!
//! ```
//! use std::time::Duration;
//! use baseten_mock::{MockServer, Seed};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockServer::start().await;
//! mock.seed(Seed::demo()).unwrap();
//! let client = mock.client();
//!
//! let building = client
//!     .promote_development_to_production()
//!     .model_id("mdl-llama")
//!     .send()
//!     .await
//!     .unwrap()
//!     .into_inner();
//! assert_eq!(building.status.to_string(), "BUILDING");
//!
//! // Simulated time: build (60 s), deploy (30 s), load the model (30 s).
//! mock.advance(Duration::from_secs(120));
//! assert!(mock.deployment(&building.id).unwrap().is_production);
//! # }
//! ```
//!
//! As a process, from the workspace root:
//! `cargo run -p baseten-mock -- --listen 127.0.0.1:8080 --seed baseten-mock/seeds/demo.yaml`
//! (the demo seed, which is also what it serves without `--seed`).
//!
//! The crate's README describes the seed format, the simulated steps and the assumptions made
//! where Baseten documents nothing.

#![warn(missing_docs)]

mod accept;
mod app;
mod auth;
mod clock;
mod error;
pub mod every_operation;
mod faults;
mod generate;
mod hooks;
mod lifecycle;
mod operations;
mod params;
mod paths;
mod rate_limit;
mod routes;
mod seed;
mod server;
pub mod spec;
mod state;
mod types;
mod wait_clock;
mod wire;

pub use app::REQUEST_LOG_CAPACITY;
pub use clock::{ClockMode, MANUAL_EPOCH};
pub use error::MockError;
pub use faults::Faults;
pub use rate_limit::RateLimit;
pub use seed::{
    ChainDeploymentSeed, ChainEnvironmentSeed, ChainSeed, ChainletSeed, DeploymentSeed,
    EnvironmentSeed, ModelSeed, PromotionFailure, Seed, SeedError,
};
pub use server::{DEFAULT_API_KEY, MockServer, MockServerBuilder};
pub use state::HISTORY_CAPACITY;
pub use types::{
    AutoscalingSettings, ChainDeployment, ChainEnvironment, Chainlet, Deployment, DeploymentStatus,
    Environment, Promotion, PromotionEvent, PromotionStatus, RecordedRequest, RollingSettings,
    Timings,
};

/// The `operationId`s this mock implements; the tests check that this covers the spec.
pub const IMPLEMENTED_OPERATIONS: [&str; 13] = operations::IDS;

/// The operations the mock answers from its state rather than with a body generated from the
/// spec, as (method, path template): the embedded spec's and those only newer specs have
/// (creating, updating and deleting environments; renaming, activating and deactivating
/// deployments). Each is stateful when the served spec has an operation with that method and
/// path; the served spec's other operations get generated answers.
pub fn stateful_operations() -> Vec<(&'static str, &'static str)> {
    operations::OPERATIONS
        .iter()
        .chain(lifecycle::LIFECYCLE.iter())
        .map(|row| (row.method, row.path))
        .collect()
}

/// The README's examples, compiled and run as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
