//! One module per subcommand, in the order `--help` lists them: read what the summary needs,
//! send the request, wait if asked, and fill the report. Every failure returns a [`Failure`];
//! `main` turns it into output and an exit code. This module dispatches; what the subcommands
//! share is in `common`.

mod common;
mod guard;
mod promote;
mod promote_chain;
mod promote_development;
mod signal;
mod status;
mod wait;

use baseten_api::types::{PromoteRequestV1, PromoteToEnvironmentRequestV1};

use crate::cli::{Command, Until};
use crate::failure::Failure;
use crate::report::Report;
use crate::watch::Intent;

pub use common::Context;

/// The subcommand's name, as typed.
pub fn name(command: &Command) -> &'static str {
    match command {
        Command::Promote { .. } => "promote",
        Command::PromoteChain { .. } => "promote-chain",
        Command::PromoteDevelopment { .. } => "promote-development",
        Command::RollForward(_) => "roll-forward",
        Command::Cancel(_) => "cancel",
        Command::ForceCancel(_) => "force-cancel",
        Command::Pause(_) => "pause",
        Command::Resume(_) => "resume",
        Command::Status { .. } => "status",
        Command::Wait { .. } => "wait",
    }
}

pub async fn run(command: &Command, cx: &Context, report: &mut Report) -> Result<(), Failure> {
    match command {
        Command::Promote {
            target,
            deployment,
            no_scale_down,
            no_preserve_instance_type,
            wait,
            check,
        } => {
            let body = PromoteToEnvironmentRequestV1::builder()
                .deployment_id(deployment.clone())
                .scale_down_previous_deployment(!no_scale_down)
                .preserve_env_instance_type(!no_preserve_instance_type);
            promote::promote(cx, report, target, deployment, body, wait, check).await
        }
        Command::PromoteChain {
            chain,
            env,
            deployment,
            wait,
        } => promote_chain::promote_chain(cx, report, chain, env, deployment, wait).await,
        Command::PromoteDevelopment {
            model,
            no_scale_down,
            no_preserve_instance_type,
            wait,
        } => {
            let body = PromoteRequestV1::builder()
                .scale_down_previous_production(!no_scale_down)
                .preserve_env_instance_type(!no_preserve_instance_type);
            promote_development::promote_development(cx, report, model, body, wait).await
        }
        Command::RollForward(signal) => {
            signal::send_signal(cx, report, signal, signal::SignalKind::RollForward).await
        }
        Command::Cancel(signal) => {
            signal::send_signal(cx, report, signal, signal::SignalKind::Cancel).await
        }
        Command::ForceCancel(signal) => {
            signal::send_signal(cx, report, signal, signal::SignalKind::ForceCancel).await
        }
        Command::Resume(signal) => {
            signal::send_signal(cx, report, signal, signal::SignalKind::Resume).await
        }
        Command::Pause(signal) => {
            signal::send_signal(cx, report, signal, signal::SignalKind::Pause).await
        }
        Command::Status { model, env } => status::status(cx, report, model, env.as_deref()).await,
        Command::Wait {
            target,
            deployment,
            until,
            timing,
        } => {
            let intent = match until {
                Until::Ended => Intent::Promote,
                Until::Paused => Intent::Pause,
            };
            wait::wait(cx, report, target, deployment.as_deref(), timing, intent).await
        }
    }
}
