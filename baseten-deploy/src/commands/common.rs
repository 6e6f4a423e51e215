//! What the subcommands share: the context, and the reads and events of a promotion.

use std::time::Instant;

use baseten_api::types::EnvironmentV1;
use baseten_api::{Client, Error};

use crate::cli::{ModelEnv, Timing};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::report::{DeploymentSummary, Report};
use crate::watch;

/// What every command needs.
pub struct Context {
    pub client: Client,
    pub out: Output,
    /// When the command started: `--timeout` counts from here, so the requests before a wait
    /// take from its time.
    pub started: Instant,
}

impl Context {
    /// The time left of the command's `--timeout`.
    pub(super) fn remaining(&self, timing: &Timing) -> Timing {
        watch::remaining(timing, self.started)
    }
}

/// Reads a model environment, naming both ids if it does not exist.
pub(super) async fn read_environment(
    cx: &Context,
    model: &str,
    env: &str,
) -> Result<EnvironmentV1, Failure> {
    cx.client
        .get_environment()
        .model_id(model)
        .env_name(env)
        .send()
        .await
        .map(|r| r.into_inner())
        .map_err(|e| Failure::request(&format!("reading environment {env} of model {model}"), &e))
}

pub(super) fn set_model_target(report: &mut Report, target: &ModelEnv) {
    report.model_id = Some(target.model.clone());
    report.environment = Some(target.env.clone());
}

/// The model environment's current deployment, as the report shows it.
pub(super) fn current_of(env: &EnvironmentV1) -> Option<DeploymentSummary> {
    env.current_deployment.as_ref().map(DeploymentSummary::of)
}

/// Before a promotion request: the environment's current deployment becomes the report's
/// previous one, and the first event names both.
pub(super) fn starting(
    cx: &Context,
    report: &mut Report,
    previous: Option<DeploymentSummary>,
    deployment: &str,
    target: &str,
) {
    let from = previous.as_ref().map_or("none", |d| d.id.as_str());
    cx.out.event(&format!(
        "promoting {deployment} to {target} (current: {from})"
    ));
    report.previous_deployment = previous;
}

/// The API took the promotion: the deployment it returned is the one the report follows.
pub(super) fn accepted(
    cx: &Context,
    report: &mut Report,
    target: &str,
    promoted: DeploymentSummary,
) {
    cx.out.event(&format!(
        "{target}: promotion of {} accepted (deployment {})",
        promoted.id, promoted.status
    ));
    report.deployment = Some(promoted);
}

/// A refused promotion: the API's message says why (e.g. a promotion already in progress).
pub(super) fn refused_promotion(what: &str, error: &Error) -> Failure {
    let failure = Failure::request(what, error);
    if failure.exit == Exit::Refused && failure.hint.is_none() {
        failure.hint(
            "if a promotion is in progress, wait for it (`baseten-deploy wait`) or cancel it \
             (`baseten-deploy cancel`)",
        )
    } else {
        failure
    }
}
