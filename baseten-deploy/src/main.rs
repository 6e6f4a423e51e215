//! `baseten-deploy`: the command a CI pipeline runs to promote, watch and stop Baseten
//! deployments. `baseten-deploy --help` lists the commands and the exit codes; README.md's
//! "In CI" section has a GitHub Actions job.
//!
//! The stages, in the order a run goes through them: `cli` (flags) → `connect` (the client) →
//! `commands` (requests) → `watch` (waits) → `report` (the result) → `output` and `github`
//! (what is printed) → `exit` (the code).

mod cli;
mod commands;
mod connect;
mod exit;
mod failure;
mod github;
mod output;
mod report;
mod watch;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::cli::Cli;
use crate::commands::Context;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::report::Report;

fn main() -> ExitCode {
    let started = Instant::now();
    // Usage errors exit 2 and `--help` / `--version` exit 0, as clap does.
    let cli = Cli::parse();
    init_logs(cli.global.verbose);
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());

    let out = Output::new(cli.global.output);
    let mut report = Report::new(commands::name(&cli.command));
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run(&cli, &env, &out, &mut report)),
        Err(error) => report.fail(Failure::new(
            Exit::Server,
            format!("cannot start the async runtime: {error}"),
        )),
    }

    out.finish(&report);
    if github::active(&env) {
        if let Some(line) = github::annotation(&report) {
            out.ci_line(&line);
        }
        if let Some(path) = env("GITHUB_STEP_SUMMARY")
            && let Err(warning) =
                github::append_summary(&PathBuf::from(path), &report, started.elapsed())
        {
            out.ci_line(&format!("::warning::{warning}"));
        }
    }
    ExitCode::from(report.exit().code())
}

/// Builds the client and runs the command until it ends or SIGINT arrives. An interrupt drops
/// the command's future: a wait stops reading, and nothing is sent to Baseten on the way out.
async fn run(cli: &Cli, env: &impl Fn(&str) -> Option<String>, out: &Output, report: &mut Report) {
    // Registered before any request, so that an early Ctrl-C is ours, not the default handler's.
    let interrupted = interrupt();
    let client = match connect::client(&cli.global, env) {
        Ok(client) => client,
        Err(failure) => return report.fail(failure),
    };
    let cx = Context {
        client,
        out: out.clone(),
        started: Instant::now(),
    };
    // The waiters end at `--timeout` themselves; this ends a request before the wait (or one
    // the client is still retrying) that would run past it.
    let deadline = async {
        match cli.command.deadline() {
            Some(timeout) => {
                let at = tokio::time::Instant::from_std(cx.started) + timeout + DEADLINE_MARGIN;
                tokio::time::sleep_until(at).await;
            }
            None => std::future::pending().await,
        }
    };
    let finished = {
        let command = commands::run(&cli.command, &cx, report);
        tokio::pin!(command);
        tokio::select! {
            result = &mut command => Ended::Finished(result),
            () = interrupted => Ended::Interrupted,
            () = deadline => Ended::Deadline,
        }
    };
    match finished {
        Ended::Finished(Ok(())) => {}
        Ended::Finished(Err(failure)) => report.fail(failure),
        Ended::Deadline => {
            let last = out
                .last_state()
                .map_or(String::new(), |state| format!("; last seen: {state}"));
            report.fail(
                Failure::new(
                    Exit::WaitTimedOut,
                    format!("gave up at the deadline (--timeout) with a request unanswered{last}"),
                )
                .hint(
                    "nothing was canceled; a request already sent may have taken effect: \
                     `baseten-deploy status` shows where things stand",
                ),
            );
        }
        Ended::Interrupted => {
            let failure = match out.last_state() {
                Some(state) => Failure::new(
                    Exit::Interrupted,
                    format!("interrupted: stopped waiting; last seen: {state}"),
                )
                .hint("nothing was canceled: the promotion goes on"),
                None => Failure::new(Exit::Interrupted, "interrupted before the command finished")
                    .hint(
                        "a request already sent may have taken effect: `baseten-deploy status` \
                         shows where things stand",
                    ),
            };
            report.fail(failure);
        }
    }
}

/// How far past `--timeout` a command may run: the waiters stop at the deadline themselves;
/// this bounds a request before them.
const DEADLINE_MARGIN: std::time::Duration = std::time::Duration::from_millis(500);

/// How the command's future ended.
enum Ended {
    Finished(Result<(), Failure>),
    Interrupted,
    Deadline,
}

/// Resolves on the first SIGINT (Ctrl-C). The handler is installed when this is called.
fn interrupt() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let stream = signal(SignalKind::interrupt());
        async move {
            match stream {
                Ok(mut stream) => {
                    stream.recv().await;
                }
                // No handler: never resolves, and Ctrl-C keeps its default effect.
                Err(_) => std::future::pending().await,
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// `-v` shows the client's requests and retries, `-vv` debug, `-vvv` trace, all on stderr. The
/// client never logs the API key (its Debug is redacted), at any level.
fn init_logs(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
