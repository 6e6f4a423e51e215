//! Promoting a model deployment to an environment, immediately or as a rolling promotion, and
//! the rolling promotion's steps, force roll forward and rollback.
//!
//! A rolling promotion (environment with [`RollingSettings`](crate::RollingSettings)) moves one step every
//! `step_seconds` of simulated time after it is accepted:
//!
//! | step | status | traffic on the candidate |
//! |---|---|---|
//! | accepted | `RELEASING` | 0 % |
//! | each step | `RAMPING_UP` | + `step_percent` |
//! | traffic reaches 100 % | `SUCCEEDED` | 100 %: the environment serves the candidate |
//!
//! After a rollback starts ([`World::fail_promotion`]) each step is `RAMPING_DOWN` by
//! `step_percent` until 0 %, then `FAILED`. A force roll forward makes the next step, whichever
//! it would have been, `SUCCEEDED`.

use std::time::Duration;

use serde::Deserialize;

use super::{PRODUCTION, PromotionRec, World};
use crate::error::{ApiError, MockError};
use crate::types::{Deployment, PromotionStatus};

/// `PromoteToEnvironmentRequestV1`, after the body has been validated against the spec.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PromoteToEnvironmentRequest {
    pub(crate) deployment_id: String,
    #[serde(default = "yes")]
    pub(crate) scale_down_previous_deployment: bool,
    #[serde(default = "yes")]
    pub(crate) preserve_env_instance_type: bool,
}

fn yes() -> bool {
    true
}

impl World {
    /// `POST /v1/models/{model_id}/environments/{env_name}/promote`.
    pub(crate) fn promote_to_environment(
        &mut self,
        model_id: &str,
        env: &str,
        request: &PromoteToEnvironmentRequest,
    ) -> Result<Deployment, ApiError> {
        self.sync();
        let deployment_id = request.deployment_id.as_str();
        let model = self
            .models
            .get(model_id)
            .ok_or_else(|| model_not_found(model_id))?;
        let env_rec = model
            .environments
            .get(env)
            .ok_or_else(|| env_not_found(model_id, env))?;
        let candidate = self
            .deployments
            .get(deployment_id)
            .ok_or_else(|| ApiError::not_found(format!("Deployment {deployment_id} not found.")))?;
        if candidate.model_id != model_id {
            return Err(ApiError::validation(format!(
                "Deployment {deployment_id} does not belong to model {model_id}."
            )));
        }
        let building = env == PRODUCTION && model.build.is_some();
        if building
            || env_rec
                .promotion
                .as_ref()
                .is_some_and(|p| p.status.in_progress())
        {
            return Err(promotion_in_progress(env));
        }
        if candidate.status.blocks_promotion() {
            return Err(ApiError::validation(format!(
                "Deployment {deployment_id} cannot be promoted while its status is {}.",
                candidate.status
            )));
        }

        // Promoting what the environment already serves changes nothing.
        if env_rec.current.as_deref() != Some(deployment_id) {
            let env_instance_type = env_rec
                .current
                .as_ref()
                .and_then(|current| self.deployments.get(current))
                .and_then(|current| current.instance_type.clone());
            if request.preserve_env_instance_type
                && let Some(instance_type) = env_instance_type
                && let Some(candidate) = self.deployments.get_mut(deployment_id)
            {
                candidate.instance_type = Some(instance_type);
            }
            let now = self.clock.now();
            self.start_promotion(
                model_id,
                env,
                deployment_id,
                request.scale_down_previous_deployment,
                now,
            );
        }
        self.deployment(deployment_id)
            .ok_or_else(|| ApiError::not_found(format!("Deployment {deployment_id} not found.")))
    }

    /// Starts promoting `candidate` at simulated time `at`: a rolling promotion if the
    /// environment has rolling settings, else an immediate switch.
    pub(super) fn start_promotion(
        &mut self,
        model_id: &str,
        env: &str,
        candidate: &str,
        scale_down_previous: bool,
        at: Duration,
    ) {
        let Some(env_rec) = self
            .models
            .get_mut(model_id)
            .and_then(|model| model.environments.get_mut(env))
        else {
            return;
        };
        match env_rec.rolling {
            Some(settings) => {
                env_rec.promotion = Some(PromotionRec {
                    candidate: candidate.to_owned(),
                    previous: env_rec.current.clone(),
                    status: PromotionStatus::Releasing,
                    traffic: 0,
                    force: false,
                    scale_down_previous,
                    settings,
                    next_step_at: at + settings.step_interval(),
                });
            }
            None => self.assign_model_environment(model_id, env, candidate, scale_down_previous),
        }
    }

    /// One step of a rolling promotion, due at `at`.
    pub(super) fn step_promotion(&mut self, model_id: &str, env: &str, at: Duration) {
        let Some(promotion) = self
            .models
            .get_mut(model_id)
            .and_then(|model| model.environments.get_mut(env))
            .and_then(|env| env.promotion.as_mut())
        else {
            return;
        };
        let step = promotion.settings.step_percent.clamp(1, 100);
        let (status, traffic) = if promotion.force {
            (PromotionStatus::Succeeded, 100)
        } else {
            match promotion.status {
                PromotionStatus::Releasing | PromotionStatus::RampingUp => {
                    let traffic = promotion.traffic.saturating_add(step).min(100);
                    let status = if traffic == 100 {
                        PromotionStatus::Succeeded
                    } else {
                        PromotionStatus::RampingUp
                    };
                    (status, traffic)
                }
                PromotionStatus::RampingDown => {
                    let traffic = promotion.traffic.saturating_sub(step);
                    let status = if traffic == 0 {
                        PromotionStatus::Failed
                    } else {
                        PromotionStatus::RampingDown
                    };
                    (status, traffic)
                }
                // Terminal: never due (see `earliest_due`).
                done @ (PromotionStatus::Succeeded | PromotionStatus::Failed) => {
                    (done, promotion.traffic)
                }
            }
        };
        promotion.status = status;
        promotion.traffic = traffic;
        promotion.next_step_at = at + promotion.settings.step_interval();
        if status == PromotionStatus::Succeeded {
            let candidate = promotion.candidate.clone();
            let scale_down = promotion.scale_down_previous;
            self.assign_model_environment(model_id, env, &candidate, scale_down);
        }
    }

    /// `POST /v1/models/{model_id}/environments/{env_name}/force_roll_forward_promotion`.
    pub(crate) fn force_roll_forward(&mut self, model_id: &str, env: &str) -> Result<(), ApiError> {
        self.sync();
        let env_rec = self
            .models
            .get_mut(model_id)
            .ok_or_else(|| model_not_found(model_id))?
            .environments
            .get_mut(env)
            .ok_or_else(|| env_not_found(model_id, env))?;
        match env_rec.promotion.as_mut() {
            Some(promotion) if promotion.status.in_progress() => {
                promotion.force = true;
                Ok(())
            }
            // Baseten's documented answer for the sibling "cancel promotion" operation; what
            // force roll forward answers here is not documented.
            _ => Err(ApiError::validation(format!(
                "Environment {env} has no in progress promotion."
            ))),
        }
    }

    /// Simulates the candidate failing: the promotion starts `RAMPING_DOWN` at its next step.
    pub(crate) fn fail_promotion(&mut self, model_id: &str, env: &str) -> Result<(), MockError> {
        self.sync();
        let env_rec = self
            .models
            .get_mut(model_id)
            .ok_or_else(|| MockError::NotFound(format!("model {model_id} not found")))?
            .environments
            .get_mut(env)
            .ok_or_else(|| {
                MockError::NotFound(format!("environment {env} not found for model {model_id}"))
            })?;
        match env_rec.promotion.as_mut() {
            Some(promotion) if promotion.status.in_progress() => {
                promotion.status = PromotionStatus::RampingDown;
                Ok(())
            }
            _ => Err(MockError::NoPromotionInProgress {
                model_id: model_id.to_owned(),
                env: env.to_owned(),
            }),
        }
    }
}

pub(super) fn model_not_found(model_id: &str) -> ApiError {
    ApiError::not_found(format!("Model {model_id} not found."))
}

pub(super) fn env_not_found(model_id: &str, env: &str) -> ApiError {
    ApiError::not_found(format!("Environment {env} not found for model {model_id}."))
}

pub(super) fn promotion_in_progress(env: &str) -> ApiError {
    ApiError::validation(format!(
        "Environment {env} already has a promotion in progress."
    ))
}
