//! The builder of a guarded promotion, in the style of the waiters: set it up, `.await` it.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use super::check::{CheckContext, CheckResult, CheckRun};
use super::driver::{self, Config};
use super::outcome::{GuardError, GuardedOutcome};
use super::plan::Checkpoints;
use super::policy::{OnFailure, Policy};
use crate::Client;
use crate::types::EnvironmentV1;
use crate::wait::PromotionProgress;
use crate::wait::settings::{Ending, Settings, ending_methods, settings_methods};

/// The default time a check may take before it counts as failed.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A guarded promotion, from [`Client::guard_promotion`]; `.await` it.
#[must_use = "a guarded promotion does nothing until it is awaited"]
pub struct GuardedPromotion<'a, F> {
    client: &'a Client,
    model_id: String,
    env_name: String,
    deployment_id: String,
    check: F,
    check_at: Vec<u8>,
    hold_at: Vec<u8>,
    every: Option<Duration>,
    check_timeout: Duration,
    policy: Policy,
    settings: Settings<'a, PromotionProgress>,
    ending: Ending,
    environment_exists: bool,
    already_seen: Option<EnvironmentV1>,
    on_check: Option<driver::CheckCallback<'a>>,
}

impl<'a, F, Fut> GuardedPromotion<'a, F>
where
    F: FnMut(CheckContext) -> Fut + Send + 'a,
    Fut: Future<Output = CheckResult> + Send + 'a,
{
    pub(crate) fn new(
        client: &'a Client,
        (model_id, env_name, deployment_id): (&str, &str, &str),
        check: F,
    ) -> Self {
        Self {
            client,
            model_id: model_id.to_owned(),
            env_name: env_name.to_owned(),
            deployment_id: deployment_id.to_owned(),
            check,
            check_at: Vec::new(),
            hold_at: Vec::new(),
            every: None,
            check_timeout: DEFAULT_CHECK_TIMEOUT,
            policy: Policy::default(),
            settings: Settings::default(),
            ending: Ending::default(),
            environment_exists: false,
            already_seen: None,
            on_check: None,
        }
    }

    settings_methods!(PromotionProgress);
    ending_methods!();

    /// Runs the check when traffic on the candidate reaches each of these percentages (1–100),
    /// while it goes on ramping. Each runs once, at the first reading at or past it; several
    /// passed in one step run one check. 100 runs after the promotion has succeeded, when
    /// there is nothing left to stop (a failure there is reported, not rolled back).
    pub fn check_at(mut self, percents: impl IntoIterator<Item = u8>) -> Self {
        self.check_at.extend(percents);
        self
    }

    /// Holds the promotion at these percentages (1–100) and runs the check while it is paused,
    /// resuming when it passes. Baseten pauses at the next step boundary, so the pause is asked
    /// for one step ahead, and a hold at 50 settles at the first step at or past 50 % (at 60 %
    /// with steps of 20).
    pub fn hold_at(mut self, percents: impl IntoIterator<Item = u8>) -> Self {
        self.hold_at.extend(percents);
        self
    }

    /// Also runs the check every `interval` while traffic ramps up (not while it is paused or
    /// ramping down), counted from the end of the last check.
    pub fn check_every(mut self, interval: Duration) -> Self {
        self.every = Some(interval);
        self
    }

    /// How long one run of the check may take (default 5 minutes, on the waiter's clock). A
    /// check still running then is dropped, and counts as failed.
    pub fn check_timeout(mut self, timeout: Duration) -> Self {
        self.check_timeout = timeout;
        self
    }

    /// What a failed check leads to (default: [`Policy::default`], cancel at the first
    /// failure).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Shorthand for a policy that does `on_failure` at the first failure.
    pub fn on_failure(self, on_failure: OnFailure) -> Self {
        self.policy(Policy::new(on_failure))
    }

    /// Called with every run of the check when it ends.
    pub fn on_check(mut self, callback: impl FnMut(&CheckRun) + Send + 'a) -> Self {
        self.on_check = Some(Box::new(callback));
        self
    }

    /// The environment was read before the promotion was asked for (see
    /// [`PromotionWait::environment_exists`](crate::wait::PromotionWait::environment_exists)).
    pub fn environment_exists(mut self) -> Self {
        self.environment_exists = true;
        self
    }

    /// The environment as read after the promotion was accepted (see
    /// [`PromotionWait::already_seen`](crate::wait::PromotionWait::already_seen)).
    pub fn already_seen(mut self, environment: &EnvironmentV1) -> Self {
        self.already_seen = Some(environment.clone());
        self
    }
}

impl<'a, F, Fut> IntoFuture for GuardedPromotion<'a, F>
where
    F: FnMut(CheckContext) -> Fut + Send + 'a,
    Fut: Future<Output = CheckResult> + Send + 'a,
{
    type Output = Result<GuardedOutcome, GuardError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let plan = Checkpoints::new(&self.check_at, &self.hold_at, self.every)
                .map_err(GuardError::Invalid)?;
            if self.check_timeout.is_zero() {
                return Err(GuardError::Invalid("the check timeout is zero".into()));
            }
            let Settings {
                timeout,
                polling,
                clock,
                on_progress,
            } = self.settings;
            driver::run(Config {
                client: self.client,
                model_id: self.model_id,
                env_name: self.env_name,
                deployment_id: self.deployment_id,
                check: self.check,
                plan,
                policy: self.policy,
                check_timeout: self.check_timeout,
                timeout,
                polling,
                clock,
                start_grace: self.ending.start_grace,
                settle: self.ending.settle,
                environment_exists: self.environment_exists,
                already_seen: self.already_seen,
                on_progress,
                on_check: self.on_check,
            })
            .await
        })
    }
}
