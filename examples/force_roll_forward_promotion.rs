//! Force an environment's rolling promotion forward
//! (`POST /v1/models/{model_id}/environments/{env_name}/force_roll_forward_promotion`).
//!
//! ```sh
//! export BASETEN_API_KEY=...            # required; BASETEN_API_URL optionally overrides the URL
//! cargo run --example force_roll_forward_promotion -- <model_id> <env_name>
//! ```
//!
//! The API acts at the next step boundary of the promotion, not at once: traffic then shifts
//! fully to the candidate deployment.

use std::process::ExitCode;

use baseten_api::Client;

const USAGE: &str = "\
usage: cargo run --example force_roll_forward_promotion -- <model_id> <env_name>

Forces the rolling promotion in progress in environment <env_name> of model <model_id> forward.
Reads BASETEN_API_KEY (required) and BASETEN_API_URL (optional).";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut ids = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with("--") => return usage(&format!("unknown option {flag}")),
            _ => ids.push(arg),
        }
    }
    let [model_id, env_name] = ids.as_slice() else {
        return usage("expected <model_id> <env_name>");
    };

    let client = match Client::from_env() {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };

    let result = client
        .force_roll_forward_promotion()
        .model_id(model_id.as_str())
        .env_name(env_name.as_str())
        .send()
        .await;
    match result {
        Ok(response) if response.success => {
            println!("roll forward signalled: {env_name} moves to the candidate at the next step");
            ExitCode::SUCCESS
        }
        Ok(_) => {
            eprintln!("the API did not accept the signal (success: false)");
            ExitCode::FAILURE
        }
        Err(err) => {
            if err.code() == Some("VALIDATION_ERROR") {
                eprintln!("refused (is a rolling promotion in progress in {env_name}?): {err}");
            } else {
                eprintln!("error: {err}");
            }
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
