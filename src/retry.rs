//! When a request is sent again.
//!
//! Promotions are not idempotent (promoting development creates a deployment), so only
//! failures where the server certainly did not execute the request are retried: a 429 (the
//! rate limiter refused it) and a failure to connect. A 5xx or a timeout after sending is
//! reported, not repeated.

use std::time::Duration;

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
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) jitter: f64,
}

impl Default for RetryPolicy {
    /// Up to 4 attempts and 2 minutes of waiting in all; rate limits and connection failures
    /// are retried; 10% jitter.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_total_wait: Duration::from_secs(120),
            retry_rate_limited: true,
            retry_connect_errors: true,
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

    /// The first backoff after a connection failure (doubled each time, up to `max`).
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
        self.jitter = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
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
        wait + wait.mul_f64(self.jitter * fastrand::f64())
    }
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

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
        assert_eq!(RetryPolicy::disabled().max_attempts, 1);
    }
}
