//! How a guarded promotion ended, and why it could not say.

use std::fmt;

use super::check::CheckRun;
use super::policy::OnFailure;
use crate::wait::{PromotionOutcome, WaitError};

/// How a guarded promotion ended: every check run, and the ending.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GuardedOutcome {
    /// Every run of the check, in order (retries included).
    pub checks: Vec<CheckRun>,
    /// How it ended.
    pub ending: GuardedEnding,
}

/// The ending of a guarded promotion.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum GuardedEnding {
    /// Every check that ran passed, and the promotion ended on its own, as the promotion
    /// waiter's rules tell: a success, or a failure or cancel no check caused.
    Ended(PromotionOutcome),
    /// A check failed for good.
    CheckFailed {
        /// The failed run: an index into [`GuardedOutcome::checks`] (the last one).
        check: usize,
        /// What was done about it; `None` when the promotion had already ended (a check at
        /// 100 %, after the success), so there was nothing to stop.
        action: Option<OnFailure>,
        /// How the promotion ended afterwards, as the promotion waiter's rules tell (not as
        /// the action intended): `Canceled` or `OtherDeploymentCurrent` after a rollback,
        /// `Paused` after a pause, `Succeeded` if it finished before the signal took effect.
        after: PromotionOutcome,
    },
}

impl GuardedOutcome {
    /// Whether every check passed and the deployment promoted is now current.
    pub fn is_success(&self) -> bool {
        matches!(&self.ending, GuardedEnding::Ended(outcome) if outcome.is_success())
    }

    /// The check run that failed for good, if one did.
    pub fn failed_check(&self) -> Option<&CheckRun> {
        match &self.ending {
            GuardedEnding::CheckFailed { check, .. } => self.checks.get(*check),
            GuardedEnding::Ended(_) => None,
        }
    }

    /// How the promotion itself ended (after the action, if a check failed).
    pub fn promotion(&self) -> &PromotionOutcome {
        match &self.ending {
            GuardedEnding::Ended(outcome) | GuardedEnding::CheckFailed { after: outcome, .. } => {
                outcome
            }
        }
    }
}

/// Why a guarded promotion ended without an outcome. Each variant keeps the check runs made
/// before it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// A setting was not valid (a checkpoint that is not a percentage, …); nothing was read.
    #[error("guarded promotion: {0}")]
    Invalid(String),
    /// The wait for the promotion ended without an outcome (its deadline, a read that failed
    /// for good, …).
    #[error("{source}")]
    Wait {
        /// Why.
        source: WaitError,
        /// The check runs made before.
        checks: Vec<CheckRun>,
    },
    /// A pause, resume or cancel that the guard sent failed (other than "no promotion in
    /// progress", which means the promotion ended: the wait then says how).
    #[error("sending {signal}: {message}")]
    Signal {
        /// `pause`, `resume`, `cancel` or `force cancel`.
        signal: Signal,
        /// Why it failed.
        message: String,
        /// The check runs made before.
        checks: Vec<CheckRun>,
    },
}

impl GuardError {
    /// The check runs made before the error.
    pub fn checks(&self) -> &[CheckRun] {
        match self {
            GuardError::Invalid(_) => &[],
            GuardError::Wait { checks, .. } | GuardError::Signal { checks, .. } => checks,
        }
    }
}

/// A promotion signal a guarded promotion sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signal {
    /// `pause_promotion`.
    Pause,
    /// `resume_promotion`.
    Resume,
    /// `cancel_promotion`.
    Cancel,
    /// `force_cancel_promotion`.
    ForceCancel,
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signal::Pause => "pause",
            Signal::Resume => "resume",
            Signal::Cancel => "cancel",
            Signal::ForceCancel => "force cancel",
        })
    }
}
