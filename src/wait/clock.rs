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
