//! `baseten-mock`: the mock Baseten management API as a process, on a real clock.
//!
//! ```text
//! cargo run -p baseten-mock -- --listen 127.0.0.1:8080 --seed baseten-mock/seeds/demo.yaml
//! ```
//!
//! On start it prints, on stdout, the URL (first line, for scripts), the API key, and the
//! models, chains, environments and deployments it holds, so the ids to call are at hand.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use baseten_mock::{
    ClockMode, DeploymentStatus, Faults, MockError, MockServer, RateLimit, Seed, Timings,
};
use clap::Parser;

/// A local, stateful Baseten management API: the operations of openapi/baseten.yaml
/// (promotions, rolling-promotion signals, environment and deployment reads), with simulated
/// builds and rolling promotions on a real clock.
#[derive(Debug, Parser)]
#[command(name = "baseten-mock", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Seed file (YAML or JSON) with models and chains. Without it, the demo data
    /// (baseten-mock/seeds/demo.yaml) is loaded.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,

    /// OpenAPI 3.1 document (YAML or JSON) to serve instead of the embedded one, e.g. Baseten's
    /// full specification: its operations without a stateful handler answer bodies generated
    /// from their schemas.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,

    /// Print the demo seed file (a starting point for your own) and exit.
    #[arg(long)]
    print_demo_seed: bool,

    /// API key to accept (repeat for more). Default: mock-api-key.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,

    /// Requests per key and operation per window (0: no limit).
    #[arg(long, default_value_t = 100)]
    rate_limit: u32,

    /// Rate-limit window in milliseconds.
    #[arg(long, default_value_t = 1000)]
    rate_window_ms: u64,

    /// Seconds a development → production promotion spends BUILDING.
    #[arg(long, default_value_t = 60)]
    build_seconds: u64,

    /// Seconds it then spends DEPLOYING.
    #[arg(long, default_value_t = 30)]
    deploy_seconds: u64,

    /// Seconds it then spends LOADING_MODEL before it is ACTIVE.
    #[arg(long, default_value_t = 30)]
    load_model_seconds: u64,

    /// Seconds a deployment the mock created answers get_deployment with 404 (0: never).
    #[arg(long = "new-deployment-404-seconds", default_value_t = 5)]
    new_deployment_404_seconds: u64,

    /// Seconds an ended promotion stays visible as the environment's in_progress_promotion
    /// (0: null as soon as it ends).
    #[arg(long, default_value_t = 0)]
    ended_promotion_seconds: u64,

    /// While an ended promotion is still shown (--ended-promotion-seconds), keep its candidate
    /// as the environment's candidate_deployment (default: null as soon as it ends).
    #[arg(long)]
    ended_promotion_keeps_candidate: bool,

    /// Seconds after a promotion is accepted during which the environment shows the new
    /// candidate_deployment but the in_progress_promotion it showed before (0: both at once).
    #[arg(long, default_value_t = 0)]
    candidate_lead_seconds: u64,

    /// Seconds after a succeeded promotion stopped being shown (--ended-promotion-seconds)
    /// during which the environment still shows the previous current_deployment (0: it
    /// switches when the promotion succeeds).
    #[arg(long, default_value_t = 0)]
    current_switch_delay_seconds: u64,

    /// Seconds a chain promotion shows the previous current_deployment and the promoted one as
    /// candidate_deployment on get_chain_environment before switching (0: at once).
    #[arg(long, default_value_t = 0)]
    chain_promotion_seconds: u64,

    /// Milliseconds of latency added to every request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,

    /// Share of requests answered with a 5xx, 0.0 to 1.0.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,

    /// Share of requests whose connection is closed without an answer, 0.0 to 1.0.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,

    /// Seed of the generator choosing which requests fail.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,

    /// Log every request.
    #[arg(long, short)]
    verbose: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.print_demo_seed {
        // Not `print!`: piping into `head` must not make it panic.
        let _ = std::io::stdout().write_all(Seed::DEMO_YAML.as_bytes());
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_max_level(if args.verbose {
            tracing::Level::DEBUG
        } else {
            tracing::Level::INFO
        })
        .with_target(false)
        // Logs on stderr; stdout carries only the start-up lines (scripts read the URL there).
        .with_writer(std::io::stderr)
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let (seed, origin) = match &args.seed {
        Some(path) => (
            Seed::from_path(path).map_err(|e| e.to_string())?,
            path.display().to_string(),
        ),
        None => (Seed::demo(), "the demo seed (seeds/demo.yaml)".to_owned()),
    };

    let timings = Timings::new(
        Duration::from_secs(args.build_seconds),
        Duration::from_secs(args.deploy_seconds),
        Duration::from_secs(args.load_model_seconds),
    )
    .new_deployment_not_found(Duration::from_secs(args.new_deployment_404_seconds))
    .ended_promotion_visible(Duration::from_secs(args.ended_promotion_seconds))
    .ended_candidate_visible(args.ended_promotion_keeps_candidate)
    .candidate_lead(Duration::from_secs(args.candidate_lead_seconds))
    .current_switch_delay(Duration::from_secs(args.current_switch_delay_seconds))
    .chain_promotion(Duration::from_secs(args.chain_promotion_seconds));
    let mut builder = MockServer::builder();
    if let Some(path) = &args.spec {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the spec {}: {e}", path.display()))?;
        builder = builder.spec(text);
    }
    let mut builder = builder
        .listen(args.listen)
        .seed_from(seed, origin.clone())
        .clock(ClockMode::Real)
        .timings(timings)
        .faults(
            Faults::none()
                .latency(Duration::from_millis(args.latency_ms))
                .server_errors(args.error_rate)
                .dropped_connections(args.drop_rate)
                .seed(args.fault_seed),
        );
    builder = if args.rate_limit == 0 {
        builder.no_rate_limit()
    } else {
        builder.rate_limit(RateLimit::new(
            args.rate_limit,
            Duration::from_millis(args.rate_window_ms.max(1)),
        ))
    };
    for key in &args.api_keys {
        builder = builder.api_key(key.clone());
    }

    let server = builder.start().await.map_err(|e| match (&e, &args.spec) {
        (MockError::InvalidSpec(_), Some(path)) => format!("{}: {e}", path.display()),
        _ => e.to_string(),
    })?;
    let keys = if args.api_keys.is_empty() {
        vec![server.api_key().to_owned()]
    } else {
        args.api_keys
    };
    // Written with `write_all`, errors ignored: a reader that closes stdout after reading the
    // URL must not stop the server (`println!` would panic).
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner(&server, &keys, &origin, &timings).as_bytes());
    let _ = out.flush();
    drop(out);

    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    server.shutdown().await;
    Ok(())
}

/// How many models and how many chains the banner lists; a large seed file would otherwise push
/// the URL and the key off the screen.
const LISTED: usize = 10;

/// The start-up text: the URL first (scripts read that line), then what a user needs to make a
/// first call: the key, and the ids the mock holds, read back from the running server so that
/// what seeding adds (a `production` environment) is shown too; and the timings that change
/// what reads show between two transitions, if any is set.
fn banner(server: &MockServer, keys: &[String], origin: &str, timings: &Timings) -> String {
    let mut text = format!("baseten-mock listening on {}\n", server.url());
    let label = if keys.len() == 1 { "key: " } else { "keys:" };
    text += &format!(
        "  API {label}    {} (header `Authorization: Bearer <key>` or `Api-Key <key>`)\n",
        keys.join(", ")
    );
    text += &format!("  seeded from: {origin}\n");
    if let Some(shown) = transitions_shown(timings) {
        text += &format!("  timings:     {shown}\n");
    }

    let models = server.model_ids();
    let chains = server.chain_ids();
    if models.is_empty() && chains.is_empty() {
        text += "  (no models or chains: give them with --seed FILE)\n";
    }
    for model in models.iter().take(LISTED) {
        let environments: Vec<String> = server
            .environments(model)
            .iter()
            .map(|env| {
                let serves = env.deployment_id.as_deref().unwrap_or("nothing");
                let rolling = if env.rolling.is_some() {
                    ", rolling"
                } else {
                    ""
                };
                let deleted = env
                    .deleted_after
                    .map(|after| {
                        format!(", deleted {} s after its first promotion", after.as_secs())
                    })
                    .unwrap_or_default();
                format!("{} (serves {serves}{rolling}{deleted})", env.name)
            })
            .collect();
        let deployments: Vec<String> = server
            .deployments(model)
            .iter()
            .map(|d| {
                let mut notes = Vec::new();
                if d.is_development {
                    notes.push("development".to_owned());
                }
                if d.status != DeploymentStatus::Active {
                    notes.push(d.status.to_string());
                }
                if notes.is_empty() {
                    d.id.clone()
                } else {
                    format!("{} ({})", d.id, notes.join(", "))
                }
            })
            .collect();
        text += &format!("  model {model}\n");
        text += &format!("    environments: {}\n", environments.join(", "));
        text += &format!("    deployments:  {}\n", list_or_none(&deployments));
    }
    text += &more(models.len(), "model(s)");
    for chain in chains.iter().take(LISTED) {
        let environments: Vec<String> = server
            .chain_environments(chain)
            .iter()
            .map(|env| {
                let serves = env.deployment_id.as_deref().unwrap_or("nothing");
                format!("{} (serves {serves})", env.name)
            })
            .collect();
        let deployments: Vec<String> = server
            .chain_deployments(chain)
            .iter()
            .map(|d| {
                if d.status == DeploymentStatus::Active {
                    d.id.clone()
                } else {
                    format!("{} ({})", d.id, d.status)
                }
            })
            .collect();
        text += &format!("  chain {chain}\n");
        text += &format!("    environments: {}\n", environments.join(", "));
        text += &format!("    deployments:  {}\n", list_or_none(&deployments));
    }
    text += &more(chains.len(), "chain(s)");

    let (path, body) = example_call(server, &models).unwrap_or_else(|| {
        (
            "/v1/models/<model_id>/environments/<env_name>/promote".to_owned(),
            "<deployment_id>".to_owned(),
        )
    });
    text += &format!(
        "  try:\n    curl -X POST -H 'Authorization: Api-Key {}' \\\n      {}{path} \\\n      -d '{{\"deployment_id\": \"{body}\"}}'\n",
        keys[0],
        server.url(),
    );
    text += "Ctrl-C stops it.\n";
    text
}

/// The timings set that make environment reads show what lies between two transitions (the
/// README's "Adversarial timings", and how long ended promotions are shown), or `None` when
/// all are off and every transition is shown at once.
fn transitions_shown(timings: &Timings) -> Option<String> {
    let seconds = |d: Duration| d.as_secs();
    let mut parts = Vec::new();
    if !timings.ended_promotion_visible.is_zero() {
        parts.push(format!(
            "ended promotions shown {} s",
            seconds(timings.ended_promotion_visible)
        ));
    }
    if timings.ended_candidate_visible {
        parts.push("ended promotions keep their candidate".to_owned());
    }
    if !timings.candidate_lead.is_zero() {
        parts.push(format!(
            "candidate lead {} s",
            seconds(timings.candidate_lead)
        ));
    }
    if !timings.current_switch_delay.is_zero() {
        parts.push(format!(
            "current switch delay {} s",
            seconds(timings.current_switch_delay)
        ));
    }
    if !timings.chain_promotion.is_zero() {
        parts.push(format!(
            "chain promotions {} s",
            seconds(timings.chain_promotion)
        ));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn more(total: usize, what: &str) -> String {
    if total > LISTED {
        format!("  ... and {} more {what}\n", total - LISTED)
    } else {
        String::new()
    }
}

/// A promotion that works on the seeded data, to show in the banner: an `ACTIVE` deployment
/// (not a development one) into an environment of its model that does not serve it yet,
/// preferring a deployment and an environment that serve nothing, and anything over
/// `production`, so that trying it disturbs the least. `None` if the seed has no such pair.
fn example_call(server: &MockServer, models: &[String]) -> Option<(String, String)> {
    let mut candidates = Vec::new();
    for model in models {
        let deployments = server.deployments(model);
        for env in server.environments(model) {
            for d in &deployments {
                if d.is_development
                    || d.status != DeploymentStatus::Active
                    || env.deployment_id.as_deref() == Some(d.id.as_str())
                {
                    continue;
                }
                // Lower is better.
                let rank = (
                    env.name == "production",
                    env.deployment_id.is_some(),
                    d.environment.is_some(),
                );
                let path = format!("/v1/models/{model}/environments/{}/promote", env.name);
                candidates.push((rank, path, d.id.clone()));
            }
        }
    }
    // The first of equals wins: models, environments and deployments come in id order.
    candidates
        .into_iter()
        .min_by_key(|(rank, ..)| *rank)
        .map(|(_, path, deployment)| (path, deployment))
}
