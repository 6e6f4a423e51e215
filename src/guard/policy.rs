//! What a check's result leads to: the decision table of a guarded promotion, apart from any
//! I/O, so that it can be read (and tested) as data.

use super::check::CheckVerdict;

/// What a guarded promotion does when a check has failed for good (a timeout is a failure).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnFailure {
    /// `cancel_promotion`: a rolling promotion ramps traffic back down step by step, then ends
    /// `CANCELED`.
    #[default]
    Cancel,
    /// `force_cancel_promotion`: traffic goes back to the previous deployment at once.
    ForceCancel,
    /// `pause_promotion`, and wait until it is really `PAUSED`: traffic stops where it is, for
    /// a person to decide.
    Pause,
}

/// What to do after one run of the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Let the promotion go on (resuming it first if it is held).
    GoOn,
    /// Run the check again at once (a retry), traffic as it is.
    RunAgain,
    /// Pause the promotion, wait until it is really `PAUSED`, then run the check again; if that
    /// passes, resume.
    Hold,
    /// Stop the promotion as [`OnFailure`] says.
    Abort(OnFailure),
}

/// How results become actions: [`Policy::decide`] is the whole table.
///
/// ```
/// use baseten_api::guard::{Action, CheckVerdict, OnFailure, Policy};
///
/// let policy = Policy::new(OnFailure::ForceCancel).retries(1);
/// let failed = CheckVerdict::Failed { reason: "p99 latency 2.3 s".into() };
/// assert_eq!(policy.decide(&CheckVerdict::Passed, 1, false), Action::GoOn);
/// assert_eq!(policy.decide(&failed, 1, false), Action::RunAgain);
/// assert_eq!(policy.decide(&failed, 2, false), Action::Abort(OnFailure::ForceCancel));
/// // Holding to retry: traffic stops moving while the check is run again.
/// assert_eq!(policy.hold_to_retry(true).decide(&failed, 1, false), Action::Hold);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    on_failure: OnFailure,
    retries: u32,
    hold_to_retry: bool,
}

impl Policy {
    /// A policy that does `on_failure` at the first failure.
    pub fn new(on_failure: OnFailure) -> Self {
        Self {
            on_failure,
            ..Self::default()
        }
    }

    /// Runs a failed (or timed-out) check again up to `retries` times before it counts as
    /// failed; the last run decides.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Pauses the promotion before a retry, so that traffic does not move while the check is
    /// run again; a retry that passes resumes it.
    pub fn hold_to_retry(mut self, hold: bool) -> Self {
        self.hold_to_retry = hold;
        self
    }

    /// What happens at a failure for good.
    pub fn on_failure(&self) -> OnFailure {
        self.on_failure
    }

    /// What to do after run `attempt` (1 for the first) of the check ended with `verdict`;
    /// `held` says whether the promotion is paused while it runs.
    pub fn decide(&self, verdict: &CheckVerdict, attempt: u32, held: bool) -> Action {
        let retries_left = attempt <= self.retries;
        match (verdict.passed(), retries_left, self.hold_to_retry && !held) {
            (true, _, _) => Action::GoOn,
            (false, true, true) => Action::Hold,
            (false, true, false) => Action::RunAgain,
            (false, false, _) => Action::Abort(self.on_failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Action, CheckVerdict, OnFailure, Policy};

    /// Every row of the table, for each kind of failure.
    #[test]
    fn the_decision_table() {
        let failures = [
            CheckVerdict::Failed {
                reason: "500s".into(),
            },
            CheckVerdict::TimedOut {
                after: Duration::from_secs(30),
            },
        ];
        let cancel = Policy::new(OnFailure::Cancel);
        let retry_twice = Policy::new(OnFailure::Pause).retries(2);
        let hold = Policy::new(OnFailure::ForceCancel)
            .retries(1)
            .hold_to_retry(true);
        for failed in &failures {
            assert_eq!(
                cancel.decide(failed, 1, false),
                Action::Abort(OnFailure::Cancel)
            );
            assert_eq!(
                cancel.decide(failed, 1, true),
                Action::Abort(OnFailure::Cancel)
            );
            assert_eq!(retry_twice.decide(failed, 1, false), Action::RunAgain);
            assert_eq!(retry_twice.decide(failed, 2, false), Action::RunAgain);
            assert_eq!(
                retry_twice.decide(failed, 3, false),
                Action::Abort(OnFailure::Pause)
            );
            assert_eq!(hold.decide(failed, 1, false), Action::Hold);
            // Already held: run again without a second pause.
            assert_eq!(hold.decide(failed, 1, true), Action::RunAgain);
            assert_eq!(
                hold.decide(failed, 2, true),
                Action::Abort(OnFailure::ForceCancel)
            );
        }
        for policy in [cancel, retry_twice, hold] {
            for attempt in 1..4 {
                for held in [false, true] {
                    assert_eq!(
                        policy.decide(&CheckVerdict::Passed, attempt, held),
                        Action::GoOn
                    );
                }
            }
        }
    }
}
