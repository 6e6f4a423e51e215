//! [`MockServer`] (a running mock and its Rust API) and [`MockServerBuilder`]. The state they
//! share with the server tasks is in `app.rs`, the accept loop in `accept.rs`, the test hooks
//! (scripted errors, status overrides, promotion history, the waiters' clock) in `hooks.rs`.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::accept;
use crate::app::{App, lock};
use crate::clock::{Clock, ClockMode};
use crate::error::MockError;
use crate::faults::{FaultState, Faults};
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::seed::{Seed, SeedError};
use crate::spec::{Spec, embedded_shared};
use crate::state::World;
use crate::types::{
    ChainDeployment, ChainEnvironment, Deployment, Environment, Promotion, RecordedRequest, Timings,
};

/// The API key a mock accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "mock-api-key";

/// Configures a [`MockServer`]. From [`MockServer::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct MockServerBuilder {
    listen: SocketAddr,
    keys: Vec<String>,
    seed: Seed,
    seed_origin: String,
    clock: ClockMode,
    timings: Timings,
    rate_limit: Option<RateLimit>,
    faults: Faults,
    validate_responses: bool,
    validate_requests: bool,
    spec: SpecChoice,
}

/// Which OpenAPI document a mock serves.
#[derive(Clone)]
enum SpecChoice {
    Embedded,
    Text(Arc<str>),
    Parsed(Arc<Spec>),
}

impl std::fmt::Debug for SpecChoice {
    /// Not the text: a megabyte in a builder's `Debug` helps nobody.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Embedded => f.write_str("Embedded"),
            Self::Text(text) => write!(f, "Text({} bytes)", text.len()),
            Self::Parsed(spec) => f.debug_tuple("Parsed").field(spec).finish(),
        }
    }
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            keys: Vec::new(),
            seed: Seed::default(),
            seed_origin: "seed".to_owned(),
            clock: ClockMode::Manual,
            timings: Timings::default(),
            rate_limit: Some(RateLimit::default()),
            faults: Faults::default(),
            validate_responses: cfg!(debug_assertions),
            validate_requests: true,
            spec: SpecChoice::Embedded,
        }
    }
}

impl MockServerBuilder {
    /// Address to listen on. Default `127.0.0.1:0` (a free port).
    pub fn listen(mut self, address: SocketAddr) -> Self {
        self.listen = address;
        self
    }

    /// Accepts this API key (call again for more). Without any, [`DEFAULT_API_KEY`].
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Initial data. Default: nothing.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Initial data, named `origin` (e.g. the file it came from) in errors.
    pub fn seed_from(mut self, seed: Seed, origin: impl Into<String>) -> Self {
        self.seed = seed;
        self.seed_origin = origin.into();
        self
    }

    /// Manual (default) or real clock.
    pub fn clock(mut self, mode: ClockMode) -> Self {
        self.clock = mode;
        self
    }

    /// Build step durations, the 404 window of new deployments, how long ended promotions
    /// stay visible, and what reads show between two transitions (the adversarial timings).
    /// Default [`Timings::default`].
    pub fn timings(mut self, timings: Timings) -> Self {
        self.timings = timings;
        self
    }

    /// Rate limit per key and operation. Default [`RateLimit::default`] (100 per second).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// No rate limit.
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// Faults to inject. Default none.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Whether every 200 answer is checked against the spec's response schema before it is
    /// sent (a mismatch becomes a `500 MOCK_BUG` answer). Default: on in debug builds.
    pub fn validate_responses(mut self, on: bool) -> Self {
        self.validate_responses = on;
        self
    }

    /// Whether path and query parameters and request bodies are checked against the spec (a
    /// violation is a `400 VALIDATION_ERROR` answer naming the field). Default: on. Off, a
    /// request the spec refuses is answered anyway (a body that is not JSON, or that a stateful
    /// operation cannot act on, still is not): for serving an older capture of the spec to a
    /// client that sends what the newer one asks, to see whether it decodes the older answers.
    pub fn validate_requests(mut self, on: bool) -> Self {
        self.validate_requests = on;
        self
    }

    /// Serves this OpenAPI 3.1 document (YAML or JSON) instead of the embedded one, e.g.
    /// Baseten's full specification: its operations are the mock's routes, its schemas check
    /// requests and answers. Operations the mock models are stateful (matched by method and
    /// path template); the others answer bodies generated from their schemas (see the README).
    /// The text is parsed by [`start`](Self::start), which reports a bad document as
    /// [`MockError::InvalidSpec`].
    pub fn spec(mut self, text: impl Into<String>) -> Self {
        self.spec = SpecChoice::Text(Arc::from(text.into()));
        self
    }

    /// Serves a document parsed already with [`Spec::parse`] (parsing Baseten's full
    /// specification takes a moment; tests that start many mocks share one).
    pub fn parsed_spec(mut self, spec: Arc<Spec>) -> Self {
        self.spec = SpecChoice::Parsed(spec);
        self
    }

    /// Starts the server.
    ///
    /// # Errors
    ///
    /// [`MockError::Seed`] for inconsistent seed data, [`MockError::InvalidApiKey`],
    /// [`MockError::Bind`] if the address cannot be bound, [`MockError::Spec`] if the embedded
    /// spec is unusable, [`MockError::InvalidSpec`] for a document given with
    /// [`spec`](Self::spec) that cannot be served.
    pub async fn start(self) -> Result<MockServer, MockError> {
        let spec = match &self.spec {
            SpecChoice::Embedded => Arc::clone(embedded_shared().map_err(MockError::Spec)?),
            SpecChoice::Text(text) => Arc::new(Spec::parse(text).map_err(MockError::InvalidSpec)?),
            SpecChoice::Parsed(spec) => Arc::clone(spec),
        };
        let keys = if self.keys.is_empty() {
            vec![DEFAULT_API_KEY.to_owned()]
        } else {
            self.keys
        };
        for key in &keys {
            check_key(key)?;
        }
        let mut world = World::new(Clock::new(self.clock), self.timings);
        world.apply_seed(&self.seed, &self.seed_origin)?;

        let listener = TcpListener::bind(self.listen)
            .await
            .map_err(|source| MockError::Bind {
                address: self.listen,
                source,
            })?;
        let address = listener.local_addr().map_err(|source| MockError::Bind {
            address: self.listen,
            source,
        })?;

        let app = Arc::new(App::new(
            spec,
            world,
            keys.iter().cloned().collect(),
            RateLimiter::new(self.rate_limit),
            FaultState::new(self.faults),
            self.validate_responses,
            self.validate_requests,
        ));
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(accept::serve(listener, Arc::clone(&app), shutdown_rx));
        tracing::info!(%address, "baseten-mock listening");
        Ok(MockServer {
            app,
            address,
            client: std::sync::OnceLock::new(),
            api_key: keys[0].clone(),
            shutdown,
            task: Some(task),
        })
    }
}

fn check_key(key: &str) -> Result<(), MockError> {
    let visible = !key.is_empty() && key.bytes().all(|b| b.is_ascii_graphic());
    if visible && HeaderValue::from_str(&format!("Api-Key {key}")).is_ok() {
        Ok(())
    } else {
        Err(MockError::InvalidApiKey(key.to_owned()))
    }
}

/// A running mock Baseten on 127.0.0.1, with a Rust API to seed it, move its clock, inject
/// faults and read its state back.
///
/// It stops when dropped (or with [`shutdown`](Self::shutdown)). Must be created inside a tokio
/// runtime, which runs its tasks.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use baseten_mock::{MockServer, Seed};
///
/// let mock = MockServer::start().await;
/// mock.seed(Seed::demo()).unwrap();
/// let client = mock.client();
/// let deployment = client
///     .promote_model_to_environment()
///     .model_id("mdl-llama")
///     .env_name("staging")
///     .body(baseten_api::types::PromoteToEnvironmentRequestV1::builder().deployment_id("dpl-llama-v2"))
///     .send()
///     .await
///     .unwrap()
///     .into_inner();
/// assert_eq!(deployment.environment.as_deref(), Some("staging"));
/// assert_eq!(
///     mock.environment("mdl-llama", "staging").unwrap().deployment_id.as_deref(),
///     Some("dpl-llama-v2")
/// );
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    pub(crate) app: Arc<App>,
    address: SocketAddr,
    /// Built on first use: building a client loads TLS roots (tens of milliseconds), and
    /// clones share one connection pool.
    client: std::sync::OnceLock<baseten_api::Client>,
    api_key: String,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts an empty mock with the defaults: a free port on 127.0.0.1, key
    /// [`DEFAULT_API_KEY`], manual clock, 100 requests per second, no faults.
    ///
    /// # Panics
    ///
    /// If it cannot start (no free port, or a broken build); use
    /// [`builder`](Self::builder)`().start()` to get the error instead.
    pub async fn start() -> Self {
        match Self::builder().start().await {
            Ok(server) => server,
            Err(error) => panic!("baseten-mock could not start: {error}"),
        }
    }

    /// A builder for a mock with non-default settings.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`. When listening on all interfaces
    /// (`0.0.0.0`, `::`), the loopback address of the same family.
    pub fn url(&self) -> String {
        let mut address = self.address;
        if address.ip().is_unspecified() {
            address.set_ip(match address {
                SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("http://{address}")
    }

    /// The socket address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The first API key it accepts.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// A [`baseten_api::Client`] for this mock, with its API key and the client's default
    /// settings (including its retries). Every call returns a clone of the same client (one
    /// connection pool).
    ///
    /// # Panics
    ///
    /// If the client cannot be built, which its builder does only for a bad key or URL: the
    /// key was checked at start and the URL is a loopback `http://` URL.
    pub fn client(&self) -> baseten_api::Client {
        self.client
            .get_or_init(|| {
                let url = self.url();
                match baseten_api::Client::builder()
                    .api_key(self.api_key.as_str())
                    .base_url(url.as_str())
                    .build()
                {
                    Ok(client) => client,
                    Err(error) => panic!("baseten-mock: cannot build a client for {url}: {error}"),
                }
            })
            .clone()
    }

    /// Adds models and chains.
    ///
    /// # Errors
    ///
    /// [`SeedError::Invalid`] naming the offending field if the data is inconsistent with
    /// itself or with what the mock already holds; nothing is added then.
    pub fn seed(&self, seed: Seed) -> Result<(), SeedError> {
        lock(&self.app.world).apply_seed(&seed, "seed")
    }

    /// Accepts one more API key.
    ///
    /// # Errors
    ///
    /// [`MockError::InvalidApiKey`] if it cannot be sent in a header.
    pub fn add_api_key(&self, key: impl Into<String>) -> Result<(), MockError> {
        let key = key.into();
        check_key(&key)?;
        lock(&self.app.keys).insert(key);
        Ok(())
    }

    /// Moves simulated time forward by `by` and applies every build and promotion step that
    /// became due, in order.
    pub fn advance(&self, by: Duration) {
        lock(&self.app.world).advance(by);
    }

    /// Simulated time since start.
    pub fn elapsed(&self) -> Duration {
        lock(&self.app.world).clock.now()
    }

    /// A model deployment, as the API would return it now.
    pub fn deployment(&self, id: &str) -> Option<Deployment> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.deployment(id)
    }

    /// All deployments of a model (including ones the mock created), ordered by id.
    pub fn deployments(&self, model_id: &str) -> Vec<Deployment> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.deployments_of(model_id)
    }

    /// The ids of all models, sorted.
    pub fn model_ids(&self) -> Vec<String> {
        lock(&self.app.world).model_ids()
    }

    /// All environments of a model (including the `production` that seeding adds), by name.
    pub fn environments(&self, model_id: &str) -> Vec<Environment> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.environments_of(model_id)
    }

    /// A model environment: what it serves, its rolling settings and promotion.
    pub fn environment(&self, model_id: &str, env: &str) -> Option<Environment> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.environment(model_id, env)
    }

    /// The promotion in progress in a model environment, or the last one (see [`Promotion`]).
    /// Unlike the API's `in_progress_promotion`, it stays after the promotion ended.
    pub fn promotion(&self, model_id: &str, env: &str) -> Option<Promotion> {
        self.environment(model_id, env)?.promotion
    }

    /// A chain deployment, as the API would return it now.
    pub fn chain_deployment(&self, id: &str) -> Option<ChainDeployment> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.chain_deployment(id)
    }

    /// The ids of all chains, sorted.
    pub fn chain_ids(&self) -> Vec<String> {
        lock(&self.app.world).chain_ids()
    }

    /// All deployments of a chain, ordered by id.
    pub fn chain_deployments(&self, chain_id: &str) -> Vec<ChainDeployment> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.chain_deployments_of(chain_id)
    }

    /// All environments of a chain (including the `production` that seeding adds), by name.
    pub fn chain_environments(&self, chain_id: &str) -> Vec<ChainEnvironment> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.chain_environments_of(chain_id)
    }

    /// A chain environment.
    pub fn chain_environment(&self, chain_id: &str, env: &str) -> Option<ChainEnvironment> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.chain_environment(chain_id, env)
    }

    /// Replaces the injected faults (and restarts their generator from the new seed).
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.app.faults) = FaultState::new(faults);
    }

    /// Replaces the rate limit (`None`: unlimited) and forgets the current windows.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        lock(&self.app.rate).set_limit(limit);
    }

    /// The requests received so far, oldest first (at most [`REQUEST_LOG_CAPACITY`](crate::REQUEST_LOG_CAPACITY)).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.app.requests()
    }

    /// How many requests each operation received since start (by `operationId`; any answer,
    /// injected errors included; requests that matched no operation, or that a random fault
    /// answered before routing, are not counted).
    pub fn request_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.app.request_counts()
    }

    /// How many requests operation `operation_id` received since start (see
    /// [`request_counts`](Self::request_counts)).
    pub fn request_count(&self, operation_id: &str) -> u64 {
        self.app
            .request_counts()
            .get(operation_id)
            .copied()
            .unwrap_or(0)
    }

    /// Stops accepting connections, closes idle ones, and waits (at most a second) for the
    /// ones in flight.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // The accept loop sees this and stops; nothing to wait for in a destructor.
        let _ = self.shutdown.send(true);
    }
}
