//! Promote a chain deployment to an environment
//! (`POST /v1/chains/{chain_id}/environments/{env_name}/promote`).
//!
//! ```sh
//! export BASETEN_API_KEY=...            # required; BASETEN_API_URL optionally overrides the URL
//! cargo run --example promote_chain_to_environment -- <chain_id> <env_name> <chain_deployment_id>
//! ```
//!
//! Option: `--keep-previous` leaves the environment's previous chain deployment running
//! (`scale_down_previous_deployment: false`; the API's default is `true`).

use std::process::ExitCode;

use baseten_api::{Client, types};

const USAGE: &str = "\
usage: cargo run --example promote_chain_to_environment -- <chain_id> <env_name> <chain_deployment_id>
         [--keep-previous]

Promotes chain deployment <chain_deployment_id> of chain <chain_id> to environment <env_name>.
Reads BASETEN_API_KEY (required) and BASETEN_API_URL (optional).";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut keep_previous = false;
    let mut ids = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--keep-previous" => keep_previous = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with("--") => return usage(&format!("unknown option {flag}")),
            _ => ids.push(arg),
        }
    }
    let [chain_id, env_name, deployment_id] = ids.as_slice() else {
        return usage("expected <chain_id> <env_name> <chain_deployment_id>");
    };

    let client = match Client::from_env() {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };

    let result = client
        .promote_chain_to_environment()
        .chain_id(chain_id.as_str())
        .env_name(env_name.as_str())
        .body(
            types::PromoteToChainEnvironmentRequestV1::builder()
                .deployment_id(deployment_id.as_str())
                .scale_down_previous_deployment(!keep_previous),
        )
        .send()
        .await;
    match result {
        Ok(response) => {
            let chain = response.into_inner();
            println!(
                "chain deployment {} of chain {} is {} in environment {}",
                chain.id,
                chain.chain_id,
                chain.status,
                chain.environment.as_deref().unwrap_or("-"),
            );
            for chainlet in &chain.chainlets {
                println!(
                    "  chainlet {:<24} {:<14} {} replica(s) on {}",
                    chainlet.name,
                    chainlet.status.to_string(),
                    chainlet.active_replica_count,
                    chainlet.instance_type_name,
                );
            }
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
