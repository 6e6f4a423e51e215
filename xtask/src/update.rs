//! `cargo xtask update`: fetch every source page again from the URL in the manifest, and every
//! full specification that sources were extracted from (`import --from-spec`), run the
//! pipeline, and show what changed, all before writing anything.
//!
//! A spec is fetched once, however many sources come from it, and each of its operations is
//! extracted again. Sources whose manifest entry has no URL (a page saved to a file, a spec
//! read from a file) are kept as committed, and the result says so.
//!
//! All or nothing: if a page cannot be fetched, holds no OpenAPI block, does not parse, or no
//! longer documents its operation, if a spec cannot be fetched or no longer has an operation
//! (or a component it needs), or if the sources together do not make a valid spec, no file
//! changes and the error names each failing source and why.
//!
//! `--base-url` (or `$XTASK_DOCS_BASE_URL`) replaces the scheme and host of every manifest URL,
//! pages' and specs' alike, keeping its path: for a mirror, or a local server in tests.

use crate::diff::{self, Report};
use crate::document;
use crate::fsutil::write_all_atomically;
use crate::layout::Layout;
use crate::manifest::{Manifest, Origin, sha256_hex};
use crate::pipeline::from_spec::{self, Spec};
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
    /// Extracted again from the full specification at `spec` (the manifest's URL; `from` is
    /// where it was actually fetched).
    Extracted {
        file: String,
        operation: String,
        spec: String,
        from: String,
        changed: bool,
    },
    /// Not fetched: the manifest has no URL for it.
    Skipped { file: String, reason: String },
}

/// A full specification fetched for the sources extracted from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedSpec {
    /// The manifest's URL for it.
    pub url: String,
    /// Where it was fetched.
    pub from: String,
    /// How many sources were extracted from it again.
    pub sources: usize,
}

/// What `update` found and did.
#[derive(Debug)]
pub struct Updated {
    pub pages: Vec<Page>,
    /// Each spec fetched, once, in the order the sources first name it.
    pub specs: Vec<FetchedSpec>,
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
    let recorded = manifest.clone();
    // The committed sources, checked against the manifest as `generate` does.
    let committed = pipeline::load_sources(layout)?;

    let mut pages = Vec::new();
    let mut failures = Vec::new();
    let (specs, mut fetched_specs) = fetch_specs(layout, &manifest, base_url, &mut failures);
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
        if let Origin::Spec {
            spec, spec_origin, ..
        } = entry.origin()
        {
            let Some(fetched) = specs.iter().find(|(url, _)| url == spec) else {
                let published = spec_origin.map(|o| format!(" ({o})")).unwrap_or_default();
                pages.push(Page::Skipped {
                    file: source.name.clone(),
                    reason: format!(
                        "extracted from the spec file {spec}{published}, which `update` cannot \
                         fetch again; kept as committed. To refresh it, extract it from a newer \
                         spec: `cargo xtask import --from-spec <file | URL> '{}'`",
                        shown_operation(&entry.operation)
                    ),
                });
                sources.push(source);
                continue;
            };
            // A spec that could not be fetched is already reported, once for all its sources.
            let (_, Some((spec, from))) = fetched else {
                continue;
            };
            let (method, path) = entry.operation.split_once(' ').unwrap_or(("", ""));
            match from_spec::extract_text(spec, method, path) {
                Ok(text) => {
                    let changed = sha256_hex(text.as_bytes()) != entry.sha256;
                    pages.push(Page::Extracted {
                        file: source.name.clone(),
                        operation: entry.operation.clone(),
                        spec: spec.name.clone(),
                        from: from.clone(),
                        changed,
                    });
                    match merge::Source::parse(&source.name, &text) {
                        Ok(parsed) => sources.push(parsed),
                        Err(err) => failures.push(format!("{}: {err:#}", spec.name)),
                    }
                    if let Some(entry) = manifest.sources.iter_mut().find(|e| e.file == file) {
                        entry.spec_sha256 = Some(spec.sha256.clone());
                    }
                    if changed {
                        changed_files.push((file, text));
                    }
                }
                Err(err) => failures.push(format!(
                    "spec {} for {} (`{}`): {err:#}",
                    spec.name,
                    source.name,
                    shown_operation(&entry.operation)
                )),
            }
            continue;
        }
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
            "{} source(s) could not be used; no file was changed:\n  - {}",
            failures.len(),
            failures.join("\n  - ")
        );
    }
    for fetched in &mut fetched_specs {
        fetched.sources = pages
            .iter()
            .filter(|p| matches!(p, Page::Extracted { spec, .. } if *spec == fetched.url))
            .count();
    }

    let overlay = document::read(&layout.overlay())?;
    let earlier = pipeline::load_earlier_captures(layout)?;
    let outputs = pipeline::run_on(
        &sources,
        &earlier,
        &overlay,
        &layout.display(&layout.overlay()),
    )
    .context("the fetched sources do not make a valid spec; no file was changed")?;

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
        if entry.spec.is_none() {
            // It now comes from its URL, not from the file it was first imported from.
            entry.imported_from = None;
        }
        files.push((layout.sources_dir().join(file), text.clone().into_bytes()));
    }
    // Also when only a spec's checksum moved: the entry says which spec it was checked against.
    if manifest != recorded {
        files.push((manifest_path.clone(), manifest.render()?.into_bytes()));
    }
    for (path, text) in crate::commands::products(layout, &outputs) {
        files.push((path, text.into_bytes()));
    }
    files.retain(|(path, bytes)| std::fs::read(path).ok().as_deref() != Some(bytes.as_slice()));
    write_all_atomically(&files)?;
    Ok(Updated {
        pages,
        specs: fetched_specs,
        report,
        notes: outputs.notes,
        written: files.iter().map(|(p, _)| layout.display(p)).collect(),
    })
}

/// A spec as fetched for `update`: the manifest's URL, and the parsed spec with where it was
/// fetched, or `None` when it could not be used (the reason is in the failures).
type Fetched = (String, Option<(Spec, String)>);

/// Fetches, once each, the specs that sources were extracted from and that the manifest records
/// by URL, in the order the manifest first names them. A spec that cannot be fetched or parsed
/// adds one failure naming every source that needs it.
fn fetch_specs(
    layout: &Layout,
    manifest: &Manifest,
    base_url: Option<&str>,
    failures: &mut Vec<String>,
) -> (Vec<Fetched>, Vec<FetchedSpec>) {
    let mut urls: Vec<&str> = Vec::new();
    for entry in &manifest.sources {
        if let Origin::Spec { spec, .. } = entry.origin()
            && crate::fetch::is_url(spec)
            && !urls.contains(&spec)
        {
            urls.push(spec);
        }
    }
    let mut specs = Vec::new();
    let mut fetched = Vec::new();
    for url in urls {
        let from = base_url.map_or_else(|| url.to_string(), |base| rebase(url, base));
        let parsed = crate::fetch::get_text(&from).and_then(|text| Spec::parse(url, text));
        match parsed {
            Ok(spec) => {
                fetched.push(FetchedSpec {
                    url: url.to_string(),
                    from: from.clone(),
                    sources: 0,
                });
                specs.push((url.to_string(), Some((spec, from))));
            }
            Err(err) => {
                let via = if from == url {
                    String::new()
                } else {
                    format!(" (fetched from {from})")
                };
                let needing: Vec<String> = manifest
                    .sources
                    .iter()
                    .filter(|e| e.spec.as_deref() == Some(url))
                    .map(|e| layout.display(&layout.sources_dir().join(&e.file)))
                    .collect();
                failures.push(format!(
                    "spec {url}{via} for {}: {err:#}",
                    needing.join(", ")
                ));
                specs.push((url.to_string(), None));
            }
        }
    }
    (specs, fetched)
}

/// `get /v1/x` (the manifest's form) → `GET /v1/x` (the form `import --from-spec` takes).
fn shown_operation(operation: &str) -> String {
    match operation.split_once(' ') {
        Some((method, path)) => from_spec::show_operation(method, path),
        None => operation.to_string(),
    }
}

/// Fetches a page and returns its OpenAPI block, checking that it still documents `operation`
/// (`post /v1/…`, as the manifest records it).
fn fetch_source(url: &str, from: &str, operation: &str) -> Result<String> {
    let page = crate::fetch::get_text(from)?;
    let spec = import::extract(&page, url)?;
    let doc = document::parse_yaml(&spec.text, url, spec.first_line - 1)?;
    let defined: Vec<String> = crate::document::operations(&doc)
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
