//! What a check is given, what it answers, and how one run of it is recorded.

use std::fmt;
use std::time::Duration;

use crate::types::InProgressPromotionStatusV1 as Status;

/// Why a check ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trigger {
    /// Traffic on the candidate reached this checkpoint (a percentage). Several checkpoints
    /// passed in one step run one check, named by the highest.
    Percent(u8),
    /// The check interval passed while traffic was ramping up.
    Interval,
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Percent(percent) => write!(f, "checkpoint {percent}%"),
            Trigger::Interval => f.write_str("interval"),
        }
    }
}

/// Where the promotion stands when a check runs: what the check closure is given.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CheckContext {
    /// The model.
    pub model_id: String,
    /// The environment, e.g. `production`.
    pub env_name: String,
    /// The deployment being promoted.
    pub candidate_deployment: String,
    /// The environment's current deployment as last read.
    pub current_deployment: Option<String>,
    /// The share of traffic on the candidate as last read (100 once the promotion succeeded).
    pub percent_traffic: i64,
    /// The promotion's status as last read; `None` once it has ended.
    pub status: Option<Status>,
    /// Why the check runs.
    pub trigger: Trigger,
    /// 1 for the first run at this point, 2 for its first retry, …
    pub attempt: u32,
    /// The promotion is paused while the check runs (a hold).
    pub held: bool,
}

/// What a check answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckResult {
    /// The candidate is healthy: go on.
    Passed,
    /// It is not, and why (shown in the outcome and in messages).
    Failed(String),
}

impl CheckResult {
    /// A failure, and why.
    pub fn failed(reason: impl Into<String>) -> Self {
        Self::Failed(reason.into())
    }
}

/// How one run of the check ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckVerdict {
    /// It answered [`CheckResult::Passed`].
    Passed,
    /// It answered [`CheckResult::Failed`].
    Failed {
        /// What it said.
        reason: String,
    },
    /// It had not answered when its timeout passed; it was dropped (a failed check).
    TimedOut {
        /// The timeout.
        after: Duration,
    },
}

impl CheckVerdict {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        matches!(self, CheckVerdict::Passed)
    }
}

impl fmt::Display for CheckVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckVerdict::Passed => f.write_str("passed"),
            CheckVerdict::Failed { reason } => write!(f, "failed: {reason}"),
            CheckVerdict::TimedOut { after } => {
                write!(f, "timed out after {}", crate::wait::human(*after))
            }
        }
    }
}

/// One run of the check, as the outcome lists it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CheckRun {
    /// Why it ran.
    pub trigger: Trigger,
    /// The share of traffic on the candidate when it ran.
    pub percent_traffic: i64,
    /// 1 for the first run at this point, 2 for its first retry, …
    pub attempt: u32,
    /// The promotion was paused while it ran.
    pub held: bool,
    /// When it started, as time since the guarded promotion began (on its clock).
    pub started: Duration,
    /// How long it took (on the guarded promotion's clock).
    pub duration: Duration,
    /// How it ended.
    pub verdict: CheckVerdict,
}
