//! Promoting a model deployment to an environment: at once, or by starting a rolling promotion
//! (whose steps and signals are in `rolling.rs`).

use std::time::Duration;

use serde::Deserialize;

use super::{PRODUCTION, PromotionRec, World};
use crate::error::ApiError;
use crate::types::{Deployment, PromotionEvent, PromotionStatus};

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
            .ok_or_else(|| deployment_not_found(deployment_id))?;
        if candidate.model_id != model_id {
            return Err(ApiError::validation(format!(
                "Deployment {deployment_id} does not belong to model {model_id}."
            )));
        }
        if self.promotion_blocks(model_id, env) {
            return Err(promotion_in_progress(env));
        }
        if candidate.status.blocks_promotion() {
            return Err(ApiError::validation(format!(
                "Deployment {deployment_id} cannot be promoted while its status is {}.",
                candidate.status
            )));
        }

        let now = self.clock.now();
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
            self.supersede_paused(model_id, env, now);
            self.start_promotion(
                model_id,
                env,
                deployment_id,
                request.scale_down_previous_deployment,
                now,
            );
        }
        // An accepted promotion, the first one, sets the seed's deletion time.
        if let Some(env_rec) = self.env_rec_mut(model_id, env)
            && env_rec.deletion_at.is_none()
            && let Some(after) = env_rec.deleted_after
        {
            env_rec.deletion_at = Some(now.saturating_add(after));
        }
        self.deployment(deployment_id)
            .ok_or_else(|| deployment_not_found(deployment_id))
    }

    /// Whether a new promotion to the environment must be refused: one is in progress (a
    /// development build counts, for `production`) and not paused. Baseten rejects a second
    /// promotion "until the current one completes, pauses or is canceled".
    pub(super) fn promotion_blocks(&self, model_id: &str, env: &str) -> bool {
        let Some(model) = self.models.get(model_id) else {
            return false;
        };
        let building = env == PRODUCTION && model.build.is_some();
        building
            || model
                .environments
                .get(env)
                .and_then(|env| env.promotion.as_ref())
                .is_some_and(|p| p.status.in_progress() && p.status != PromotionStatus::Paused)
    }

    /// A paused promotion that a new one replaces ends `CANCELED` (its traffic goes back to the
    /// current deployment at once).
    pub(super) fn supersede_paused(&mut self, model_id: &str, env: &str, at: Duration) {
        if let Some(promotion) = self.promotion_mut(model_id, env)
            && promotion.status == PromotionStatus::Paused
        {
            promotion.end(PromotionStatus::Canceled, at);
            self.note_promotion(model_id, env, at);
        }
    }

    /// Starts promoting `candidate` at simulated time `at`: a rolling promotion if the
    /// environment has rolling settings, else an immediate switch. A development build for the
    /// environment (`building`) hands its pending force roll forward or pause on to the rolling
    /// promotion, or ends `SUCCEEDED` with the switch.
    pub(super) fn start_promotion(
        &mut self,
        model_id: &str,
        env: &str,
        candidate: &str,
        scale_down_previous: bool,
        at: Duration,
    ) {
        let Some(env_rec) = self.env_rec_mut(model_id, env) else {
            return;
        };
        // The build that leads to this promotion, or the promotion this one replaces.
        let (built, before) = match env_rec.promotion.take() {
            Some(mut built) if built.building && built.candidate == candidate => {
                let before = built.before.take();
                (Some(built), before)
            }
            other => (None, PromotionRec::superseded(other)),
        };
        match env_rec.rolling {
            Some(settings) => {
                let mut promotion = PromotionRec::new(
                    candidate,
                    env_rec.current.clone(),
                    Some(settings),
                    scale_down_previous,
                    at,
                );
                promotion.failure = env_rec.failure.clone();
                promotion.before = before;
                if let Some(built) = built {
                    // Accepted when the build was.
                    promotion.accepted_at = built.accepted_at;
                    promotion.force = built.force;
                    promotion.pause_requested = built.pause_requested;
                }
                env_rec.promotion = Some(promotion);
                self.note_promotion(model_id, env, at);
            }
            None => {
                // An immediate promotion is never in progress; a build that led to it ends.
                if let Some(mut built) = built {
                    built.building = false;
                    built.end(PromotionStatus::Succeeded, at);
                    env_rec.promotion = Some(built);
                }
                self.assign_model_environment(model_id, env, candidate, scale_down_previous);
                self.push_event(
                    model_id,
                    env,
                    PromotionEvent {
                        at,
                        deployment_id: candidate.to_owned(),
                        status: PromotionStatus::Succeeded,
                        percent_traffic: 100,
                    },
                );
            }
        }
    }
}

pub(super) fn model_not_found(model_id: &str) -> ApiError {
    ApiError::not_found(format!("Model {model_id} not found."))
}

pub(super) fn env_not_found(model_id: &str, env: &str) -> ApiError {
    ApiError::not_found(format!("Environment {env} not found for model {model_id}."))
}

pub(super) fn deployment_not_found(deployment_id: &str) -> ApiError {
    ApiError::not_found(format!("Deployment {deployment_id} not found."))
}

pub(super) fn promotion_in_progress(env: &str) -> ApiError {
    ApiError::validation(format!(
        "Environment {env} already has a promotion in progress."
    ))
}
