//! Guarded promotions: a check of your own (a smoke test, an error-rate query) run at chosen
//! points of a rolling promotion, and a policy that decides, from its result, whether the
//! promotion goes on, is held, or is stopped.
//!
//! [`Client::guard_promotion`](crate::Client::guard_promotion) follows a promotion already
//! asked for, with the rules of
//! [`Client::wait_for_promotion`](crate::Client::wait_for_promotion) (so the ending it
//! reports is the truth, whatever Baseten shows between transitions), and sends
//! `pause_promotion`, `resume_promotion`, `cancel_promotion` or `force_cancel_promotion` as
//! the policy says:
//!
//! - **when**: at traffic percentages ([`check_at`](GuardedPromotion::check_at)), with the
//!   promotion held (paused) while the check runs ([`hold_at`](GuardedPromotion::hold_at)),
//!   and/or every interval while traffic ramps up
//!   ([`check_every`](GuardedPromotion::check_every)). Baseten pauses at the next step
//!   boundary, so a hold at 50 % settles at the first step at or past 50 %;
//! - **the check**: an async closure given a [`CheckContext`] (traffic on the candidate,
//!   candidate and current deployments, status), answering [`CheckResult`]. One that has not
//!   answered within [`check_timeout`](GuardedPromotion::check_timeout) is dropped and counts as
//!   failed;
//! - **the policy** ([`Policy`], a decision table): a pass goes on (resuming a hold); a failure
//!   is retried, held and retried, or ends in [`OnFailure`]: cancel (traffic ramps back),
//!   force cancel (traffic back at once), or pause (for a person to decide);
//! - **the outcome** ([`GuardedOutcome`]): every check run, which one failed, at which
//!   percentage, and how the promotion ended after the action, as the waiter read it (which
//!   deployment is current), not as the action intended.
//!
//! Dropping the future stops everything: the check's future is dropped with it and nothing is
//! sent to Baseten.
//!
//! ```no_run
//! # async fn run(client: baseten_api::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use baseten_api::guard::{CheckResult, GuardedEnding, OnFailure, Policy};
//! use baseten_api::types;
//!
//! let promoted = client
//!     .promote_model_to_environment()
//!     .model_id("abc123")
//!     .env_name("production")
//!     .body(types::PromoteToEnvironmentRequestV1::builder().deployment_id("def456"))
//!     .send()
//!     .await?
//!     .into_inner();
//! let outcome = client
//!     .guard_promotion("abc123", "production", &promoted.id, |at| async move {
//!         // Your smoke test, with `at.percent_traffic` of the traffic on the candidate.
//!         let error_rate = 0.001; // e.g. from your metrics, for `at.candidate_deployment`
//!         if error_rate < 0.01 {
//!             CheckResult::Passed
//!         } else {
//!             CheckResult::failed(format!("error rate {error_rate} at {}%", at.percent_traffic))
//!         }
//!     })
//!     .check_at([10, 50])
//!     .hold_at([50])
//!     .check_timeout(Duration::from_secs(60))
//!     .policy(Policy::new(OnFailure::ForceCancel).retries(1))
//!     .timeout(Duration::from_secs(30 * 60))
//!     .await?;
//! match &outcome.ending {
//!     GuardedEnding::Ended(ended) if ended.is_success() => println!("promoted, all checks passed"),
//!     GuardedEnding::Ended(ended) => println!("the promotion ended on its own: {ended:?}"),
//!     GuardedEnding::CheckFailed { check, after, .. } => {
//!         let failed = &outcome.checks[*check];
//!         println!("check failed at {}%: {}; then {after:?}", failed.percent_traffic, failed.verdict);
//!     }
//!     other => println!("{other:?}"),
//! }
//! # Ok(())
//! # }
//! ```

mod builder;
mod check;
mod driver;
mod outcome;
mod plan;
mod policy;
mod rest;

use std::future::Future;

pub use builder::{DEFAULT_CHECK_TIMEOUT, GuardedPromotion};
pub use check::{CheckContext, CheckResult, CheckRun, CheckVerdict, Trigger};
pub use outcome::{GuardError, GuardedEnding, GuardedOutcome, Signal};
pub use policy::{Action, OnFailure, Policy};

impl crate::Client {
    /// Follows the promotion of `deployment_id` to `env_name` of `model_id` (already asked
    /// for), running `check` at the points the builder sets and acting on its results; see
    /// [the module](crate::guard).
    pub fn guard_promotion<'a, F, Fut>(
        &'a self,
        model_id: &str,
        env_name: &str,
        deployment_id: &str,
        check: F,
    ) -> GuardedPromotion<'a, F>
    where
        F: FnMut(CheckContext) -> Fut + Send + 'a,
        Fut: Future<Output = CheckResult> + Send + 'a,
    {
        GuardedPromotion::new(self, (model_id, env_name, deployment_id), check)
    }
}
