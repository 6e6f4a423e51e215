//! The waiters against the model of what Baseten may show (`model.rs`): thousands of generated
//! timelines, each read by the real poll loop (`engine.rs`) and the real rules on simulated
//! time (a virtual clock: reads that take seconds race the deadline as on a real clock, in no
//! real time), with only the HTTP read replaced. For every timeline:
//!
//! - never a wrong ending: the verdict is one the timeline's truth allows, or the wait is
//!   still undecided at its deadline;
//! - the wait is decided when the truth has been knowable long enough before the deadline
//!   (the settle interval, the start grace, two of the slowest polls and a slow read);
//! - the deadline is hard: the wait returns at or before it, whatever the reads do.
//!
//! `BASETEN_MODEL_SEED=<n>` runs one timeline (the seed a failure prints) and prints it;
//! `BASETEN_MODEL_CASES=<n>` changes how many run.

use std::future::Future;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use super::chain::{ChainClassifier, ChainPromotionOutcome, ChainPromotionProbe};
use super::clock::WaitClock;
use super::deployment::{DeploymentOutcome, DeploymentProbe};
use super::engine::{self, Reader};
use super::model::{self, ACCEPTED, Gen, Truth, Verdict, View};
use super::promotion::{Classifier, PromotionOutcome, PromotionProbe};
use super::settings::DEFAULT_SETTLE;
use super::{Polling, WaitError};
use crate::types::{ChainEnvironmentV1, DeploymentV1, EnvironmentV1};
use crate::{ApiError, Error};

const START_GRACE: Duration = Duration::from_secs(60);
/// The slowest read the model makes (only while the promotion goes on).
const SLOW_READ_MS: u64 = 30_000;
/// Quick reads take up to this long.
const READ_MS: u64 = 2_000;

/// How the reads of one run behave: failures and slow reads until the promotion ends.
#[derive(Clone, Copy, Debug)]
struct Faults {
    failures: f64,
    slow: f64,
    until: u64,
}

/// Simulated time for one wait: sleeps complete only when [`drive`] moves the clock to them,
/// which it does when the wait can make no progress otherwise, so a read that takes 30 s and a
/// deadline race each other exactly as on a real clock, in no real time at all.
#[derive(Default)]
struct VirtualClock {
    state: std::sync::Mutex<VirtualState>,
}

#[derive(Default)]
struct VirtualState {
    now: Duration,
    /// The instants sleepers wait for.
    wakes: std::collections::BTreeSet<Duration>,
}

impl VirtualClock {
    fn lock(&self) -> std::sync::MutexGuard<'_, VirtualState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Completes when the clock reaches `at`.
    fn until(&self, at: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.lock().wakes.insert(at);
        Box::pin(std::future::poll_fn(move |_| {
            if self.lock().now >= at {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        }))
    }

    /// Moves the clock to the earliest instant a sleeper waits for; false if none does.
    fn advance(&self) -> bool {
        let mut state = self.lock();
        let now = state.now;
        state.wakes.retain(|at| *at > now);
        match state.wakes.pop_first() {
            Some(at) => {
                state.now = at;
                true
            }
            None => false,
        }
    }
}

impl WaitClock for VirtualClock {
    fn now(&self) -> Duration {
        self.lock().now
    }

    fn sleep(&self, duration: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let at = self.now() + duration;
        self.until(at)
    }

    fn deadline(&self, at: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.until(at)
    }
}

/// Runs `wait` to the end on `clock`: polls it, and when it waits, moves the clock to the next
/// instant something waits for. Everything it waits on is a sleep of this clock, so a wait that
/// is pending with no sleeper left would never end: that is a failure of the test.
fn drive<T>(clock: &VirtualClock, wait: impl Future<Output = T>) -> T {
    let mut wait = std::pin::pin!(wait);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(value) = wait.as_mut().poll(&mut cx) {
            return value;
        }
        assert!(
            clock.advance(),
            "the wait is stuck: pending with nothing to wake it"
        );
    }
}

/// A read of the model at the simulated time: the state as of an instant within the read.
struct ModelRead<'c, F> {
    clock: &'c VirtualClock,
    /// The model time at which the wait started.
    start: u64,
    faults: Faults,
    rng: fastrand::Rng,
    show: F,
}

impl<F, T> Reader<T> for ModelRead<'_, F>
where
    F: FnMut(u64) -> Result<T, Error> + Send,
    T: Send,
{
    async fn read(&mut self) -> Result<T, Error> {
        let now = || self.start + self.clock.now().as_millis() as u64;
        let started = now();
        let troubled = started < self.faults.until;
        let latency = if troubled && self.rng.f64() < self.faults.slow {
            self.rng.u64(READ_MS..=SLOW_READ_MS)
        } else {
            self.rng.u64(0..=READ_MS)
        };
        let seen_at = started + (latency as f64 * self.rng.f64()) as u64;
        let failure = (troubled && self.rng.f64() < self.faults.failures).then(|| {
            if self.rng.bool() {
                api_error(StatusCode::SERVICE_UNAVAILABLE, None)
            } else {
                let wait = Duration::from_millis(self.rng.u64(0..=10_000));
                api_error(StatusCode::TOO_MANY_REQUESTS, Some(wait))
            }
        });
        self.clock.sleep(Duration::from_millis(latency)).await;
        match failure {
            Some(error) => Err(error),
            None => (self.show)(seen_at),
        }
    }
}

fn api_error(status: StatusCode, retry_after: Option<Duration>) -> Error {
    Error::Api(Box::new(ApiError {
        status,
        code: None,
        message: Some(format!("model: {status}")),
        retry_after,
        request_id: None,
        body: String::new(),
        body_truncated: false,
    }))
}

fn not_found() -> Error {
    api_error(StatusCode::NOT_FOUND, None)
}

fn deployment_json(id: &str) -> serde_json::Value {
    json!({
        "id": id, "created_at": "2026-08-01T12:00:00Z", "name": id, "model_id": "mdl",
        "is_production": false, "is_development": false, "status": "ACTIVE",
        "active_replica_count": 1, "autoscaling_settings": null,
        "instance_type_name": null, "environment": null
    })
}

fn environment(view: &View) -> Result<EnvironmentV1, Error> {
    let View::Environment {
        current,
        candidate,
        promotion,
    } = view
    else {
        return Err(not_found());
    };
    let value = json!({
        "name": "production", "created_at": "2026-08-01T12:00:00Z", "model_id": "mdl",
        "current_deployment": current.map(deployment_json),
        "candidate_deployment": candidate.map(deployment_json),
        "in_progress_promotion": promotion.as_ref().map(|(status, percent)| json!({
            "status": status.to_string(), "percent_traffic_to_new_version": percent,
            "error_message": null, "rolling_deploy": true
        })),
        "autoscaling_settings": {"min_replica": 1, "max_replica": 2, "concurrency_target": 1,
            "autoscaling_window": null, "scale_down_delay": null, "target_utilization_percentage": null},
        "promotion_settings": {},
        "instance_type": {"id": "1x4", "name": "1x4", "memory_limit_mib": 4096, "millicpu_limit": 1000,
            "gpu_count": 0, "gpu_type": null, "gpu_memory_limit_mib": null}
    });
    Ok(serde_json::from_value(value).expect("the model's environment decodes"))
}

fn chain_deployment_json(id: &str) -> serde_json::Value {
    json!({
        "id": id, "created_at": "2026-08-01T12:00:00Z", "chain_id": "chn",
        "environment": null, "chainlets": [], "status": "ACTIVE"
    })
}

fn chain_environment(view: &View) -> Result<ChainEnvironmentV1, Error> {
    let View::Environment {
        current, candidate, ..
    } = view
    else {
        return Err(not_found());
    };
    let value = json!({
        "name": "production", "created_at": "2026-08-01T12:00:00Z", "chain_id": "chn",
        "current_deployment": current.map(chain_deployment_json),
        "candidate_deployment": candidate.map(chain_deployment_json),
        "promotion_settings": {}, "chainlet_settings": []
    });
    Ok(serde_json::from_value(value).expect("the model's chain environment decodes"))
}

fn deployment(status: Option<crate::types::DeploymentStatusV1>) -> Result<DeploymentV1, Error> {
    let Some(status) = status else {
        return Err(not_found());
    };
    let mut value = deployment_json(model::OURS);
    value["status"] = json!(status.to_string());
    Ok(serde_json::from_value(value).expect("the model's deployment decodes"))
}

/// One run's settings, all drawn from its seed.
struct Run {
    seed: u64,
    timeout: Duration,
    polling: Polling,
    /// The model time at which the wait starts.
    start: u64,
    faults: Faults,
}

impl Run {
    fn draw(seed: u64, g: &mut Gen, ended: u64) -> Self {
        let polling = if g.chance(0.7) {
            Polling::default()
        } else {
            // The CLI's --poll-interval: one fixed interval.
            let every = Duration::from_millis(g.ms(1, 5));
            Polling::default().intervals(every, every)
        };
        // Most waits start when the promotion is accepted; some later (`wait`, a signal).
        let start = if g.chance(0.75) {
            ACCEPTED
        } else {
            ACCEPTED + 500 + (ended.saturating_sub(ACCEPTED) as f64 * g.unit()) as u64
        };
        Run {
            seed,
            timeout: Duration::from_millis(g.ms(1, 400)),
            polling,
            start,
            faults: Faults {
                failures: g.pick(&[0.0, 0.1, 0.3]),
                slow: g.pick(&[0.0, 0.05, 0.2]),
                until: ended,
            },
        }
    }

    fn reader<'c, T, F>(&self, clock: &'c VirtualClock, show: F) -> ModelRead<'c, F>
    where
        F: FnMut(u64) -> Result<T, Error> + Send,
    {
        ModelRead {
            clock,
            start: self.start,
            faults: self.faults,
            rng: fastrand::Rng::with_seed(self.seed ^ 0x5eed),
            show,
        }
    }

    /// Whether the deadline comes late enough that the wait must be decided.
    fn must_decide(&self, knowable_from: u64) -> bool {
        let largest_poll = self.polling.max().as_millis() as u64 * 11 / 10;
        let needed = (knowable_from + DEFAULT_SETTLE.as_millis() as u64)
            .max(self.start + START_GRACE.as_millis() as u64)
            + SLOW_READ_MS
            + 2 * (largest_poll + READ_MS)
            + 1_000;
        self.start + self.timeout.as_millis() as u64 >= needed
    }
}

fn failure(seed: u64, what: &str, detail: impl std::fmt::Debug) -> String {
    format!(
        "{what}\n  seed {seed}: rerun with BASETEN_MODEL_SEED={seed} cargo test --lib \
         wait::properties\n  {detail:#?}"
    )
}

/// Checks one verdict against the truth, the liveness rule and the deadline.
fn judge(
    run: &Run,
    truth: Truth,
    knowable_from: u64,
    verdict: Result<Verdict, String>,
    took: Duration,
) -> Result<(), String> {
    let verdict = verdict?;
    if took > run.timeout {
        return Err(format!(
            "the wait ended {took:?} after it began, past its deadline {:?}",
            run.timeout
        ));
    }
    if !truth.allows(verdict) {
        return Err(format!(
            "wrong ending: {verdict:?} where the truth is {truth:?}"
        ));
    }
    if verdict == Verdict::Undecided && run.must_decide(knowable_from) {
        return Err(format!(
            "undecided at the deadline although the truth ({truth:?}) was knowable from \
             {knowable_from} ms"
        ));
    }
    Ok(())
}

fn promotion_verdict(result: Result<PromotionOutcome, WaitError>) -> Result<Verdict, String> {
    Ok(match result {
        Ok(PromotionOutcome::Succeeded { deployment }) if deployment.id == model::OURS => {
            Verdict::Succeeded
        }
        Ok(PromotionOutcome::Failed { .. }) => Verdict::Failed,
        Ok(PromotionOutcome::Canceled { .. }) => Verdict::Canceled,
        Ok(PromotionOutcome::OtherDeploymentCurrent { current, .. })
            if current.as_ref().is_none_or(|c| c.id != model::OURS) =>
        {
            Verdict::OtherCurrent
        }
        Ok(PromotionOutcome::EnvironmentDeleted { .. }) => Verdict::Deleted,
        Err(WaitError::Timeout { .. }) => Verdict::Undecided,
        other => return Err(format!("an ending no timeline allows: {other:?}")),
    })
}

fn promotion_case(seed: u64) -> Result<(), String> {
    let mut g = Gen::new(seed);
    let timeline = model::promotion_timeline(&mut g);
    let run = Run::draw(seed, &mut g, timeline.ended);
    let clock = VirtualClock::default();
    let mut classifier = Classifier::new(model::OURS.into(), START_GRACE, DEFAULT_SETTLE);
    // What the CLI read before the wait: before promoting (the environment exists), or, for a
    // wait that starts later (a signal, `wait`), a read after the promotion was accepted.
    classifier.environment_exists();
    if run.start > ACCEPTED
        && let Ok(before) = environment(&timeline.view_at(run.start - 500))
    {
        classifier.already_seen(&before);
    }
    let shown = timeline.clone();
    let probe = PromotionProbe {
        read: run.reader(&clock, move |t| environment(&shown.view_at(t))),
        subject: "model promotion".into(),
        classifier,
    };
    let result = drive(
        &clock,
        engine::run(probe, &clock, run.timeout, &run.polling, &mut |_| {}),
    );
    let took = clock.now();
    judge(
        &run,
        timeline.truth,
        timeline.knowable_from,
        promotion_verdict(result),
        took,
    )
    .map_err(|e| failure(seed, &e, (&timeline, run.start, run.timeout, run.faults)))
}

fn chain_case(seed: u64) -> Result<(), String> {
    let mut g = Gen::new(seed);
    let timeline = model::chain_timeline(&mut g);
    let run = Run::draw(seed, &mut g, timeline.ended);
    let clock = VirtualClock::default();
    let mut classifier = ChainClassifier::new(model::OURS.into(), START_GRACE, DEFAULT_SETTLE);
    classifier.environment_exists();
    let shown = timeline.clone();
    let probe = ChainPromotionProbe {
        read: run.reader(&clock, move |t| chain_environment(&shown.view_at(t))),
        subject: "model chain promotion".into(),
        classifier,
    };
    let result = drive(
        &clock,
        engine::run(probe, &clock, run.timeout, &run.polling, &mut |_| {}),
    );
    let took = clock.now();
    let verdict = match result {
        Ok(ChainPromotionOutcome::Succeeded { deployment }) if deployment.id == model::OURS => {
            Ok(Verdict::Succeeded)
        }
        Ok(ChainPromotionOutcome::OtherDeploymentCurrent { current, .. })
            if current.as_ref().is_none_or(|c| c.id != model::OURS) =>
        {
            Ok(Verdict::OtherCurrent)
        }
        Ok(ChainPromotionOutcome::EnvironmentDeleted) => Ok(Verdict::Deleted),
        Err(WaitError::Timeout { .. }) => Ok(Verdict::Undecided),
        other => Err(format!("an ending no timeline allows: {other:?}")),
    };
    judge(&run, timeline.truth, timeline.knowable_from, verdict, took)
        .map_err(|e| failure(seed, &e, (&timeline, run.start, run.timeout, run.faults)))
}

fn deployment_case(seed: u64) -> Result<(), String> {
    let mut g = Gen::new(seed);
    let timeline = model::deployment_timeline(&mut g);
    let mut run = Run::draw(seed, &mut g, timeline.knowable_from);
    let clock = VirtualClock::default();
    run.start = ACCEPTED;
    let shown = timeline.clone();
    let probe = DeploymentProbe {
        subject: "model deployment".into(),
        read: run.reader(&clock, move |t| deployment(shown.status_at(t))),
        deployment: std::marker::PhantomData::<fn() -> DeploymentV1>,
    };
    let result = drive(
        &clock,
        engine::run(probe, &clock, run.timeout, &run.polling, &mut |_| {}),
    );
    let took = clock.now();
    let truth = if timeline.ready {
        Truth::Succeeded
    } else {
        Truth::Failed
    };
    let verdict = match result {
        Ok(DeploymentOutcome::Ready(_)) => Ok(Verdict::Succeeded),
        Ok(DeploymentOutcome::Failed(_)) => Ok(Verdict::Failed),
        Err(WaitError::Timeout { .. }) => Ok(Verdict::Undecided),
        other => Err(format!("an ending no timeline allows: {other:?}")),
    };
    judge(&run, truth, timeline.knowable_from, verdict, took)
        .map_err(|e| failure(seed, &e, (&timeline, run.timeout, run.faults)))
}

/// How many timelines of each kind run (promotions, chains, deployments).
fn cases() -> (u64, u64, u64) {
    match std::env::var("BASETEN_MODEL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        Some(n) => (n, n / 4, n / 4),
        None => (5_000, 1_500, 1_500),
    }
}

/// Runs `case` for every seed (or the one in `BASETEN_MODEL_SEED`), with the jitter of the
/// poll schedule drawn from the same seed; collects the failures.
fn check(kind: &str, count: u64, base: u64, case: fn(u64) -> Result<(), String>) {
    let only = std::env::var("BASETEN_MODEL_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let seeds: Vec<u64> = match only {
        Some(seed) => vec![seed],
        None => (base..base + count).collect(),
    };
    let mut failures = Vec::new();
    for seed in &seeds {
        fastrand::seed(*seed);
        if let Err(failure) = case(*seed) {
            failures.push(failure);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {kind} timelines failed; the first three:\n{}",
        failures.len(),
        seeds.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn promotion_waits_never_end_wrong_on_any_modelled_timeline() {
    check("promotion", cases().0, 0, promotion_case);
}

#[test]
fn chain_promotion_waits_never_end_wrong_on_any_modelled_timeline() {
    check("chain promotion", cases().1, 1_000_000, chain_case);
}

#[test]
fn deployment_waits_never_end_wrong_on_any_modelled_timeline() {
    check("deployment", cases().2, 2_000_000, deployment_case);
}
