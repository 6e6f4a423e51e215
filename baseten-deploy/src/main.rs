//! `baseten-deploy`: the command a CI pipeline runs to promote, watch and stop Baseten
//! deployments. `baseten-deploy --help` lists the commands and the exit codes; README.md's
//! "In CI" section has a GitHub Actions job.
//!
//! The stages, in the order a run goes through them: `cli` (flags) → `connect` (the client) →
//! `commands` (requests, one module per subcommand) → `watch` (waits) and `check` (the
//! `--check` command of a guarded promotion) → `report` (the result) →
//! `output`, `events` (`--output jsonl`) and `github` (what is printed and written) → `exit`
//! (the code).

mod check;
mod cli;
mod commands;
mod connect;
mod events;
mod exit;
mod failure;
mod github;
mod output;
mod report;
mod watch;

use std::io::IsTerminal;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::cli::{Cli, OutputFormat};
use crate::commands::Context;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::report::Report;

fn main() -> ExitCode {
    let started = Instant::now();
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error, &env, started),
    };
    let out = Output::new(cli.global.output).in_github_actions(github::active(&env));
    init_logs(cli.global.verbose, &out, cli.global.output);
    let mut report = Report::new(commands::name(&cli.command));
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => {
            // A bug must not cost the pipeline its document and summary: the panic is caught,
            // and the run ends as an internal error (the default hook has printed where).
            let ran = std::panic::catch_unwind(AssertUnwindSafe(|| {
                runtime.block_on(run(&cli, &env, &out, &mut report));
            }));
            if let Err(panic) = ran {
                report.fail(internal_error(&*panic));
            }
        }
        Err(error) => report.fail(Failure::new(
            Exit::Server,
            format!("cannot start the async runtime: {error}"),
        )),
    }
    conclude(&out, &report, &env, started)
}

/// Prints the result, the GitHub annotation and summary, and gives the exit code.
fn conclude(
    out: &Output,
    report: &Report,
    env: &impl Fn(&str) -> Option<String>,
    started: Instant,
) -> ExitCode {
    out.finish(report);
    if github::active(env) {
        if let Some(line) = github::annotation(report) {
            out.ci_line(&line);
        }
        if let Some(path) = env("GITHUB_STEP_SUMMARY")
            && let Err(warning) =
                github::append_summary(&PathBuf::from(path), report, started.elapsed())
        {
            out.ci_line(&format!("::warning::{warning}"));
        }
    }
    // Wherever a step-outputs file is given (GitHub Actions, or a runner that mimics it).
    if let Some(path) = env("GITHUB_OUTPUT")
        && let Err(warning) = github::append_outputs(&PathBuf::from(path), report)
    {
        out.ci_line(&format!("::warning::{warning}"));
    }
    ExitCode::from(report.exit().code())
}

/// The command line could not be parsed (or asked for help): clap's text on stderr (help and
/// version on stdout, exit 0), and, with `--output json`, the usage document on stdout too, so
/// that the next step always has one to read.
fn usage_error(
    error: &clap::Error,
    env: &impl Fn(&str) -> Option<String>,
    started: Instant,
) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    // clap's text on stderr, where a person looks; with JSON output, stdout gets the document.
    let _ = error.print();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let format = cli::output_format_in(&args);
    if format == OutputFormat::Text {
        return ExitCode::from(Exit::Usage.code());
    }
    let mut report = Report::new(cli::subcommand_in(&args).unwrap_or("baseten-deploy"));
    let rendered = error.render().to_string();
    // The explanation, before clap's usage line and tip: "the following required arguments
    // were not provided: --deployment <ID>".
    let message = rendered
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_owned();
    report.fail(Failure::new(Exit::Usage, message).hint(
        "`baseten-deploy --help` lists the commands; `baseten-deploy <command> --help` their flags",
    ));
    conclude(&Output::new(format), &report, env, started)
}

/// A panic, as a failure: what it said, and that it is our bug.
fn internal_error(panic: &(dyn std::any::Any + Send)) -> Failure {
    let said = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    Failure::new(
        Exit::Internal,
        format!("internal error in baseten-deploy: {said}"),
    )
    .hint(
        "this is a bug: please report it with the command line (not the key); a request already \
         sent may have taken effect: `baseten-deploy status` shows where things stand",
    )
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
    // Debug builds only: the tests' way to check that a bug (a panic) still ends with a
    // document, a summary and exit 11. Release builds have no such switch.
    #[cfg(debug_assertions)]
    if env("BASETEN_DEPLOY_TEST_PANIC").is_some() {
        panic!("BASETEN_DEPLOY_TEST_PANIC is set");
    }
    let finished = {
        let command = commands::run(&cli.command, &cx, report);
        tokio::pin!(command);
        tokio::select! {
            result = &mut command => Ended::Finished(result),
            signal = interrupted => Ended::Signalled(signal),
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
        Ended::Signalled(exit) => {
            let what = if exit == Exit::Terminated {
                "terminated (SIGTERM)"
            } else {
                "interrupted"
            };
            // A `--check` running then was killed with its process group when the command's
            // future was dropped (src/check.rs).
            let goes_on = match out.check_running() {
                None => "nothing was canceled: the promotion goes on",
                Some(false) => {
                    "the check running was stopped (its process group killed); nothing was \
                     canceled: the promotion goes on"
                }
                Some(true) => {
                    "the check running was stopped (its process group killed); nothing was \
                     canceled, and the promotion, paused for the check, stays PAUSED: \
                     `baseten-deploy resume` or `cancel` decides"
                }
            };
            let failure = match out.last_state() {
                Some(state) => {
                    Failure::new(exit, format!("{what}: stopped waiting; last seen: {state}"))
                        .hint(goes_on)
                }
                None => Failure::new(exit, format!("{what} before the command finished")).hint(
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
    /// SIGINT or SIGTERM: its exit code.
    Signalled(Exit),
    Deadline,
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM (a CI runner stopping the job: GitLab,
/// Jenkins, Buildkite and Kubernetes send it), with the exit code it means. The handlers are
/// installed when this is called.
fn interrupt() -> impl std::future::Future<Output = Exit> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            // A handler that could not be installed never resolves, and that signal keeps its
            // default effect.
            let interrupted = async {
                match interrupt {
                    Ok(mut stream) => stream.recv().await,
                    Err(_) => std::future::pending().await,
                }
            };
            let terminated = async {
                match terminate {
                    Ok(mut stream) => stream.recv().await,
                    Err(_) => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = interrupted => Exit::Interrupted,
                _ = terminated => Exit::Terminated,
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            Exit::Interrupted
        }
    }
}

/// `-v` shows the client's requests and retries, `-vv` debug, `-vvv` trace, all on stderr. The
/// client never logs the API key (its Debug is redacted), at any level. With `--output jsonl`,
/// the client's requests, retries and failed reads also go to stdout as JSON lines.
fn init_logs(verbose: u8, out: &Output, format: OutputFormat) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let level = match verbose {
        0 => None,
        1 => Some(tracing::Level::INFO),
        2 => Some(tracing::Level::DEBUG),
        _ => Some(tracing::Level::TRACE),
    };
    let logs = level.map(|level| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_filter(LevelFilter::from_level(level))
    });
    let events = (format == OutputFormat::Jsonl).then(|| {
        events::JsonlEvents { out: out.clone() }
            .with_filter(Targets::new().with_target("baseten_api", tracing::Level::INFO))
    });
    if logs.is_none() && events.is_none() {
        return;
    }
    tracing_subscriber::registry()
        .with(logs)
        .with(events)
        .init();
}
