//! The clock a guarded promotion gives its waiter: the caller's clock, and a flag that says
//! whether the waiter is between two reads (sleeping). A check runs only then, so that a
//! request is never left half-done (its own timeout running) while a check takes minutes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::wait::WaitClock;

pub(crate) struct RestClock {
    pub(crate) inner: Arc<dyn WaitClock>,
    pub(crate) at_rest: Arc<AtomicBool>,
}

impl WaitClock for RestClock {
    fn now(&self) -> Duration {
        self.inner.now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            self.at_rest.store(true, Ordering::SeqCst);
            self.inner.sleep(duration).await;
            self.at_rest.store(false, Ordering::SeqCst);
        })
    }

    fn deadline(&self, at: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.inner.deadline(at)
    }
}
