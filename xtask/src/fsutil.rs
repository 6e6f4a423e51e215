//! File writes that never leave a half-written file behind.

use anyhow::{Context, Result};
use std::path::Path;

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so an
/// interrupted run leaves either the old file or the new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))
}

/// Writes several files so that a failure leaves none of them changed: every new text goes to
/// a temporary file beside its target first, and only when all are written are they renamed
/// over their targets (a rename does not fail for lack of space).
pub fn write_all_atomically(files: &[(std::path::PathBuf, Vec<u8>)]) -> Result<()> {
    let mut staged = Vec::new();
    for (path, bytes) in files {
        let dir = path.parent().unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        if let Err(err) = std::fs::write(&temp, bytes) {
            for (temp, _) in &staged {
                let _ = std::fs::remove_file(temp);
            }
            let _ = std::fs::remove_file(&temp);
            return Err(err).with_context(|| format!("cannot write {}", temp.display()));
        }
        staged.push((temp, path));
    }
    for (temp, path) in &staged {
        std::fs::rename(temp, path)
            .with_context(|| format!("cannot replace {}", path.display()))?;
    }
    Ok(())
}
