//! `baseten-mock`: the mock Baseten management API as a process, on a real clock.
//!
//! ```text
//! cargo run -p baseten-mock -- --listen 127.0.0.1:8080 --seed seed.yaml
//! ```

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use baseten_mock::{ClockMode, DEFAULT_API_KEY, Faults, MockServer, RateLimit, Seed, Timings};
use clap::Parser;

/// A local, stateful Baseten management API: the four promotion operations of
/// openapi/baseten.yaml, with simulated builds and rolling promotions on a real clock.
#[derive(Debug, Parser)]
#[command(name = "baseten-mock", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Seed file (YAML or JSON) with models and chains. Without it, the demo data is loaded.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,

    /// Print the demo seed as YAML (a starting point for a seed file) and exit.
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
        let _ = std::io::stdout().write_all(Seed::demo().to_yaml().as_bytes());
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
        None => (Seed::demo(), "demo seed".to_owned()),
    };
    let summary = format!(
        "{} model(s), {} chain(s) from {origin}",
        seed.models.len(),
        seed.chains.len()
    );

    let mut builder = MockServer::builder()
        .listen(args.listen)
        .seed_from(seed, origin)
        .clock(ClockMode::Real)
        .timings(Timings::new(
            Duration::from_secs(args.build_seconds),
            Duration::from_secs(args.deploy_seconds),
            Duration::from_secs(args.load_model_seconds),
        ))
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
    let keys = if args.api_keys.is_empty() {
        DEFAULT_API_KEY.to_owned()
    } else {
        args.api_keys.join(", ")
    };

    let server = builder.start().await.map_err(|e| e.to_string())?;
    // Written with `writeln!`, errors ignored: a reader that closes stdout after reading the
    // URL must not stop the server (`println!` would panic).
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "baseten-mock listening on {}", server.url());
    let _ = writeln!(out, "  API key(s): {keys}");
    let _ = writeln!(out, "  seeded:     {summary}");
    let _ = writeln!(
        out,
        "  try:        curl -X POST -H 'Authorization: Api-Key {}' {}/v1/models/<model_id>/environments/<env>/force_roll_forward_promotion",
        server.api_key(),
        server.url()
    );
    let _ = writeln!(out, "Ctrl-C stops it.");
    let _ = out.flush();
    drop(out);

    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    server.shutdown().await;
    Ok(())
}
