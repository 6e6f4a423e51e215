//! The simulated Baseten: models, chains, their deployments and environments, and the builds
//! and rolling promotions in flight.
//!
//! Time-driven changes are applied lazily: every request and every read first calls
//! [`World::sync`], which replays all steps due up to the clock's "now" in time order. There is
//! no background task, so a manual clock gives exactly the same states on every run, and a real
//! clock needs no timers.
//!
//! The operations live in submodules, one per job: `seeding`, `models` (promotion to an
//! environment), `rolling` (a rolling promotion's steps and the signals that steer it: cancel,
//! force cancel, pause, resume, force roll forward), `development` (development → production
//! builds), `chains`, `reads` (the `get_*`/`list_*` answers), `deletion` (deleting an
//! environment), `history` (every promotion change with its simulated time) and `overrides`
//! (test hooks that change what reads show).

mod chains;
mod deletion;
mod development;
mod history;
mod lifecycle;
mod models;
mod overrides;
mod reads;
mod rolling;
mod seeding;

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::seed::PromotionFailure;
use crate::types::{
    AutoscalingSettings, ChainDeployment, ChainEnvironment, Chainlet, Deployment, DeploymentStatus,
    Environment, Promotion, PromotionEvent, PromotionStatus, RollingSettings, Timings,
};

pub(crate) use chains::PromoteChainRequest;
pub(crate) use development::PromoteDevelopmentRequest;
pub use history::HISTORY_CAPACITY;
pub(crate) use lifecycle::{CreateEnvironmentRequest, Target, UpdateEnvironmentRequest};
pub(crate) use models::PromoteToEnvironmentRequest;

/// The environment that promoting a development deployment targets.
pub(crate) const PRODUCTION: &str = "production";

#[derive(Debug)]
pub(crate) struct World {
    pub(crate) clock: Clock,
    timings: Timings,
    models: BTreeMap<String, ModelRec>,
    /// All model deployments by id: ids are unique across models, so a deployment of another
    /// model can be told apart from an unknown one (400 versus 404).
    deployments: BTreeMap<String, DeploymentRec>,
    chains: BTreeMap<String, ChainRec>,
    chain_deployments: BTreeMap<String, ChainDeploymentRec>,
    /// Increases with every environment assignment; "the environment that got a deployment most
    /// recently" is the one with the highest value.
    assignment_seq: u64,
    /// Counter for ids of deployments the mock creates (`dpl-1`, `dpl-2`, ...).
    generated_ids: u64,
    /// Every promotion change, per (model, environment), oldest first.
    history: BTreeMap<(String, String), VecDeque<PromotionEvent>>,
    /// Promotion statuses that reads show instead of the real one, per (model, environment).
    promotion_status_overrides: BTreeMap<(String, String), String>,
    /// Deployment statuses that reads show instead of the real one, per deployment id.
    deployment_status_overrides: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct ModelRec {
    development: Option<String>,
    environments: BTreeMap<String, EnvRec>,
    /// A development → production build in flight (at most one: it counts as a promotion in
    /// progress for `production`).
    build: Option<BuildRec>,
    /// The status every development build of this model fails with, if it should fail.
    build_fails_with: Option<DeploymentStatus>,
}

#[derive(Debug)]
struct EnvRec {
    created_at: DateTime<Utc>,
    current: Option<String>,
    assigned_seq: u64,
    rolling: Option<RollingSettings>,
    /// Makes every rolling promotion to it fail at a step.
    failure: Option<PromotionFailure>,
    /// The promotion in progress, or the last one (see [`Promotion`]).
    promotion: Option<PromotionRec>,
    /// From the seed: deleted this long after the first promotion to it was accepted.
    deleted_after: Option<Duration>,
    /// When it will be deleted, once a promotion to it set the time.
    deletion_at: Option<Duration>,
    /// Autoscaling settings an update gave it; until then, its current deployment's.
    autoscaling: Option<AutoscalingSettings>,
}

impl EnvRec {
    fn new(created_at: DateTime<Utc>) -> Self {
        Self {
            created_at,
            current: None,
            assigned_seq: 0,
            rolling: None,
            failure: None,
            promotion: None,
            deleted_after: None,
            deletion_at: None,
            autoscaling: None,
        }
    }
}

#[derive(Debug, Clone)]
struct DeploymentRec {
    model_id: String,
    name: String,
    status: DeploymentStatus,
    replicas: i64,
    autoscaling: Option<AutoscalingSettings>,
    instance_type: Option<String>,
    labels: Option<serde_json::Map<String, serde_json::Value>>,
    created_at: DateTime<Utc>,
    /// Simulated creation time of a deployment the mock created (not of a seeded one): such a
    /// deployment answers `get_deployment` with 404 for a while.
    created_by_mock_at: Option<Duration>,
}

#[derive(Debug)]
struct BuildRec {
    deployment_id: String,
    next_step_at: Duration,
    scale_down_previous: bool,
}

/// A promotion that is or was in progress: a rolling one, or a development build for
/// `production` (`building`), which turns into a rolling one (or an immediate switch) when the
/// build is done.
#[derive(Debug, Clone)]
struct PromotionRec {
    candidate: String,
    previous: Option<String>,
    status: PromotionStatus,
    traffic: u8,
    /// `false` only for a build into a `production` without rolling settings.
    rolling: bool,
    /// The candidate is still being built; its `BuildRec` drives it, not the step scheduler.
    building: bool,
    /// Force roll forward requested: the next step is `SUCCEEDED`.
    force: bool,
    /// Pause requested: the next step ends `PAUSED`.
    pause_requested: bool,
    /// While `PAUSED`: the status to resume with.
    paused_from: Option<PromotionStatus>,
    /// Why it is `RAMPING_DOWN`, which decides how the rollback ends.
    rollback: Option<Rollback>,
    error_message: Option<String>,
    /// From the environment's seed: the step it fails at.
    failure: Option<PromotionFailure>,
    /// Step boundaries passed so far.
    steps: u32,
    scale_down_previous: bool,
    /// The environment's settings when the promotion started.
    settings: RollingSettings,
    next_step_at: Duration,
    ended_at: Option<Duration>,
    /// When it was accepted (for the rolling promotion that follows a development build: when
    /// the build was).
    accepted_at: Duration,
    /// The environment's promotion before this one, without its own `before`: what the
    /// environment still shows during [`Timings::candidate_lead`].
    before: Option<Box<PromotionRec>>,
}

/// Why a promotion rolls back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rollback {
    /// `cancel_promotion` with traffic on the candidate: ends `CANCELED`.
    Cancel,
    /// The candidate failed: ends `FAILED`.
    Failure,
}

impl PromotionRec {
    /// A promotion of `candidate` accepted at `at`, `RELEASING` with no traffic yet.
    fn new(
        candidate: &str,
        previous: Option<String>,
        settings: Option<RollingSettings>,
        scale_down_previous: bool,
        at: Duration,
    ) -> Self {
        let rolling = settings.is_some();
        let settings = settings.unwrap_or_default();
        Self {
            candidate: candidate.to_owned(),
            previous,
            status: PromotionStatus::Releasing,
            traffic: 0,
            rolling,
            building: false,
            force: false,
            pause_requested: false,
            paused_from: None,
            rollback: None,
            error_message: None,
            failure: None,
            steps: 0,
            scale_down_previous,
            settings,
            next_step_at: at.saturating_add(settings.step_interval()),
            ended_at: None,
            accepted_at: at,
            before: None,
        }
    }

    /// A promotion that a new one replaces, kept as the new one's `before` (without its own,
    /// so that the chain stays one link long).
    fn superseded(promotion: Option<Self>) -> Option<Box<Self>> {
        promotion.map(|mut p| {
            p.before = None;
            Box::new(p)
        })
    }

    /// Whether the step scheduler moves it: in progress, not building, and not paused (unless
    /// forced forward, which ends a pause at the next step).
    fn scheduled(&self) -> bool {
        self.status.in_progress()
            && !self.building
            && (self.status != PromotionStatus::Paused || self.force)
    }

    /// Ends it with a terminal `status` at `at`.
    fn end(&mut self, status: PromotionStatus, at: Duration) {
        self.status = status;
        self.traffic = if status == PromotionStatus::Succeeded {
            100
        } else {
            0
        };
        self.force = false;
        self.pause_requested = false;
        self.paused_from = None;
        self.ended_at = Some(at);
    }
}

#[derive(Debug, Default)]
struct ChainRec {
    environments: BTreeMap<String, ChainEnvRec>,
}

#[derive(Debug)]
struct ChainEnvRec {
    created_at: DateTime<Utc>,
    current: Option<String>,
    assigned_seq: u64,
    /// The latest promotion that changed `current`: reads show it in progress for
    /// [`Timings::chain_promotion`].
    last_switch: Option<ChainSwitch>,
}

impl ChainEnvRec {
    fn new(created_at: DateTime<Utc>, current: Option<String>, assigned_seq: u64) -> Self {
        Self {
            created_at,
            current,
            assigned_seq,
            last_switch: None,
        }
    }
}

/// A chain promotion that changed what an environment serves.
#[derive(Debug, Clone)]
struct ChainSwitch {
    /// What the environment served before.
    previous: Option<String>,
    /// When it was accepted.
    at: Duration,
}

#[derive(Debug, Clone)]
struct ChainDeploymentRec {
    chain_id: String,
    created_at: DateTime<Utc>,
    status: DeploymentStatus,
    chainlets: Vec<Chainlet>,
}

/// A step that is due: the build of a model, the rolling promotion of one of its
/// environments, or the deletion of one (after the other steps due at the same instant).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Build { model_id: String },
    Promotion { model_id: String, env: String },
    Deletion { model_id: String, env: String },
}

impl World {
    pub(crate) fn new(clock: Clock, timings: Timings) -> Self {
        Self {
            clock,
            timings,
            models: BTreeMap::new(),
            deployments: BTreeMap::new(),
            chains: BTreeMap::new(),
            chain_deployments: BTreeMap::new(),
            assignment_seq: 0,
            generated_ids: 0,
            history: BTreeMap::new(),
            promotion_status_overrides: BTreeMap::new(),
            deployment_status_overrides: BTreeMap::new(),
        }
    }

    /// Applies every step due up to now, earliest first.
    pub(crate) fn sync(&mut self) {
        let now = self.clock.now();
        while let Some((at, due)) = self.earliest_due(now) {
            match due {
                Due::Build { model_id } => self.step_build(&model_id, at),
                Due::Promotion { model_id, env } => self.step_promotion(&model_id, &env, at),
                Due::Deletion { model_id, env } => self.remove_environment(&model_id, &env, at),
            }
        }
    }

    /// Moves the clock forward and applies what became due.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.clock.advance(by);
        self.sync();
    }

    /// The earliest step due at or before `now`; ties are broken by model id, then environment,
    /// so the order never depends on anything but the state.
    fn earliest_due(&self, now: Duration) -> Option<(Duration, Due)> {
        let builds = self.models.iter().filter_map(|(model_id, model)| {
            let build = model.build.as_ref()?;
            Some((
                build.next_step_at,
                Due::Build {
                    model_id: model_id.clone(),
                },
            ))
        });
        let promotions = self.models.iter().flat_map(|(model_id, model)| {
            model.environments.iter().filter_map(move |(env, rec)| {
                let promotion = rec.promotion.as_ref()?;
                promotion.scheduled().then(|| {
                    (
                        promotion.next_step_at,
                        Due::Promotion {
                            model_id: model_id.clone(),
                            env: env.clone(),
                        },
                    )
                })
            })
        });
        let deletions = self.models.iter().flat_map(|(model_id, model)| {
            model.environments.iter().filter_map(move |(env, rec)| {
                rec.deletion_at.map(|at| {
                    (
                        at,
                        Due::Deletion {
                            model_id: model_id.clone(),
                            env: env.clone(),
                        },
                    )
                })
            })
        });
        builds
            .chain(promotions)
            .chain(deletions)
            .filter(|(at, _)| *at <= now)
            .min()
    }

    fn next_generated_id(&mut self) -> String {
        loop {
            self.generated_ids += 1;
            let id = format!("dpl-{}", self.generated_ids);
            if !self.deployments.contains_key(&id) {
                return id;
            }
        }
    }

    fn next_assignment_seq(&mut self) -> u64 {
        self.assignment_seq += 1;
        self.assignment_seq
    }

    // --- reading ---------------------------------------------------------------------------

    pub(crate) fn deployment(&self, id: &str) -> Option<Deployment> {
        let rec = self.deployments.get(id)?;
        let model = self.models.get(&rec.model_id)?;
        let environment = preferred_environment(
            model
                .environments
                .iter()
                .filter(|(_, env)| env.current.as_deref() == Some(id))
                .map(|(name, env)| (name.as_str(), env.assigned_seq)),
        );
        Some(Deployment {
            id: id.to_owned(),
            created_at: rec.created_at,
            name: rec.name.clone(),
            model_id: rec.model_id.clone(),
            is_production: model
                .environments
                .get(PRODUCTION)
                .is_some_and(|env| env.current.as_deref() == Some(id)),
            is_development: model.development.as_deref() == Some(id),
            status: rec.status,
            active_replica_count: rec.replicas,
            autoscaling_settings: rec.autoscaling.clone(),
            instance_type_name: rec.instance_type.clone(),
            environment,
            labels: rec.labels.clone(),
        })
    }

    pub(crate) fn deployments_of(&self, model_id: &str) -> Vec<Deployment> {
        self.deployments
            .iter()
            .filter(|(_, rec)| rec.model_id == model_id)
            .filter_map(|(id, _)| self.deployment(id))
            .collect()
    }

    pub(crate) fn model_ids(&self) -> Vec<String> {
        self.models.keys().cloned().collect()
    }

    pub(crate) fn environments_of(&self, model_id: &str) -> Vec<Environment> {
        self.models
            .get(model_id)
            .into_iter()
            .flat_map(|model| model.environments.keys())
            .filter_map(|env| self.environment(model_id, env))
            .collect()
    }

    pub(crate) fn environment(&self, model_id: &str, env: &str) -> Option<Environment> {
        let rec = self.env_rec(model_id, env)?;
        Some(Environment {
            name: env.to_owned(),
            deployment_id: rec.current.clone(),
            rolling: rec.rolling,
            promotion: rec.promotion.as_ref().map(PromotionRec::view),
            deleted_after: rec.deleted_after,
            deletion_at: rec.deletion_at,
        })
    }

    pub(crate) fn chain_deployment(&self, id: &str) -> Option<ChainDeployment> {
        let rec = self.chain_deployments.get(id)?;
        let chain = self.chains.get(&rec.chain_id)?;
        let environment = preferred_environment(
            chain
                .environments
                .iter()
                .filter(|(_, env)| env.current.as_deref() == Some(id))
                .map(|(name, env)| (name.as_str(), env.assigned_seq)),
        );
        Some(ChainDeployment {
            id: id.to_owned(),
            created_at: rec.created_at,
            chain_id: rec.chain_id.clone(),
            environment,
            chainlets: rec.chainlets.clone(),
            status: rec.status,
        })
    }

    pub(crate) fn chain_ids(&self) -> Vec<String> {
        self.chains.keys().cloned().collect()
    }

    pub(crate) fn chain_deployments_of(&self, chain_id: &str) -> Vec<ChainDeployment> {
        self.chain_deployments
            .iter()
            .filter(|(_, rec)| rec.chain_id == chain_id)
            .filter_map(|(id, _)| self.chain_deployment(id))
            .collect()
    }

    pub(crate) fn chain_environments_of(&self, chain_id: &str) -> Vec<ChainEnvironment> {
        self.chains
            .get(chain_id)
            .into_iter()
            .flat_map(|chain| chain.environments.keys())
            .filter_map(|env| self.chain_environment(chain_id, env))
            .collect()
    }

    pub(crate) fn chain_environment(&self, chain_id: &str, env: &str) -> Option<ChainEnvironment> {
        let rec = self.chains.get(chain_id)?.environments.get(env)?;
        Some(ChainEnvironment {
            name: env.to_owned(),
            deployment_id: rec.current.clone(),
        })
    }

    // --- shared by the operations ----------------------------------------------------------

    fn env_rec(&self, model_id: &str, env: &str) -> Option<&EnvRec> {
        self.models.get(model_id)?.environments.get(env)
    }

    fn env_rec_mut(&mut self, model_id: &str, env: &str) -> Option<&mut EnvRec> {
        self.models.get_mut(model_id)?.environments.get_mut(env)
    }

    fn promotion_mut(&mut self, model_id: &str, env: &str) -> Option<&mut PromotionRec> {
        self.env_rec_mut(model_id, env)?.promotion.as_mut()
    }

    /// Whether any environment of the deployment's model serves it.
    fn serves_any_environment(&self, deployment_id: &str) -> bool {
        self.deployments.get(deployment_id).is_some_and(|rec| {
            self.models.get(&rec.model_id).is_some_and(|model| {
                model
                    .environments
                    .values()
                    .any(|env| env.current.as_deref() == Some(deployment_id))
            })
        })
    }

    /// A promoted deployment serves traffic: a scaled-down one comes back with its minimum
    /// replicas (at least one).
    fn wake(&mut self, deployment_id: &str) {
        if let Some(rec) = self.deployments.get_mut(deployment_id) {
            wake_replicas(&mut rec.status, &mut rec.replicas, &mut rec.autoscaling);
        }
    }

    /// Scales a deployment that no environment serves any more down to zero.
    fn scale_down_if_unused(&mut self, deployment_id: &str) {
        if self.serves_any_environment(deployment_id) {
            return;
        }
        if let Some(rec) = self.deployments.get_mut(deployment_id) {
            rec.status = DeploymentStatus::ScaledToZero;
            rec.replicas = 0;
        }
    }

    /// Points a model environment at `candidate` (the end of every model promotion).
    fn assign_model_environment(
        &mut self,
        model_id: &str,
        env: &str,
        candidate: &str,
        scale_down_previous: bool,
    ) {
        let seq = self.next_assignment_seq();
        let Some(rec) = self
            .models
            .get_mut(model_id)
            .and_then(|model| model.environments.get_mut(env))
        else {
            return;
        };
        let previous = rec.current.replace(candidate.to_owned());
        rec.assigned_seq = seq;
        self.wake(candidate);
        if let Some(previous) = previous.filter(|p| p != candidate)
            && scale_down_previous
        {
            self.scale_down_if_unused(&previous);
        }
    }
}

impl PromotionRec {
    fn view(&self) -> Promotion {
        Promotion {
            candidate_deployment_id: self.candidate.clone(),
            previous_deployment_id: self.previous.clone(),
            status: self.status,
            traffic_percent: self.traffic,
            rolling: self.rolling,
            building: self.building,
            force_roll_forward: self.force,
            pause_requested: self.pause_requested,
            error_message: self.error_message.clone(),
            next_step_at: self.scheduled().then_some(self.next_step_at),
            ended_at: self.ended_at,
        }
    }
}

/// `production` if it is among `envs`, else the one assigned most recently.
fn preferred_environment<'a>(envs: impl Iterator<Item = (&'a str, u64)>) -> Option<String> {
    let envs: Vec<_> = envs.collect();
    if envs.iter().any(|(name, _)| *name == PRODUCTION) {
        return Some(PRODUCTION.to_owned());
    }
    envs.iter()
        .max_by_key(|(_, seq)| *seq)
        .map(|(name, _)| (*name).to_owned())
}

/// Brings a deployment or chainlet that serves nothing back to `ACTIVE` with its minimum
/// replicas (at least one), filling in default autoscaling settings if it had none.
fn wake_replicas(
    status: &mut DeploymentStatus,
    replicas: &mut i64,
    autoscaling: &mut Option<AutoscalingSettings>,
) {
    let asleep = matches!(
        status,
        DeploymentStatus::ScaledToZero | DeploymentStatus::Inactive | DeploymentStatus::WakingUp
    ) || *replicas == 0;
    if !asleep {
        return;
    }
    let settings = autoscaling.get_or_insert_with(AutoscalingSettings::default);
    *status = DeploymentStatus::Active;
    *replicas = settings.min_replica.max(1);
}
