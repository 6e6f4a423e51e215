//! The time a waiter reads and sleeps on.
//!
//! A waiter asks its clock what time it is and to sleep; it never calls tokio's time directly,
//! so a test can run it on simulated time (baseten-mock's clock implements [`WaitClock`]): a
//! ten-minute rolling promotion is then waited for in milliseconds, with the same decisions.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A monotonic clock a waiter polls by.
pub trait WaitClock: Send + Sync {
    /// Time since an arbitrary, fixed origin; never goes backwards.
    fn now(&self) -> Duration;

    /// Completes after `duration` has passed on this clock.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;

    /// Completes when this clock reaches `at` (a [`now`](Self::now) value), without moving it:
    /// a waiter races each read against its deadline with this, and abandons a read still in
    /// flight when it completes.
    ///
    /// The default sleeps until then, which is right for a clock whose time passes on its own.
    /// A simulated clock whose time moves only when [`sleep`](Self::sleep) is awaited must
    /// override it (completing at once if `at` has passed, and otherwise when something moves
    /// the clock there), or every read would be abandoned at once.
    fn deadline(&self, at: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.sleep(at.saturating_sub(self.now()))
    }
}

/// Real time: tokio's monotonic clock and timers (the default).
#[derive(Clone, Copy, Debug)]
pub struct TokioClock {
    origin: tokio::time::Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        Self {
            origin: tokio::time::Instant::now(),
        }
    }
}

impl WaitClock for TokioClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }
}
