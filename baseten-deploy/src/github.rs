//! GitHub Actions: a Markdown summary of the run appended to `$GITHUB_STEP_SUMMARY`, the step's
//! outputs appended to `$GITHUB_OUTPUT` (for the next step: `steps.<id>.outputs.outcome`, …),
//! and one `::error::` annotation when the command did not succeed (shown on the run's page).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::report::Report;

/// Whether to print annotations: inside GitHub Actions, or wherever a summary file is given.
pub fn active(env: &impl Fn(&str) -> Option<String>) -> bool {
    env("GITHUB_ACTIONS").as_deref() == Some("true") || env("GITHUB_STEP_SUMMARY").is_some()
}

/// The `::error::` line for a report that did not end with exit 0, else `None`.
pub fn annotation(report: &Report) -> Option<String> {
    if report.exit_code == 0 {
        return None;
    }
    let message = report
        .error
        .as_ref()
        .map_or(report.message.as_str(), |e| e.message.as_str());
    Some(format!(
        "::error title=baseten-deploy {}::{}",
        escape_property(report.command),
        escape_data(message)
    ))
}

/// Appends the summary to the file; a summary that cannot be written is a warning, not a reason
/// to change the exit code of a promotion that worked.
pub fn append_summary(path: &Path, report: &Report, took: Duration) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open GITHUB_STEP_SUMMARY {}: {e}", path.display()))?;
    file.write_all(summary(report, took).as_bytes())
        .map_err(|e| format!("cannot write GITHUB_STEP_SUMMARY {}: {e}", path.display()))
}

/// The Markdown: what was done to which deployment, from which, how it ended, how long it took.
pub fn summary(report: &Report, took: Duration) -> String {
    let icon = if report.exit_code == 0 { "✅" } else { "❌" };
    let mut text = format!(
        "### {icon} baseten-deploy {}: {}\n\n| | |\n|---|---|\n",
        report.command, report.outcome
    );
    let mut row = |name: &str, value: String| {
        text += &format!("| {name} | {} |\n", escape_cell(&value));
    };
    row("Target", format!("`{}`", report.target()));
    if let Some(d) = &report.deployment {
        let name = d
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        row("Deployment", format!("`{}`{name}, {}", d.id, d.status));
    }
    if let Some(d) = &report.previous_deployment {
        row("Previously current", format!("`{}`", d.id));
    }
    if let Some(d) = &report.current_deployment {
        row("Now current", format!("`{}`", d.id));
    }
    if let Some(p) = &report.promotion {
        row(
            "Promotion",
            format!("{} at {}% to the candidate", p.status, p.percent_traffic),
        );
    }
    row(
        "Outcome",
        format!("{} (exit {})", report.outcome, report.exit_code),
    );
    row(
        "Duration",
        humantime::format_duration(round(took)).to_string(),
    );
    row("Message", bounded(&report.message));
    if let Some(hint) = report.error.as_ref().and_then(|e| e.hint.as_ref()) {
        row("What to do", bounded(hint));
    }
    text.push('\n');
    text += &checks_table(report);
    text
}

/// The most lines of a check's output the summary shows (the JSON document has 20).
const SUMMARY_TAIL: usize = 5;

/// Every run of `--check`: where, how it ended, and the end of what it printed.
fn checks_table(report: &Report) -> String {
    if report.checks.is_empty() {
        return String::new();
    }
    let mut text = "| Traffic | Trigger | Result | Exit code | Duration | Output (last lines) |\n\
                    |---|---|---|---|---|---|\n"
        .to_owned();
    for check in &report.checks {
        let held = if check.held { ", held" } else { "" };
        let attempt = if check.attempt > 1 {
            format!(", attempt {}", check.attempt)
        } else {
            String::new()
        };
        let tail = &check.output_tail[check.output_tail.len().saturating_sub(SUMMARY_TAIL)..];
        let output = tail
            .iter()
            .map(|line| format!("`{}`", escape_cell(&bounded(line)).replace('`', "'")))
            .collect::<Vec<_>>()
            .join("<br>");
        text += &format!(
            "| {}% | {}{held}{attempt} | {} | {} | {}s | {output} |\n",
            check.percent_traffic,
            escape_cell(&check.trigger),
            check.result,
            check
                .exit_code
                .map_or("none".to_owned(), |code| code.to_string()),
            check.duration_seconds,
        );
    }
    text.push('\n');
    text
}

/// The most of one free-text value the summary shows. GitHub refuses a step's summary over
/// 1 MiB (and shows none of it); the other cells are ids and short words, so a summary stays
/// far below that whatever a message says.
const CELL_LIMIT: usize = 16 * 1024;

/// `text`, cut at [`CELL_LIMIT`] bytes (on a character boundary) with a note that it was.
fn bounded(text: &str) -> String {
    if text.len() <= CELL_LIMIT {
        return text.to_owned();
    }
    let mut end = CELL_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes cut)", &text[..end], text.len() - end)
}

/// The step's outputs, in GitHub's `$GITHUB_OUTPUT` format: `name=value`, or, for a value with
/// a line break, `name<<delimiter` … `delimiter` with a random delimiter the value does not
/// contain (a fixed one could be forged by a message).
pub fn outputs(report: &Report, delimiter_seed: u64) -> String {
    let id = |d: &Option<crate::report::DeploymentSummary>| {
        d.as_ref().map(|d| d.id.clone()).unwrap_or_default()
    };
    let values = [
        ("outcome", report.outcome.to_owned()),
        ("exit-code", report.exit_code.to_string()),
        ("deployment-id", id(&report.deployment)),
        ("previous-deployment-id", id(&report.previous_deployment)),
        ("current-deployment-id", id(&report.current_deployment)),
        (
            "percent-traffic",
            report
                .promotion
                .as_ref()
                .map(|p| p.percent_traffic.to_string())
                .unwrap_or_default(),
        ),
        (
            "waited-seconds",
            report
                .waited_seconds
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ),
        ("message", report.message.clone()),
    ];
    let mut text = String::new();
    for (name, value) in values {
        if value.contains(['\n', '\r']) {
            let mut seed = delimiter_seed;
            let delimiter = loop {
                let candidate = format!("ghadelimiter_{seed:016x}");
                if !value.contains(&candidate) {
                    break candidate;
                }
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            };
            text += &format!("{name}<<{delimiter}\n{value}\n{delimiter}\n");
        } else {
            text += &format!("{name}={value}\n");
        }
    }
    text
}

/// Appends the outputs to the file `$GITHUB_OUTPUT` names.
pub fn append_outputs(path: &Path, report: &Report) -> Result<(), String> {
    use std::hash::{BuildHasher, Hasher};
    // A random delimiter without a dependency: std's hasher keys are random per process.
    let seed = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open GITHUB_OUTPUT {}: {e}", path.display()))?;
    file.write_all(outputs(report, seed).as_bytes())
        .map_err(|e| format!("cannot write GITHUB_OUTPUT {}: {e}", path.display()))
}

fn round(duration: Duration) -> Duration {
    Duration::from_secs(duration.as_secs())
}

/// Workflow-command data: `%`, CR and LF are escaped (GitHub's toolkit does the same).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command properties also escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown table cell: no line breaks, no column separators.
fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_use_a_delimiter_the_value_does_not_contain() {
        let mut report = Report::new("promote");
        report.end(crate::exit::Exit::Done, "succeeded", "one line");
        let single = outputs(&report, 7);
        assert!(single.contains("outcome=succeeded\n"), "{single}");
        assert!(single.contains("message=one line\n"), "{single}");
        assert!(single.contains("deployment-id=\n"), "{single}");

        // A message that tries to end the value early with the delimiter seed 7 would give.
        let forged = "line one\nghadelimiter_0000000000000007\nexit-code=0";
        report.end(crate::exit::Exit::Failed, "failed", forged);
        let multi = outputs(&report, 7);
        let (_, rest) = multi.split_once("message<<").expect("a heredoc");
        let (delimiter, body) = rest.split_once('\n').unwrap();
        assert_ne!(delimiter, "ghadelimiter_0000000000000007");
        assert_eq!(body, format!("{forged}\n{delimiter}\n"));
    }

    #[test]
    fn a_huge_message_keeps_the_summary_far_below_github_s_limit() {
        let mut report = Report::new("promote");
        report.end(crate::exit::Exit::Failed, "failed", "é".repeat(1 << 20));
        let text = summary(&report, Duration::from_secs(3));
        assert!(text.len() < 64 * 1024, "{} bytes", text.len());
        assert!(text.contains("bytes cut)"));
    }

    #[test]
    fn annotation_escapes_what_would_end_or_split_it() {
        let mut report = Report::new("promote");
        report.end(
            crate::exit::Exit::Failed,
            "failed",
            "100% failed:\nline two",
        );
        assert_eq!(
            annotation(&report).unwrap(),
            "::error title=baseten-deploy promote::100%25 failed:%0Aline two"
        );
    }

    #[test]
    fn the_summary_lists_each_check_with_the_end_of_its_output_in_one_cell() {
        let mut report = Report::new("promote");
        report.end(crate::exit::Exit::Failed, "check_failed", "check failed");
        let check = |percent, result, exit_code, tail: &[&str]| crate::report::CheckSummary {
            trigger: "50%".into(),
            percent_traffic: percent,
            attempt: 1,
            held: true,
            result,
            exit_code,
            duration_seconds: 1.5,
            output_tail: tail.iter().map(|l| (*l).to_owned()).collect(),
        };
        report.checks = vec![
            check(25, "passed", Some(0), &["ok"]),
            check(
                50,
                "timed_out",
                None,
                &["1", "2", "3", "4", "5", "a | `b`", "last"],
            ),
        ];
        let text = summary(&report, Duration::from_secs(3));
        assert!(
            text.contains("| 25% | 50%, held | passed | 0 | 1.5s | `ok` |\n"),
            "{text}"
        );
        // The last five lines, a pipe escaped and a backtick replaced so the cell stays one.
        assert!(
            text.contains(
                "| 50% | 50%, held | timed_out | none | 1.5s | `3`<br>`4`<br>`5`<br>`a \\| 'b'`<br>`last` |\n"
            ),
            "{text}"
        );
    }
}
