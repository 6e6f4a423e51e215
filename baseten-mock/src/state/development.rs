//! Promoting the development deployment to production: a new deployment is created from the
//! development one and built in simulated time (`BUILDING` → `DEPLOYING` → `LOADING_MODEL` →
//! `ACTIVE`, durations from [`Timings`](crate::Timings)); once `ACTIVE` it is promoted to
//! `production` like any deployment (rolling, if `production` has rolling settings).
//!
//! While it builds, `production` has a promotion in progress (`RELEASING`, the new deployment
//! its candidate), so that reads show what is coming and other promotions are refused. A build
//! the model's seed makes fail ends that promotion `FAILED`; a cancel stops the build.

use serde::Deserialize;

use super::models::{deployment_not_found, model_not_found, promotion_in_progress};
use super::{BuildRec, DeploymentRec, PRODUCTION, PromotionRec, World};
use crate::error::ApiError;
use crate::types::{AutoscalingSettings, Deployment, DeploymentStatus, PromotionStatus};

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
        if self.promotion_blocks(model_id, PRODUCTION) {
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
            created_by_mock_at: Some(now),
        };
        let id = self.next_generated_id();
        self.deployments.insert(id.clone(), rec);
        self.supersede_paused(model_id, PRODUCTION, now);
        let build_time = self.timings.build;
        if let Some(model) = self.models.get_mut(model_id) {
            model.build = Some(BuildRec {
                deployment_id: id.clone(),
                next_step_at: now.saturating_add(build_time),
                scale_down_previous: request.scale_down_previous_production,
            });
            if let Some(production) = model.environments.get_mut(PRODUCTION) {
                let mut promotion = PromotionRec::new(
                    &id,
                    production.current.clone(),
                    production.rolling,
                    request.scale_down_previous_production,
                    now,
                );
                promotion.building = true;
                promotion.before = PromotionRec::superseded(production.promotion.take());
                production.promotion = Some(promotion);
            }
        }
        self.note_promotion(model_id, PRODUCTION, now);
        self.deployment(&id)
            .ok_or_else(|| deployment_not_found(&id))
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
        // The stage that ends now fails if it is the one the seed names.
        let failing = model.build_fails_with.filter(|fails| {
            matches!(
                (rec.status, fails),
                (DeploymentStatus::Building, DeploymentStatus::BuildFailed)
                    | (DeploymentStatus::Deploying, DeploymentStatus::DeployFailed)
                    | (DeploymentStatus::LoadingModel, DeploymentStatus::Failed)
            )
        });
        if let Some(failed) = failing {
            rec.status = failed;
            let id = build.deployment_id.clone();
            model.build = None;
            if let Some(promotion) = model
                .environments
                .get_mut(PRODUCTION)
                .and_then(|env| env.promotion.as_mut())
                .filter(|p| p.building && p.candidate == id)
            {
                promotion.building = false;
                promotion.error_message =
                    Some(format!("Deployment {id} failed to build: {failed}."));
                promotion.end(PromotionStatus::Failed, at);
            }
            self.note_promotion(model_id, PRODUCTION, at);
            return;
        }
        match rec.status {
            DeploymentStatus::Building => {
                rec.status = DeploymentStatus::Deploying;
                build.next_step_at = at.saturating_add(self.timings.deploy);
            }
            DeploymentStatus::Deploying => {
                rec.status = DeploymentStatus::LoadingModel;
                build.next_step_at = at.saturating_add(self.timings.load_model);
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
