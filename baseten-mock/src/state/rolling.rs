//! A rolling promotion's steps, and the signals that steer it.
//!
//! One step every `step_seconds` of simulated time after acceptance:
//!
//! | step | status | traffic on the candidate |
//! |---|---|---|
//! | accepted | `RELEASING` | 0 % |
//! | each step | `RAMPING_UP` | + `step_percent` |
//! | traffic reaches 100 % | `SUCCEEDED` | 100 %: the environment serves the candidate |
//!
//! A rollback (a cancel with traffic on the candidate, a failure) is `RAMPING_DOWN` by
//! `step_percent` a step until 0 %, then `CANCELED` or `FAILED`. The signals:
//!
//! - force roll forward: the next step, whichever it would have been, is `SUCCEEDED`;
//! - pause: the next step happens, then the promotion is `PAUSED` (no more steps); resume
//!   continues one step later with the status it had;
//! - cancel: `CANCELED` at once if no traffic moved yet, else a rollback;
//! - force cancel: `CANCELED` at once, traffic back at once.
//!
//! A signal whose effect already holds (pausing a paused promotion, resuming one that runs)
//! answers success and changes nothing; the latest of conflicting signals wins (a cancel drops
//! a pending pause or force roll forward).

use std::time::Duration;

use super::models::{env_not_found, model_not_found};
use super::{PromotionRec, Rollback, World};
use crate::error::{ApiError, MockError};
use crate::types::{DeploymentStatus, PromotionStatus};

/// What `cancel_promotion` did: its answer's status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Canceled {
    /// `CANCELED` (done) or `RAMPING_DOWN` (traffic is moving back).
    pub(crate) status: PromotionStatus,
    pub(crate) message: String,
}

impl World {
    /// One step of a rolling promotion, due at `at`.
    pub(super) fn step_promotion(&mut self, model_id: &str, env: &str, at: Duration) {
        let Some(promotion) = self.promotion_mut(model_id, env) else {
            return;
        };
        promotion.steps += 1;
        let step = promotion.settings.step_percent.clamp(1, 100);
        let (status, traffic) = if promotion.force {
            (PromotionStatus::Succeeded, 100)
        } else {
            match promotion.status {
                PromotionStatus::Releasing | PromotionStatus::RampingUp
                    if promotion
                        .failure
                        .as_ref()
                        .is_some_and(|f| f.at_step == promotion.steps) =>
                {
                    // The step fails: traffic stays where it was and starts moving back.
                    let message = promotion
                        .failure
                        .as_ref()
                        .and_then(|f| f.error_message.clone())
                        .unwrap_or_else(|| default_failure_message(&promotion.candidate));
                    promotion.error_message = Some(message);
                    promotion.rollback = Some(Rollback::Failure);
                    if promotion.traffic == 0 {
                        (PromotionStatus::Failed, 0)
                    } else {
                        (PromotionStatus::RampingDown, promotion.traffic)
                    }
                }
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
                    let status = match (traffic, promotion.rollback) {
                        (0, Some(Rollback::Cancel)) => PromotionStatus::Canceled,
                        (0, _) => PromotionStatus::Failed,
                        _ => PromotionStatus::RampingDown,
                    };
                    (status, traffic)
                }
                // Paused is only due when forced forward (handled above); terminal ones never
                // are (see `PromotionRec::scheduled`).
                unchanged => (unchanged, promotion.traffic),
            }
        };
        if status.in_progress() {
            promotion.status = status;
            promotion.traffic = traffic;
            if promotion.pause_requested {
                promotion.pause_requested = false;
                promotion.paused_from = Some(status);
                promotion.status = PromotionStatus::Paused;
            }
        } else {
            promotion.end(status, at);
        }
        promotion.next_step_at = at.saturating_add(promotion.settings.step_interval());
        let candidate = promotion.candidate.clone();
        let scale_down = promotion.scale_down_previous;
        self.note_promotion(model_id, env, at);
        if status == PromotionStatus::Succeeded {
            self.assign_model_environment(model_id, env, &candidate, scale_down);
        }
    }

    /// The promotion in progress in an environment, or the API's errors: 404 for an unknown
    /// model or environment, Baseten's documented 400 when none is in progress.
    fn in_progress(&mut self, model_id: &str, env: &str) -> Result<&mut PromotionRec, ApiError> {
        self.sync();
        let env_rec = self
            .models
            .get_mut(model_id)
            .ok_or_else(|| model_not_found(model_id))?
            .environments
            .get_mut(env)
            .ok_or_else(|| env_not_found(model_id, env))?;
        env_rec
            .promotion
            .as_mut()
            .filter(|p| p.status.in_progress())
            .ok_or_else(|| {
                ApiError::validation(format!("Environment {env} has no in progress promotion."))
            })
    }

    /// `POST .../force_roll_forward_promotion`: the next step is `SUCCEEDED`. Ends a pause too
    /// (the step comes one `step_seconds` after the request).
    pub(crate) fn force_roll_forward(&mut self, model_id: &str, env: &str) -> Result<(), ApiError> {
        let now = self.clock.now();
        let promotion = self.in_progress(model_id, env)?;
        if promotion.status == PromotionStatus::Paused && !promotion.force {
            promotion.next_step_at = now.saturating_add(promotion.settings.step_interval());
        }
        promotion.force = true;
        promotion.pause_requested = false;
        Ok(())
    }

    /// `POST .../pause_promotion`: `PAUSED` after the next step.
    pub(crate) fn pause_promotion(&mut self, model_id: &str, env: &str) -> Result<(), ApiError> {
        let promotion = self.in_progress(model_id, env)?;
        if promotion.status != PromotionStatus::Paused {
            promotion.pause_requested = true;
        }
        Ok(())
    }

    /// `POST .../resume_promotion`: a paused promotion continues with the status it had, its
    /// next step one `step_seconds` later; a pause not yet in effect is withdrawn.
    pub(crate) fn resume_promotion(&mut self, model_id: &str, env: &str) -> Result<(), ApiError> {
        let now = self.clock.now();
        let promotion = self.in_progress(model_id, env)?;
        promotion.pause_requested = false;
        if promotion.status == PromotionStatus::Paused {
            promotion.status = promotion
                .paused_from
                .take()
                .unwrap_or(PromotionStatus::RampingUp);
            if !promotion.force {
                promotion.next_step_at = now.saturating_add(promotion.settings.step_interval());
            }
            self.note_promotion(model_id, env, now);
        }
        Ok(())
    }

    /// `POST .../cancel_promotion`.
    pub(crate) fn cancel_promotion(
        &mut self,
        model_id: &str,
        env: &str,
    ) -> Result<Canceled, ApiError> {
        let now = self.clock.now();
        let promotion = self.in_progress(model_id, env)?;
        let was = promotion.status;
        promotion.force = false;
        promotion.pause_requested = false;
        if was == PromotionStatus::RampingDown {
            // Already rolling back: it ends as that rollback would (FAILED after a failure).
            let message = match promotion.rollback {
                Some(Rollback::Failure) => {
                    format!("Promotion to {env} is already rolling back after a failure.")
                }
                _ => being_canceled(env),
            };
            return Ok(Canceled {
                status: PromotionStatus::RampingDown,
                message,
            });
        }
        if promotion.traffic == 0 {
            let building = promotion.building;
            promotion.building = false;
            promotion.end(PromotionStatus::Canceled, now);
            if building {
                self.stop_build(model_id);
            }
            self.note_promotion(model_id, env, now);
            return Ok(Canceled {
                status: PromotionStatus::Canceled,
                message: format!("Promotion to {env} was successfully canceled."),
            });
        }
        promotion.status = PromotionStatus::RampingDown;
        promotion.rollback = Some(Rollback::Cancel);
        if was == PromotionStatus::Paused {
            promotion.paused_from = None;
            promotion.next_step_at = now.saturating_add(promotion.settings.step_interval());
        }
        self.note_promotion(model_id, env, now);
        Ok(Canceled {
            status: PromotionStatus::RampingDown,
            message: being_canceled(env),
        })
    }

    /// `POST .../force_cancel_promotion`: `CANCELED` at once, all traffic back at once.
    pub(crate) fn force_cancel_promotion(
        &mut self,
        model_id: &str,
        env: &str,
    ) -> Result<(), ApiError> {
        let now = self.clock.now();
        let promotion = self.in_progress(model_id, env)?;
        let building = promotion.building;
        promotion.building = false;
        promotion.end(PromotionStatus::Canceled, now);
        if building {
            self.stop_build(model_id);
        }
        self.note_promotion(model_id, env, now);
        Ok(())
    }

    /// Simulates the candidate failing: the promotion starts `RAMPING_DOWN` now (a pause ends)
    /// and ends `FAILED` at 0 %, unless forced forward.
    pub(crate) fn fail_promotion(
        &mut self,
        model_id: &str,
        env: &str,
        message: Option<String>,
    ) -> Result<(), MockError> {
        self.sync();
        let now = self.clock.now();
        let env_rec = self
            .models
            .get_mut(model_id)
            .ok_or_else(|| MockError::NotFound(format!("model {model_id} not found")))?
            .environments
            .get_mut(env)
            .ok_or_else(|| {
                MockError::NotFound(format!("environment {env} not found for model {model_id}"))
            })?;
        let Some(promotion) = env_rec
            .promotion
            .as_mut()
            .filter(|p| p.status.in_progress() && !p.building)
        else {
            return Err(MockError::NoPromotionInProgress {
                model_id: model_id.to_owned(),
                env: env.to_owned(),
            });
        };
        if promotion.status == PromotionStatus::Paused {
            promotion.paused_from = None;
            promotion.next_step_at = now.saturating_add(promotion.settings.step_interval());
        }
        promotion.pause_requested = false;
        promotion.status = PromotionStatus::RampingDown;
        promotion.rollback = Some(Rollback::Failure);
        promotion.error_message =
            Some(message.unwrap_or_else(|| default_failure_message(&promotion.candidate)));
        self.note_promotion(model_id, env, now);
        Ok(())
    }

    /// A canceled development promotion stops its build: the new deployment is
    /// `BUILD_STOPPED`.
    fn stop_build(&mut self, model_id: &str) {
        let Some(build) = self.models.get_mut(model_id).and_then(|m| m.build.take()) else {
            return;
        };
        if let Some(rec) = self.deployments.get_mut(&build.deployment_id) {
            rec.status = DeploymentStatus::BuildStopped;
            rec.replicas = 0;
            rec.autoscaling = None;
        }
    }
}

fn being_canceled(env: &str) -> String {
    format!(
        "Promotion to {env} is being canceled; traffic is moving back to the previous deployment."
    )
}

pub(super) fn default_failure_message(candidate: &str) -> String {
    format!("Candidate deployment {candidate} failed health checks.")
}
