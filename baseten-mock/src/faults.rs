//! Fault injection: added latency, a share of 5xx answers, dropped connections, and errors
//! scripted for the next requests to one operation.
//!
//! Which requests fail is drawn from a seeded generator (SplitMix64, a few lines here rather than
//! a dependency, so a seed gives the same sequence on every platform and crate version): for
//! requests sent one after another, the same seed fails the same requests. Scripted errors
//! ([`ScriptedErrors`]) need no luck: "the next 2 `get_environment` requests answer 503".

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use axum::http::StatusCode;

/// Faults to inject into every request. The default injects none.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Faults {
    /// Delay before every answer (and before every dropped connection).
    pub latency: Duration,
    /// Share of requests answered 500, 502 or 503 without being processed, 0.0–1.0.
    pub server_error_rate: f64,
    /// Share of requests whose connection is closed without an answer and without being
    /// processed, 0.0–1.0.
    pub drop_rate: f64,
    /// Seed of the generator that picks the failing requests.
    pub seed: u64,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds `latency` to every request.
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Answers a share of requests with a 5xx (rate clamped to 0.0–1.0).
    #[must_use]
    pub fn server_errors(mut self, rate: f64) -> Self {
        self.server_error_rate = clamp_rate(rate);
        self
    }

    /// Drops the connection for a share of requests (rate clamped to 0.0–1.0).
    #[must_use]
    pub fn dropped_connections(mut self, rate: f64) -> Self {
        self.drop_rate = clamp_rate(rate);
        self
    }

    /// Seeds the generator.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

fn clamp_rate(rate: f64) -> f64 {
    if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    ServerError(StatusCode),
    Drop,
}

#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Faults,
    rng: SplitMix64,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            faults,
            rng: SplitMix64(faults.seed),
        }
    }

    pub(crate) fn latency(&self) -> Duration {
        self.faults.latency
    }

    /// Decides the fate of the next request. Draws the same numbers whatever the rates, so
    /// changing one rate does not reshuffle which requests the other one hits.
    pub(crate) fn next(&mut self) -> Fault {
        let drop = self.rng.next_unit();
        let error = self.rng.next_unit();
        let which = self.rng.next_u64();
        if drop < clamp_rate(self.faults.drop_rate) {
            Fault::Drop
        } else if error < clamp_rate(self.faults.server_error_rate) {
            let status = [
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::BAD_GATEWAY,
                StatusCode::SERVICE_UNAVAILABLE,
            ][(which % 3) as usize];
            Fault::ServerError(status)
        } else {
            Fault::None
        }
    }
}

/// Errors to answer, per operation, in order: each request to the operation takes the first.
#[derive(Debug, Default)]
pub(crate) struct ScriptedErrors(BTreeMap<String, VecDeque<StatusCode>>);

impl ScriptedErrors {
    /// Queues `count` answers `status` for the next requests to `operation_id`, after those
    /// already queued.
    pub(crate) fn push(&mut self, operation_id: &str, count: usize, status: StatusCode) {
        self.0
            .entry(operation_id.to_owned())
            .or_default()
            .extend(std::iter::repeat_n(status, count));
    }

    /// The error the next request to `operation_id` gets, if one is queued.
    pub(crate) fn next(&mut self, operation_id: &str) -> Option<StatusCode> {
        let queue = self.0.get_mut(operation_id)?;
        let status = queue.pop_front();
        if queue.is_empty() {
            self.0.remove(operation_id);
        }
        status
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully determined by its seed.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(faults: Faults, n: usize) -> Vec<Fault> {
        let mut state = FaultState::new(faults);
        (0..n).map(|_| state.next()).collect()
    }

    #[test]
    fn same_seed_same_faults_and_rates_are_roughly_kept() {
        let faults = Faults::none()
            .server_errors(0.2)
            .dropped_connections(0.1)
            .seed(7);
        let a = outcomes(faults, 2000);
        assert_eq!(a, outcomes(faults, 2000));
        let drops = a.iter().filter(|f| **f == Fault::Drop).count();
        let errors = a
            .iter()
            .filter(|f| matches!(f, Fault::ServerError(_)))
            .count();
        assert!((150..=250).contains(&drops), "{drops}");
        // 20 % of the 90 % not dropped.
        assert!((300..=420).contains(&errors), "{errors}");
        assert_ne!(a, outcomes(faults.seed(8), 2000));
    }

    #[test]
    fn scripted_errors_are_taken_in_order_per_operation() {
        let mut scripted = ScriptedErrors::default();
        scripted.push("get_environment", 2, StatusCode::SERVICE_UNAVAILABLE);
        scripted.push("get_environment", 1, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(scripted.next("get_deployment"), None);
        assert_eq!(
            (0..4)
                .map(|_| scripted.next("get_environment"))
                .collect::<Vec<_>>(),
            [
                Some(StatusCode::SERVICE_UNAVAILABLE),
                Some(StatusCode::SERVICE_UNAVAILABLE),
                Some(StatusCode::TOO_MANY_REQUESTS),
                None
            ]
        );
    }

    #[test]
    fn zero_and_one_are_exact_and_bad_rates_are_clamped() {
        assert!(
            outcomes(Faults::none(), 500)
                .iter()
                .all(|f| *f == Fault::None)
        );
        assert!(
            outcomes(Faults::none().dropped_connections(1.0), 500)
                .iter()
                .all(|f| *f == Fault::Drop)
        );
        assert_eq!(
            Faults::none().server_errors(f64::NAN).server_error_rate,
            0.0
        );
        assert_eq!(Faults::none().server_errors(7.0).server_error_rate, 1.0);
    }
}
