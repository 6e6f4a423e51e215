//! The one poll loop every waiter runs: read, report what changed, classify, sleep with
//! backoff, give up at the deadline. A waiter supplies only a [`Probe`]: what to read and how
//! to classify it.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use super::clock::WaitClock;
use super::{LastSeen, Polling, WaitError};
use crate::Error;

/// What one waiter reads and how it judges it.
pub(crate) trait Probe: Send {
    /// What one poll reads (an environment, a deployment).
    type State: Send;
    /// What is reported when it changes; unchanged polls report nothing.
    type Progress: PartialEq + fmt::Display + Send;
    /// How the wait ended.
    type Outcome: Send;

    /// What is being waited for, for messages ("promotion of dep-1 to production of m-1").
    fn subject(&self) -> String;

    /// One read (the client's retry policy already retries transient failures of a GET).
    fn read(&mut self) -> impl Future<Output = Result<Self::State, Error>> + Send;

    /// Judges one state, `elapsed` after the wait began.
    fn observe(
        &mut self,
        state: &Self::State,
        elapsed: Duration,
    ) -> Observation<Self::Outcome, Self::Progress>;

    /// The state kept for a timeout error.
    fn last_seen(state: Self::State) -> LastSeen;

    /// Whether a 404 is tolerated for [`Polling::not_found_grace`] (a deployment the caller
    /// just created is not found for a few seconds).
    fn tolerates_early_not_found(&self) -> bool;
}

/// What one poll showed.
pub(crate) struct Observation<O, P> {
    pub progress: P,
    pub verdict: Verdict<O>,
    /// A status value this version of the client does not know: never an outcome on sight.
    pub unknown_status: Option<String>,
}

pub(crate) enum Verdict<O> {
    Done(O),
    Waiting,
}

/// Runs the loop until the probe says done, the deadline passes, or a read fails for good.
pub(crate) async fn run<P: Probe>(
    mut probe: P,
    clock: &dyn WaitClock,
    timeout: Duration,
    polling: &Polling,
    on_progress: &mut (dyn FnMut(&P::Progress) + Send),
) -> Result<P::Outcome, WaitError> {
    let started = clock.now();
    let mut interval = polling.initial;
    let mut polls = 0u32;
    let mut last_state: Option<P::State> = None;
    let mut last_progress: Option<P::Progress> = None;
    let mut unknown_status: Option<String> = None;
    loop {
        polls += 1;
        // The error of this read, if it failed and the wait goes on.
        let last_error: Option<String>;
        let read = probe.read().await;
        let elapsed = clock.now().saturating_sub(started);
        match read {
            Ok(state) => {
                last_error = None;
                let observation = probe.observe(&state, elapsed);
                if last_progress.as_ref() != Some(&observation.progress) {
                    tracing::info!(
                        target: "baseten_api::wait",
                        subject = %probe.subject(),
                        progress = %observation.progress,
                        elapsed_ms = elapsed.as_millis() as u64,
                        "progress"
                    );
                    on_progress(&observation.progress);
                    last_progress = Some(observation.progress);
                }
                if observation.unknown_status.is_some() {
                    unknown_status = observation.unknown_status;
                }
                if let Verdict::Done(outcome) = observation.verdict {
                    tracing::info!(
                        target: "baseten_api::wait",
                        subject = %probe.subject(),
                        polls,
                        elapsed_ms = elapsed.as_millis() as u64,
                        "done"
                    );
                    return Ok(outcome);
                }
                last_state = Some(state);
            }
            Err(error)
                if error.is_not_found()
                    && probe.tolerates_early_not_found()
                    && last_state.is_none()
                    && elapsed < polling.not_found_grace =>
            {
                tracing::debug!(target: "baseten_api::wait", subject = %probe.subject(), "not found yet");
                last_error = Some(error.to_string());
            }
            Err(error) if error.is_not_found() => {
                return Err(WaitError::NotFound {
                    subject: probe.subject(),
                    waited: elapsed,
                    source: Box::new(error),
                });
            }
            // A connection never made on the first read is a wrong URL, not a blip.
            Err(error)
                if is_transient(&error)
                    && (polls > 1 || !matches!(error, Error::Connect { .. })) =>
            {
                tracing::info!(
                    target: "baseten_api::wait",
                    subject = %probe.subject(),
                    %error,
                    "read failed; polling on"
                );
                last_error = Some(error.to_string());
            }
            Err(error) => {
                return Err(WaitError::Request {
                    subject: probe.subject(),
                    waited: elapsed,
                    last: last_state.map(P::last_seen),
                    source: Box::new(error),
                });
            }
        }
        if elapsed >= timeout {
            return Err(WaitError::Timeout {
                subject: probe.subject(),
                waited: elapsed,
                polls,
                last_progress: last_progress.map(|p| p.to_string()),
                last: last_state.map(P::last_seen),
                unknown_status,
                last_error,
            });
        }
        // The last sleep ends at the deadline, so the last poll happens there.
        let sleep = polling.jittered(interval).min(timeout - elapsed);
        clock.sleep(sleep).await;
        interval = polling.next(interval);
    }
}

/// A failed read that a later read may not repeat: the server or the network had a problem
/// (the client has already retried it within its retry policy), or the rate limiter refused.
fn is_transient(error: &Error) -> bool {
    match error {
        Error::Timeout { .. } | Error::ConnectionLost { .. } | Error::Connect { .. } => true,
        Error::Api(api) => api.status.is_server_error() || api.status.as_u16() == 429,
        _ => false,
    }
}
