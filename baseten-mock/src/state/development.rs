//! Promoting the development deployment to production: a new deployment is created from the
//! development one and built in simulated time (`BUILDING` → `DEPLOYING` → `LOADING_MODEL` →
//! `ACTIVE`, durations from [`Timings`](crate::Timings)); once `ACTIVE` it is promoted to
//! `production` like any deployment (rolling, if `production` has rolling settings).

use serde::Deserialize;

use super::models::{model_not_found, promotion_in_progress};
use super::{BuildRec, DeploymentRec, PRODUCTION, World};
use crate::error::ApiError;
use crate::types::{AutoscalingSettings, Deployment, DeploymentStatus};

/// `PromoteRequestV1`, after the body has been validated against the spec.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PromoteDevelopmentRequest {
    #[serde(default = "yes")]
    pub(crate) scale_down_previous_production: bool,
    #[serde(default = "yes")]
    pub(crate) preserve_env_instance_type: bool,
}

fn yes() -> bool {
    true
}

impl World {
    /// `POST /v1/models/{model_id}/deployments/development/promote`.
    pub(crate) fn promote_development(
        &mut self,
        model_id: &str,
        request: &PromoteDevelopmentRequest,
    ) -> Result<Deployment, ApiError> {
        self.sync();
        let model = self
            .models
            .get(model_id)
            .ok_or_else(|| model_not_found(model_id))?;
        let development = model
            .development
            .as_ref()
            .and_then(|id| self.deployments.get(id))
            .ok_or_else(|| {
                ApiError::not_found(format!("Model {model_id} has no development deployment."))
            })?;
        let production = model.environments.get(PRODUCTION);
        let promoting = production
            .and_then(|env| env.promotion.as_ref())
            .is_some_and(|p| p.status.in_progress());
        if model.build.is_some() || promoting {
            return Err(promotion_in_progress(PRODUCTION));
        }
        if development.status.blocks_promotion() {
            return Err(ApiError::validation(format!(
                "The development deployment of model {model_id} cannot be promoted while its status is {}.",
                development.status
            )));
        }

        let production_instance_type = production
            .and_then(|env| env.current.as_ref())
            .and_then(|id| self.deployments.get(id))
            .and_then(|rec| rec.instance_type.clone());
        let instance_type = match production_instance_type {
            Some(kept) if request.preserve_env_instance_type => Some(kept),
            _ => development.instance_type.clone(),
        };
        // Published deployments are numbered; the development deployment is not one of them.
        let number = self
            .deployments
            .iter()
            .filter(|(id, rec)| rec.model_id == model_id && model.development.as_ref() != Some(*id))
            .count()
            + 1;
        let now = self.clock.now();
        let rec = DeploymentRec {
            model_id: model_id.to_owned(),
            name: format!("deployment-{number}"),
            status: DeploymentStatus::Building,
            replicas: 0,
            // Null until it has finished deploying, as the spec describes.
            autoscaling: None,
            instance_type,
            labels: development.labels.clone(),
            created_at: self.clock.wall(now),
        };
        let id = self.next_generated_id();
        self.deployments.insert(id.clone(), rec);
        if let Some(model) = self.models.get_mut(model_id) {
            model.build = Some(BuildRec {
                deployment_id: id.clone(),
                next_step_at: now + self.timings.build,
                scale_down_previous: request.scale_down_previous_production,
            });
        }
        self.deployment(&id)
            .ok_or_else(|| ApiError::not_found(format!("Deployment {id} not found.")))
    }

    /// One build step of `model_id`'s new deployment, due at `at`.
    pub(super) fn step_build(&mut self, model_id: &str, at: std::time::Duration) {
        let Some(model) = self.models.get_mut(model_id) else {
            return;
        };
        let Some(build) = model.build.as_mut() else {
            return;
        };
        let development_settings = model
            .development
            .as_ref()
            .and_then(|id| self.deployments.get(id))
            .and_then(|rec| rec.autoscaling.clone());
        let Some(rec) = self.deployments.get_mut(&build.deployment_id) else {
            model.build = None;
            return;
        };
        match rec.status {
            DeploymentStatus::Building => {
                rec.status = DeploymentStatus::Deploying;
                build.next_step_at = at + self.timings.deploy;
            }
            DeploymentStatus::Deploying => {
                rec.status = DeploymentStatus::LoadingModel;
                build.next_step_at = at + self.timings.load_model;
            }
            _ => {
                let settings = development_settings.unwrap_or_else(AutoscalingSettings::default);
                rec.status = DeploymentStatus::Active;
                rec.replicas = settings.min_replica.max(1);
                rec.autoscaling = Some(settings);
                let id = build.deployment_id.clone();
                let scale_down = build.scale_down_previous;
                model.build = None;
                self.start_promotion(model_id, PRODUCTION, &id, scale_down, at);
            }
        }
    }
}
