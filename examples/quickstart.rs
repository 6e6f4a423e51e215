//! The quickstart: a promotion story told step by step.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Without `BASETEN_API_KEY` it starts a local mock Baseten (`baseten-mock`) with demo data —
//! no account, no network — and walks through: promoting a development deployment to
//! production (watching it build), promoting a deployment to `staging`, promoting a chain,
//! a rolling promotion forced forward, and a documented error. The mock's clock is simulated,
//! so minutes of builds and rollouts take milliseconds.
//!
//! With `BASETEN_API_KEY` set it talks to the real API, and acts only on ids given on the
//! command line (`--help` lists them); without any, it prints what it would need and exits.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use baseten_api::Client;
use baseten_api::types::{
    PromoteRequestV1, PromoteToChainEnvironmentRequestV1, PromoteToEnvironmentRequestV1,
};
use baseten_api::wait::PromotionOutcome;
use baseten_mock::{MockServer, Seed};

const USAGE: &str = "\
usage: cargo run --example quickstart [-- OPTIONS]

Without BASETEN_API_KEY: a promotion story against a local mock (no options needed).

With BASETEN_API_KEY (and optionally BASETEN_API_URL) set, each action runs only if all
of its ids are given:
  --model-id M --deployment-id D --env E        promote deployment D of model M to environment E
  --model-id M --promote-development            promote M's development deployment to production
  --chain-id C --chain-deployment-id CD --env E promote chain deployment CD to environment E
  --model-id M --env E --force-roll-forward     force E's rolling promotion forward
";

#[derive(Debug, Default)]
struct Args {
    model_id: Option<String>,
    deployment_id: Option<String>,
    env: Option<String>,
    chain_id: Option<String>,
    chain_deployment_id: Option<String>,
    promote_development: bool,
    force_roll_forward: bool,
    help: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = || {
            words
                .next()
                .filter(|v| !v.starts_with("--"))
                .ok_or_else(|| format!("{word} needs a value"))
        };
        match word.as_str() {
            "--model-id" => args.model_id = Some(value()?),
            "--deployment-id" => args.deployment_id = Some(value()?),
            "--env" => args.env = Some(value()?),
            "--chain-id" => args.chain_id = Some(value()?),
            "--chain-deployment-id" => args.chain_deployment_id = Some(value()?),
            "--promote-development" => args.promote_development = true,
            "--force-roll-forward" => args.force_roll_forward = true,
            "--help" | "-h" => args.help = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = match std::env::var_os(baseten_api::API_KEY_VAR) {
        Some(key) if !key.is_empty() => against_baseten(&args).await,
        _ => against_the_mock().await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

// --- the story, against the mock ---------------------------------------------------------------

async fn against_the_mock() -> Result<(), String> {
    let started = Instant::now();
    let mock = MockServer::builder()
        .seed(Seed::demo())
        .start()
        .await
        .map_err(|e| format!("cannot start the mock: {e}"))?;
    let client = mock.client();
    println!(
        "baseten-api quickstart, against a local mock Baseten at {}",
        mock.url()
    );
    println!("(no account and no network needed; set BASETEN_API_KEY to use the real API)");
    println!("The mock's clock is simulated: \"+60 s\" below takes no time.\n");

    development_to_production(&mock, &client).await?;
    deployment_to_staging(&mock, &client).await?;
    chain_to_production(&mock, &client).await?;
    rolling_promotion(&mock, &client).await?;
    documented_error(&client).await?;
    pause_resume_and_wait(&mock, &client).await?;
    cancel_and_wait(&mock, &client).await?;

    println!(
        "Done in {:.2} s of real time ({} s simulated).",
        started.elapsed().as_secs_f64(),
        mock.elapsed().as_secs()
    );
    println!("Run the tests with: cargo test --workspace");
    Ok(())
}

fn step(number: u32, title: &str) {
    println!("{number}. {title}");
}

/// Moves the mock's clock and reports what a deployment became.
fn wait_and_show(mock: &MockServer, seconds: u64, deployment_id: &str) {
    mock.advance(Duration::from_secs(seconds));
    if let Some(d) = mock.deployment(deployment_id) {
        println!("   +{seconds} s: {} is {}", d.id, d.status);
    }
}

async fn development_to_production(mock: &MockServer, client: &Client) -> Result<(), String> {
    step(
        1,
        "Promote the development deployment of model mdl-llama to production",
    );
    let new = client
        .promote_development_to_production()
        .model_id("mdl-llama")
        .body(PromoteRequestV1::default())
        .send()
        .await
        .map_err(|e| format!("promote development: {e}"))?
        .into_inner();
    println!(
        "   -> a new deployment {} ({}) is made from it: {}, on {} (production's instance type is kept)",
        new.id,
        new.name,
        new.status,
        new.instance_type_name
            .as_deref()
            .unwrap_or("no instance type yet")
    );
    wait_and_show(mock, 60, &new.id);
    wait_and_show(mock, 30, &new.id);
    wait_and_show(mock, 30, &new.id);
    let old = mock
        .deployment("dpl-llama-v1")
        .ok_or("dpl-llama-v1 is gone")?;
    let built = mock
        .deployment(&new.id)
        .ok_or("the new deployment is gone")?;
    println!(
        "   {} now serves {}; the previous production deployment {} is {}.\n",
        built.id,
        built.environment.as_deref().unwrap_or("nothing"),
        old.id,
        old.status
    );
    Ok(())
}

async fn deployment_to_staging(mock: &MockServer, client: &Client) -> Result<(), String> {
    step(
        2,
        "Promote deployment dpl-llama-v2 to the staging environment",
    );
    let d = client
        .promote_model_to_environment()
        .model_id("mdl-llama")
        .env_name("staging")
        .body(PromoteToEnvironmentRequestV1::builder().deployment_id("dpl-llama-v2"))
        .send()
        .await
        .map_err(|e| format!("promote to staging: {e}"))?
        .into_inner();
    let staging = mock
        .environment("mdl-llama", "staging")
        .ok_or("staging is gone")?;
    println!(
        "   -> {} is {} in {} with {} replica(s) on {}; staging serves {}.\n",
        d.id,
        d.status,
        d.environment.as_deref().unwrap_or("no environment"),
        d.active_replica_count,
        d.instance_type_name.as_deref().unwrap_or("?"),
        staging.deployment_id.as_deref().unwrap_or("nothing")
    );
    Ok(())
}

async fn chain_to_production(mock: &MockServer, client: &Client) -> Result<(), String> {
    step(
        3,
        "Promote chain deployment chd-rag-2 of chain chn-rag to production",
    );
    let chain = client
        .promote_chain_to_environment()
        .chain_id("chn-rag")
        .env_name("production")
        .body(PromoteToChainEnvironmentRequestV1::builder().deployment_id("chd-rag-2"))
        .send()
        .await
        .map_err(|e| format!("promote chain: {e}"))?
        .into_inner();
    let chainlets: Vec<String> = chain
        .chainlets
        .iter()
        .map(|c| {
            format!(
                "{} ({}, {} replica(s))",
                c.name, c.status, c.active_replica_count
            )
        })
        .collect();
    println!(
        "   -> {} serves {} with {} chainlets: {}.",
        chain.id,
        chain.environment.as_deref().unwrap_or("nothing"),
        chain.chainlets.len(),
        chainlets.join(", ")
    );
    if let Some(old) = mock.chain_deployment("chd-rag-1") {
        println!(
            "   The previous chain deployment {} is {}.\n",
            old.id, old.status
        );
    }
    Ok(())
}

fn show_promotion(mock: &MockServer, prefix: &str) {
    if let Some(p) = mock.promotion("mdl-whisper", "production") {
        println!(
            "   {prefix}promotion {}, {} % of traffic on {}",
            p.status, p.traffic_percent, p.candidate_deployment_id
        );
    }
}

async fn rolling_promotion(mock: &MockServer, client: &Client) -> Result<(), String> {
    step(
        4,
        "Roll dpl-whisper-v2 out to production of model mdl-whisper (25 % more traffic every 60 s)",
    );
    client
        .promote_model_to_environment()
        .model_id("mdl-whisper")
        .env_name("production")
        .body(PromoteToEnvironmentRequestV1::builder().deployment_id("dpl-whisper-v2"))
        .send()
        .await
        .map_err(|e| format!("start the rolling promotion: {e}"))?;
    show_promotion(mock, "-> accepted: ");
    mock.advance(Duration::from_secs(60));
    show_promotion(mock, "+60 s: ");

    let signal = client
        .force_roll_forward_promotion()
        .model_id("mdl-whisper")
        .env_name("production")
        .send()
        .await
        .map_err(|e| format!("force roll forward: {e}"))?
        .into_inner();
    println!(
        "   Force it forward -> success: {}; it completes at the next step, not at once.",
        signal.success
    );
    show_promotion(mock, "still: ");
    mock.advance(Duration::from_secs(60));
    show_promotion(mock, "+60 s: ");
    let production = mock
        .environment("mdl-whisper", "production")
        .ok_or("production is gone")?;
    println!(
        "   Production now serves {}.\n",
        production.deployment_id.as_deref().unwrap_or("nothing")
    );
    Ok(())
}

/// Promotes `deployment` to mdl-whisper's production (a rolling promotion).
async fn roll_whisper_to(client: &Client, deployment: &str) -> Result<(), String> {
    client
        .promote_model_to_environment()
        .model_id("mdl-whisper")
        .env_name("production")
        .body(PromoteToEnvironmentRequestV1::builder().deployment_id(deployment))
        .send()
        .await
        .map(drop)
        .map_err(|e| format!("promote {deployment}: {e}"))
}

/// Waits for the promotion of `deployment` on the mock's clock, printing each change.
async fn wait_for_whisper(
    mock: &MockServer,
    client: &Client,
    deployment: &str,
) -> Result<PromotionOutcome, String> {
    client
        .wait_for_promotion("mdl-whisper", "production", deployment)
        .clock(mock.wait_clock())
        .on_progress(|progress| println!("   waiting: {progress}"))
        .await
        .map_err(|e| format!("wait: {e}"))
}

async fn pause_resume_and_wait(mock: &MockServer, client: &Client) -> Result<(), String> {
    step(
        6,
        "Roll back to dpl-whisper-v1: pause the rollout, resume it, and wait until it is done",
    );
    roll_whisper_to(client, "dpl-whisper-v1").await?;
    mock.advance(Duration::from_secs(60));
    show_promotion(mock, "+60 s: ");
    client
        .pause_promotion()
        .model_id("mdl-whisper")
        .env_name("production")
        .send()
        .await
        .map_err(|e| format!("pause: {e}"))?;
    mock.advance(Duration::from_secs(120));
    show_promotion(mock, "paused, +120 s: ");
    client
        .resume_promotion()
        .model_id("mdl-whisper")
        .env_name("production")
        .send()
        .await
        .map_err(|e| format!("resume: {e}"))?;
    println!("   resumed; client.wait_for_promotion(..) reads the environment until it ends:");
    match wait_for_whisper(mock, client, "dpl-whisper-v1").await? {
        PromotionOutcome::Succeeded { deployment } => {
            println!("   -> succeeded: {} serves production.\n", deployment.id)
        }
        other => return Err(format!("expected success, got {other:?}")),
    }
    Ok(())
}

async fn cancel_and_wait(mock: &MockServer, client: &Client) -> Result<(), String> {
    step(
        7,
        "Start rolling dpl-whisper-v2 out again, cancel it, and wait",
    );
    roll_whisper_to(client, "dpl-whisper-v2").await?;
    mock.advance(Duration::from_secs(120));
    show_promotion(mock, "+120 s: ");
    let canceled = client
        .cancel_promotion()
        .model_id("mdl-whisper")
        .env_name("production")
        .send()
        .await
        .map_err(|e| format!("cancel: {e}"))?
        .into_inner();
    println!("   cancel -> {}: {}", canceled.status, canceled.message);
    match wait_for_whisper(mock, client, "dpl-whisper-v2").await? {
        PromotionOutcome::Succeeded { .. } => {
            return Err("a canceled promotion must not end as a success".to_owned());
        }
        outcome => {
            let current = mock
                .environment("mdl-whisper", "production")
                .and_then(|e| e.deployment_id)
                .unwrap_or_default();
            let how = match outcome {
                PromotionOutcome::Canceled { .. } => "canceled",
                _ => "rolled back",
            };
            println!("   -> {how}, not a success: production still serves {current}.\n");
        }
    }
    Ok(())
}

async fn documented_error(client: &Client) -> Result<(), String> {
    step(5, "Force roll forward again, with no promotion in progress");
    match client
        .force_roll_forward_promotion()
        .model_id("mdl-whisper")
        .env_name("production")
        .send()
        .await
    {
        Ok(_) => Err("expected the documented 400, got success".to_owned()),
        Err(err) => {
            let status = err
                .status()
                .map_or("no status".to_owned(), |s| s.as_u16().to_string());
            println!("   -> refused, HTTP {status}: {err}\n");
            Ok(())
        }
    }
}

// --- against the real API ----------------------------------------------------------------------

async fn against_baseten(args: &Args) -> Result<(), String> {
    let client = Client::from_env().map_err(|e| e.to_string())?;
    let mut acted = false;

    if let (Some(model), Some(deployment), Some(env)) =
        (&args.model_id, &args.deployment_id, &args.env)
    {
        acted = true;
        println!("Promoting deployment {deployment} of model {model} to {env}...");
        let d = client
            .promote_model_to_environment()
            .model_id(model)
            .env_name(env)
            .body(PromoteToEnvironmentRequestV1::builder().deployment_id(deployment.as_str()))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .into_inner();
        println!(
            "  {} ({}) is {}, environment {}",
            d.id,
            d.name,
            d.status,
            d.environment.as_deref().unwrap_or("none yet")
        );
    }
    if let (Some(model), true) = (&args.model_id, args.promote_development) {
        acted = true;
        println!("Promoting the development deployment of model {model} to production...");
        let d = client
            .promote_development_to_production()
            .model_id(model)
            .body(PromoteRequestV1::default())
            .send()
            .await
            .map_err(|e| e.to_string())?
            .into_inner();
        println!("  new deployment {} ({}) is {}", d.id, d.name, d.status);
    }
    if let (Some(chain), Some(deployment), Some(env)) =
        (&args.chain_id, &args.chain_deployment_id, &args.env)
    {
        acted = true;
        println!("Promoting chain deployment {deployment} of chain {chain} to {env}...");
        let c = client
            .promote_chain_to_environment()
            .chain_id(chain)
            .env_name(env)
            .body(PromoteToChainEnvironmentRequestV1::builder().deployment_id(deployment.as_str()))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .into_inner();
        println!(
            "  {} is {} with {} chainlet(s)",
            c.id,
            c.status,
            c.chainlets.len()
        );
    }
    if let (Some(model), Some(env), true) = (&args.model_id, &args.env, args.force_roll_forward) {
        acted = true;
        println!("Forcing the rolling promotion of {env} (model {model}) forward...");
        let signal = client
            .force_roll_forward_promotion()
            .model_id(model)
            .env_name(env)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .into_inner();
        println!("  success: {}", signal.success);
    }

    if !acted {
        print!(
            "{}",
            nothing_named(baseten_api::ClientInfo::baseurl(&client))
        );
        print!("{USAGE}");
    }
    Ok(())
}

/// What to say when a key is set but no id was named. It names the URL the key would go to:
/// with `BASETEN_API_URL` pointing at a local mock, "the real Baseten API" would be wrong.
fn nothing_named(url: &str) -> String {
    format!(
        "BASETEN_API_KEY is set, so this would send requests to {url}; it acts only on ids\n\
         you name, and you named none. Nothing was sent.\n\n"
    )
}

#[cfg(test)]
mod tests {
    // Cargo.toml declares this example with `test = true`, so `cargo test` runs these.

    #[test]
    fn with_a_key_and_no_ids_it_names_the_url_it_would_use() {
        let said = super::nothing_named("http://127.0.0.1:8080");
        assert!(
            said.contains("would send requests to http://127.0.0.1:8080"),
            "{said}"
        );
        assert!(!said.contains("real Baseten API"), "{said}");
    }
}
