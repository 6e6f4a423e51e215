//! Where events and the result go. Text: a line per event on stdout, and on a terminal a bar of
//! the traffic shifted to the candidate (on stderr); in a CI log (not a terminal) only plain
//! lines, no escape codes. JSON: events on stderr, one document on stdout at the end.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::OutputFormat;
use crate::report::{Report, SCHEMA_VERSION};

/// The output of one run, shared with the waiters' progress callbacks (which must be `Send`).
#[derive(Clone)]
pub struct Output(Arc<Mutex<State>>);

struct State {
    format: OutputFormat,
    /// Draw the traffic bar: text output with stdout and stderr on a terminal.
    bar_allowed: bool,
    bar: Option<ProgressBar>,
    /// The last state a wait reported, printed if the wait is interrupted.
    last_state: Option<String>,
    /// In GitHub Actions: a wait's lines go inside a collapsed `::group::`.
    github: bool,
    group_open: bool,
    /// A `--check` command is running: `Some(held)`, held if the promotion was paused for it.
    check_running: Option<bool>,
}

impl Output {
    pub fn new(format: OutputFormat) -> Self {
        let bar_allowed = format == OutputFormat::Text
            && std::io::stdout().is_terminal()
            && std::io::stderr().is_terminal();
        Self(Arc::new(Mutex::new(State {
            format,
            bar_allowed,
            bar: None,
            last_state: None,
            github: false,
            group_open: false,
            check_running: None,
        })))
    }

    /// In GitHub Actions, a wait's progress lines are folded into one group on the job's page.
    pub fn in_github_actions(self, github: bool) -> Self {
        self.state().github = github;
        self
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while printing leaves nothing half-updated that matters here.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// One JSON line (`--output jsonl`), stamped with the schema version.
    pub fn jsonl(&self, value: &serde_json::Value) {
        let mut value = value.clone();
        if let Some(map) = value.as_object_mut() {
            map.insert("schema_version".into(), SCHEMA_VERSION.into());
        }
        let _state = self.state();
        print_line(&value.to_string());
    }

    /// One line about what happened.
    pub fn event(&self, line: &str) {
        let state = self.state();
        match state.format {
            OutputFormat::Jsonl => {
                drop(state);
                self.jsonl(&serde_json::json!({"type": "event", "message": line}));
            }
            OutputFormat::Json => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            OutputFormat::Text => match &state.bar {
                Some(bar) => bar.suspend(|| print_line(line)),
                None => print_line(line),
            },
        }
    }

    /// A wait's progress: remembered (for an interrupt), printed, and shown on the bar.
    pub fn progress(&self, line: &str, percent_traffic: Option<i64>) {
        let open_group = {
            let mut state = self.state();
            state.last_state = Some(line.to_owned());
            let open = state.github && !state.group_open;
            state.group_open |= open;
            open
        };
        if open_group {
            self.ci_line("::group::baseten-deploy: waiting (a line per change)");
        }
        if self.state().format == OutputFormat::Jsonl {
            self.jsonl(&serde_json::json!({
                "type": "progress", "message": line, "percent_traffic": percent_traffic
            }));
            return;
        }
        self.event(line);
        let mut state = self.state();
        if let (true, Some(percent)) = (state.bar_allowed, percent_traffic) {
            let bar = state.bar.get_or_insert_with(traffic_bar);
            bar.set_position(percent.clamp(0, 100) as u64);
        }
    }

    /// A check starts: in GitHub Actions its output goes into a group of its own (groups do
    /// not nest, so a wait's group open before is closed; the next progress line opens one).
    pub fn check_started(&self, title: &str, held: bool) {
        let (github, close) = {
            let mut state = self.state();
            state.check_running = Some(held);
            (state.github, std::mem::take(&mut state.group_open))
        };
        if close {
            self.ci_line("::endgroup::");
        }
        if github {
            self.ci_line(&format!("::group::{title}"));
        } else {
            self.event(title);
        }
    }

    /// One line of a check's output, already prefixed.
    pub fn check_line(&self, line: &str) {
        if self.state().format == OutputFormat::Jsonl {
            self.jsonl(&serde_json::json!({"type": "check_output", "message": line}));
        } else {
            self.event(line);
        }
    }

    /// A check ended: `line` says how (after its group, in GitHub Actions).
    pub fn check_ended(&self, line: &str) {
        let github = {
            let mut state = self.state();
            state.check_running = None;
            state.github
        };
        if github {
            self.ci_line("::endgroup::");
        }
        self.event(line);
    }

    /// Whether a `--check` command is running (`Some(held)`), for an interrupt's message.
    pub fn check_running(&self) -> Option<bool> {
        self.state().check_running
    }

    pub fn last_state(&self) -> Option<String> {
        self.state().last_state.clone()
    }

    /// Prints the result: the document (JSON), or the last line (text; failures on stderr with
    /// what to do).
    pub fn finish(&self, report: &Report) {
        if std::mem::take(&mut self.state().group_open) {
            self.ci_line("::endgroup::");
        }
        let mut state = self.state();
        if let Some(bar) = state.bar.take() {
            bar.finish_and_clear();
        }
        match state.format {
            // The final document, on one line: the stream's last.
            OutputFormat::Jsonl => {
                let mut line = serde_json::to_value(report).unwrap_or_default();
                if let Some(map) = line.as_object_mut() {
                    map.insert("type".into(), "result".into());
                }
                print_line(&line.to_string());
            }
            OutputFormat::Json => {
                let mut out = std::io::stdout().lock();
                // Serializing plain structs of strings and numbers cannot fail.
                let text = serde_json::to_string_pretty(report).unwrap_or_default();
                let _ = writeln!(out, "{text}");
                let _ = out.flush();
            }
            OutputFormat::Text => match &report.error {
                None if report.exit_code == 0 => print_line(&report.message),
                None => {
                    let _ = writeln!(std::io::stderr().lock(), "error: {}", report.message);
                }
                Some(error) => {
                    let mut err = std::io::stderr().lock();
                    let _ = writeln!(err, "error: {}", error.message);
                    if let Some(hint) = &error.hint {
                        let _ = writeln!(err, "  hint: {hint}");
                    }
                }
            },
        }
    }

    /// A line for the CI system (a GitHub `::error::` annotation): stdout in text mode, stderr
    /// with JSON so that stdout stays one document.
    pub fn ci_line(&self, line: &str) {
        match self.state().format {
            OutputFormat::Json | OutputFormat::Jsonl => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            OutputFormat::Text => print_line(line),
        }
    }
}

/// `println!` panics when stdout is closed (`| head`); a closed pipe is not our failure.
fn print_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn traffic_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos:>3}% of traffic on the candidate")
    {
        bar.set_style(style);
    }
    bar
}
