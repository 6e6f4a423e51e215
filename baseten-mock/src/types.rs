//! The data the mock serves and reports back: deployments, chains, environments, promotions.
//!
//! The wire types ([`Deployment`], [`ChainDeployment`], [`Chainlet`], [`AutoscalingSettings`],
//! [`DeploymentStatus`]) are the mock's own serde models of the spec's `DeploymentV1`,
//! `ChainDeploymentV1`, `ChainletV1`, `AutoscalingSettingsV1` and `DeploymentStatusV1`, rather
//! than the client's generated types: a mock that shared the client's types could not catch a
//! client that decodes the spec wrongly. The tests check every response against the spec itself.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `DeploymentStatusV1`: the status of a model deployment, chain deployment or chainlet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)] // The variants are the spec's values.
pub enum DeploymentStatus {
    Building,
    Deploying,
    DeployFailed,
    LoadingModel,
    Active,
    Unhealthy,
    BuildFailed,
    BuildStopped,
    Deactivating,
    Inactive,
    Failed,
    Updating,
    ScaledToZero,
    WakingUp,
}

impl DeploymentStatus {
    /// The spec's spelling, e.g. `LOADING_MODEL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Building => "BUILDING",
            Self::Deploying => "DEPLOYING",
            Self::DeployFailed => "DEPLOY_FAILED",
            Self::LoadingModel => "LOADING_MODEL",
            Self::Active => "ACTIVE",
            Self::Unhealthy => "UNHEALTHY",
            Self::BuildFailed => "BUILD_FAILED",
            Self::BuildStopped => "BUILD_STOPPED",
            Self::Deactivating => "DEACTIVATING",
            Self::Inactive => "INACTIVE",
            Self::Failed => "FAILED",
            Self::Updating => "UPDATING",
            Self::ScaledToZero => "SCALED_TO_ZERO",
            Self::WakingUp => "WAKING_UP",
        }
    }

    /// Statuses the mock refuses to promote: a build that has not finished, or one that failed.
    pub(crate) fn blocks_promotion(self) -> bool {
        matches!(
            self,
            Self::Building
                | Self::Deploying
                | Self::LoadingModel
                | Self::BuildFailed
                | Self::BuildStopped
                | Self::DeployFailed
                | Self::Failed
        )
    }
}

impl std::fmt::Display for DeploymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `AutoscalingSettingsV1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)] // The fields are the spec's.
pub struct AutoscalingSettings {
    pub min_replica: i64,
    pub max_replica: i64,
    #[serde(default)]
    pub autoscaling_window: Option<i64>,
    #[serde(default)]
    pub scale_down_delay: Option<i64>,
    pub concurrency_target: i64,
    #[serde(default)]
    pub target_utilization_percentage: Option<i64>,
    #[serde(default)]
    pub target_in_flight_tokens: Option<i64>,
}

impl Default for AutoscalingSettings {
    /// One replica, Baseten's documented defaults for window (60 s), scale-down delay (900 s),
    /// concurrency target (1) and target utilization (70 %).
    fn default() -> Self {
        Self {
            min_replica: 1,
            max_replica: 1,
            autoscaling_window: Some(60),
            scale_down_delay: Some(900),
            concurrency_target: 1,
            target_utilization_percentage: Some(70),
            target_in_flight_tokens: None,
        }
    }
}

/// `DeploymentV1`: a model deployment as the API returns it, and as
/// [`MockServer::deployment`](crate::MockServer::deployment) reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Deployment {
    /// Deployment id (unique across all models).
    pub id: String,
    /// When it was created (simulated time for a manual clock).
    pub created_at: DateTime<Utc>,
    /// Its name, e.g. `deployment-3`.
    pub name: String,
    /// The model it belongs to.
    pub model_id: String,
    /// Whether the model's `production` environment currently serves it.
    pub is_production: bool,
    /// Whether it is the model's development deployment.
    pub is_development: bool,
    /// Its status.
    pub status: DeploymentStatus,
    /// Replicas serving.
    pub active_replica_count: i64,
    /// `null` until the deployment has finished deploying.
    pub autoscaling_settings: Option<AutoscalingSettings>,
    /// Instance type, e.g. `H100:1x80`.
    pub instance_type_name: Option<String>,
    /// The environment serving it: `production` if that one does, else the one that got it most
    /// recently; `null` if none.
    pub environment: Option<String>,
    /// User labels. Always sent, `null` when there are none.
    pub labels: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `ChainletV1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Chainlet {
    /// Chainlet id.
    pub id: String,
    /// Its name, e.g. `Entrypoint`.
    pub name: String,
    /// `null` until the chainlet has finished deploying.
    pub autoscaling_settings: Option<AutoscalingSettings>,
    /// Instance type.
    pub instance_type_name: String,
    /// Replicas serving.
    pub active_replica_count: i64,
    /// Its status.
    pub status: DeploymentStatus,
}

/// `ChainDeploymentV1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChainDeployment {
    /// Chain deployment id (unique across all chains).
    pub id: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The chain it belongs to.
    pub chain_id: String,
    /// The environment serving it (same rule as [`Deployment::environment`]).
    pub environment: Option<String>,
    /// Its chainlets.
    pub chainlets: Vec<Chainlet>,
    /// Its status.
    pub status: DeploymentStatus,
}

/// Rolling-promotion settings of a model environment (the mock's simplification of Baseten's
/// rolling deploy configuration): traffic moves to the candidate in steps of `step_percent`, one
/// step every `step_seconds` of simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollingSettings {
    /// Share of traffic moved per step, 1–100. Default 25 (Baseten's current default surge).
    #[serde(default = "RollingSettings::default_step_percent")]
    pub step_percent: u8,
    /// Seconds between steps. Default 60.
    #[serde(default = "RollingSettings::default_step_seconds")]
    pub step_seconds: u64,
}

impl RollingSettings {
    fn default_step_percent() -> u8 {
        25
    }
    fn default_step_seconds() -> u64 {
        60
    }

    /// Time between two steps.
    pub fn step_interval(&self) -> Duration {
        Duration::from_secs(self.step_seconds)
    }
}

impl Default for RollingSettings {
    fn default() -> Self {
        Self {
            step_percent: Self::default_step_percent(),
            step_seconds: Self::default_step_seconds(),
        }
    }
}

/// `InProgressPromotionStatusV1`: where a promotion stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum PromotionStatus {
    /// Accepted; the candidate is starting (or, for a development promotion, building). No
    /// traffic yet.
    Releasing,
    /// Traffic is moving to the candidate, one step at a time.
    RampingUp,
    /// Rolling back (a cancel, or a failure): traffic moves back to the previous deployment, one
    /// step at a time.
    RampingDown,
    /// Paused at a step boundary (`pause_promotion`); nothing moves until `resume_promotion`.
    Paused,
    /// Terminal: the environment serves the candidate.
    Succeeded,
    /// Terminal: the candidate failed and traffic went back; the environment still serves the
    /// previous deployment.
    Failed,
    /// Terminal: canceled; the environment still serves the previous deployment.
    Canceled,
}

impl PromotionStatus {
    /// Whether the promotion is still running (not terminal). A paused promotion is.
    pub fn in_progress(self) -> bool {
        matches!(
            self,
            Self::Releasing | Self::RampingUp | Self::RampingDown | Self::Paused
        )
    }

    /// Baseten's spelling, e.g. `RAMPING_UP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Releasing => "RELEASING",
            Self::RampingUp => "RAMPING_UP",
            Self::RampingDown => "RAMPING_DOWN",
            Self::Paused => "PAUSED",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Canceled => "CANCELED",
        }
    }
}

impl std::fmt::Display for PromotionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A promotion of a model environment that was in progress at some point: a rolling promotion,
/// or a development deployment being built for `production`. The one in progress, or the last
/// one (until an immediate promotion to the environment, which is never in progress).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Promotion {
    /// The deployment being promoted.
    pub candidate_deployment_id: String,
    /// The deployment the environment served when the promotion started.
    pub previous_deployment_id: Option<String>,
    /// Where it stands.
    pub status: PromotionStatus,
    /// Share of the environment's traffic on the candidate, 0–100.
    pub traffic_percent: u8,
    /// Whether the environment rolls (`false`: a development build for a `production` that
    /// switches at once when the build is done).
    pub rolling: bool,
    /// Whether the candidate is still being built (a development promotion).
    pub building: bool,
    /// Whether force roll forward was requested; it takes effect at the next step.
    pub force_roll_forward: bool,
    /// Whether a pause was requested; it takes effect at the next step.
    pub pause_requested: bool,
    /// Why it failed (or is rolling back after a failure).
    pub error_message: Option<String>,
    /// Simulated time of the next step; `None` when terminal, paused, or still building.
    pub next_step_at: Option<Duration>,
    /// Simulated time it reached its terminal status.
    pub ended_at: Option<Duration>,
}

/// One change of a promotion's status or traffic, with the simulated time it happened at (the
/// step's due time, not the time a request noticed it). From
/// [`MockServer::promotion_history`](crate::MockServer::promotion_history).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PromotionEvent {
    /// Simulated time since the mock started (the clock of
    /// [`MockServer::elapsed`](crate::MockServer::elapsed)).
    pub at: Duration,
    /// The candidate deployment of the promotion.
    pub deployment_id: String,
    /// Its status from then on.
    pub status: PromotionStatus,
    /// Share of traffic on the candidate from then on.
    pub percent_traffic: u8,
}

/// A model environment as [`MockServer::environment`](crate::MockServer::environment) reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Environment {
    /// Its name, e.g. `production`.
    pub name: String,
    /// The deployment it serves.
    pub deployment_id: Option<String>,
    /// Rolling-promotion settings; `None` means promotions take effect at once.
    pub rolling: Option<RollingSettings>,
    /// The promotion in progress, or the last one (see [`Promotion`]).
    pub promotion: Option<Promotion>,
    /// From the seed ([`EnvironmentSeed::deleted_after_seconds`](crate::EnvironmentSeed::deleted_after_seconds)):
    /// it is deleted this long after the first promotion to it was accepted.
    pub deleted_after: Option<Duration>,
    /// The simulated time it will be deleted at, once the first promotion to it set it.
    pub deletion_at: Option<Duration>,
}

/// A chain environment as [`MockServer::chain_environment`](crate::MockServer::chain_environment)
/// reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainEnvironment {
    /// Its name.
    pub name: String,
    /// The chain deployment it serves.
    pub deployment_id: Option<String>,
}

/// One request the server received, as [`MockServer::requests`](crate::MockServer::requests)
/// reports it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path as sent (still percent-encoded).
    pub path: String,
    /// Query string as sent (still percent-encoded, without the `?`); `None` when there was none.
    pub query: Option<String>,
    /// Headers in the order received, names lower-case. The credential of `authorization` and
    /// `api-key` is replaced by `[redacted]` (`Api-Key [redacted]`): the log never holds a key.
    pub headers: Vec<(String, String)>,
    /// The request body as text (lossy UTF-8), exactly as sent (cut after 64 KiB, then ending
    /// with `… (<length> bytes)`); `None` when it was empty, or over 2 MiB (refused with a
    /// `400 VALIDATION_ERROR`, as axum's body extractors refuse it).
    pub body: Option<String>,
    /// The spec's `operationId`, if the request matched an operation.
    pub operation_id: Option<String>,
    /// Status answered; `None` when a fault dropped the connection.
    pub status: Option<u16>,
    /// The JSON body answered, if any.
    pub response_body: Option<serde_json::Value>,
}

/// Durations of the simulated world, and how it shows transitions.
///
/// The build that promoting a development deployment to production starts: `BUILDING` for
/// `build`, then `DEPLOYING` for `deploy`, then `LOADING_MODEL` for `load_model`, then `ACTIVE`
/// (and production). A deployment the mock creates answers `get_deployment` with 404 for
/// `new_deployment_not_found` (Baseten does, for a few seconds). An ended promotion stays
/// visible in the environment's `in_progress_promotion` for `ended_promotion_visible`.
///
/// The other knobs make the environment reads show states between two transitions that
/// Baseten does not document, so that a client can be tested against them (the crate's
/// README, "Adversarial timings"). All are off by default: every transition is then shown at
/// once, as the mock always did.
///
/// - [`ended_candidate_visible`](Self::ended_candidate_visible): an ended promotion that is
///   still shown keeps its `candidate_deployment`;
/// - [`candidate_lead`](Self::candidate_lead): a new promotion's `candidate_deployment` is
///   shown before its `in_progress_promotion`;
/// - [`current_switch_delay`](Self::current_switch_delay): `current_deployment` switches only
///   after a succeeded promotion stopped being shown;
/// - [`chain_promotion`](Self::chain_promotion): a chain promotion shows its candidate before
///   `current_deployment` switches.
///
/// ```
/// use std::time::Duration;
/// use baseten_mock::Timings;
///
/// let timings = Timings::default()
///     .new_deployment_not_found(Duration::ZERO) // no 404 for new deployments
///     .ended_promotion_visible(Duration::from_secs(30));
/// assert_eq!(timings.total(), Duration::from_secs(120));
///
/// // A Baseten that is slow to show each part of a transition.
/// let adversarial = timings
///     .ended_candidate_visible(true)
///     .candidate_lead(Duration::from_secs(5))
///     .current_switch_delay(Duration::from_secs(10))
///     .chain_promotion(Duration::from_secs(20));
/// assert_eq!(adversarial.total(), timings.total());
/// assert!(!Timings::default().ended_candidate_visible);
/// assert_eq!(Timings::default().candidate_lead, Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timings {
    /// Time spent `BUILDING`. Default 60 s.
    pub build: Duration,
    /// Time spent `DEPLOYING`. Default 30 s.
    pub deploy: Duration,
    /// Time spent `LOADING_MODEL`. Default 30 s.
    pub load_model: Duration,
    /// How long a deployment the mock created answers `get_deployment` with 404. Default 5 s;
    /// zero turns it off.
    pub new_deployment_not_found: Duration,
    /// How long a promotion that ended (`SUCCEEDED`, `FAILED`, `CANCELED`) is still shown as the
    /// environment's `in_progress_promotion`. Default zero: `null` as soon as it ends.
    pub ended_promotion_visible: Duration,
    /// Whether an ended promotion, while it is still shown (`ended_promotion_visible`), keeps
    /// its candidate as the environment's `candidate_deployment`. Default `false`: the
    /// candidate is `null` as soon as the promotion ends.
    pub ended_candidate_visible: bool,
    /// For how long after a promotion is accepted the environment shows the new
    /// `candidate_deployment` with the `in_progress_promotion` it showed before (`null`, or the
    /// previous promotion's terminal status while that is still shown). The promotion runs on
    /// its usual schedule meanwhile (and blocks other promotions); one that ends sooner is
    /// shown as ended. Applies to promotions that are in progress (rolling ones and
    /// development builds); an immediate promotion never shows a candidate. Default zero.
    pub candidate_lead: Duration,
    /// How long after a succeeded promotion stopped being shown (`ended_at +
    /// ended_promotion_visible`) the environment still shows the previous
    /// `current_deployment` (which it also shows while `SUCCEEDED` is shown); meanwhile
    /// `candidate_deployment` and `in_progress_promotion` are `null`. Only `get_environment` and `list_environments` are delayed: the deployments
    /// (`is_production`, `environment`, a scaled-down previous one), the Rust API and the next
    /// promotion see the switch at once, and a new promotion accepted meanwhile ends the
    /// delay. Default zero: `current_deployment` switches when the promotion succeeds, while
    /// `SUCCEEDED` may still be shown.
    pub current_switch_delay: Duration,
    /// How long after a chain promotion is accepted `get_chain_environment` shows the chain
    /// deployment the environment served before as `current_deployment` and the promoted one as
    /// `candidate_deployment`; then the promoted one is current and the candidate `null`. The
    /// promotion's answer, `get_chain_deployment` (`environment`, a scaled-down previous one)
    /// and the Rust API see the switch at once, as they do without it. Default zero: chain
    /// promotions switch at once and never show a candidate.
    pub chain_promotion: Duration,
}

impl Timings {
    /// The given build durations; the others default.
    pub fn new(build: Duration, deploy: Duration, load_model: Duration) -> Self {
        Self {
            build,
            deploy,
            load_model,
            ..Self::default()
        }
    }

    /// Sets [`new_deployment_not_found`](Self::new_deployment_not_found).
    #[must_use]
    pub fn new_deployment_not_found(mut self, window: Duration) -> Self {
        self.new_deployment_not_found = window;
        self
    }

    /// Sets [`ended_promotion_visible`](Self::ended_promotion_visible).
    #[must_use]
    pub fn ended_promotion_visible(mut self, window: Duration) -> Self {
        self.ended_promotion_visible = window;
        self
    }

    /// Sets [`ended_candidate_visible`](Self::ended_candidate_visible).
    #[must_use]
    pub fn ended_candidate_visible(mut self, on: bool) -> Self {
        self.ended_candidate_visible = on;
        self
    }

    /// Sets [`candidate_lead`](Self::candidate_lead).
    #[must_use]
    pub fn candidate_lead(mut self, lead: Duration) -> Self {
        self.candidate_lead = lead;
        self
    }

    /// Sets [`current_switch_delay`](Self::current_switch_delay).
    #[must_use]
    pub fn current_switch_delay(mut self, delay: Duration) -> Self {
        self.current_switch_delay = delay;
        self
    }

    /// Sets [`chain_promotion`](Self::chain_promotion).
    #[must_use]
    pub fn chain_promotion(mut self, duration: Duration) -> Self {
        self.chain_promotion = duration;
        self
    }

    /// Total time from promotion to `ACTIVE`.
    pub fn total(&self) -> Duration {
        self.build + self.deploy + self.load_model
    }
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            build: Duration::from_secs(60),
            deploy: Duration::from_secs(30),
            load_model: Duration::from_secs(30),
            new_deployment_not_found: Duration::from_secs(5),
            ended_promotion_visible: Duration::ZERO,
            ended_candidate_visible: false,
            candidate_lead: Duration::ZERO,
            current_switch_delay: Duration::ZERO,
            chain_promotion: Duration::ZERO,
        }
    }
}
