//! `cargo xtask generate` and `cargo xtask check`: write the pipeline's products (the two specs
//! in `openapi/`, and baseten-mock's copy of the 3.1 one), or prove the committed ones are
//! fresh. `generate --spec` runs the pipeline on one complete document.

use crate::fsutil::write_atomically;
use crate::layout::Layout;
use crate::pipeline::{self, Outputs};
use anyhow::{Context, Result};
use similar::TextDiff;
use std::path::{Path, PathBuf};

/// The generated files and their expected contents. `update` writes the same list.
pub(crate) fn products(layout: &Layout, outputs: &Outputs) -> Vec<(PathBuf, String)> {
    vec![
        (layout.merged(), outputs.merged.clone()),
        (layout.derived(), outputs.derived.clone()),
        (layout.mock_spec(), outputs.merged.clone()),
    ]
}

/// Runs the pipeline and writes the files that changed. Returns the pipeline's notes and the
/// files written. Nothing is written unless every stage succeeded.
pub fn generate(layout: &Layout) -> Result<(Vec<String>, Vec<String>)> {
    let outputs = pipeline::run(layout)?;
    let mut written = Vec::new();
    for (path, text) in products(layout, &outputs) {
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            if let Some(dir) = path.parent() {
                // The mock's `spec/` folder may not exist yet in a fresh layout.
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            write_atomically(&path, text.as_bytes())?;
            written.push(layout.display(&path));
        }
    }
    Ok((outputs.notes, written))
}

/// One committed file that does not match what the pipeline produces, or is missing.
#[derive(Debug)]
pub struct Stale {
    pub file: String,
    /// A unified diff from the committed text to the expected one; for a missing file, a line
    /// saying so (the whole file as a diff would bury the message).
    pub diff: String,
}

/// Runs the pipeline in memory and compares its products with the committed files.
pub fn check(layout: &Layout) -> Result<Vec<Stale>> {
    let outputs = pipeline::run(layout)?;
    let mut stale = Vec::new();
    for (path, expected) in products(layout, &outputs) {
        let file = layout.display(&path);
        let committed = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                stale.push(Stale {
                    diff: format!("{file} is missing\n"),
                    file,
                });
                continue;
            }
            Err(err) => return Err(err).with_context(|| format!("cannot read {file}")),
        };
        if committed != expected {
            let diff = TextDiff::from_lines(&committed, &expected)
                .unified_diff()
                .context_radius(3)
                .header(
                    &format!("{file} (committed)"),
                    &format!("{file} (generated)"),
                )
                .to_string();
            stale.push(Stale { file, diff });
        }
    }
    Ok(stale)
}

/// What `generate --spec` wrote.
#[derive(Debug)]
pub struct FromSpec {
    /// Each file written and its size in bytes.
    pub written: Vec<(String, usize)>,
    /// The number of operations in the derived document.
    pub operations: usize,
    /// The number of notes the stages made (dropped keywords, derived names, …).
    pub notes: usize,
}

/// Runs the pipeline on one complete OpenAPI 3.1 document and writes `baseten.yaml`,
/// `baseten-3.0.json` and `notes.txt` (the stages' notes, one a line: on a spec of 150
/// operations they are too many for the terminal) into `out_dir` (created if needed).
pub fn generate_from_spec(spec: &Path, overlay: Option<&Path>, out_dir: &Path) -> Result<FromSpec> {
    let name = spec.display().to_string();
    let text = std::fs::read_to_string(spec).with_context(|| format!("cannot read {name}"))?;
    let overlay = match overlay {
        Some(path) => Some((crate::document::read(path)?, path.display().to_string())),
        None => None,
    };
    let outputs = pipeline::run_on_document(
        &name,
        &text,
        overlay.as_ref().map(|(doc, name)| (doc, name.as_str())),
    )?;
    let derived: serde_json::Value = serde_json::from_str(&outputs.derived)?;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let mut written = Vec::new();
    let mut notes = outputs.notes.join("\n");
    if !notes.is_empty() {
        notes.push('\n');
    }
    for (file, text) in [
        ("baseten.yaml", &outputs.merged),
        ("baseten-3.0.json", &outputs.derived),
        ("notes.txt", &notes),
    ] {
        let path = out_dir.join(file);
        write_atomically(&path, text.as_bytes())?;
        written.push((path.display().to_string(), text.len()));
    }
    Ok(FromSpec {
        written,
        operations: crate::document::operations(&derived).len(),
        notes: outputs.notes.len(),
    })
}

/// The outcome of running the test suite after an update.
#[derive(Debug)]
pub struct Tests {
    /// Whether every test passed, snapshot assertions aside.
    pub passed: bool,
    /// The `*.snap.new` files waiting for `cargo insta review`, relative to the root.
    pub pending: Vec<String>,
}

/// Runs `cargo test --workspace` so that every changed snapshot is written next to the old one
/// as `*.snap.new` (insta's `INSTA_UPDATE=new`) without failing its test
/// (`INSTA_FORCE_PASS`): what fails is then a real failure.
pub fn test_for_snapshots(layout: &Layout) -> Result<Tests> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["test", "--workspace", "--no-fail-fast"])
        .current_dir(layout.root())
        .env("INSTA_UPDATE", "new")
        .env("INSTA_FORCE_PASS", "1")
        .status()
        .context("cannot run `cargo test --workspace`")?;
    let mut pending = Vec::new();
    collect_pending(layout, layout.root(), &mut pending);
    pending.sort();
    Ok(Tests {
        passed: status.success(),
        pending,
    })
}

fn collect_pending(layout: &Layout, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect_pending(layout, &path, out);
            }
        } else if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            out.push(layout.display(&path));
        }
    }
}
