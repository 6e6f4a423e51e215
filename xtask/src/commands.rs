//! `cargo xtask generate` and `cargo xtask check`: write the pipeline's products, or prove the
//! committed ones are fresh.

use crate::fsutil::write_atomically;
use crate::layout::Layout;
use crate::pipeline::{self, Outputs};
use anyhow::Result;
use similar::TextDiff;
use std::path::PathBuf;

/// The generated files and their expected contents.
fn products(layout: &Layout, outputs: &Outputs) -> Vec<(PathBuf, String)> {
    vec![
        (layout.merged(), outputs.merged.clone()),
        (layout.derived(), outputs.derived.clone()),
    ]
}

/// Runs the pipeline and writes the files that changed. Returns the pipeline's notes and the
/// files written. Nothing is written unless every stage succeeded.
pub fn generate(layout: &Layout) -> Result<(Vec<String>, Vec<String>)> {
    let outputs = pipeline::run(layout)?;
    let mut written = Vec::new();
    for (path, text) in products(layout, &outputs) {
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            write_atomically(&path, text.as_bytes())?;
            written.push(layout.display(&path));
        }
    }
    Ok((outputs.notes, written))
}

/// One committed file that does not match what the pipeline produces.
#[derive(Debug)]
pub struct Stale {
    pub file: String,
    /// A unified diff from the committed text to the expected one.
    pub diff: String,
}

/// Runs the pipeline in memory and compares its products with the committed files.
pub fn check(layout: &Layout) -> Result<Vec<Stale>> {
    let outputs = pipeline::run(layout)?;
    let mut stale = Vec::new();
    for (path, expected) in products(layout, &outputs) {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != expected {
            let file = layout.display(&path);
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
