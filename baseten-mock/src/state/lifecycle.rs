//! The environment and deployment lifecycle of Baseten's newer specifications: creating and
//! updating a model environment, renaming, activating and deactivating a deployment; and the
//! 404 that an answer generated from the spec gets for a model, chain, deployment or
//! environment the mock does not hold (`check_named_resources`). Deleting an environment is in
//! `deletion.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::models::{deployment_not_found, env_not_found, model_not_found};
use super::reads::chain_not_found;
use super::{EnvRec, PRODUCTION, World, wake_replicas};
use crate::error::ApiError;
use crate::types::{AutoscalingSettings, Deployment, DeploymentStatus};
use crate::wire::EnvironmentView;

/// `CreateEnvironmentRequestV1` (validated against the spec before it gets here).
#[derive(Debug, Deserialize)]
pub(crate) struct CreateEnvironmentRequest {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) autoscaling_settings: Option<Value>,
    #[serde(default)]
    pub(crate) promotion_settings: Option<Value>,
}

/// `UpdateEnvironmentRequestV1`: the parts the mock models (other settings are accepted and
/// not kept).
#[derive(Debug, Deserialize)]
pub(crate) struct UpdateEnvironmentRequest {
    #[serde(default)]
    pub(crate) autoscaling_settings: Option<Value>,
    #[serde(default)]
    pub(crate) promotion_settings: Option<Value>,
}

/// Which deployment an activate or deactivate path names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    Id(&'a str),
    Development,
    Production,
}

impl World {
    /// `POST /v1/models/{model_id}/environments`: a new environment serving nothing.
    pub(crate) fn create_environment(
        &mut self,
        model_id: &str,
        request: &CreateEnvironmentRequest,
    ) -> Result<EnvironmentView, ApiError> {
        self.sync();
        let created_at = self.clock.wall(self.clock.now());
        let model = self
            .models
            .get_mut(model_id)
            .ok_or_else(|| model_not_found(model_id))?;
        let name = request.name.as_str();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        {
            return Err(ApiError::validation(format!(
                "Invalid environment name {name:?}: use letters, digits, `-` and `_`."
            )));
        }
        if model.environments.contains_key(name) {
            return Err(ApiError::validation(format!(
                "Environment {name} already exists for model {model_id}."
            )));
        }
        let mut rec = EnvRec::new(created_at);
        apply_settings(
            &mut rec,
            request.autoscaling_settings.as_ref(),
            request.promotion_settings.as_ref(),
        );
        model.environments.insert(name.to_owned(), rec);
        self.get_environment(model_id, name)
    }

    /// `PATCH /v1/models/{model_id}/environments/{env_name}`: autoscaling settings (the fields
    /// given replace the environment's) and whether promotions to it roll.
    pub(crate) fn update_environment(
        &mut self,
        model_id: &str,
        env: &str,
        request: &UpdateEnvironmentRequest,
    ) -> Result<EnvironmentView, ApiError> {
        self.sync();
        if !self.models.contains_key(model_id) {
            return Err(model_not_found(model_id));
        }
        let rec = self
            .env_rec_mut(model_id, env)
            .ok_or_else(|| env_not_found(model_id, env))?;
        apply_settings(
            rec,
            request.autoscaling_settings.as_ref(),
            request.promotion_settings.as_ref(),
        );
        self.get_environment(model_id, env)
    }

    /// `PATCH /v1/models/{model_id}/deployments/{deployment_id}` with a new name (`None`: no
    /// change). Names are unique among the model's deployments.
    pub(crate) fn rename_deployment(
        &mut self,
        model_id: &str,
        deployment_id: &str,
        name: Option<&str>,
    ) -> Result<Deployment, ApiError> {
        self.get_deployment(model_id, deployment_id)?;
        if let Some(name) = name {
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Err(ApiError::validation(format!(
                    "Invalid deployment name {name:?}: only letters, digits, `-`, `_` and `.` \
                     are allowed."
                )));
            }
            let taken = self.deployments.iter().any(|(id, rec)| {
                rec.model_id == model_id && id != deployment_id && rec.name == name
            });
            if taken {
                return Err(ApiError::validation(format!(
                    "A deployment named {name} already exists for model {model_id}."
                )));
            }
            if let Some(rec) = self.deployments.get_mut(deployment_id) {
                rec.name = name.to_owned();
            }
        }
        self.get_deployment(model_id, deployment_id)
    }

    /// `POST …/activate` and `…/deactivate`. Deactivating scales the deployment to zero and
    /// leaves it `INACTIVE` until activated; activating an `INACTIVE` or `SCALED_TO_ZERO` one
    /// brings it back `ACTIVE` with its minimum replicas (at once: the mock has no cold start).
    /// Activating an active one changes nothing. A deployment still being built, or one that
    /// failed, cannot be either: 400.
    pub(crate) fn set_deployment_active(
        &mut self,
        model_id: &str,
        target: Target<'_>,
        active: bool,
    ) -> Result<(), ApiError> {
        self.sync();
        let model = self
            .models
            .get(model_id)
            .ok_or_else(|| model_not_found(model_id))?;
        let id = match target {
            Target::Id(id) => {
                self.get_deployment(model_id, id)?;
                id.to_owned()
            }
            Target::Development => model.development.clone().ok_or_else(|| {
                ApiError::not_found(format!("Model {model_id} has no development deployment."))
            })?,
            Target::Production => model
                .environments
                .get(PRODUCTION)
                .and_then(|env| env.current.clone())
                .ok_or_else(|| {
                    ApiError::not_found(format!("Model {model_id} has no production deployment."))
                })?,
        };
        let Some(rec) = self.deployments.get_mut(&id) else {
            return Err(deployment_not_found(&id));
        };
        use DeploymentStatus as S;
        match rec.status {
            S::Building | S::Deploying | S::LoadingModel | S::Updating => {
                Err(ApiError::validation(format!(
                    "Deployment {id} is {} and cannot be {} until it is done.",
                    rec.status.as_str(),
                    if active { "activated" } else { "deactivated" }
                )))
            }
            S::BuildFailed | S::BuildStopped | S::DeployFailed | S::Failed => {
                Err(ApiError::validation(format!(
                    "Deployment {id} is {} and cannot be {}.",
                    rec.status.as_str(),
                    if active { "activated" } else { "deactivated" }
                )))
            }
            _ if active => {
                wake_replicas(&mut rec.status, &mut rec.replicas, &mut rec.autoscaling);
                Ok(())
            }
            _ => {
                rec.status = S::Inactive;
                rec.replicas = 0;
                Ok(())
            }
        }
    }

    /// 404 for a model, chain, deployment or environment that a path names (by Baseten's
    /// parameter names under `/v1/models/{model_id}` and `/v1/chains/{chain_id}`) and the mock
    /// does not hold, with the messages the stateful operations answer. Other paths (teams,
    /// secrets, training, ...) name nothing the mock models: always `Ok`.
    pub(crate) fn check_named_resources(
        &mut self,
        template: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        self.sync();
        let segments: Vec<&str> = template.split('/').skip(1).collect();
        let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
        match segments.as_slice() {
            ["v1", "models", "{model_id}", rest @ ..] => {
                let model_id = param("model_id");
                let model = self
                    .models
                    .get(model_id)
                    .ok_or_else(|| model_not_found(model_id))?;
                match rest {
                    ["environments", "{env_name}", ..] => {
                        let env = param("env_name");
                        if !model.environments.contains_key(env) {
                            return Err(env_not_found(model_id, env));
                        }
                    }
                    ["deployments", "{deployment_id}", ..] => {
                        self.get_deployment(model_id, param("deployment_id"))?;
                    }
                    _ => {}
                }
            }
            ["v1", "chains", "{chain_id}", rest @ ..] => {
                let chain_id = param("chain_id");
                let chain = self
                    .chains
                    .get(chain_id)
                    .ok_or_else(|| chain_not_found(chain_id))?;
                match rest {
                    ["environments", "{env_name}", ..] => {
                        let env = param("env_name");
                        if !chain.environments.contains_key(env) {
                            return Err(ApiError::not_found(format!(
                                "Environment {env} not found for chain {chain_id}."
                            )));
                        }
                    }
                    ["deployments", "{chain_deployment_id}", ..] => {
                        self.get_chain_deployment(chain_id, param("chain_deployment_id"))?;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Applies the settings of a create or update request that the mock models: autoscaling
/// fields given (non-null) replace the environment's; `rolling_deploy` turns rolling
/// promotions on (with `rolling_deploy_config.max_surge_percent` as the step, 1–100) or off.
fn apply_settings(rec: &mut EnvRec, autoscaling: Option<&Value>, promotion: Option<&Value>) {
    if let Some(Value::Object(given)) = autoscaling {
        let settings = rec
            .autoscaling
            .get_or_insert_with(AutoscalingSettings::default);
        let int = |name: &str| given.get(name).and_then(Value::as_i64);
        if let Some(v) = int("min_replica") {
            settings.min_replica = v;
        }
        if let Some(v) = int("max_replica") {
            settings.max_replica = v;
        }
        if let Some(v) = int("concurrency_target") {
            settings.concurrency_target = v;
        }
        for (name, slot) in [
            ("autoscaling_window", &mut settings.autoscaling_window),
            ("scale_down_delay", &mut settings.scale_down_delay),
            (
                "target_utilization_percentage",
                &mut settings.target_utilization_percentage,
            ),
            (
                "target_in_flight_tokens",
                &mut settings.target_in_flight_tokens,
            ),
        ] {
            if let Some(v) = int(name) {
                *slot = Some(v);
            }
        }
    }
    if let Some(Value::Object(given)) = promotion {
        match given.get("rolling_deploy").and_then(Value::as_bool) {
            Some(true) => {
                let mut rolling = rec.rolling.unwrap_or_default();
                if let Some(surge) = given
                    .get("rolling_deploy_config")
                    .and_then(|c| c.get("max_surge_percent"))
                    .and_then(Value::as_u64)
                {
                    rolling.step_percent = u8::try_from(surge.clamp(1, 100)).unwrap_or(100);
                }
                rec.rolling = Some(rolling);
            }
            Some(false) => rec.rolling = None,
            None => {}
        }
    }
}
