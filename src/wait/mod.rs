//! Waiting until a promotion or a deployment has really finished, and knowing how it ended.
//!
//! [`Client::wait_for_promotion`](crate::Client::wait_for_promotion),
//! [`Client::wait_for_chain_promotion`](crate::Client::wait_for_chain_promotion),
//! [`Client::wait_for_deployment`](crate::Client::wait_for_deployment) and
//! [`Client::wait_for_chain_deployment`](crate::Client::wait_for_chain_deployment) each return a
//! builder; `.await` it. All four run one poll loop (`engine.rs`) and differ only in what they
//! read and how they classify it (`promotion.rs`, `chain.rs`, `deployment.rs`):
//!
//! - a deadline (default 30 minutes) ends in [`WaitError::Timeout`] with the last state seen,
//!   how long it waited and the unknown status of the last read, if any. It is hard: no read
//!   starts at or after it, and a read in flight when it passes is abandoned;
//! - polling starts at 2 s and backs off (×1.5, jittered) to 15 s, never reads more often than
//!   once a second ([`MIN_POLL_INTERVAL`]), and waits at least the `retry_after` of a 429;
//! - every observed change goes to the `on_progress` callback and to a `tracing` event
//!   (target `baseten_api::wait`); unchanged polls report nothing;
//! - 429s and transient failures of a read are retried by the client's [`RetryPolicy`] and, past
//!   it, by the next poll; a deployment that answers 404 is given
//!   [`Polling::not_found_grace`] (Baseten answers 404 for a few seconds after creating one); an
//!   environment that answers 404 after it was read was deleted;
//! - an unknown status is never success and never failure: the wait goes on, and the status is
//!   named in progress and in the timeout error;
//! - dropping the future stops polling. It never cancels the promotion.
//!
//! The promotion rules are written for what Baseten may show between transitions, which it
//! does not document; `model.rs` (a test module) states what they assume, and `properties.rs`
//! checks every waiter against thousands of timelines generated from it.
//!
//! [`RetryPolicy`]: crate::RetryPolicy

mod chain;
mod clock;
mod deployment;
pub(crate) mod engine;
#[cfg(test)]
mod model;
mod promotion;
#[cfg(test)]
mod properties;
pub(crate) mod settings;

use std::time::Duration;

pub use chain::{ChainPromotionOutcome, ChainPromotionProgress, ChainPromotionWait};
pub use clock::{TokioClock, WaitClock};
pub use deployment::{
    ChainDeploymentWait, DeploymentOutcome, DeploymentProgress, DeploymentStatusClass,
    DeploymentWait, classify_deployment_status,
};
pub use promotion::{PromotionOutcome, PromotionProgress, PromotionWait};
pub use settings::DEFAULT_SETTLE;

use crate::types;

/// The default deadline of every waiter.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The shortest interval between two reads of a waiter: [`Polling::intervals`] raises any
/// shorter interval to it.
///
/// Every read counts against the API key's rate limit, which every pipeline and service
/// sharing the key also spends; a waiter polling in a tight loop (an interval of `0s`) would
/// make hundreds of reads a second, for a promotion that takes minutes. Tests that want fast
/// waits run the waiter on a simulated clock instead (`.clock(..)`, [`WaitClock`]), where a
/// second between reads costs no real time.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How often a waiter reads: an interval that starts at [`initial`](Self::initial) and grows
/// by [`backoff_factor`](Self::backoff_factor) to [`max`](Self::max), each one with up to
/// [`jitter`](Self::jitter) added, and never shorter than [`MIN_POLL_INTERVAL`] (1 s), nor than
/// the `retry_after` of a 429 that the last read got.
///
/// ```
/// use std::time::Duration;
/// use baseten_api::wait::{MIN_POLL_INTERVAL, Polling};
///
/// let polling = Polling::default();
/// assert_eq!(polling.initial(), Duration::from_secs(2));
/// assert_eq!(polling.max(), Duration::from_secs(15));
/// let eager = Polling::default().intervals(Duration::from_secs(1), Duration::from_secs(5));
/// assert_eq!(eager.initial(), Duration::from_secs(1));
/// // Faster than the floor is the floor.
/// let tight = Polling::default().intervals(Duration::ZERO, Duration::from_millis(100));
/// assert_eq!((tight.initial(), tight.max()), (MIN_POLL_INTERVAL, MIN_POLL_INTERVAL));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Polling {
    initial: Duration,
    max: Duration,
    factor: f64,
    jitter: f64,
    not_found_grace: Duration,
}

impl Default for Polling {
    /// 2 s, growing ×1.5 to 15 s, 10 % jitter, 30 s of grace for a new deployment's 404: a
    /// ten-minute rolling promotion costs about 45 reads and is seen finished within one
    /// interval (PERFORMANCE.md has the measured figures).
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(2),
            max: Duration::from_secs(15),
            factor: 1.5,
            jitter: 0.1,
            not_found_grace: Duration::from_secs(30),
        }
    }
}

impl Polling {
    /// The first interval and the largest, each at least [`MIN_POLL_INTERVAL`] (a shorter one
    /// is raised to it), and the largest at least the first.
    pub fn intervals(mut self, initial: Duration, max: Duration) -> Self {
        self.initial = initial.max(MIN_POLL_INTERVAL);
        self.max = max.max(self.initial);
        self
    }

    /// How much each interval grows (at least 1.0: intervals never shrink).
    pub fn backoff_factor(mut self, factor: f64) -> Self {
        self.factor = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The share of each interval added at random (0.0–1.0), so that many waiters started at
    /// once do not poll at once.
    pub fn jitter(mut self, share: f64) -> Self {
        self.jitter = crate::retry::jitter_share(share);
        self
    }

    /// How long a deployment waiter tolerates 404 before it has seen the deployment once.
    pub fn not_found_grace(mut self, grace: Duration) -> Self {
        self.not_found_grace = grace;
        self
    }

    /// The first interval.
    pub fn initial(&self) -> Duration {
        self.initial
    }

    /// The largest interval.
    pub fn max(&self) -> Duration {
        self.max
    }

    pub(crate) fn next(&self, interval: Duration) -> Duration {
        interval.mul_f64(self.factor).min(self.max)
    }

    pub(crate) fn jittered(&self, interval: Duration) -> Duration {
        crate::retry::add_jitter(interval, self.jitter)
    }
}

/// The last state a waiter read, kept in its errors.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum LastSeen {
    /// A model environment (promotion waiter).
    Environment(Box<types::EnvironmentV1>),
    /// A model deployment.
    Deployment(Box<types::DeploymentV1>),
    /// A chain deployment.
    ChainDeployment(Box<types::ChainDeploymentV1>),
    /// A chain environment (chain promotion waiter).
    ChainEnvironment(Box<types::ChainEnvironmentV1>),
}

/// Why a wait ended without an outcome.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The deadline passed.
    #[error("{}", timeout_message(subject, *waited, *polls, last_progress.as_deref(), unknown_status.as_deref(), last_error.as_deref()))]
    Timeout {
        /// What was waited for.
        subject: String,
        /// How long it waited.
        waited: Duration,
        /// How many reads it made.
        polls: u32,
        /// The last progress reported, as shown to the callback.
        last_progress: Option<String>,
        /// The last state read, if any read succeeded.
        last: Option<LastSeen>,
        /// A status value this version of the client does not know, if one was seen.
        unknown_status: Option<String>,
        /// The error of the last read, if it failed.
        last_error: Option<String>,
    },
    /// The model, environment or deployment does not exist (after the grace period, for a
    /// deployment).
    #[error("{subject}: not found after waiting {waited:?}: {source}")]
    NotFound {
        /// What was waited for.
        subject: String,
        /// How long it waited.
        waited: Duration,
        /// The API's answer.
        source: Box<crate::Error>,
    },
    /// A read failed in a way another read will not fix (401, 403, 400, a decode error, …).
    #[error("{subject}: reading it failed: {source}")]
    Request {
        /// What was waited for.
        subject: String,
        /// How long it waited.
        waited: Duration,
        /// The last state read, if any.
        last: Option<LastSeen>,
        /// Why the read failed.
        source: Box<crate::Error>,
    },
}

fn timeout_message(
    subject: &str,
    waited: Duration,
    polls: u32,
    last_progress: Option<&str>,
    unknown_status: Option<&str>,
    last_error: Option<&str>,
) -> String {
    let mut message = format!(
        "gave up waiting for {subject} after {} ({polls} reads)",
        human(waited)
    );
    match last_progress {
        Some(progress) => message.push_str(&format!("; last seen: {progress}")),
        None => message.push_str("; no read succeeded"),
    }
    if let Some(status) = unknown_status {
        message.push_str(&format!(
            "; status `{status}` is unknown to this version of baseten-api, so it was neither \
             success nor failure"
        ));
    }
    if let Some(error) = last_error {
        message.push_str(&format!("; last read failed: {error}"));
    }
    message
}

/// `1h 2m 3s`, `4m 0s`, `12s`, `350ms`.
pub(crate) fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0 => format!("{}ms", duration.as_millis()),
        1..60 => format!("{seconds}s"),
        60..3600 => format!("{}m {}s", seconds / 60, seconds % 60),
        _ => format!(
            "{}h {}m {}s",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        ),
    }
}

impl crate::Client {
    /// Waits until the promotion of `deployment_id` to `env_name` has ended: it is the
    /// environment's current deployment with no promotion in progress
    /// ([`PromotionOutcome::Succeeded`]), or the promotion failed, was canceled, or ended with
    /// another deployment current.
    ///
    /// ```no_run
    /// # async fn run(client: baseten_api::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use baseten_api::{types, wait::PromotionOutcome};
    ///
    /// let promoted = client
    ///     .promote_model_to_environment()
    ///     .model_id("abc123")
    ///     .env_name("production")
    ///     .body(types::PromoteToEnvironmentRequestV1::builder().deployment_id("def456"))
    ///     .send()
    ///     .await?
    ///     .into_inner();
    /// let outcome = client
    ///     .wait_for_promotion("abc123", "production", &promoted.id)
    ///     .timeout(Duration::from_secs(20 * 60))
    ///     .on_progress(|progress| println!("{progress}"))
    ///     .await?;
    /// match outcome {
    ///     PromotionOutcome::Succeeded { deployment } => println!("{} is live", deployment.id),
    ///     other => return Err(format!("the promotion did not succeed: {other:?}").into()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_promotion(
        &self,
        model_id: &str,
        env_name: &str,
        deployment_id: &str,
    ) -> PromotionWait<'_> {
        PromotionWait::new(self, model_id, env_name, deployment_id)
    }

    /// Waits until the promotion of chain deployment `deployment_id` to `env_name` has ended:
    /// it is the environment's current deployment ([`ChainPromotionOutcome::Succeeded`]), or
    /// it is no longer the candidate and another deployment is current. Chain promotions have
    /// no promotion object; the environment's `candidate_deployment` says one is going on.
    pub fn wait_for_chain_promotion(
        &self,
        chain_id: &str,
        env_name: &str,
        deployment_id: &str,
    ) -> ChainPromotionWait<'_> {
        ChainPromotionWait::new(self, chain_id, env_name, deployment_id)
    }

    /// Waits until a model deployment is ready (`ACTIVE` or `SCALED_TO_ZERO`), failed or
    /// inactive; see [`DeploymentStatusClass`] for every status. A 404 is tolerated for
    /// [`Polling::not_found_grace`] before the deployment has been seen once.
    pub fn wait_for_deployment(&self, model_id: &str, deployment_id: &str) -> DeploymentWait<'_> {
        DeploymentWait::new(self, model_id, deployment_id)
    }

    /// Waits until a chain deployment is ready, failed or inactive, as
    /// [`wait_for_deployment`](Self::wait_for_deployment) does for a model deployment.
    pub fn wait_for_chain_deployment(
        &self,
        chain_id: &str,
        chain_deployment_id: &str,
    ) -> ChainDeploymentWait<'_> {
        ChainDeploymentWait::new(self, chain_id, chain_deployment_id)
    }
}
