//! Seed data: what the mock knows at start — models with their deployments and environments,
//! chains with theirs. Built in Rust, or read from a YAML or JSON file (YAML is a superset of
//! JSON, so one parser reads both and reports errors with field path, line and column).
//!
//! Semantic checks (unique ids, environments pointing at deployments of the same model, ...)
//! happen when the seed is applied, and name the offending field by path.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::types::{AutoscalingSettings, DeploymentStatus, RollingSettings};

/// A bad seed: unreadable file, syntax or type error, or inconsistent data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read seed file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// Not valid YAML/JSON, or a field has the wrong type or an unknown name. The message names
    /// the field path and the line and column.
    #[error("{origin}: {message}")]
    Parse {
        /// File name, or `seed` for a seed given in Rust.
        origin: String,
        /// What is wrong, where.
        message: String,
        /// 1-based line, when known.
        line: Option<usize>,
    },

    /// Well-formed but inconsistent data, e.g. a duplicate id.
    #[error("{origin}: {field}: {message}")]
    Invalid {
        /// File name, or `seed` for a seed given in Rust.
        origin: String,
        /// Path of the offending field, e.g. `models[0].environments[1].deployment_id`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Everything the mock starts with. Build it in Rust or read it with [`Seed::from_path`].
///
/// ```
/// use baseten_mock::{DeploymentSeed, EnvironmentSeed, ModelSeed, Seed};
///
/// let seed = Seed::new().model(
///     ModelSeed::new("m-1")
///         .deployment(DeploymentSeed::new("dep-dev").development())
///         .deployment(DeploymentSeed::new("dep-1").instance_type("L4:1x16"))
///         .environment(EnvironmentSeed::new("production").deployment("dep-1"))
///         .environment(EnvironmentSeed::new("staging")),
/// );
/// # let _ = seed;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Seed {
    /// Models.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<ModelSeed>,
    /// Chains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<ChainSeed>,
}

/// A model: its deployments (at most one of them the development deployment) and environments.
/// A `production` environment is added when the seed has none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ModelSeed {
    /// Model id.
    pub id: String,
    /// Its deployments. Ids are unique across all models.
    #[serde(default)]
    pub deployments: Vec<DeploymentSeed>,
    /// Its environments.
    #[serde(default)]
    pub environments: Vec<EnvironmentSeed>,
    /// Makes every development → production build of this model fail: `BUILD_FAILED` (at the
    /// end of `BUILDING`), `DEPLOY_FAILED` (end of `DEPLOYING`) or `FAILED` (end of
    /// `LOADING_MODEL`). Default: builds succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_fails_with: Option<DeploymentStatus>,
}

/// A model deployment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeploymentSeed {
    /// Deployment id.
    pub id: String,
    /// Name; default: the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether this is the model's development deployment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub development: bool,
    /// Status; default `ACTIVE`.
    #[serde(default = "active")]
    pub status: DeploymentStatus,
    /// Replicas; default 1 when `ACTIVE`, else 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_replica_count: Option<i64>,
    /// Autoscaling settings; default [`AutoscalingSettings::default`], or `null` while the
    /// status is `BUILDING`, `DEPLOYING` or `LOADING_MODEL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling_settings: Option<AutoscalingSettings>,
    /// Instance type, e.g. `H100:1x80`; default `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type_name: Option<String>,
    /// Labels; default `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<serde_json::Map<String, serde_json::Value>>,
    /// Creation time; default: the time it is seeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

/// A model environment: the deployment it serves and, optionally, rolling-promotion settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EnvironmentSeed {
    /// Name, e.g. `production` or `staging`.
    pub name: String,
    /// The deployment it serves (one of this model's); default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// With these, promotions to it are rolling; without, they take effect at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling: Option<RollingSettings>,
    /// Makes every rolling promotion to it fail at a step (needs `rolling`). Default: they
    /// succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_failure: Option<PromotionFailure>,
    /// Deletes the environment this many seconds after the first promotion to it was accepted,
    /// as [`MockServer::delete_environment`](crate::MockServer::delete_environment) does (a
    /// promotion in progress is canceled; from then on it answers 404): the way to delete one
    /// in a process, whose tests cannot call the hook. Counted from the first accepted
    /// promotion, not from start-up, so that the deletion falls in what a test waits on (the
    /// promotion it started) however long the process and the client took to start; later
    /// promotions do not move it. Not on `production`, which cannot be deleted. Default:
    /// never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_after_seconds: Option<u64>,
}

/// A rolling promotion failing at a step: at the `at_step`-th step boundary after acceptance
/// (1 is the first), instead of moving traffic on, the promotion starts rolling back
/// (`RAMPING_DOWN`, by `step_percent` a step) and ends `FAILED`, with `error_message`; at once
/// if no traffic had moved yet.
///
/// ```
/// use baseten_mock::PromotionFailure;
///
/// let failure = PromotionFailure::at_step(2).error_message("Replicas crashed on start-up.");
/// assert_eq!(failure.at_step, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PromotionFailure {
    /// The step boundary it fails at, 1 or more.
    pub at_step: u32,
    /// The promotion's `error_message`; default `Candidate deployment <id> failed health checks.`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl PromotionFailure {
    /// Failing at step `step` with the default message.
    pub fn at_step(step: u32) -> Self {
        Self {
            at_step: step,
            error_message: None,
        }
    }

    /// Sets the error message.
    #[must_use]
    pub fn error_message(mut self, message: impl Into<String>) -> Self {
        self.error_message = Some(message.into());
        self
    }
}

/// A chain: its deployments and environments (`production` is added when missing). Rolling
/// promotions are not supported for chains, as on Baseten.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChainSeed {
    /// Chain id.
    pub id: String,
    /// Its deployments. Ids are unique across all chains.
    #[serde(default)]
    pub deployments: Vec<ChainDeploymentSeed>,
    /// Its environments.
    #[serde(default)]
    pub environments: Vec<ChainEnvironmentSeed>,
}

/// A chain deployment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChainDeploymentSeed {
    /// Chain deployment id.
    pub id: String,
    /// Status; default `ACTIVE`.
    #[serde(default = "active")]
    pub status: DeploymentStatus,
    /// Creation time; default: the time it is seeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Its chainlets.
    #[serde(default)]
    pub chainlets: Vec<ChainletSeed>,
}

/// A chainlet of a chain deployment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChainletSeed {
    /// Chainlet id.
    pub id: String,
    /// Name, e.g. `Entrypoint`.
    pub name: String,
    /// Instance type; default `1x2`.
    #[serde(default = "default_chainlet_instance")]
    pub instance_type_name: String,
    /// Status; default: its chain deployment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeploymentStatus>,
    /// Replicas; default 1 when `ACTIVE`, else 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_replica_count: Option<i64>,
    /// Autoscaling; same default as for [`DeploymentSeed::autoscaling_settings`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling_settings: Option<AutoscalingSettings>,
}

/// A chain environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChainEnvironmentSeed {
    /// Name.
    pub name: String,
    /// The chain deployment it serves (one of this chain's); default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
}

fn active() -> DeploymentStatus {
    DeploymentStatus::Active
}

fn default_chainlet_instance() -> String {
    "1x2".to_owned()
}

impl Seed {
    /// The text of the demo seed (`seeds/demo.yaml` in the crate, with comments): what
    /// [`Seed::demo`] returns, and what `baseten-mock --print-demo-seed` prints as a starting
    /// point for a seed file. One file, so the binary, the docs and the tests cannot disagree.
    pub const DEMO_YAML: &str = include_str!("../seeds/demo.yaml");

    /// An empty seed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a model.
    #[must_use]
    pub fn model(mut self, model: ModelSeed) -> Self {
        self.models.push(model);
        self
    }

    /// Adds a chain.
    #[must_use]
    pub fn chain(mut self, chain: ChainSeed) -> Self {
        self.chains.push(chain);
        self
    }

    /// Reads a YAML or JSON seed file.
    ///
    /// # Errors
    ///
    /// [`SeedError::Read`] if the file cannot be read, [`SeedError::Parse`] (naming the file,
    /// the field path, line and column) if it does not describe a seed.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, SeedError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_yaml_str(&text, &path.display().to_string())
    }

    /// Parses a YAML or JSON seed; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// [`SeedError::Parse`] naming the field path, line and column.
    pub fn from_yaml_str(text: &str, origin: &str) -> Result<Self, SeedError> {
        // An empty file is an empty seed, not an error.
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_yaml_ng::from_str(text).map_err(|e| SeedError::Parse {
            origin: origin.to_owned(),
            // serde_yaml_ng's message already carries the field path and "at line L column C".
            message: e.to_string(),
            line: e.location().map(|l| l.line()),
        })
    }

    /// The seed as YAML (the format [`Seed::from_path`] reads).
    pub fn to_yaml(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_yaml_ng::to_string(self).unwrap_or_default()
    }

    /// The demo data of the quickstart and of the binary without `--seed`: [`Seed::DEMO_YAML`],
    /// the crate's `seeds/demo.yaml`.
    ///
    /// - model `mdl-llama`: development deployment `dpl-llama-dev`; `dpl-llama-v1` serves
    ///   `production`; `dpl-llama-v2` serves nothing yet; an empty `staging` environment.
    /// - model `mdl-whisper`: `dpl-whisper-v1` serves `production`, which promotes by rolling
    ///   (25 % every 60 s); `dpl-whisper-v2` is ready to roll out.
    /// - chain `chn-rag`: `chd-rag-1` serves `production`; `chd-rag-2` (two chainlets) is ready.
    pub fn demo() -> Self {
        // The file is compiled in and the crate's tests parse and apply it, so this cannot fail
        // in a released build; parsing a few dozen lines costs microseconds.
        match Self::from_yaml_str(Self::DEMO_YAML, "seeds/demo.yaml") {
            Ok(seed) => seed,
            Err(error) => panic!("baseten-mock's demo seed is broken: {error}"),
        }
    }
}

impl ModelSeed {
    /// A model with no deployments and no environments.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            deployments: Vec::new(),
            environments: Vec::new(),
            build_fails_with: None,
        }
    }

    /// Adds a deployment.
    #[must_use]
    pub fn deployment(mut self, deployment: DeploymentSeed) -> Self {
        self.deployments.push(deployment);
        self
    }

    /// Adds an environment.
    #[must_use]
    pub fn environment(mut self, environment: EnvironmentSeed) -> Self {
        self.environments.push(environment);
        self
    }

    /// Makes its development builds fail with `status` (`BUILD_FAILED`, `DEPLOY_FAILED` or
    /// `FAILED`).
    #[must_use]
    pub fn build_fails_with(mut self, status: DeploymentStatus) -> Self {
        self.build_fails_with = Some(status);
        self
    }
}

impl DeploymentSeed {
    /// An `ACTIVE` deployment with defaults for everything else.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            development: false,
            status: DeploymentStatus::Active,
            active_replica_count: None,
            autoscaling_settings: None,
            instance_type_name: None,
            labels: None,
            created_at: None,
        }
    }

    /// Sets the name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Makes it the model's development deployment.
    #[must_use]
    pub fn development(mut self) -> Self {
        self.development = true;
        self
    }

    /// Sets the status.
    #[must_use]
    pub fn status(mut self, status: DeploymentStatus) -> Self {
        self.status = status;
        self
    }

    /// Sets the replica count.
    #[must_use]
    pub fn replicas(mut self, count: i64) -> Self {
        self.active_replica_count = Some(count);
        self
    }

    /// Sets the autoscaling settings.
    #[must_use]
    pub fn autoscaling(mut self, settings: AutoscalingSettings) -> Self {
        self.autoscaling_settings = Some(settings);
        self
    }

    /// Sets the instance type.
    #[must_use]
    pub fn instance_type(mut self, name: impl Into<String>) -> Self {
        self.instance_type_name = Some(name.into());
        self
    }

    /// Sets the labels.
    #[must_use]
    pub fn labels(mut self, labels: serde_json::Map<String, serde_json::Value>) -> Self {
        self.labels = Some(labels);
        self
    }

    /// Sets the creation time.
    #[must_use]
    pub fn created_at(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }
}

impl EnvironmentSeed {
    /// An environment serving nothing, promoting at once.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            deployment_id: None,
            rolling: None,
            promotion_failure: None,
            deleted_after_seconds: None,
        }
    }

    /// Sets the deployment it serves.
    #[must_use]
    pub fn deployment(mut self, id: impl Into<String>) -> Self {
        self.deployment_id = Some(id.into());
        self
    }

    /// Makes promotions to it rolling.
    #[must_use]
    pub fn rolling(mut self, settings: RollingSettings) -> Self {
        self.rolling = Some(settings);
        self
    }

    /// Makes its rolling promotions fail (see [`PromotionFailure`]).
    #[must_use]
    pub fn promotion_failure(mut self, failure: PromotionFailure) -> Self {
        self.promotion_failure = Some(failure);
        self
    }

    /// Deletes it `seconds` after the first promotion to it was accepted (see
    /// [`deleted_after_seconds`](Self::deleted_after_seconds)).
    #[must_use]
    pub fn deleted_after_seconds(mut self, seconds: u64) -> Self {
        self.deleted_after_seconds = Some(seconds);
        self
    }
}

impl ChainSeed {
    /// A chain with no deployments and no environments.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            deployments: Vec::new(),
            environments: Vec::new(),
        }
    }

    /// Adds a deployment.
    #[must_use]
    pub fn deployment(mut self, deployment: ChainDeploymentSeed) -> Self {
        self.deployments.push(deployment);
        self
    }

    /// Adds an environment.
    #[must_use]
    pub fn environment(mut self, environment: ChainEnvironmentSeed) -> Self {
        self.environments.push(environment);
        self
    }
}

impl ChainDeploymentSeed {
    /// An `ACTIVE` chain deployment without chainlets.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            status: DeploymentStatus::Active,
            created_at: None,
            chainlets: Vec::new(),
        }
    }

    /// Sets the status.
    #[must_use]
    pub fn status(mut self, status: DeploymentStatus) -> Self {
        self.status = status;
        self
    }

    /// Adds a chainlet.
    #[must_use]
    pub fn chainlet(mut self, chainlet: ChainletSeed) -> Self {
        self.chainlets.push(chainlet);
        self
    }
}

impl ChainletSeed {
    /// A chainlet on instance type `1x2` with its chain deployment's status.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            instance_type_name: default_chainlet_instance(),
            status: None,
            active_replica_count: None,
            autoscaling_settings: None,
        }
    }

    /// Sets the instance type.
    #[must_use]
    pub fn instance_type(mut self, name: impl Into<String>) -> Self {
        self.instance_type_name = name.into();
        self
    }
}

impl ChainEnvironmentSeed {
    /// An environment serving nothing.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            deployment_id: None,
        }
    }

    /// Sets the chain deployment it serves.
    #[must_use]
    pub fn deployment(mut self, id: impl Into<String>) -> Self {
        self.deployment_id = Some(id.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_round_trips_through_yaml() {
        let demo = Seed::demo();
        let back = Seed::from_yaml_str(&demo.to_yaml(), "demo.yaml").unwrap();
        assert_eq!(back, demo);
    }

    #[test]
    fn json_is_read_too() {
        let seed = Seed::from_yaml_str(
            r#"{"models": [{"id": "m", "deployments": [{"id": "d", "status": "BUILDING"}]}]}"#,
            "seed.json",
        )
        .unwrap();
        assert_eq!(
            seed.models[0].deployments[0].status,
            DeploymentStatus::Building
        );
    }

    #[test]
    fn type_errors_name_file_field_path_and_line() {
        let text = "models:\n  - id: m\n    deployments:\n      - id: d\n        status: ACTIV\n";
        let err = Seed::from_yaml_str(text, "seed.yaml").unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("seed.yaml: "), "{shown}");
        assert!(shown.contains("models[0].deployments[0].status"), "{shown}");
        assert!(shown.contains("ACTIV"), "{shown}");
        assert!(shown.contains("line 5"), "{shown}");
        assert!(
            matches!(err, SeedError::Parse { line: Some(5), .. }),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let err = Seed::from_yaml_str("models:\n  - id: m\n    colour: red\n", "s.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("models[0]"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = Seed::from_yaml_str("models: [\n  {id: m\n", "bad.yaml").unwrap_err();
        assert!(err.to_string().starts_with("bad.yaml: "), "{err}");
        assert!(
            matches!(err, SeedError::Parse { line: Some(_), .. }),
            "{err:?}"
        );
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let err = Seed::from_path("/nonexistent/seed.yaml").unwrap_err();
        assert!(err.to_string().contains("/nonexistent/seed.yaml"), "{err}");
    }
}
