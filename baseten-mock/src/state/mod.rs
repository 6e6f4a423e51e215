//! The simulated Baseten: models, chains, their deployments and environments, and the builds
//! and rolling promotions in flight.
//!
//! Time-driven changes are applied lazily: every request and every read first calls
//! [`World::sync`], which replays all steps due up to the clock's "now" in time order. There is
//! no background task, so a manual clock gives exactly the same states on every run, and a real
//! clock needs no timers.
//!
//! The operations live in submodules, one per job: `seeding`, `models` (promotion to an
//! environment and rolling promotions), `development` (development → production builds),
//! `chains`.

mod chains;
mod development;
mod models;
mod seeding;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::types::{
    AutoscalingSettings, ChainDeployment, ChainEnvironment, Chainlet, Deployment, DeploymentStatus,
    Environment, Promotion, PromotionStatus, RollingSettings, Timings,
};

pub(crate) use chains::PromoteChainRequest;
pub(crate) use development::PromoteDevelopmentRequest;
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
}

#[derive(Debug, Default)]
struct ModelRec {
    development: Option<String>,
    environments: BTreeMap<String, EnvRec>,
    /// A development → production build in flight (at most one: it counts as a promotion in
    /// progress for `production`).
    build: Option<BuildRec>,
}

#[derive(Debug, Default)]
struct EnvRec {
    current: Option<String>,
    assigned_seq: u64,
    rolling: Option<RollingSettings>,
    /// The running or last rolling promotion.
    promotion: Option<PromotionRec>,
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
}

#[derive(Debug)]
struct BuildRec {
    deployment_id: String,
    next_step_at: Duration,
    scale_down_previous: bool,
}

#[derive(Debug, Clone)]
struct PromotionRec {
    candidate: String,
    previous: Option<String>,
    status: PromotionStatus,
    traffic: u8,
    force: bool,
    scale_down_previous: bool,
    /// The environment's settings when the promotion started.
    settings: RollingSettings,
    next_step_at: Duration,
}

#[derive(Debug, Default)]
struct ChainRec {
    environments: BTreeMap<String, ChainEnvRec>,
}

#[derive(Debug, Default)]
struct ChainEnvRec {
    current: Option<String>,
    assigned_seq: u64,
}

#[derive(Debug, Clone)]
struct ChainDeploymentRec {
    chain_id: String,
    created_at: DateTime<Utc>,
    status: DeploymentStatus,
    chainlets: Vec<Chainlet>,
}

/// A step that is due: the build of a model, or the rolling promotion of one of its
/// environments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Build { model_id: String },
    Promotion { model_id: String, env: String },
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
        }
    }

    /// Applies every step due up to now, earliest first.
    pub(crate) fn sync(&mut self) {
        let now = self.clock.now();
        while let Some((at, due)) = self.earliest_due(now) {
            match due {
                Due::Build { model_id } => self.step_build(&model_id, at),
                Due::Promotion { model_id, env } => self.step_promotion(&model_id, &env, at),
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
                promotion.status.in_progress().then(|| {
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
        builds.chain(promotions).filter(|(at, _)| *at <= now).min()
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
        let rec = self.models.get(model_id)?.environments.get(env)?;
        Some(Environment {
            name: env.to_owned(),
            deployment_id: rec.current.clone(),
            rolling: rec.rolling,
            promotion: rec.promotion.as_ref().map(PromotionRec::view),
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
            force_roll_forward: self.force,
            next_step_at: self.status.in_progress().then_some(self.next_step_at),
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
