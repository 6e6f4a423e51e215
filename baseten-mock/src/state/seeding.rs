//! Applying a [`Seed`]: every check first (so a bad seed changes nothing), then the inserts.

use std::collections::BTreeSet;
use std::time::Duration;

use super::{
    ChainDeploymentRec, ChainEnvRec, ChainRec, DeploymentRec, EnvRec, ModelRec, PRODUCTION, World,
};
use crate::seed::{DeploymentSeed, Seed, SeedError};
use crate::types::{AutoscalingSettings, Chainlet, DeploymentStatus};

/// Collects the first inconsistency, with the path of the field it is about.
struct Checker<'a> {
    origin: &'a str,
}

impl Checker<'_> {
    fn fail(&self, field: String, message: impl Into<String>) -> SeedError {
        SeedError::Invalid {
            origin: self.origin.to_owned(),
            field,
            message: message.into(),
        }
    }

    fn non_empty(&self, field: String, value: &str) -> Result<(), SeedError> {
        if value.is_empty() {
            return Err(self.fail(field, "must not be empty"));
        }
        Ok(())
    }

    /// An environment of a model or chain (`owner`, e.g. `model m-1`): its name is set and
    /// not listed twice (`names` holds the owner's names so far), and the deployment it serves,
    /// if any, is one of the owner's (`own`).
    fn environment<'s>(
        &self,
        at: &str,
        name: &'s str,
        deployment_id: Option<&str>,
        names: &mut BTreeSet<&'s str>,
        own: &BTreeSet<&str>,
        owner: &str,
    ) -> Result<(), SeedError> {
        self.non_empty(format!("{at}.name"), name)?;
        if !names.insert(name) {
            return Err(self.fail(
                format!("{at}.name"),
                format!("environment {name} is listed twice"),
            ));
        }
        if let Some(id) = deployment_id
            && !own.contains(id)
        {
            return Err(self.fail(
                format!("{at}.deployment_id"),
                format!("{id} is not a deployment of {owner}"),
            ));
        }
        Ok(())
    }

    fn replicas(&self, field: String, count: Option<i64>) -> Result<(), SeedError> {
        match count {
            Some(n) if n < 0 => Err(self.fail(field, format!("must be 0 or more, not {n}"))),
            _ => Ok(()),
        }
    }

    fn autoscaling(
        &self,
        field: String,
        settings: Option<&AutoscalingSettings>,
    ) -> Result<(), SeedError> {
        match settings {
            Some(s) if s.min_replica < 0 || s.max_replica < s.min_replica => Err(self.fail(
                field,
                format!(
                    "min_replica ({}) must be 0 or more and at most max_replica ({})",
                    s.min_replica, s.max_replica
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// Whether a deployment in this status serves traffic (and so defaults to one replica).
fn serving(status: DeploymentStatus) -> bool {
    matches!(
        status,
        DeploymentStatus::Active | DeploymentStatus::Unhealthy | DeploymentStatus::Updating
    )
}

/// Autoscaling settings are `null` until a deployment has finished deploying.
fn default_autoscaling(status: DeploymentStatus) -> Option<AutoscalingSettings> {
    match status {
        DeploymentStatus::Building
        | DeploymentStatus::Deploying
        | DeploymentStatus::LoadingModel => None,
        _ => Some(AutoscalingSettings::default()),
    }
}

fn default_replicas(status: DeploymentStatus, settings: Option<&AutoscalingSettings>) -> i64 {
    if serving(status) {
        settings.map_or(1, |s| s.min_replica.max(1))
    } else {
        0
    }
}

impl World {
    /// Adds everything in `seed`; `origin` names it in errors (a file name, or `seed`).
    pub(crate) fn apply_seed(&mut self, seed: &Seed, origin: &str) -> Result<(), SeedError> {
        self.check_seed(seed, origin)?;
        let now = self.clock.wall(self.clock.now());

        for model in &seed.models {
            let mut rec = ModelRec {
                build_fails_with: model.build_fails_with,
                ..ModelRec::default()
            };
            for d in &model.deployments {
                if d.development {
                    rec.development = Some(d.id.clone());
                }
                self.deployments
                    .insert(d.id.clone(), deployment_rec(&model.id, d, now));
            }
            for env in &model.environments {
                let seq = if env.deployment_id.is_some() {
                    self.next_assignment_seq()
                } else {
                    0
                };
                rec.environments.insert(
                    env.name.clone(),
                    EnvRec {
                        current: env.deployment_id.clone(),
                        assigned_seq: seq,
                        rolling: env.rolling,
                        failure: env.promotion_failure.clone(),
                        deleted_after: env.deleted_after_seconds.map(Duration::from_secs),
                        ..EnvRec::new(now)
                    },
                );
            }
            rec.environments
                .entry(PRODUCTION.to_owned())
                .or_insert_with(|| EnvRec::new(now));
            self.models.insert(model.id.clone(), rec);
        }

        for chain in &seed.chains {
            let mut rec = ChainRec::default();
            for d in &chain.deployments {
                let chainlets = d
                    .chainlets
                    .iter()
                    .map(|c| {
                        let status = c.status.unwrap_or(d.status);
                        let autoscaling = c
                            .autoscaling_settings
                            .clone()
                            .or_else(|| default_autoscaling(status));
                        Chainlet {
                            id: c.id.clone(),
                            name: c.name.clone(),
                            active_replica_count: c
                                .active_replica_count
                                .unwrap_or_else(|| default_replicas(status, autoscaling.as_ref())),
                            autoscaling_settings: autoscaling,
                            instance_type_name: c.instance_type_name.clone(),
                            status,
                        }
                    })
                    .collect();
                self.chain_deployments.insert(
                    d.id.clone(),
                    ChainDeploymentRec {
                        chain_id: chain.id.clone(),
                        created_at: d.created_at.unwrap_or(now),
                        status: d.status,
                        chainlets,
                    },
                );
            }
            for env in &chain.environments {
                let seq = if env.deployment_id.is_some() {
                    self.next_assignment_seq()
                } else {
                    0
                };
                rec.environments.insert(
                    env.name.clone(),
                    ChainEnvRec::new(now, env.deployment_id.clone(), seq),
                );
            }
            rec.environments
                .entry(PRODUCTION.to_owned())
                .or_insert_with(|| ChainEnvRec::new(now, None, 0));
            self.chains.insert(chain.id.clone(), rec);
        }
        Ok(())
    }

    fn check_seed(&self, seed: &Seed, origin: &str) -> Result<(), SeedError> {
        let check = Checker { origin };
        let mut model_ids = BTreeSet::new();
        let mut deployment_ids = BTreeSet::new();
        for (i, model) in seed.models.iter().enumerate() {
            let at = format!("models[{i}]");
            check.non_empty(format!("{at}.id"), &model.id)?;
            if self.models.contains_key(&model.id) || !model_ids.insert(model.id.as_str()) {
                return Err(check.fail(
                    format!("{at}.id"),
                    format!("model id {} is used twice", model.id),
                ));
            }
            let mut own = BTreeSet::new();
            let mut development = None;
            for (j, d) in model.deployments.iter().enumerate() {
                let at = format!("{at}.deployments[{j}]");
                check.non_empty(format!("{at}.id"), &d.id)?;
                if self.deployments.contains_key(&d.id) || !deployment_ids.insert(d.id.as_str()) {
                    return Err(check.fail(
                        format!("{at}.id"),
                        format!(
                            "deployment id {} is used twice (ids are unique across models)",
                            d.id
                        ),
                    ));
                }
                if d.development
                    && let Some(first) = development.replace(d.id.as_str())
                {
                    return Err(check.fail(
                        format!("{at}.development"),
                        format!(
                            "model {} already has development deployment {first}",
                            model.id
                        ),
                    ));
                }
                check.replicas(format!("{at}.active_replica_count"), d.active_replica_count)?;
                check.autoscaling(
                    format!("{at}.autoscaling_settings"),
                    d.autoscaling_settings.as_ref(),
                )?;
                own.insert(d.id.as_str());
            }
            let mut env_names = BTreeSet::new();
            for (k, env) in model.environments.iter().enumerate() {
                let at = format!("{at}.environments[{k}]");
                check.environment(
                    &at,
                    &env.name,
                    env.deployment_id.as_deref(),
                    &mut env_names,
                    &own,
                    &format!("model {}", model.id),
                )?;
                if let Some(rolling) = &env.rolling {
                    if !(1..=100).contains(&rolling.step_percent) {
                        return Err(check.fail(
                            format!("{at}.rolling.step_percent"),
                            format!("must be 1 to 100, not {}", rolling.step_percent),
                        ));
                    }
                    if rolling.step_seconds == 0 {
                        return Err(
                            check.fail(format!("{at}.rolling.step_seconds"), "must be at least 1")
                        );
                    }
                }
                if let Some(failure) = &env.promotion_failure {
                    if env.rolling.is_none() {
                        return Err(check.fail(
                            format!("{at}.promotion_failure"),
                            "needs `rolling`: promotions to an environment without rolling \
                             settings take effect at once and cannot fail at a step",
                        ));
                    }
                    if failure.at_step == 0 {
                        return Err(check.fail(
                            format!("{at}.promotion_failure.at_step"),
                            "must be at least 1 (the first step boundary)",
                        ));
                    }
                }
                if env.name == PRODUCTION && env.deleted_after_seconds.is_some() {
                    return Err(check.fail(
                        format!("{at}.deleted_after_seconds"),
                        "production cannot be deleted",
                    ));
                }
            }
            if let Some(status) = model.build_fails_with
                && !matches!(
                    status,
                    DeploymentStatus::BuildFailed
                        | DeploymentStatus::DeployFailed
                        | DeploymentStatus::Failed
                )
            {
                return Err(check.fail(
                    format!("{at}.build_fails_with"),
                    format!("must be BUILD_FAILED, DEPLOY_FAILED or FAILED, not {status}"),
                ));
            }
        }

        let mut chain_ids = BTreeSet::new();
        let mut chain_deployment_ids = BTreeSet::new();
        for (i, chain) in seed.chains.iter().enumerate() {
            let at = format!("chains[{i}]");
            check.non_empty(format!("{at}.id"), &chain.id)?;
            if self.chains.contains_key(&chain.id) || !chain_ids.insert(chain.id.as_str()) {
                return Err(check.fail(
                    format!("{at}.id"),
                    format!("chain id {} is used twice", chain.id),
                ));
            }
            let mut own = BTreeSet::new();
            for (j, d) in chain.deployments.iter().enumerate() {
                let at = format!("{at}.deployments[{j}]");
                check.non_empty(format!("{at}.id"), &d.id)?;
                if self.chain_deployments.contains_key(&d.id)
                    || !chain_deployment_ids.insert(d.id.as_str())
                {
                    return Err(check.fail(
                        format!("{at}.id"),
                        format!(
                            "chain deployment id {} is used twice (ids are unique across chains)",
                            d.id
                        ),
                    ));
                }
                for (c, chainlet) in d.chainlets.iter().enumerate() {
                    let at = format!("{at}.chainlets[{c}]");
                    check.non_empty(format!("{at}.id"), &chainlet.id)?;
                    check.replicas(
                        format!("{at}.active_replica_count"),
                        chainlet.active_replica_count,
                    )?;
                    check.autoscaling(
                        format!("{at}.autoscaling_settings"),
                        chainlet.autoscaling_settings.as_ref(),
                    )?;
                }
                own.insert(d.id.as_str());
            }
            let mut env_names = BTreeSet::new();
            for (k, env) in chain.environments.iter().enumerate() {
                let at = format!("{at}.environments[{k}]");
                check.environment(
                    &at,
                    &env.name,
                    env.deployment_id.as_deref(),
                    &mut env_names,
                    &own,
                    &format!("chain {}", chain.id),
                )?;
            }
        }
        Ok(())
    }
}

fn deployment_rec(
    model_id: &str,
    d: &DeploymentSeed,
    now: chrono::DateTime<chrono::Utc>,
) -> DeploymentRec {
    let autoscaling = d
        .autoscaling_settings
        .clone()
        .or_else(|| default_autoscaling(d.status));
    DeploymentRec {
        model_id: model_id.to_owned(),
        name: d.name.clone().unwrap_or_else(|| d.id.clone()),
        status: d.status,
        replicas: d
            .active_replica_count
            .unwrap_or_else(|| default_replicas(d.status, autoscaling.as_ref())),
        autoscaling,
        instance_type: d.instance_type_name.clone(),
        labels: d.labels.clone(),
        created_at: d.created_at.unwrap_or(now),
        created_by_mock_at: None,
    }
}
