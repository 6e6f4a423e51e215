//! `openapi/sources/manifest.yaml`: where each source document came from.
//!
//! It lets a maintainer (and `cargo xtask update`) fetch a page again, and lets `check` notice a
//! source file edited by hand: sources are Baseten's text byte for byte, our changes belong in
//! the overlay.
//!
//! A source comes from one of two places, told apart by the fields its entry has:
//! - a docs page: `url` (the page's `.md` address, where known) and/or `imported_from` (the
//!   saved file it was read from);
//! - Baseten's full specification (`cargo xtask import --from-spec`): `spec` (its URL, or the
//!   file it was read from), `spec_sha256`, and optionally `spec_origin`, a note for people on
//!   where a spec saved to a file was published. The source file is then our extraction of one
//!   operation from that spec, not Baseten's bytes, so `sha256` still guards it against edits.

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
    /// Earlier captures of Baseten's full specification, no source's any more: what they
    /// declared still relaxes the merged document, so that a response from the API as it was
    /// then still decodes (`pipeline::merge::relax`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_captures: Vec<Capture>,
}

/// An earlier capture of Baseten's full specification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// The file (relative to the project root).
    pub spec: String,
    /// Where it was published, in words.
    pub spec_origin: String,
    /// SHA-256 of its bytes: a changed file is an error, not a silently different rule.
    pub spec_sha256: String,
}

/// Where a source document came from, as its manifest entry records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'a> {
    /// A docs page: its `.md` URL where known, and the saved file it was read from, if any.
    Page {
        url: Option<&'a str>,
        imported_from: Option<&'a str>,
    },
    /// One operation extracted from a full specification (a URL or a file).
    Spec {
        spec: &'a str,
        spec_sha256: &'a str,
        spec_origin: Option<&'a str>,
    },
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
    /// The full specification the document was extracted from: an http(s) URL, which `update`
    /// fetches again, or a file (relative to the project root when inside it), which it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// Where a spec saved to a file was published, in words (never fetched): a file path alone
    /// does not say which of Baseten's versions it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_origin: Option<String>,
    /// SHA-256 of the specification's bytes when the document was last extracted from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_sha256: Option<String>,
    /// SHA-256 of the source file, so a hand edit is caught by `cargo xtask check`.
    pub sha256: String,
}

impl SourceEntry {
    /// Where the document came from. Call on an entry of a loaded manifest: loading refuses
    /// entries whose fields mix both kinds.
    pub fn origin(&self) -> Origin<'_> {
        match (&self.spec, &self.spec_sha256) {
            (Some(spec), Some(sha)) => Origin::Spec {
                spec,
                spec_sha256: sha,
                spec_origin: self.spec_origin.as_deref(),
            },
            _ => Origin::Page {
                url: self.url.as_deref(),
                imported_from: self.imported_from.as_deref(),
            },
        }
    }

    /// Why the entry's fields do not describe one kind of source, if they do not.
    fn inconsistency(&self) -> Option<&'static str> {
        let page_fields = self.url.is_some() || self.imported_from.is_some();
        let spec_fields = self.spec_sha256.is_some() || self.spec_origin.is_some();
        match (&self.spec, page_fields) {
            (Some(_), true) => Some(
                "has both `spec` and a page's `url`/`imported_from`; a source comes from either a \
                 docs page or the full specification",
            ),
            (Some(_), false) if self.spec_sha256.is_none() => {
                Some("has `spec` but no `spec_sha256`")
            }
            (None, _) if spec_fields => Some("has `spec_sha256` or `spec_origin` but no `spec`"),
            _ => None,
        }
    }
}

const HEADER: &str = "# Where each document in this folder came from. Written by `cargo xtask import`;\n\
                      # the documents are Baseten's text byte for byte (our changes go in ../overlay.yaml).\n\
                      # An entry with `spec` is one operation cut out of Baseten's full specification\n\
                      # by `cargo xtask import --from-spec`, laid out as a docs page lays it out.\n";

impl Manifest {
    /// Reads the manifest; a missing file is an empty manifest.
    pub fn load(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Ok(Self::default());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let manifest: Self = serde_yaml_ng::from_str(&text).map_err(|err| {
            let at = err
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            anyhow::anyhow!("{}{at}: invalid manifest: {err}", path.display())
        })?;
        for (index, entry) in manifest.sources.iter().enumerate() {
            if let Some(problem) = entry.inconsistency() {
                let line = crate::locate::LineIndex::new(&text)
                    .line_of(&format!("/sources/{index}"))
                    .map(|l| format!(":{l}"))
                    .unwrap_or_default();
                bail!(
                    "{}{line}: invalid manifest: the entry for {} {problem}",
                    path.display(),
                    entry.file
                );
            }
        }
        Ok(manifest)
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
