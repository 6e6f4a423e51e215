//! Per-key, per-operation rate limiting with Baseten's documented 429 answer.
//!
//! A fixed window opens at a key's first request to an operation; requests beyond the limit
//! inside it get `429 {"error": "Rate limit exceeded. Please try again later.", "retry_after":
//! N}`, N being the whole seconds until the window closes. Windows run on tokio's clock, not on
//! the simulated one: a client waits real time before retrying, and a manual clock that never
//! moved would keep it locked out forever. (Under `tokio::time::pause` they follow paused time.)

use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::time::Instant;

/// How many requests one key may send to one operation per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// Window length.
    pub window: Duration,
}

impl RateLimit {
    /// `requests` per second.
    pub fn per_second(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(1))
    }

    /// `requests` per `window`.
    pub fn new(requests: u32, window: Duration) -> Self {
        Self { requests, window }
    }
}

impl Default for RateLimit {
    /// Baseten's documented limit for the promotion endpoints: 100 requests per second.
    fn default() -> Self {
        Self::per_second(100)
    }
}

#[derive(Debug)]
struct Window {
    opened: Instant,
    count: u32,
}

#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    limit: Option<RateLimit>,
    windows: HashMap<(String, String), Window>,
}

/// The 429 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limited {
    pub(crate) retry_after: u64,
}

impl IntoResponse for Limited {
    fn into_response(self) -> Response {
        let body = json!({
            "error": "Rate limit exceeded. Please try again later.",
            "retry_after": self.retry_after,
        });
        (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
    }
}

impl RateLimiter {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            limit,
            windows: HashMap::new(),
        }
    }

    pub(crate) fn set_limit(&mut self, limit: Option<RateLimit>) {
        self.limit = limit;
        self.windows.clear();
    }

    /// Counts one request by `key` to `operation` at `now`.
    pub(crate) fn check(
        &mut self,
        key: &str,
        operation: &str,
        now: Instant,
    ) -> Result<(), Limited> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let window = self
            .windows
            .entry((key.to_owned(), operation.to_owned()))
            .or_insert(Window {
                opened: now,
                count: 0,
            });
        let elapsed = now.saturating_duration_since(window.opened);
        if elapsed >= limit.window {
            *window = Window {
                opened: now,
                count: 0,
            };
        }
        if window.count >= limit.requests {
            let left = limit
                .window
                .saturating_sub(now.saturating_duration_since(window.opened));
            // Whole seconds, rounded up, and never 0: "retry after 0 s" would invite a hot loop.
            let retry_after = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Err(Limited {
                retry_after: retry_after.max(1),
            });
        }
        window.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_per_key_and_operation_and_resets_with_the_window() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(Some(RateLimit::new(2, Duration::from_secs(10))));
        assert!(limiter.check("a", "op", t0).is_ok());
        assert!(limiter.check("a", "op", t0).is_ok());
        let limited = limiter
            .check("a", "op", t0 + Duration::from_millis(2500))
            .unwrap_err();
        assert_eq!(limited.retry_after, 8);
        // Other key, other operation: their own windows.
        assert!(limiter.check("b", "op", t0).is_ok());
        assert!(limiter.check("a", "other", t0).is_ok());
        // A new window.
        assert!(
            limiter
                .check("a", "op", t0 + Duration::from_secs(10))
                .is_ok()
        );
    }

    #[test]
    fn no_limit_means_no_limit() {
        let mut limiter = RateLimiter::new(None);
        let now = Instant::now();
        assert!((0..1000).all(|_| limiter.check("a", "op", now).is_ok()));
    }
}
