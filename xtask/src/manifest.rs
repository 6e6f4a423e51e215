//! `openapi/sources/manifest.yaml`: where each source document came from.
//!
//! It lets a maintainer (and `cargo xtask update`) fetch a page again, and lets `check` notice a
//! source file edited by hand: sources are Baseten's text byte for byte, our changes belong in
//! the overlay.

use crate::document;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The manifest file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// One entry per source file, sorted by file name.
    pub sources: Vec<SourceEntry>,
}

/// One source document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    /// File name inside `openapi/sources/`.
    pub file: String,
    /// The operation the page documents, `post /v1/…`.
    pub operation: String,
    /// The docs page's `.md` URL, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The file the page was imported from, when it was not fetched from `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<String>,
    /// SHA-256 of the source file, so a hand edit is caught by `cargo xtask check`.
    pub sha256: String,
}

const HEADER: &str = "# Where each document in this folder came from. Written by `cargo xtask import`;\n\
                      # the documents are Baseten's text byte for byte (our changes go in ../overlay.yaml).\n";

impl Manifest {
    /// Reads the manifest; a missing file is an empty manifest.
    pub fn load(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Ok(Self::default());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        serde_yaml_ng::from_str(&text).map_err(|err| {
            let at = err
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            anyhow::anyhow!("{}{at}: invalid manifest: {err}", path.display())
        })
    }

    /// The manifest's text (deterministic: entries sorted by file name).
    pub fn render(&self) -> Result<String> {
        let mut sorted = self.clone();
        sorted.sources.sort_by(|a, b| a.file.cmp(&b.file));
        let value = serde_json::to_value(&sorted)?;
        document::to_yaml(&value, HEADER)
    }

    /// Adds or replaces the entry for `entry.operation`. Importing the same operation again
    /// (a newer version of the page) replaces its entry; a different operation may not take a
    /// file name that is already in use.
    pub fn upsert(&mut self, entry: SourceEntry) -> Result<Option<SourceEntry>> {
        if let Some(clash) = self
            .sources
            .iter()
            .find(|e| e.file == entry.file && e.operation != entry.operation)
        {
            bail!(
                "{} already holds `{}`; cannot also hold `{}`",
                clash.file,
                clash.operation,
                entry.operation
            );
        }
        let previous = self
            .sources
            .iter()
            .position(|e| e.operation == entry.operation)
            .map(|i| self.sources.remove(i));
        self.sources.push(entry);
        Ok(previous)
    }
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
