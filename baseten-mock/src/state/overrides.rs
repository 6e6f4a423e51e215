//! Test hooks that change what reads show without changing the world: a promotion or a
//! deployment status the client may not know (e.g. `HALTED`), to test how a waiter treats an
//! unknown status. The promotion or build goes on underneath as it would.
//!
//! Such values are off the spec, so they are applied to an answer after it was checked against
//! the spec (`operations.rs` asks for them here).

use super::World;
use crate::error::MockError;

impl World {
    /// Makes reads show `status` as the in-progress promotion's status of a model environment
    /// (while one is shown), or stops doing so (`None`).
    pub(crate) fn set_promotion_status_override(
        &mut self,
        model_id: &str,
        env: &str,
        status: Option<&str>,
    ) -> Result<(), MockError> {
        if self.env_rec(model_id, env).is_none() {
            return Err(MockError::NotFound(format!(
                "environment {env} not found for model {model_id}"
            )));
        }
        let key = (model_id.to_owned(), env.to_owned());
        match status {
            Some(status) => self
                .promotion_status_overrides
                .insert(key, status.to_owned()),
            None => self.promotion_status_overrides.remove(&key),
        };
        Ok(())
    }

    /// Makes reads show `status` as a model deployment's status, or stops doing so (`None`).
    pub(crate) fn set_deployment_status_override(
        &mut self,
        deployment_id: &str,
        status: Option<&str>,
    ) -> Result<(), MockError> {
        if !self.deployments.contains_key(deployment_id) {
            return Err(MockError::NotFound(format!(
                "deployment {deployment_id} not found"
            )));
        }
        match status {
            Some(status) => self
                .deployment_status_overrides
                .insert(deployment_id.to_owned(), status.to_owned()),
            None => self.deployment_status_overrides.remove(deployment_id),
        };
        Ok(())
    }

    pub(crate) fn promotion_status_override(&self, model_id: &str, env: &str) -> Option<&str> {
        self.promotion_status_overrides
            .get(&(model_id.to_owned(), env.to_owned()))
            .map(String::as_str)
    }

    pub(crate) fn deployment_status_override(&self, deployment_id: &str) -> Option<&str> {
        self.deployment_status_overrides
            .get(deployment_id)
            .map(String::as_str)
    }
}
