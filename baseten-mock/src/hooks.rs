//! What tests use to steer the mock beyond its API and to measure a client against it: making a
//! promotion fail, deleting an environment, scripting errors for an operation, showing statuses
//! the client does not know, a promotion's history in simulated time, and the simulated clock
//! as a [`WaitClock`](baseten_api::wait::WaitClock) for the client's waiters.

use std::sync::Arc;

use axum::http::StatusCode;

use crate::app::lock;
use crate::error::MockError;
use crate::server::MockServer;
use crate::types::PromotionEvent;
use crate::wait_clock::MockWaitClock;

impl MockServer {
    /// Simulates the candidate of a rolling promotion failing: the promotion is `RAMPING_DOWN`
    /// from now (traffic moving back one step at a time; a pause ends), ending `FAILED` with the
    /// default error message, unless forced forward. See also
    /// [`EnvironmentSeed::promotion_failure`](crate::EnvironmentSeed::promotion_failure).
    ///
    /// # Errors
    ///
    /// [`MockError::NotFound`] for an unknown model or environment,
    /// [`MockError::NoPromotionInProgress`] if no rolling promotion is running.
    pub fn fail_promotion(&self, model_id: &str, env: &str) -> Result<(), MockError> {
        lock(&self.app.world).fail_promotion(model_id, env, None)
    }

    /// [`fail_promotion`](Self::fail_promotion) with the promotion's `error_message`.
    ///
    /// # Errors
    ///
    /// As [`fail_promotion`](Self::fail_promotion).
    pub fn fail_promotion_with(
        &self,
        model_id: &str,
        env: &str,
        error_message: impl Into<String>,
    ) -> Result<(), MockError> {
        lock(&self.app.world).fail_promotion(model_id, env, Some(error_message.into()))
    }

    /// Deletes a model environment, as Baseten's `DELETE
    /// /v1/models/{model_id}/environments/{env_name}` does (which answers `{name, model_id,
    /// deleted: true}`; the embedded spec does not have that operation yet, so only a mock serving
    /// a newer spec, such as Baseten's full specification, has that route, which does this). A promotion in progress in it ends `CANCELED` (in
    /// [`promotion_history`](Self::promotion_history), at this instant); from then on every
    /// request to the environment answers 404 like an unknown one (`Environment <env> not found
    /// for model <model_id>.`), `list_environments` leaves it out and no deployment names it as
    /// its `environment`. The deployments are left as they are. For a process, whose tests
    /// cannot call this, see
    /// [`EnvironmentSeed::deleted_after_seconds`](crate::EnvironmentSeed::deleted_after_seconds).
    ///
    /// # Errors
    ///
    /// [`MockError::NotFound`] for an unknown model or environment (one already deleted too),
    /// [`MockError::Validation`] for `production`, which cannot be deleted (the API's 400
    /// `VALIDATION_ERROR`).
    pub fn delete_environment(&self, model_id: &str, env: &str) -> Result<(), MockError> {
        lock(&self.app.world)
            .delete_environment(model_id, env)
            .map_err(|error| {
                if error.status == StatusCode::NOT_FOUND {
                    MockError::NotFound(error.message)
                } else {
                    MockError::Validation(error.message)
                }
            })
    }

    /// Makes the next `count` requests to operation `operation_id` answer `status` without
    /// being processed (after authentication, before the rate limit): 5xx with a
    /// `{"code": "INTERNAL_ERROR", "message"}` body, 429 with Baseten's rate-limit body
    /// (`retry_after: 1`). Calls add up: the earlier ones are answered first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = baseten_mock::MockServer::start().await;
    /// mock.fail_next("get_environment", 2, 503).unwrap();
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`MockError::UnknownOperation`] for an id the spec does not have,
    /// [`MockError::InvalidFaultStatus`] for a status other than 429 or 500–599.
    pub fn fail_next(
        &self,
        operation_id: &str,
        count: usize,
        status: u16,
    ) -> Result<(), MockError> {
        if self.app.spec.operation(operation_id).is_none() {
            return Err(MockError::UnknownOperation(operation_id.to_owned()));
        }
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(|s| *s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error())
            .ok_or(MockError::InvalidFaultStatus(status))?;
        lock(&self.app.scripted).push(operation_id, count, status);
        Ok(())
    }

    /// Makes `get_environment` and `list_environments` show `status` (e.g. `HALTED`, a value the
    /// client does not know) as the status of the environment's `in_progress_promotion`,
    /// whenever one is shown; `None` stops it. The promotion itself goes on unchanged. The value
    /// is off the spec, so it is not checked against it.
    ///
    /// # Errors
    ///
    /// [`MockError::NotFound`] for an unknown model or environment.
    pub fn set_promotion_status_override(
        &self,
        model_id: &str,
        env: &str,
        status: Option<&str>,
    ) -> Result<(), MockError> {
        lock(&self.app.world).set_promotion_status_override(model_id, env, status)
    }

    /// Makes `get_deployment`, and the current and candidate deployments of `get_environment`
    /// and `list_environments`, show `status` as the deployment's status; `None` stops it. The
    /// deployment itself is unchanged (a build goes on).
    ///
    /// # Errors
    ///
    /// [`MockError::NotFound`] for an unknown deployment.
    pub fn set_deployment_status_override(
        &self,
        deployment_id: &str,
        status: Option<&str>,
    ) -> Result<(), MockError> {
        lock(&self.app.world).set_deployment_status_override(deployment_id, status)
    }

    /// Every change of the promotions of a model environment, oldest first, each with the
    /// simulated time it happened at (a step's due time, even if no request saw it then): a
    /// rolling promotion's statuses and traffic, a development build's `RELEASING` and its end,
    /// and an immediate promotion as one `SUCCEEDED` event. The last
    /// [`HISTORY_CAPACITY`](crate::HISTORY_CAPACITY) per environment are kept.
    ///
    /// Everything due up to now is applied first. Status overrides do not appear here.
    pub fn promotion_history(&self, model_id: &str, env: &str) -> Vec<PromotionEvent> {
        let mut world = lock(&self.app.world);
        world.sync();
        world.promotion_history(model_id, env)
    }

    /// How the environment's latest promotion ended: its terminal event (`SUCCEEDED`,
    /// `FAILED` or `CANCELED`, with the simulated time it happened at), or `None` while it is
    /// still in progress or if there was none. What a waiter's detection latency is measured
    /// from.
    pub fn promotion_ended_at(&self, model_id: &str, env: &str) -> Option<PromotionEvent> {
        self.promotion_history(model_id, env)
            .pop()
            .filter(|event| !event.status.in_progress())
    }

    /// A clock for the client's waiters in which `sleep(d)` moves this mock's clock forward by
    /// `d` (and returns at once) and `now()` is the mock's simulated time
    /// ([`elapsed`](Self::elapsed)). Every waiter given it moves the same clock, so two waiters
    /// polling at once make time run faster for both.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    ///
    /// let mock = baseten_mock::MockServer::start().await;
    /// let clock = mock.wait_clock();
    /// clock.sleep(Duration::from_secs(600)).await; // returns at once
    /// assert_eq!(clock.now(), Duration::from_secs(600));
    /// assert_eq!(mock.elapsed(), Duration::from_secs(600));
    /// # }
    /// ```
    pub fn wait_clock(&self) -> Arc<dyn baseten_api::wait::WaitClock> {
        Arc::new(MockWaitClock::new(Arc::clone(&self.app)))
    }
}
