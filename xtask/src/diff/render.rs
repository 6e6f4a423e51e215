//! The two outputs of `cargo xtask diff`: text for a person, JSON for tools (shape documented in
//! [`crate::diff`]).

use super::Report;
use super::change::{Change, Group, Kind};
use serde_json::json;
use std::fmt::Write;

/// The report as text, grouped by operation, schema, security and document.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Spec diff: {} → {}", report.old, report.new);
    let _ = writeln!(
        out,
        "operations: {} → {}",
        report.old_operations, report.new_operations
    );
    if report.changes.is_empty() {
        let _ = writeln!(out, "\nno semantic changes");
        return out;
    }
    for (group, title) in [
        (Group::Operation, "Operations"),
        (Group::Schema, "Schemas"),
        (Group::Security, "Security"),
        (Group::Document, "Document"),
    ] {
        let changes: Vec<&Change> = report.changes.iter().filter(|c| c.group == group).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}");
        // New schemas are listed on one line: there can be a hundred of them.
        let added: Vec<&str> = changes
            .iter()
            .filter(|c| c.kind == Kind::SchemaAdded)
            .map(|c| c.subject.as_str())
            .collect();
        let mut subject = "";
        for change in changes.iter().filter(|c| c.kind != Kind::SchemaAdded) {
            if change.subject != subject {
                subject = &change.subject;
                let role = change
                    .role
                    .filter(|_| group == Group::Schema)
                    .map(|r| format!("  ({})", r.label()))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {subject}{role}");
            }
            let at = if change.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", change.path)
            };
            let _ = writeln!(
                out,
                "    rust: {:<8}  wire: {:<8}  {at}{}",
                change.rust.label(),
                change.wire.label(),
                change.message
            );
        }
        if !added.is_empty() {
            let _ = writeln!(out, "  added ({}): {}", added.len(), added.join(", "));
        }
    }
    let _ = writeln!(out, "\n{}", summary(report));
    out
}

/// The last line: the counts, and what they mean for the version number.
pub fn summary(report: &Report) -> String {
    let advice = if report.rust_breaking() > 0 {
        "the next release is a breaking one (0.x: bump the minor version; 1.x+: the major)"
    } else if report.changes.is_empty() {
        "no release needed for the API"
    } else {
        "the next release can be a compatible one (0.x: patch; 1.x+: minor)"
    };
    let wire = if report.wire_breaking() > 0 {
        "; clients built from the old spec can fail against the new server"
    } else {
        ""
    };
    format!(
        "{} change(s): {} breaking for the Rust API, {} breaking on the wire, {} changing \
         behavior; {advice}{wire}",
        report.changes.len(),
        report.rust_breaking(),
        report.wire_breaking(),
        report.behavior()
    )
}

/// The report as pretty JSON, with a final newline.
pub fn json(report: &Report) -> String {
    let value = json!({
        "format": 1,
        "old": report.old,
        "new": report.new,
        "summary": {
            "changes": report.changes.len(),
            "rust_breaking": report.rust_breaking(),
            "wire_breaking": report.wire_breaking(),
            "behavior": report.behavior(),
            "operations": {"old": report.old_operations, "new": report.new_operations},
        },
        "changes": report.changes,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
