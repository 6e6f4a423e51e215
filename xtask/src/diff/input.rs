//! Reading a spec to compare: a file, or `REV:path` from git (`HEAD:openapi/baseten.yaml`,
//! `v0.1.0:openapi/baseten.yaml`).

use crate::document;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Reads `spec`: a file when one exists at that path (relative to the working directory), else
/// a `REV:path` git revision, read with `git show` in `repo`.
pub fn load(spec: &str, repo: &Path) -> Result<Value> {
    let (text, name) = read(spec, repo)?;
    document::parse_yaml(&text, &name, 0)
}

/// The text of `spec` and the name to report it under.
pub fn read(spec: &str, repo: &Path) -> Result<(String, String)> {
    let path = Path::new(spec);
    if path.is_file() {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {spec}"))?;
        return Ok((text, spec.to_string()));
    }
    let Some((revision, file)) = spec.split_once(':') else {
        bail!(
            "{spec}: no such file (a git revision is written `REV:path`, e.g. `HEAD:openapi/baseten.yaml`)"
        );
    };
    if revision.is_empty() || file.is_empty() {
        bail!("{spec}: a git revision is written `REV:path`, e.g. `HEAD:openapi/baseten.yaml`");
    }
    let output = Command::new("git")
        .arg("show")
        .arg(format!("{revision}:{file}"))
        .current_dir(repo)
        .output()
        .with_context(|| format!("{spec}: cannot run `git show` in {}", repo.display()))?;
    if !output.status.success() {
        bail!(
            "{spec}: `git show {revision}:{file}` failed in {}: {}",
            repo.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8(output.stdout)
        .with_context(|| format!("{spec}: the file at that revision is not UTF-8"))?;
    Ok((text, spec.to_string()))
}
