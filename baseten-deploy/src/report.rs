//! The result of a command: what `--output json` prints (one document, schema version 1, in
//! baseten-deploy/README.md) and what the text output, the GitHub summary and the exit code are
//! made from. Fields that do not apply to a command are left out, never `null`-filled, so that
//! adding one later does not change what an existing command prints.

use std::time::Duration;

use baseten_api::types::{ChainDeploymentV1, DeploymentV1, EnvironmentV1, InProgressPromotionV1};
use serde::Serialize;

use crate::exit::Exit;
use crate::failure::{ApiDetails, Failure};

/// Bumped only for a change that breaks a reader (a field removed or its meaning changed).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Report {
    #[serde(skip)]
    exit: Exit,
    pub schema_version: u32,
    /// The subcommand, as typed (`promote`, `roll-forward`, …).
    pub command: &'static str,
    /// The process exit code, and its name (`done`, `failed`, …).
    pub exit_code: u8,
    pub result: &'static str,
    /// How a wait or a request ended: `accepted`, `succeeded`, `failed`, `canceled`,
    /// `rolled_back`, `inactive`, `no_promotion`, `read` (status), `timed_out`, `interrupted`,
    /// `error`.
    pub outcome: &'static str,
    /// One sentence for people: the last line of the text output.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The deployment the command acted on (promoted, built, waited for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<DeploymentSummary>,
    /// The environment's current deployment before the command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_deployment: Option<DeploymentSummary>,
    /// The environment's current deployment when the command ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_deployment: Option<DeploymentSummary>,
    /// The promotion as last seen (`status`, `percent_traffic`, `error_message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion: Option<PromotionSummary>,
    /// What a signal (cancel, pause, …) returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<SignalSummary>,
    /// `promote --check`: every run of the check, in order (retries included).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckSummary>,
    /// `status`: every environment asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<EnvironmentSummary>>,
    /// How long the wait took, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waited_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorSummary>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeploymentSummary {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PromotionSummary {
    pub status: String,
    pub percent_traffic: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalSummary {
    /// `success` of a pause, resume, roll-forward or force-cancel; a cancel has `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One run of a `--check` command.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSummary {
    /// Why it ran: `10%` (a checkpoint of --check-at or --hold-at) or `interval`
    /// (--check-every).
    pub trigger: String,
    /// The share of traffic on the candidate when it ran.
    pub percent_traffic: i64,
    /// 1 for the first run at this point, 2 for its first retry, …
    pub attempt: u32,
    /// The promotion was paused while it ran (--hold-at).
    pub held: bool,
    /// `passed`, `failed` or `timed_out`.
    pub result: &'static str,
    /// Its exit code; `null` if it timed out, was killed or could not be run.
    pub exit_code: Option<i32>,
    pub duration_seconds: f64,
    /// Its last lines of output (stdout and stderr as they came), at most 20.
    pub output_tail: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvironmentSummary {
    pub name: String,
    pub current_deployment: Option<DeploymentSummary>,
    pub candidate_deployment: Option<DeploymentSummary>,
    pub promotion: Option<PromotionSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorSummary {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The API's answer (`status`, `code`, `request_id`), when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiDetails>,
}

impl Report {
    pub fn new(command: &'static str) -> Self {
        Self {
            exit: Exit::Done,
            schema_version: SCHEMA_VERSION,
            command,
            exit_code: 0,
            result: Exit::Done.name(),
            outcome: "accepted",
            message: String::new(),
            model_id: None,
            chain_id: None,
            environment: None,
            deployment: None,
            previous_deployment: None,
            current_deployment: None,
            promotion: None,
            signal: None,
            checks: Vec::new(),
            environments: None,
            waited_seconds: None,
            error: None,
        }
    }

    /// Sets how it ended.
    pub fn end(&mut self, exit: Exit, outcome: &'static str, message: impl Into<String>) {
        self.exit = exit;
        self.exit_code = exit.code();
        self.result = exit.name();
        self.outcome = outcome;
        self.message = message.into();
    }

    pub fn exit(&self) -> Exit {
        self.exit
    }

    pub fn fail(&mut self, failure: Failure) {
        let outcome = match failure.exit {
            Exit::WaitTimedOut => "timed_out",
            Exit::Interrupted | Exit::Terminated => "interrupted",
            _ => "error",
        };
        self.end(failure.exit, outcome, failure.message.clone());
        self.error = Some(ErrorSummary {
            message: failure.message,
            hint: failure.hint,
            api: failure.api,
        });
    }

    pub fn waited(&mut self, waited: Duration) {
        // Milliseconds are enough, and keep the number short.
        self.waited_seconds = Some((waited.as_millis() as f64) / 1000.0);
    }

    /// `mdl-x/production`, `chn-y/staging`.
    pub fn target(&self) -> String {
        let owner = self
            .model_id
            .as_deref()
            .or(self.chain_id.as_deref())
            .unwrap_or("?");
        match &self.environment {
            Some(env) => format!("{owner}/{env}"),
            None => owner.to_owned(),
        }
    }
}

impl DeploymentSummary {
    pub fn of(deployment: &DeploymentV1) -> Self {
        Self {
            id: deployment.id.clone(),
            name: Some(deployment.name.clone()),
            status: deployment.status.to_string(),
        }
    }

    pub fn of_chain(deployment: &ChainDeploymentV1) -> Self {
        Self {
            id: deployment.id.clone(),
            name: None,
            status: deployment.status.to_string(),
        }
    }
}

impl PromotionSummary {
    pub fn of(promotion: &InProgressPromotionV1) -> Self {
        Self {
            status: promotion.status.to_string(),
            percent_traffic: promotion.percent_traffic_to_new_version,
            error_message: promotion.error_message.clone(),
        }
    }
}

impl EnvironmentSummary {
    pub fn of(env: &EnvironmentV1) -> Self {
        Self {
            name: env.name.clone(),
            current_deployment: env.current_deployment.as_ref().map(DeploymentSummary::of),
            candidate_deployment: env.candidate_deployment.as_ref().map(DeploymentSummary::of),
            promotion: env.in_progress_promotion.as_ref().map(PromotionSummary::of),
        }
    }

    /// `production: dpl-a (ACTIVE); promoting dpl-b: RAMPING_UP 25%`.
    pub fn line(&self) -> String {
        let mut line = format!("{}: ", self.name);
        match &self.current_deployment {
            Some(d) => line += &format!("{} ({})", d.id, d.status),
            None => line += "no deployment",
        }
        if let Some(candidate) = &self.candidate_deployment {
            line += &format!("; candidate {} ({})", candidate.id, candidate.status);
        }
        match &self.promotion {
            Some(p) => {
                line += &format!(
                    "; promotion {} {}% to the candidate",
                    p.status, p.percent_traffic
                );
                if let Some(error) = &p.error_message {
                    line += &format!(" ({error})");
                }
            }
            None => line += "; no promotion in progress",
        }
        line
    }
}
