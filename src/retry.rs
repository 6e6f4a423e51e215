//! When a request is sent again: one decision, [`RetryPolicy::decide`], a pure function of the
//! method, what the attempt ended with, the attempt number and the time waited so far. The send
//! loop in `client.rs` only carries it out.
//!
//! Promotions are not idempotent (promoting development creates a deployment), so a `POST` is
//! retried only when the server certainly did not execute it: a 429 (the rate limiter refused
//! it) and a failure to connect. A `GET` changes nothing, so it is also retried on 502, 503 and
//! 504, a timeout and a lost connection.

use std::time::Duration;

use reqwest::Method;

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The server answered with this status; `retry_after` is the wait a 429 asked for (its
    /// body's `retry_after`, or else a `Retry-After` header in seconds or as an HTTP date; see
    /// [`ApiError::retry_after`](crate::ApiError::retry_after)).
    Status {
        /// The HTTP status code.
        status: u16,
        /// The wait the answer asked for, if any.
        retry_after: Option<Duration>,
    },
    /// No connection could be made (refused, DNS, connect timeout): nothing was sent.
    ConnectFailed,
    /// The TLS handshake was answered by a server that does not speak TLS: it will not heal.
    NotTls,
    /// No complete answer in time: the request may have been executed.
    TimedOut,
    /// The connection broke after the request was sent: it may have been executed.
    ConnectionLost,
    /// Any other failure of the HTTP stack.
    Other,
}

impl AttemptOutcome {
    /// A word for logs.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Status { status: 429, .. } => "rate_limited",
            Self::Status { status, .. } if (200..300).contains(&status) => "ok",
            Self::Status { .. } => "error_status",
            Self::ConnectFailed => "connect",
            Self::NotTls => "not_tls",
            Self::TimedOut => "timeout",
            Self::ConnectionLost => "connection_lost",
            Self::Other => "transport",
        }
    }
}

/// The automatic retry policy of a [`Client`](crate::Client).
///
/// ```
/// use std::time::Duration;
/// use baseten_api::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(6)
///     .max_total_wait(Duration::from_secs(300));
/// let never = RetryPolicy::disabled();
/// # let _ = (patient, never);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_total_wait: Duration,
    pub(crate) retry_rate_limited: bool,
    pub(crate) retry_connect_errors: bool,
    pub(crate) retry_safe_requests: bool,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) jitter: f64,
}

impl Default for RetryPolicy {
    /// Up to 4 attempts and 2 minutes of waiting in all; rate limits and connection failures
    /// are retried, and for `GET`s also 502/503/504, timeouts and lost connections; backoff
    /// from 250 ms doubling to 8 s; 10% jitter.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_total_wait: Duration::from_secs(120),
            retry_rate_limited: true,
            retry_connect_errors: true,
            retry_safe_requests: true,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            jitter: 0.1,
        }
    }
}

impl RetryPolicy {
    /// Never retry: every failure is returned at once.
    ///
    /// ```
    /// let client = baseten_api::Client::builder()
    ///     .api_key("my-key")
    ///     .retry_policy(baseten_api::RetryPolicy::disabled())
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    ///
    /// ```
    /// let policy = baseten_api::RetryPolicy::default().max_attempts(6);
    /// # let _ = policy;
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The most time spent waiting between attempts, in all. A wait that would pass it is not
    /// started: the caller gets the error (with its `retry_after`) at once.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // A CI job that would rather fail than wait out a long rate-limit window.
    /// let policy = baseten_api::RetryPolicy::default().max_total_wait(Duration::from_secs(10));
    /// # let _ = policy;
    /// ```
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// Whether a 429 is retried after the wait the API asks for (default true).
    ///
    /// ```
    /// // Handle 429s yourself (`Error::is_rate_limited`, `Error::retry_after`).
    /// let policy = baseten_api::RetryPolicy::default().retry_rate_limited(false);
    /// # let _ = policy;
    /// ```
    pub fn retry_rate_limited(mut self, retry: bool) -> Self {
        self.retry_rate_limited = retry;
        self
    }

    /// Whether a failure to connect is retried with exponential backoff (default true).
    ///
    /// ```
    /// let policy = baseten_api::RetryPolicy::default().retry_connect_errors(false);
    /// # let _ = policy;
    /// ```
    pub fn retry_connect_errors(mut self, retry: bool) -> Self {
        self.retry_connect_errors = retry;
        self
    }

    /// The first backoff after a connection failure or a retried `GET` failure (doubled each
    /// time, up to `max`).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = baseten_api::RetryPolicy::default()
    ///     .backoff(Duration::from_millis(100), Duration::from_secs(2));
    /// # let _ = policy;
    /// ```
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The share of each wait added at random (0.0–1.0), so that many clients limited at the
    /// same moment do not all come back at the same moment.
    ///
    /// ```
    /// // Many workers sharing one key: spread their retries more.
    /// let policy = baseten_api::RetryPolicy::default().jitter(0.5);
    /// # let _ = policy;
    /// ```
    pub fn jitter(mut self, share: f64) -> Self {
        self.jitter = jitter_share(share);
        self
    }

    /// Whether a `GET` (or another method that changes nothing: `HEAD`, `OPTIONS`) is retried
    /// on 502, 503, 504, a timeout and a lost connection (default true). `POST`s never are.
    ///
    /// ```
    /// // A health check that should report the first failure as it is.
    /// let policy = baseten_api::RetryPolicy::default().retry_safe_requests(false);
    /// # let _ = policy;
    /// ```
    pub fn retry_safe_requests(mut self, retry: bool) -> Self {
        self.retry_safe_requests = retry;
        self
    }

    /// How long to wait before sending the request again after `attempt` (1 for the first)
    /// ended with `outcome`, having waited `waited` in all so far; `None` to stop and report
    /// the outcome. The client adds up to [`jitter`](Self::jitter) of the wait, never past
    /// [`max_total_wait`](Self::max_total_wait).
    ///
    /// ```
    /// use std::time::Duration;
    /// use baseten_api::{AttemptOutcome, RetryPolicy, reqwest::Method};
    ///
    /// let policy = RetryPolicy::default();
    /// let unavailable = AttemptOutcome::Status { status: 503, retry_after: None };
    /// // Reading an environment again is harmless; promoting twice is not.
    /// assert!(policy.decide(&Method::GET, unavailable, 1, Duration::ZERO).is_some());
    /// assert_eq!(policy.decide(&Method::POST, unavailable, 1, Duration::ZERO), None);
    /// // The rate limiter refused the request, so it was not executed: wait as asked.
    /// let limited = AttemptOutcome::Status { status: 429, retry_after: Some(Duration::from_secs(3)) };
    /// assert_eq!(
    ///     policy.decide(&Method::POST, limited, 1, Duration::ZERO),
    ///     Some(Duration::from_secs(3))
    /// );
    /// ```
    pub fn decide(
        &self,
        method: &Method,
        outcome: AttemptOutcome,
        attempt: u32,
        waited: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let safe = is_safe(method);
        let wait = match outcome {
            AttemptOutcome::Status {
                status: 429,
                retry_after,
            } if self.retry_rate_limited => {
                retry_after.unwrap_or_else(|| self.connect_backoff(attempt))
            }
            AttemptOutcome::ConnectFailed if self.retry_connect_errors => {
                self.connect_backoff(attempt)
            }
            AttemptOutcome::Status {
                status: 502..=504, ..
            }
            | AttemptOutcome::TimedOut
            | AttemptOutcome::ConnectionLost
                if safe && self.retry_safe_requests =>
            {
                self.connect_backoff(attempt)
            }
            _ => return None,
        };
        (waited + wait <= self.max_total_wait).then_some(wait)
    }

    /// Whether a failure while reading a successful answer's body would be retried: only for
    /// requests that are safe to repeat, when such retries are on.
    pub(crate) fn retries_body_failures(&self, method: &Method) -> bool {
        self.retry_safe_requests && is_safe(method)
    }

    /// `wait` with jitter added, within what is left of the total budget after `waited`.
    pub(crate) fn jittered(&self, wait: Duration, waited: Duration) -> Duration {
        self.with_jitter(wait)
            .min(self.max_total_wait.saturating_sub(waited))
            .max(wait)
    }

    /// The wait before attempt `attempt + 1` after a connection failure.
    pub(crate) fn connect_backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(16);
        self.initial_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff)
    }

    /// `wait` plus up to `jitter` of it: never less than asked, since the rate-limit window
    /// has not reset before then.
    pub(crate) fn with_jitter(&self, wait: Duration) -> Duration {
        add_jitter(wait, self.jitter)
    }
}

/// A jitter share as given by a caller, made a share: 0.0–1.0, and 0.0 for NaN or infinity.
pub(crate) fn jitter_share(share: f64) -> f64 {
    if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// `wait` plus a random part of it, up to `share` of it (never less than `wait`).
pub(crate) fn add_jitter(wait: Duration, share: f64) -> Duration {
    wait + wait.mul_f64(share * fastrand::f64())
}

/// Methods that change nothing on the server (RFC 9110 "safe"), so sending one again is harmless.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let policy =
            RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_millis(350));
        let waits: Vec<u128> = (1..=4)
            .map(|a| policy.connect_backoff(a).as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 350, 350]);
    }

    #[test]
    fn jitter_only_ever_adds() {
        let policy = RetryPolicy::default().jitter(0.5);
        for _ in 0..1000 {
            let wait = policy.with_jitter(Duration::from_secs(2));
            assert!(
                wait >= Duration::from_secs(2) && wait <= Duration::from_secs(3),
                "{wait:?}"
            );
        }
    }

    const GET: &Method = &Method::GET;
    const POST: &Method = &Method::POST;

    fn status(status: u16) -> AttemptOutcome {
        AttemptOutcome::Status {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn every_outcome_for_both_methods() {
        let policy = RetryPolicy::default();
        let first = |method, outcome| policy.decide(method, outcome, 1, Duration::ZERO);
        let backoff = Some(Duration::from_millis(250));
        // (outcome, GET, POST)
        let table = [
            (status(200), None, None),
            (status(400), None, None),
            (status(401), None, None),
            (status(404), None, None),
            (status(429), backoff, backoff),
            (status(500), None, None),
            (status(501), None, None),
            (status(502), backoff, None),
            (status(503), backoff, None),
            (status(504), backoff, None),
            (AttemptOutcome::ConnectFailed, backoff, backoff),
            (AttemptOutcome::NotTls, None, None),
            (AttemptOutcome::TimedOut, backoff, None),
            (AttemptOutcome::ConnectionLost, backoff, None),
            (AttemptOutcome::Other, None, None),
        ];
        for (outcome, get, post) in table {
            assert_eq!(first(GET, outcome), get, "GET {outcome:?}");
            assert_eq!(first(POST, outcome), post, "POST {outcome:?}");
        }
    }

    #[test]
    fn a_rate_limit_waits_as_asked() {
        let asked = AttemptOutcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(7)),
        };
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(POST, asked, 1, Duration::ZERO),
            Some(Duration::from_secs(7))
        );
        let off = policy.clone().retry_rate_limited(false);
        assert_eq!(off.decide(POST, asked, 1, Duration::ZERO), None);
    }

    #[test]
    fn attempts_and_the_total_wait_are_bounded() {
        let policy = RetryPolicy::default()
            .max_attempts(3)
            .max_total_wait(Duration::from_secs(1));
        let unavailable = status(503);
        assert!(policy.decide(GET, unavailable, 2, Duration::ZERO).is_some());
        assert_eq!(policy.decide(GET, unavailable, 3, Duration::ZERO), None);
        // 250 ms more would pass the one-second budget.
        assert_eq!(
            policy.decide(GET, unavailable, 1, Duration::from_millis(800)),
            None
        );
        let waits_past_budget = AttemptOutcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            policy.decide(POST, waits_past_budget, 1, Duration::ZERO),
            None
        );
    }

    #[test]
    fn switches_turn_each_kind_off() {
        let no_connect = RetryPolicy::default().retry_connect_errors(false);
        assert_eq!(
            no_connect.decide(GET, AttemptOutcome::ConnectFailed, 1, Duration::ZERO),
            None
        );
        let no_safe = RetryPolicy::default().retry_safe_requests(false);
        assert_eq!(no_safe.decide(GET, status(503), 1, Duration::ZERO), None);
        assert_eq!(
            RetryPolicy::disabled().decide(GET, status(503), 1, Duration::ZERO),
            None
        );
    }

    #[test]
    fn jitter_stays_within_the_budget() {
        let policy = RetryPolicy::default()
            .jitter(1.0)
            .max_total_wait(Duration::from_millis(1100));
        for _ in 0..1000 {
            let wait = policy.jittered(Duration::from_secs(1), Duration::from_millis(50));
            assert!(wait >= Duration::from_secs(1), "{wait:?}");
            assert!(wait <= Duration::from_millis(1050), "{wait:?}");
        }
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
        assert_eq!(RetryPolicy::disabled().max_attempts, 1);
    }
}
