//! Simulated time.
//!
//! Builds and rolling promotions advance in steps of simulated time. Tests use a manual clock
//! that moves only when told ([`MockServer::advance`](crate::MockServer::advance)), so every
//! state a test observes is reproducible; the binary uses the real clock. Both accept explicit
//! jumps, so a process can also be fast-forwarded.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// How the mock's clock moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClockMode {
    /// Time stands still until [`MockServer::advance`](crate::MockServer::advance) moves it.
    /// The default for [`MockServer::start`](crate::MockServer::start).
    #[default]
    Manual,
    /// Time follows the machine's monotonic clock (plus any explicit advances).
    Real,
}

/// The fixed wall-clock start of a manual clock, so `created_at` values are reproducible.
pub const MANUAL_EPOCH: &str = "2026-01-01T00:00:00Z";

/// Simulated time since the mock started.
#[derive(Debug)]
pub(crate) struct Clock {
    mode: ClockMode,
    /// Where simulated time 0 is on the wall clock (for `created_at`).
    epoch: DateTime<Utc>,
    started: std::time::Instant,
    /// Sum of explicit advances.
    offset: Duration,
}

impl Clock {
    pub(crate) fn new(mode: ClockMode) -> Self {
        let epoch = match mode {
            ClockMode::Manual => DateTime::parse_from_rfc3339(MANUAL_EPOCH)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(DateTime::UNIX_EPOCH),
            ClockMode::Real => DateTime::<Utc>::from(std::time::SystemTime::now()),
        };
        Self {
            mode,
            epoch,
            started: std::time::Instant::now(),
            offset: Duration::ZERO,
        }
    }

    /// Simulated time elapsed since start.
    pub(crate) fn now(&self) -> Duration {
        match self.mode {
            ClockMode::Manual => self.offset,
            ClockMode::Real => self.started.elapsed() + self.offset,
        }
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(by);
    }

    /// The wall-clock time of simulated instant `at`.
    pub(crate) fn wall(&self, at: Duration) -> DateTime<Utc> {
        chrono::Duration::from_std(at)
            .ok()
            .and_then(|d| self.epoch.checked_add_signed(d))
            .unwrap_or(self.epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let mut clock = Clock::new(ClockMode::Manual);
        assert_eq!(clock.now(), Duration::ZERO);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), Duration::ZERO);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now(), Duration::from_secs(90));
        assert_eq!(
            clock.wall(clock.now()).to_rfc3339(),
            "2026-01-01T00:01:30+00:00"
        );
    }

    #[test]
    fn real_clock_moves_and_accepts_jumps() {
        let mut clock = Clock::new(ClockMode::Real);
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() >= Duration::from_secs(3600));
    }
}
