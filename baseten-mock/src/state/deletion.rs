//! Deleting a model environment, as Baseten's `DELETE /v1/models/{model_id}/environments/
//! {env_name}` does. Three ways reach it: that route, when the served spec has it (the embedded
//! one does not yet; Baseten's full specification does, see `lifecycle.rs`), a test hook
//! ([`MockServer::delete_environment`](crate::MockServer::delete_environment)), and the seed's
//! `deleted_after_seconds`, at the time the first promotion to the environment set (a step of
//! [`World::sync`]).
//!
//! A deleted environment is gone: every request to it answers 404 like an unknown one, lists
//! and deployments no longer name it. A promotion in progress in it ends `CANCELED` first (in
//! the history, at the instant of the deletion); the deployments are left as they are.

use std::time::Duration;

use super::models::{env_not_found, model_not_found};
use super::{PRODUCTION, World};
use crate::error::ApiError;
use crate::types::PromotionStatus;

impl World {
    /// Deletes a model environment now, with the API's errors: 404 for an unknown model or
    /// environment (one already deleted too), 400 `VALIDATION_ERROR` for `production`.
    pub(crate) fn delete_environment(&mut self, model_id: &str, env: &str) -> Result<(), ApiError> {
        self.sync();
        let model = self
            .models
            .get(model_id)
            .ok_or_else(|| model_not_found(model_id))?;
        if !model.environments.contains_key(env) {
            return Err(env_not_found(model_id, env));
        }
        if env == PRODUCTION {
            return Err(ApiError::validation(
                "The production environment cannot be deleted.",
            ));
        }
        let now = self.clock.now();
        self.remove_environment(model_id, env, now);
        Ok(())
    }

    /// Removes an environment at simulated time `at`, canceling its promotion in progress.
    pub(super) fn remove_environment(&mut self, model_id: &str, env: &str, at: Duration) {
        if let Some(promotion) = self.promotion_mut(model_id, env)
            && promotion.status.in_progress()
        {
            promotion.building = false;
            promotion.end(PromotionStatus::Canceled, at);
            self.note_promotion(model_id, env, at);
        }
        if let Some(model) = self.models.get_mut(model_id) {
            model.environments.remove(env);
        }
        self.promotion_status_overrides
            .remove(&(model_id.to_owned(), env.to_owned()));
    }
}
