//! The mock's simulated clock as a [`WaitClock`] for the client's waiters: `sleep(d)` moves the
//! mock's clock forward by `d` (applying every step that falls due) and returns without waiting,
//! and `now()` reads the mock's simulated time. A waiter then waits for a ten-minute rolling
//! promotion in milliseconds of real time, making the same decisions it would in real time.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use baseten_api::wait::WaitClock;

use crate::app::{App, lock};

/// From [`MockServer::wait_clock`](crate::MockServer::wait_clock).
pub(crate) struct MockWaitClock {
    app: Arc<App>,
}

impl MockWaitClock {
    pub(crate) fn new(app: Arc<App>) -> Self {
        Self { app }
    }
}

impl WaitClock for MockWaitClock {
    fn now(&self) -> Duration {
        lock(&self.app.world).clock.now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        // The clock moves when the sleep is awaited, not when it is created: a sleep that loses
        // a `select!` and is dropped unpolled moves nothing.
        Box::pin(async move {
            lock(&self.app.world).advance(duration);
            // Lets the server's tasks run, as a real sleep would.
            tokio::task::yield_now().await;
        })
    }

    /// Simulated time moves only when a sleep is awaited (or a test advances it), never while
    /// a read is in flight: the deadline has come if the clock is there when this is polled.
    fn deadline(&self, at: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(std::future::poll_fn(move |_| {
            if self.now() >= at {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        }))
    }
}
