//! GitHub Actions: a Markdown summary of the run appended to `$GITHUB_STEP_SUMMARY`, and an
//! `::error::` annotation when the command did not succeed (shown on the run's page).

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
    row("Message", report.message.clone());
    if let Some(hint) = report.error.as_ref().and_then(|e| e.hint.as_ref()) {
        row("What to do", hint.clone());
    }
    text.push('\n');
    text
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
}
