//! Create a production deployment from a model's development deployment
//! (`POST /v1/models/{model_id}/deployments/development/promote`).
//!
//! ```sh
//! export BASETEN_API_KEY=...            # required; BASETEN_API_URL optionally overrides the URL
//! cargo run --example promote_development_to_production -- <model_id>
//! ```
//!
//! The API answers at once with the new deployment, usually still `BUILDING`. Options:
//! `--keep-previous` leaves the previous production deployment running
//! (`scale_down_previous_production: false`); `--use-deployment-instance-type`
//! (`preserve_env_instance_type: false`). Without them the API's defaults apply (`true`).

use std::process::ExitCode;

use baseten_api::{Client, types};

const USAGE: &str = "\
usage: cargo run --example promote_development_to_production -- <model_id>
         [--keep-previous] [--use-deployment-instance-type]

Promotes the development deployment of model <model_id> to production (a new deployment).
Reads BASETEN_API_KEY (required) and BASETEN_API_URL (optional).";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut keep_previous = false;
    let mut use_deployment_instance_type = false;
    let mut ids = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--keep-previous" => keep_previous = true,
            "--use-deployment-instance-type" => use_deployment_instance_type = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with("--") => return usage(&format!("unknown option {flag}")),
            _ => ids.push(arg),
        }
    }
    let [model_id] = ids.as_slice() else {
        return usage("expected <model_id>");
    };

    let client = match Client::from_env() {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };

    let result = client
        .promote_development_to_production()
        .model_id(model_id.as_str())
        .body(types::PromoteRequestV1 {
            scale_down_previous_production: !keep_previous,
            preserve_env_instance_type: !use_deployment_instance_type,
        })
        .send()
        .await;
    match result {
        Ok(response) => {
            let deployment = response.into_inner();
            println!(
                "new production deployment {} ({}) of model {}: {}",
                deployment.id, deployment.name, deployment.model_id, deployment.status,
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(request_id) = err.request_id() {
                eprintln!("request id: {request_id}");
            }
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}\n\n{USAGE}");
    ExitCode::from(2)
}
