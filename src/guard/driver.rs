//! The guarded promotion's loop: follows the promotion with one promotion waiter at a time,
//! feeds what it reports to the checkpoint rules (`plan.rs`), runs the check when they say,
//! turns its result into an action by the policy (`policy.rs`), and sends the signals.
//!
//! The check runs while the waiter is between two reads and is not polled meanwhile: it reads
//! nothing during a check, and no request is left half-done. A waiter that ended at a pause
//! the guard asked for is replaced by a new one given the last environment it read
//! (`already_seen`), so that the waiter's rules keep knowing the promotion as ours.

use std::collections::VecDeque;
use std::future::{Future, IntoFuture, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use super::check::{CheckContext, CheckResult, CheckRun, CheckVerdict};
use super::outcome::{GuardError, GuardedEnding, GuardedOutcome, Signal};
use super::plan::{Checkpoints, Due, Reading, Step};
use super::policy::{Action, OnFailure, Policy};
use super::rest::RestClock;
use crate::types::EnvironmentV1;
use crate::wait::settings::ProgressCallback;
use crate::wait::{Polling, PromotionOutcome, PromotionProgress, WaitClock, WaitError};
use crate::{Client, Error};

type Waiting<'a> = Pin<Box<dyn Future<Output = Result<PromotionOutcome, WaitError>> + Send + 'a>>;

/// A check-run callback.
pub(crate) type CheckCallback<'a> = Box<dyn FnMut(&CheckRun) + Send + 'a>;

/// Everything a guarded promotion was set up with.
pub(crate) struct Config<'a, F> {
    pub client: &'a Client,
    pub model_id: String,
    pub env_name: String,
    pub deployment_id: String,
    pub check: F,
    pub plan: Checkpoints,
    pub policy: Policy,
    pub check_timeout: Duration,
    pub timeout: Duration,
    pub polling: Polling,
    pub clock: Arc<dyn WaitClock>,
    pub start_grace: Duration,
    pub settle: Duration,
    pub environment_exists: bool,
    pub already_seen: Option<EnvironmentV1>,
    pub on_progress: Option<ProgressCallback<'a, PromotionProgress>>,
    pub on_check: Option<CheckCallback<'a>>,
}

struct Driver<'a, F> {
    config: Config<'a, F>,
    origin: Duration,
    /// What the current waiter reported, not yet handled.
    queue: Arc<Mutex<VecDeque<PromotionProgress>>>,
    /// The current waiter is sleeping between two reads.
    at_rest: Arc<AtomicBool>,
    /// The waiter ends at `PAUSED` (a pause the guard asked for).
    pause_switch: Arc<AtomicBool>,
    /// The promotion is paused because the guard asked: the guard resumes it.
    paused_by_us: bool,
    last: Option<PromotionProgress>,
    checks: Vec<CheckRun>,
}

/// What a waiter did since the last look.
struct Seen {
    progress: Vec<PromotionProgress>,
    ended: Option<Result<PromotionOutcome, WaitError>>,
    tick: bool,
}

/// How a hold ended.
enum Held {
    Paused,
    Ended(PromotionOutcome),
}

pub(crate) async fn run<'a, F, Fut>(config: Config<'a, F>) -> Result<GuardedOutcome, GuardError>
where
    F: FnMut(CheckContext) -> Fut + Send + 'a,
    Fut: Future<Output = CheckResult> + Send + 'a,
{
    let origin = config.clock.now();
    let mut driver = Driver {
        config,
        origin,
        queue: Arc::default(),
        at_rest: Arc::default(),
        pause_switch: Arc::default(),
        paused_by_us: false,
        last: None,
        checks: Vec::new(),
    };
    let seen = driver.config.already_seen.take();
    let mut waiter = driver.waiter(seen.as_ref());
    driver.follow(&mut waiter).await
}

impl<'a, F, Fut> Driver<'a, F>
where
    F: FnMut(CheckContext) -> Fut + Send + 'a,
    Fut: Future<Output = CheckResult> + Send + 'a,
{
    fn now(&self) -> Duration {
        self.config.clock.now().saturating_sub(self.origin)
    }

    /// A promotion waiter for what is left of the deadline; `seen`: the environment as last
    /// read, when this one replaces a waiter that ended at a pause.
    fn waiter(&self, seen: Option<&EnvironmentV1>) -> Waiting<'a> {
        let c = &self.config;
        let queue = Arc::clone(&self.queue);
        self.at_rest.store(false, Ordering::SeqCst);
        let clock = RestClock {
            inner: Arc::clone(&c.clock),
            at_rest: Arc::clone(&self.at_rest),
        };
        let wait = c
            .client
            .wait_for_promotion(&c.model_id, &c.env_name, &c.deployment_id)
            .timeout(c.timeout.saturating_sub(self.now()))
            .polling(c.polling.clone())
            .clock(Arc::new(clock))
            .start_grace(c.start_grace)
            .settle(c.settle)
            .until_paused_while(Arc::clone(&self.pause_switch))
            .on_progress(move |progress| {
                lock(&queue).push_back(progress.clone());
            });
        let wait = if c.environment_exists {
            wait.environment_exists()
        } else {
            wait
        };
        match seen {
            Some(environment) => wait.already_seen(environment).into_future(),
            None => wait.into_future(),
        }
    }

    /// Polls `waiter` until it reports something, ends, or the check interval comes due while
    /// it sleeps.
    async fn look(&mut self, waiter: &mut Waiting<'a>) -> Seen {
        let tick_at = self.plan_tick();
        let clock = Arc::clone(&self.config.clock);
        let mut timer = tick_at.map(|at| clock.deadline(at));
        let (queue, at_rest) = (&self.queue, &self.at_rest);
        poll_fn(|cx| {
            let ended = match waiter.as_mut().poll(cx) {
                Poll::Ready(result) => Some(result),
                Poll::Pending => None,
            };
            let progress: Vec<_> = lock(queue).drain(..).collect();
            if let Some(timer) = timer.as_mut() {
                // Polled for its wake-up only: whether it is due is read from the clock.
                let _ = timer.as_mut().poll(cx);
            }
            let tick = ended.is_none()
                && at_rest.load(Ordering::SeqCst)
                && tick_at.is_some_and(|at| clock.now() >= at);
            if ended.is_some() || !progress.is_empty() || tick {
                Poll::Ready(Seen {
                    progress,
                    ended,
                    tick,
                })
            } else {
                Poll::Pending
            }
        })
        .await
    }

    /// The next check interval, on the caller's clock.
    fn plan_tick(&self) -> Option<Duration> {
        self.config.plan.next_tick().map(|at| self.origin + at)
    }

    /// Passes a report on to the caller's callback and remembers it.
    fn reported(&mut self, progress: PromotionProgress) {
        if let Some(callback) = self.config.on_progress.as_mut() {
            callback(&progress);
        }
        self.last = Some(progress);
    }

    /// The last report as a reading for the checkpoint rules, if it shows ours in progress.
    fn reading(&self) -> Option<Reading> {
        let last = self.last.as_ref()?;
        let ours = last.candidate_deployment.as_deref() == Some(&self.config.deployment_id);
        Some(Reading {
            status: last.status.clone().filter(|_| ours)?,
            percent_traffic: last.percent_traffic,
        })
    }

    async fn follow(&mut self, waiter: &mut Waiting<'a>) -> Result<GuardedOutcome, GuardError> {
        loop {
            let seen = self.look(waiter).await;
            let ended = match seen.ended {
                // The pause the guard asked for: follow on with a new waiter.
                Some(Ok(PromotionOutcome::Paused { last, .. })) => {
                    self.pause_switch.store(false, Ordering::SeqCst);
                    *waiter = self.waiter(Some(&last));
                    None
                }
                other => other,
            };
            for progress in seen.progress {
                self.reported(progress);
                if ended.is_some() {
                    continue;
                }
                if let Some(reading) = self.reading() {
                    let step = self.config.plan.on_reading(&reading, self.now());
                    if let Some(outcome) = self.act(step, waiter).await? {
                        return Ok(outcome);
                    }
                }
            }
            if seen.tick
                && ended.is_none()
                && let Some(due) = self.config.plan.on_tick(self.now())
                && let Some(outcome) = self.act(Step::Check(due), waiter).await?
            {
                return Ok(outcome);
            }
            if let Some(result) = ended {
                return self.finish(result).await;
            }
        }
    }

    async fn act(
        &mut self,
        step: Step,
        waiter: &mut Waiting<'a>,
    ) -> Result<Option<GuardedOutcome>, GuardError> {
        match step {
            Step::Wait => Ok(None),
            Step::Pause => {
                self.pause().await?;
                Ok(None)
            }
            Step::Resume => {
                self.resume().await?;
                Ok(None)
            }
            Step::Check(due) => self.check(due, waiter).await,
        }
    }

    /// Runs the check at `due`, again as the policy says, and acts on its result.
    async fn check(
        &mut self,
        due: Due,
        waiter: &mut Waiting<'a>,
    ) -> Result<Option<GuardedOutcome>, GuardError> {
        let mut held = due.held;
        let mut attempt = 1;
        loop {
            let run = self.run_check(&due, attempt, held).await;
            let action = self.config.policy.decide(&run.verdict, attempt, held);
            self.checks.push(run);
            match action {
                Action::GoOn => {
                    // A pause asked for ahead of a later hold point, not yet in effect, stays.
                    if held && self.paused_by_us {
                        self.resume().await?;
                    }
                    self.config.plan.checked(self.now());
                    return Ok(None);
                }
                Action::RunAgain => {}
                Action::Hold => match self.hold(waiter).await? {
                    Held::Paused => held = true,
                    Held::Ended(after) => return Ok(Some(self.check_failed(None, after))),
                },
                Action::Abort(on_failure) => {
                    let after = self.abort(on_failure, waiter).await?;
                    return Ok(Some(self.check_failed(Some(on_failure), after)));
                }
            }
            attempt += 1;
        }
    }

    /// One run of the check, bounded by the check timeout.
    async fn run_check(&mut self, due: &Due, attempt: u32, held: bool) -> CheckRun {
        let last = self.last.clone();
        let context = CheckContext {
            model_id: self.config.model_id.clone(),
            env_name: self.config.env_name.clone(),
            candidate_deployment: self.config.deployment_id.clone(),
            current_deployment: last.as_ref().and_then(|l| l.current_deployment.clone()),
            percent_traffic: due.percent_traffic,
            status: last.and_then(|l| l.status),
            trigger: due.trigger,
            attempt,
            held,
        };
        let clock = Arc::clone(&self.config.clock);
        let started = clock.now();
        let timeout = self.config.check_timeout;
        let answer = crate::wait::engine::first_of(
            (self.config.check)(context),
            clock.deadline(started + timeout),
        )
        .await;
        let verdict = match answer {
            Some(CheckResult::Passed) => CheckVerdict::Passed,
            Some(CheckResult::Failed(reason)) => CheckVerdict::Failed { reason },
            None => CheckVerdict::TimedOut { after: timeout },
        };
        let run = CheckRun {
            trigger: due.trigger,
            percent_traffic: due.percent_traffic,
            attempt,
            held,
            started: started.saturating_sub(self.origin),
            duration: clock.now().saturating_sub(started),
            verdict,
        };
        tracing::info!(
            target: "baseten_api::guard",
            trigger = %run.trigger,
            percent_traffic = run.percent_traffic,
            attempt,
            verdict = %run.verdict,
            "check"
        );
        if let Some(callback) = self.config.on_check.as_mut() {
            callback(&run);
        }
        run
    }

    /// Pauses the promotion and follows it until it is really `PAUSED` (or has ended).
    async fn hold(&mut self, waiter: &mut Waiting<'a>) -> Result<Held, GuardError> {
        self.pause().await?;
        match self.until_end(waiter).await? {
            PromotionOutcome::Paused { last, .. } => {
                self.pause_switch.store(false, Ordering::SeqCst);
                *waiter = self.waiter(Some(&last));
                Ok(Held::Paused)
            }
            ended => Ok(Held::Ended(ended)),
        }
    }

    /// Stops the promotion as `on_failure` says, and follows it to where that leaves it.
    async fn abort(
        &mut self,
        on_failure: OnFailure,
        waiter: &mut Waiting<'a>,
    ) -> Result<PromotionOutcome, GuardError> {
        match on_failure {
            OnFailure::Pause => {
                if !self.paused_by_us {
                    self.pause().await?;
                }
                // Already paused: the waiter's first read ends it there.
                self.pause_switch.store(true, Ordering::SeqCst);
            }
            OnFailure::Cancel | OnFailure::ForceCancel => {
                self.pause_switch.store(false, Ordering::SeqCst);
                let signal = if on_failure == OnFailure::Cancel {
                    Signal::Cancel
                } else {
                    Signal::ForceCancel
                };
                self.signal(signal).await?;
            }
        }
        self.until_end(waiter).await
    }

    /// Follows the waiter to its end, reporting progress only (no checkpoint runs now).
    async fn until_end(
        &mut self,
        waiter: &mut Waiting<'a>,
    ) -> Result<PromotionOutcome, GuardError> {
        loop {
            let seen = self.look(waiter).await;
            for progress in seen.progress {
                self.reported(progress);
            }
            match seen.ended {
                Some(Ok(outcome)) => return Ok(outcome),
                Some(Err(source)) => {
                    return Err(GuardError::Wait {
                        source,
                        checks: std::mem::take(&mut self.checks),
                    });
                }
                None => {}
            }
        }
    }

    /// The promotion ended on its own: checks still due at 100 % run after a success.
    async fn finish(
        &mut self,
        result: Result<PromotionOutcome, WaitError>,
    ) -> Result<GuardedOutcome, GuardError> {
        let outcome = result.map_err(|source| GuardError::Wait {
            source,
            checks: std::mem::take(&mut self.checks),
        })?;
        if outcome.is_success()
            && let Some(due) = self.config.plan.on_succeeded()
        {
            if let Some(last) = self.last.as_mut() {
                last.status = None;
                last.percent_traffic = 100;
                last.current_deployment = Some(self.config.deployment_id.clone());
                last.candidate_deployment = None;
            }
            let mut attempt = 1;
            loop {
                let run = self.run_check(&due, attempt, false).await;
                let action = self.config.policy.decide(&run.verdict, attempt, false);
                self.checks.push(run);
                match action {
                    Action::GoOn => break,
                    // Nothing to hold any more: a retry is a plain one.
                    Action::RunAgain | Action::Hold => attempt += 1,
                    Action::Abort(_) => return Ok(self.check_failed(None, outcome)),
                }
            }
        }
        Ok(GuardedOutcome {
            checks: std::mem::take(&mut self.checks),
            ending: GuardedEnding::Ended(outcome),
        })
    }

    fn check_failed(
        &mut self,
        action: Option<OnFailure>,
        after: PromotionOutcome,
    ) -> GuardedOutcome {
        let checks = std::mem::take(&mut self.checks);
        GuardedOutcome {
            ending: GuardedEnding::CheckFailed {
                check: checks.len().saturating_sub(1),
                action,
                after,
            },
            checks,
        }
    }

    async fn pause(&mut self) -> Result<(), GuardError> {
        self.signal(Signal::Pause).await?;
        self.paused_by_us = true;
        self.pause_switch.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn resume(&mut self) -> Result<(), GuardError> {
        self.pause_switch.store(false, Ordering::SeqCst);
        self.paused_by_us = false;
        self.signal(Signal::Resume).await
    }

    /// Sends `signal`. A refusal (4xx other than auth and not-found) means no promotion is in
    /// progress any more: it ended meanwhile, and the waiter will say how.
    async fn signal(&mut self, signal: Signal) -> Result<(), GuardError> {
        let c = &self.config;
        let (model, env) = (c.model_id.as_str(), c.env_name.as_str());
        let client = c.client;
        let flag = |answer: Result<
            crate::ResponseValue<crate::types::SignalPromotionResponseV1>,
            Error,
        >| { answer.map(|a| a.into_inner().success) };
        let sent = match signal {
            Signal::Pause => flag(
                client
                    .pause_promotion()
                    .model_id(model)
                    .env_name(env)
                    .send()
                    .await,
            ),
            Signal::Resume => flag(
                client
                    .resume_promotion()
                    .model_id(model)
                    .env_name(env)
                    .send()
                    .await,
            ),
            Signal::ForceCancel => flag(
                client
                    .force_cancel_promotion()
                    .model_id(model)
                    .env_name(env)
                    .send()
                    .await,
            ),
            Signal::Cancel => client
                .cancel_promotion()
                .model_id(model)
                .env_name(env)
                .send()
                .await
                .map(|_| true),
        };
        tracing::info!(target: "baseten_api::guard", %signal, ok = sent.is_ok(), "signal");
        let message = match sent {
            Ok(true) => return Ok(()),
            Ok(false) => "Baseten did not accept it (success: false)".to_owned(),
            Err(error) if is_refusal(&error) => return Ok(()),
            Err(error) => error.to_string(),
        };
        Err(GuardError::Signal {
            signal,
            message,
            checks: std::mem::take(&mut self.checks),
        })
    }
}

/// 400, 409, 422: the API refused the signal (Baseten: "no in progress promotion").
fn is_refusal(error: &Error) -> bool {
    error
        .status()
        .is_some_and(|s| matches!(s.as_u16(), 400 | 409 | 422))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Only pushes and drains happen under it; a panic there leaves nothing half-done.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
