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

/// State of a rolling promotion (Baseten's in-progress promotion statuses that the mock
/// produces; it never pauses or cancels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PromotionStatus {
    /// Accepted; the candidate's replicas are starting. No traffic yet.
    Releasing,
    /// Traffic is moving to the candidate, one step at a time.
    RampingUp,
    /// Rolling back (see [`MockServer::fail_promotion`](crate::MockServer::fail_promotion)):
    /// traffic moves back to the previous deployment.
    RampingDown,
    /// Terminal: the environment serves the candidate.
    Succeeded,
    /// Terminal: rolled back; the environment still serves the previous deployment.
    Failed,
}

impl PromotionStatus {
    /// Whether the promotion is still running (not terminal).
    pub fn in_progress(self) -> bool {
        matches!(self, Self::Releasing | Self::RampingUp | Self::RampingDown)
    }

    /// Baseten's spelling, e.g. `RAMPING_UP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Releasing => "RELEASING",
            Self::RampingUp => "RAMPING_UP",
            Self::RampingDown => "RAMPING_DOWN",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
        }
    }
}

impl std::fmt::Display for PromotionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rolling promotion of a model environment: the one in progress, or the last one finished.
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
    /// Whether force roll forward was requested; it takes effect at the next step.
    pub force_roll_forward: bool,
    /// Simulated time of the next step, if still in progress.
    pub next_step_at: Option<Duration>,
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
    /// The running or last rolling promotion.
    pub promotion: Option<Promotion>,
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
    /// The spec's `operationId`, if the request matched an operation.
    pub operation_id: Option<String>,
    /// Status answered; `None` when a fault dropped the connection.
    pub status: Option<u16>,
    /// The JSON body answered, if any.
    pub response_body: Option<serde_json::Value>,
}

/// Durations of the simulated build that promoting a development deployment to production
/// starts: `BUILDING` for `build`, then `DEPLOYING` for `deploy`, then `LOADING_MODEL` for
/// `load_model`, then `ACTIVE` (and production).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timings {
    /// Time spent `BUILDING`. Default 60 s.
    pub build: Duration,
    /// Time spent `DEPLOYING`. Default 30 s.
    pub deploy: Duration,
    /// Time spent `LOADING_MODEL`. Default 30 s.
    pub load_model: Duration,
}

impl Timings {
    /// The given durations.
    pub fn new(build: Duration, deploy: Duration, load_model: Duration) -> Self {
        Self {
            build,
            deploy,
            load_model,
        }
    }

    /// Total time from promotion to `ACTIVE`.
    pub fn total(&self) -> Duration {
        self.build + self.deploy + self.load_model
    }
}

impl Default for Timings {
    fn default() -> Self {
        Self::new(
            Duration::from_secs(60),
            Duration::from_secs(30),
            Duration::from_secs(30),
        )
    }
}
