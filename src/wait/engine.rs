//! The one poll loop every waiter runs: read, report what changed, classify, sleep with
//! backoff, give up at the deadline. A waiter supplies only a [`Probe`]: what to read and how
//! to classify it.
//!
//! The deadline is hard: no read starts at or after it, and a read still in flight when it
//! passes is abandoned there (the client's retry policy may otherwise keep one read going for
//! minutes against a server that stopped answering). A CI job sized to its `--timeout` is
//! then never killed before it could say how the wait ended.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use super::clock::WaitClock;
use super::{LastSeen, Polling, WaitError};
use crate::Error;

/// When a read ran, as time since the wait began. The state it returned is as of some instant
/// in between, so a rule that needs "seen at least this long" measures from `finished` of the
/// first read to `started` of a later one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReadAt {
    pub started: Duration,
    pub finished: Duration,
}

/// What a 404 means to a waiter.
pub(crate) enum NotFound<O> {
    /// Not there yet (a deployment just created): read again.
    Tolerate,
    /// It is gone, and that is how the wait ends (an environment deleted mid-promotion).
    Done(O),
    /// It does not exist: the wait fails with [`WaitError::NotFound`].
    Fail,
}

/// One read of what a waiter watches: a request through the client, or, in the model tests, a
/// timeline of what Baseten may show.
pub(crate) trait Reader<T>: Send {
    fn read(&mut self) -> impl Future<Output = Result<T, Error>> + Send;
}

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

    /// Judges one state.
    fn observe(
        &mut self,
        state: &Self::State,
        at: ReadAt,
    ) -> Observation<Self::Outcome, Self::Progress>;

    /// The state kept for a timeout error.
    fn last_seen(state: Self::State) -> LastSeen;

    /// Judges a 404. `seen` says whether a read of this wait succeeded before.
    fn not_found(&mut self, at: ReadAt, seen: bool, polling: &Polling) -> NotFound<Self::Outcome>;
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
    let origin = clock.now();
    let elapsed = || clock.now().saturating_sub(origin);
    let mut interval = polling.initial;
    let mut polls = 0u32;
    let mut last_state: Option<P::State> = None;
    let mut last_progress: Option<P::Progress> = None;
    // The unknown status of the last read that showed one; cleared by a read that shows none.
    let mut unknown_status: Option<String> = None;
    let mut last_error: Option<String> = None;
    loop {
        let started = elapsed();
        if started >= timeout {
            let seen = Seen {
                polls,
                last_state,
                last_progress,
                unknown_status,
                last_error,
            };
            return Err(seen.timed_out(&probe, started));
        }
        polls += 1;
        let read = {
            let read = probe.read();
            let deadline = clock.deadline(origin + timeout);
            first_of(read, deadline).await
        };
        let finished = elapsed();
        let at = ReadAt { started, finished };
        // Where the next sleep is at least this long (a 429's `retry_after`).
        let mut not_before = Duration::ZERO;
        match read {
            None => {
                let last_error = Some(format!(
                    "a read started {} before the deadline had no answer when it passed \
                     (abandoned)",
                    super::human(timeout - started)
                ));
                let seen = Seen {
                    polls,
                    last_state,
                    last_progress,
                    unknown_status,
                    last_error,
                };
                return Err(seen.timed_out(&probe, finished));
            }
            Some(Ok(state)) => {
                last_error = None;
                let observation = probe.observe(&state, at);
                if last_progress.as_ref() != Some(&observation.progress) {
                    tracing::info!(
                        target: "baseten_api::wait",
                        subject = %probe.subject(),
                        progress = %observation.progress,
                        elapsed_ms = finished.as_millis() as u64,
                        "progress"
                    );
                    on_progress(&observation.progress);
                    last_progress = Some(observation.progress);
                }
                unknown_status = observation.unknown_status;
                if let Verdict::Done(outcome) = observation.verdict {
                    log_done(&probe, polls, finished, "read");
                    return Ok(outcome);
                }
                last_state = Some(state);
            }
            Some(Err(error)) if error.is_not_found() => {
                match probe.not_found(at, last_state.is_some(), polling) {
                    NotFound::Tolerate => {
                        tracing::debug!(target: "baseten_api::wait", subject = %probe.subject(), "not found yet");
                        last_error = Some(error.to_string());
                    }
                    NotFound::Done(outcome) => {
                        log_done(&probe, polls, finished, "not found");
                        return Ok(outcome);
                    }
                    NotFound::Fail => {
                        return Err(WaitError::NotFound {
                            subject: probe.subject(),
                            waited: finished,
                            source: Box::new(error),
                        });
                    }
                }
            }
            // A connection never made on the first read is a wrong URL, not a blip.
            Some(Err(error))
                if is_transient(&error)
                    && (polls > 1 || !matches!(error, Error::Connect { .. })) =>
            {
                tracing::info!(
                    target: "baseten_api::wait",
                    subject = %probe.subject(),
                    %error,
                    "read failed; polling on"
                );
                not_before = error.retry_after().unwrap_or_default();
                last_error = Some(error.to_string());
            }
            Some(Err(error)) => {
                return Err(WaitError::Request {
                    subject: probe.subject(),
                    waited: finished,
                    last: last_state.map(P::last_seen),
                    source: Box::new(error),
                });
            }
        }
        // The last sleep ends at the deadline, where the loop above gives up without a read.
        let sleep = polling
            .jittered(interval)
            .max(not_before)
            .min(timeout.saturating_sub(finished));
        clock.sleep(sleep).await;
        interval = polling.next(interval);
    }
}

/// The event of a wait that ended with an outcome, seen in a read or in a 404 (`by`).
fn log_done<P: Probe>(probe: &P, polls: u32, elapsed: Duration, by: &str) {
    tracing::info!(
        target: "baseten_api::wait",
        subject = %probe.subject(),
        polls,
        elapsed_ms = elapsed.as_millis() as u64,
        by,
        "done"
    );
}

/// What a wait had seen when its deadline passed.
struct Seen<P: Probe> {
    polls: u32,
    last_state: Option<P::State>,
    last_progress: Option<P::Progress>,
    unknown_status: Option<String>,
    last_error: Option<String>,
}

impl<P: Probe> Seen<P> {
    fn timed_out(self, probe: &P, waited: Duration) -> WaitError {
        WaitError::Timeout {
            subject: probe.subject(),
            waited,
            polls: self.polls,
            last_progress: self.last_progress.map(|p| p.to_string()),
            last: self.last_state.map(P::last_seen),
            unknown_status: self.unknown_status,
            last_error: self.last_error,
        }
    }
}

/// The output of `work`, or `None` if `deadline` completes first (`work` is then dropped,
/// which abandons a request in flight).
pub(crate) async fn first_of<T>(
    work: impl Future<Output = T>,
    deadline: impl Future<Output = ()>,
) -> Option<T> {
    let mut work = pin!(work);
    let mut deadline = pin!(deadline);
    poll_fn(|cx| {
        if let Poll::Ready(value) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
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
