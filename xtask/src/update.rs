//! `cargo xtask update`: fetch every source page again from the URL in the manifest, run the
//! pipeline, and show what changed, all before writing anything.
//!
//! All or nothing: if a page cannot be fetched, holds no OpenAPI block, does not parse, or no
//! longer documents its operation, or if the pages together do not make a valid spec, no file
//! changes and the error names each failing page and why.
//!
//! `--base-url` (or `$XTASK_DOCS_BASE_URL`) replaces the scheme and host of every manifest URL,
//! keeping its path: for a mirror of docs.baseten.co, or a local server in tests.

use crate::diff::{self, Report};
use crate::document;
use crate::fsutil::write_all_atomically;
use crate::layout::Layout;
use crate::manifest::{Manifest, sha256_hex};
use crate::pipeline::{self, import, merge};
use anyhow::{Context, Result, bail};
use serde_json::Value;

/// One source and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// Fetched from `url` (the manifest's; `from` is where it was actually fetched).
    Fetched {
        file: String,
        url: String,
        from: String,
        changed: bool,
    },
    /// Not fetched: the manifest has no URL for it.
    Skipped { file: String, reason: String },
}

/// What `update` found and did.
#[derive(Debug)]
pub struct Updated {
    pub pages: Vec<Page>,
    /// The committed `openapi/baseten.yaml` against the new one.
    pub report: Report,
    pub notes: Vec<String>,
    /// Files written, relative to the project root (empty when nothing changed).
    pub written: Vec<String>,
}

/// `https://docs.baseten.co/reference/x.md` with base `http://127.0.0.1:8000` →
/// `http://127.0.0.1:8000/reference/x.md`.
pub fn rebase(url: &str, base: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path = url[after_scheme..]
        .find('/')
        .map_or("", |i| &url[after_scheme + i..]);
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Fetches, regenerates and, if every page worked, writes the new sources, manifest and specs.
pub fn update(layout: &Layout, base_url: Option<&str>) -> Result<Updated> {
    let manifest_path = layout.manifest();
    let mut manifest = Manifest::load(&manifest_path)?;
    // The committed sources, checked against the manifest as `generate` does.
    let committed = pipeline::load_sources(layout)?;

    let mut pages = Vec::new();
    let mut failures = Vec::new();
    let mut sources = Vec::new();
    let mut changed_files = Vec::new();
    for source in committed {
        let file = source
            .name
            .rsplit('/')
            .next()
            .unwrap_or(&source.name)
            .to_string();
        let Some(entry) = manifest.sources.iter().find(|e| e.file == file).cloned() else {
            bail!("{} is not in the manifest", source.name);
        };
        let Some(url) = entry.url.clone() else {
            let from = entry
                .imported_from
                .as_deref()
                .map(|f| format!(" (imported from {f})"))
                .unwrap_or_default();
            pages.push(Page::Skipped {
                file: source.name.clone(),
                reason: format!(
                    "the manifest records no URL for it{from}; kept as committed. Record one with \
                     `cargo xtask import <saved page> --url <its .md URL>`"
                ),
            });
            sources.push(source);
            continue;
        };
        let from = match base_url {
            Some(base) => rebase(&url, base),
            None => url.clone(),
        };
        match fetch_source(&url, &from, &entry.operation) {
            Ok(text) => {
                let changed = sha256_hex(text.as_bytes()) != entry.sha256;
                pages.push(Page::Fetched {
                    file: source.name.clone(),
                    url: url.clone(),
                    from: from.clone(),
                    changed,
                });
                match merge::Source::parse(&source.name, &text) {
                    Ok(parsed) => sources.push(parsed),
                    Err(err) => failures.push(format!("{url}: {err:#}")),
                }
                if changed {
                    changed_files.push((file, text));
                }
            }
            Err(err) => {
                let via = if from == url {
                    String::new()
                } else {
                    format!(" (fetched from {from})")
                };
                failures.push(format!("page {url}{via} for {}: {err:#}", source.name));
            }
        }
    }
    if !failures.is_empty() {
        bail!(
            "{} page(s) could not be used; no file was changed:\n  - {}",
            failures.len(),
            failures.join("\n  - ")
        );
    }

    let overlay = document::read(&layout.overlay())?;
    let outputs = pipeline::run_on(&sources, &overlay, &layout.display(&layout.overlay()))
        .context("the fetched pages do not make a valid spec; no file was changed")?;

    let merged_name = layout.display(&layout.merged());
    let old = if layout.merged().exists() {
        document::read(&layout.merged())?
    } else {
        Value::Object(Default::default())
    };
    let new = document::parse_yaml(&outputs.merged, &merged_name, 0)?;
    let report = diff::diff(
        &old,
        &new,
        &format!("{merged_name} (committed)"),
        &format!("{merged_name} (fetched)"),
    );

    let mut files: Vec<(std::path::PathBuf, Vec<u8>)> = Vec::new();
    for (file, text) in &changed_files {
        let entry = manifest
            .sources
            .iter_mut()
            .find(|e| &e.file == file)
            .expect("changed files come from the manifest");
        entry.sha256 = sha256_hex(text.as_bytes());
        // It now comes from its URL, not from the file it was first imported from.
        entry.imported_from = None;
        files.push((layout.sources_dir().join(file), text.clone().into_bytes()));
    }
    if !changed_files.is_empty() {
        files.push((manifest_path.clone(), manifest.render()?.into_bytes()));
    }
    for (path, text) in crate::commands::products(layout, &outputs) {
        files.push((path, text.into_bytes()));
    }
    files.retain(|(path, bytes)| std::fs::read(path).ok().as_deref() != Some(bytes.as_slice()));
    write_all_atomically(&files)?;
    Ok(Updated {
        pages,
        report,
        notes: outputs.notes,
        written: files.iter().map(|(p, _)| layout.display(p)).collect(),
    })
}

/// Fetches a page and returns its OpenAPI block, checking that it still documents `operation`
/// (`post /v1/…`, as the manifest records it).
fn fetch_source(url: &str, from: &str, operation: &str) -> Result<String> {
    let page = crate::fetch::get_text(from)?;
    let spec = import::extract(&page, url)?;
    let doc = document::parse_yaml(&spec.text, url, spec.first_line - 1)?;
    let defined: Vec<String> = import::operations(&doc)
        .into_iter()
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    let labelled = spec.operation.map(|(m, p)| format!("{m} {p}"));
    let documents = match &labelled {
        Some(label) => label == operation && defined.iter().any(|d| d == operation),
        None => defined.iter().any(|d| d == operation),
    };
    if !documents {
        let now = labelled.unwrap_or_else(|| defined.join(", "));
        bail!(
            "the page now documents `{now}`, not `{operation}`; if the operation moved, import \
             the page again (`cargo xtask import {url}`) and update openapi/overlay.yaml"
        );
    }
    Ok(spec.text)
}
