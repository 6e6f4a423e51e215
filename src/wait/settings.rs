//! What every waiter's builder sets (the deadline, the polling, the clock, the progress
//! callback) and how a builder runs the poll loop with it; for the promotion waiters also the
//! start grace and the settle interval. One struct and one macro, so the four builders cannot
//! drift apart.

use std::sync::Arc;
use std::time::Duration;

use super::clock::{TokioClock, WaitClock};
use super::engine::{self, Probe};
use super::{DEFAULT_WAIT_TIMEOUT, Polling, WaitError};

/// A progress callback, given each change a waiter sees.
pub(crate) type ProgressCallback<'a, P> = Box<dyn FnMut(&P) + Send + 'a>;

/// The settings of one wait; `P` is what its progress callback is given.
pub(crate) struct Settings<'a, P> {
    pub(crate) timeout: Duration,
    pub(crate) polling: Polling,
    pub(crate) clock: Arc<dyn WaitClock>,
    pub(crate) on_progress: Option<ProgressCallback<'a, P>>,
}

impl<P> Default for Settings<'_, P> {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_WAIT_TIMEOUT,
            polling: Polling::default(),
            clock: Arc::new(TokioClock::default()),
            on_progress: None,
        }
    }
}

impl<P> Settings<'_, P> {
    /// Runs the poll loop for `probe` with these settings.
    pub(crate) async fn run<Pr>(self, probe: Pr) -> Result<Pr::Outcome, WaitError>
    where
        Pr: Probe<Progress = P>,
    {
        let mut on_progress = self.on_progress;
        let mut report = |progress: &P| {
            if let Some(callback) = on_progress.as_mut() {
                callback(progress);
            }
        };
        engine::run(
            probe,
            &*self.clock,
            self.timeout,
            &self.polling,
            &mut report,
        )
        .await
    }
}

/// How long a promotion waiter waits for the promotion to show up, and how long it watches an
/// ending that may still change.
pub(crate) struct Ending {
    pub(crate) start_grace: Duration,
    pub(crate) settle: Duration,
}

/// How long a waiter watches an ending that may still change before it concludes that another
/// deployment stays current (the default of `.settle()`).
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(10);

impl Default for Ending {
    fn default() -> Self {
        Self {
            start_grace: Duration::from_secs(60),
            settle: DEFAULT_SETTLE,
        }
    }
}

/// The builder methods of [`Settings`] (a builder with a `settings` field), with the progress
/// type its callback is given.
macro_rules! settings_methods {
    ($progress:ty) => {
        /// The deadline (default 30 minutes). It is hard: no read starts at or after it, and a
        /// read in flight when it passes is abandoned.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.timeout = timeout;
            self
        }

        /// How often to read (see [`Polling`](crate::wait::Polling)).
        pub fn polling(mut self, polling: crate::wait::Polling) -> Self {
            self.settings.polling = polling;
            self
        }

        /// Called with every change the waiter sees (not with unchanged reads).
        pub fn on_progress(mut self, callback: impl FnMut(&$progress) + Send + 'a) -> Self {
            self.settings.on_progress = Some(Box::new(callback));
            self
        }

        /// The clock to poll by (default: real time). baseten-mock's simulated clock implements
        /// [`WaitClock`](crate::wait::WaitClock), so tests wait for a long promotion in
        /// milliseconds.
        pub fn clock(mut self, clock: std::sync::Arc<dyn crate::wait::WaitClock>) -> Self {
            self.settings.clock = clock;
            self
        }
    };
}

/// The builder methods of [`Ending`] (a builder with an `ending` field).
macro_rules! ending_methods {
    () => {
        /// How long to wait for the promotion to show up (the deployment as the candidate, or
        /// as the current one) before concluding that another deployment stays current
        /// (default 60 s).
        pub fn start_grace(mut self, grace: std::time::Duration) -> Self {
            self.ending.start_grace = grace;
            self
        }

        /// How long "ours is gone and another deployment is current" must hold before the wait
        /// ends on it (default 10 s). The environment may clear its promotion a moment before
        /// `current_deployment` switches to the promoted deployment; a shorter settle could
        /// call a success a rollback. Success, failure and cancellation are never delayed by
        /// it.
        pub fn settle(mut self, settle: std::time::Duration) -> Self {
            self.ending.settle = settle;
            self
        }
    };
}

pub(crate) use {ending_methods, settings_methods};
