//! Stage 1: a Baseten docs page → one source document under `openapi/sources/`.
//!
//! A docs page (Markdown, as served at `<page>.md`) embeds its operation's OpenAPI document in a
//! fenced block whose info string is ```` ```yaml <method> <path> ````. Pages may carry other
//! fenced blocks first (response examples), so the block is chosen by its content: the one
//! whose top-level `openapi:` key makes it an OpenAPI document. The block is kept byte for byte.
//!
//! [`import_from_spec`] is the other way in: operations cut out of Baseten's full specification
//! ([`from_spec`](super::from_spec)), for pages that cannot be fetched.

use crate::document;
use crate::fetch;
use anyhow::{Result, bail};
use serde_json::Value;

/// The OpenAPI block of a docs page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedSpec {
    /// The block's text exactly as on the page.
    pub text: String,
    /// 1-based line of the page where the block's text starts (for error messages).
    pub first_line: usize,
    /// `post /v1/…` from the fence's info string, when the page gives it.
    pub operation: Option<(String, String)>,
    /// The page's own URL when the page states it (`# Source: https://…`).
    pub source_url: Option<String>,
}

/// One fenced code block of a Markdown page.
struct Fence<'a> {
    info: &'a str,
    text: &'a str,
    first_line: usize,
}

/// Finds the fenced code blocks of a Markdown page (CommonMark fences: three or more backticks
/// or tildes, indented at most three spaces, closed by a fence of the same character at least
/// as long). An unclosed fence runs to the end of the page, as in CommonMark.
fn fences(page: &str) -> Vec<Fence<'_>> {
    let mut found = Vec::new();
    let mut offset = 0;
    let mut lines = Vec::new();
    for line in page.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    let mut i = 0;
    while i < lines.len() {
        let (_, line) = lines[i];
        let Some((marker, len, info)) = opening_fence(line) else {
            i += 1;
            continue;
        };
        let start = lines.get(i + 1).map_or(page.len(), |(o, _)| *o);
        let mut end = page.len();
        let mut j = i + 1;
        while j < lines.len() {
            if closes_fence(lines[j].1, marker, len) {
                end = lines[j].0;
                break;
            }
            j += 1;
        }
        found.push(Fence {
            info,
            text: &page[start..end],
            first_line: i + 2,
        });
        i = j + 1;
    }
    found
}

fn fence_indent(line: &str) -> Option<&str> {
    let trimmed = line.trim_start_matches(' ');
    (line.len() - trimmed.len() <= 3).then_some(trimmed)
}

fn opening_fence(line: &str) -> Option<(char, usize, &str)> {
    let rest = fence_indent(line)?;
    let marker = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.chars().take_while(|c| *c == marker).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    // A backtick fence's info string may not contain backticks (CommonMark 4.5).
    if marker == '`' && info.contains('`') {
        return None;
    }
    Some((marker, len, info))
}

fn closes_fence(line: &str, marker: char, len: usize) -> bool {
    let Some(rest) = fence_indent(line) else {
        return false;
    };
    let count = rest.chars().take_while(|c| *c == marker).count();
    count >= len && rest[count..].trim().is_empty()
}

/// Does this block hold an OpenAPI document? YAML: a top-level `openapi:` line (decided on the
/// text, so that a broken document is still found and reported with its line). JSON: a mapping
/// with `openapi` and `paths` (a response example may well mention "openapi").
fn is_openapi_block(text: &str) -> bool {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str::<Value>(text).is_ok_and(|doc| {
            doc.get("openapi").is_some_and(Value::is_string) && doc.get("paths").is_some()
        });
    }
    text.lines().any(|line| line.starts_with("openapi:"))
}

/// Extracts the OpenAPI block of a docs page. `page_name` names the page in errors.
pub fn extract(page: &str, page_name: &str) -> Result<ExtractedSpec> {
    let blocks: Vec<Fence> = fences(page)
        .into_iter()
        .filter(|f| is_openapi_block(f.text))
        .collect();
    let block = match blocks.as_slice() {
        [] => bail!(
            "{page_name}: no OpenAPI block found (expected a fenced ```yaml block whose document \
             has a top-level `openapi:` key)"
        ),
        [one] => one,
        [first, second, ..] => bail!(
            "{page_name}: {} OpenAPI blocks found (at lines {} and {}); a docs page describes one \
             operation",
            blocks.len(),
            first.first_line,
            second.first_line
        ),
    };
    // Parse now so that a broken page is reported with the page's own line numbers.
    let origin = format!("{page_name} (OpenAPI block)");
    let parsed = document::parse_yaml(block.text, &origin, block.first_line - 1)?;
    if !parsed.get("openapi").is_some_and(Value::is_string) {
        bail!("{origin}: `openapi` must be a version string such as \"3.1.0\"");
    }
    let mut words = block.info.split_whitespace().skip(1);
    let operation = match (words.next(), words.next()) {
        (Some(method), Some(path)) if path.starts_with('/') => {
            Some((method.to_ascii_lowercase(), path.to_string()))
        }
        _ => None,
    };
    Ok(ExtractedSpec {
        text: block.text.to_string(),
        first_line: block.first_line,
        operation,
        source_url: source_url(page),
    })
}

/// The `# Source: <url>` line that Baseten's `.md` pages may start with.
fn source_url(page: &str) -> Option<String> {
    page.lines().take(5).find_map(|line| {
        let url = line.trim().strip_prefix("# Source:")?.trim();
        (url.starts_with("https://") || url.starts_with("http://")).then(|| url.to_string())
    })
}

/// What `cargo xtask import` did.
#[derive(Debug)]
pub struct Imported {
    pub file: String,
    pub operation: String,
    /// Whether the source file's bytes changed.
    pub changed: bool,
}

/// Imports one docs page into `openapi/sources/` and records it in the manifest.
///
/// `known_url` records the page's `.md` URL when the page was saved to a file first (a URL
/// given as `input`, or stated by the page itself, is recorded without it).
pub fn import(
    layout: &crate::layout::Layout,
    input: &str,
    known_url: Option<&str>,
) -> Result<Imported> {
    let page = fetch::read_input(input)?;
    import_page(layout, input, &page, known_url)
}

/// Imports a page already read; `input` is its file path or URL.
pub fn import_page(
    layout: &crate::layout::Layout,
    input: &str,
    page: &str,
    known_url: Option<&str>,
) -> Result<Imported> {
    use crate::manifest::{Manifest, SourceEntry, sha256_hex};

    let spec = extract(page, input)?;
    let parsed = document::parse_yaml(&spec.text, input, spec.first_line - 1)?;
    let defined = document::operations(&parsed);
    let (method, path) = match (&spec.operation, defined.as_slice()) {
        (Some(op), _) if defined.contains(op) => op.clone(),
        (Some((m, p)), _) => bail!(
            "{input}: the page's OpenAPI block is labelled `{m} {p}` but its document does not \
             define that operation"
        ),
        (None, [only]) => only.clone(),
        (None, _) => bail!(
            "{input}: cannot tell which operation the page documents (its fence names none and \
             its document defines {})",
            defined.len()
        ),
    };
    let operation = format!("{method} {path}");

    let manifest_path = layout.manifest();
    let mut manifest = Manifest::load(&manifest_path)?;
    let file = source_file_name(layout, &manifest, &method, &path)?;
    let target = layout.sources_dir().join(&file);
    let changed = std::fs::read(&target).ok().as_deref() != Some(spec.text.as_bytes());
    let url = if fetch::is_url(input) {
        Some(input.to_string())
    } else {
        known_url.map(str::to_string).or(spec.source_url.clone())
    };
    let entry = SourceEntry {
        file: file.clone(),
        operation: operation.clone(),
        imported_from: (!fetch::is_url(input)).then(|| input.to_string()),
        url,
        spec: None,
        spec_origin: None,
        spec_sha256: None,
        sha256: sha256_hex(spec.text.as_bytes()),
    };
    manifest.upsert(entry)?;
    std::fs::create_dir_all(layout.sources_dir())?;
    crate::fsutil::write_atomically(&target, spec.text.as_bytes())?;
    crate::fsutil::write_atomically(&manifest_path, manifest.render()?.as_bytes())?;
    Ok(Imported {
        file,
        operation,
        changed,
    })
}

/// The file in `openapi/sources/` for `method path`: the one it already has, else the overlay's
/// name for the operation, else the name derived from method and path.
fn source_file_name(
    layout: &crate::layout::Layout,
    manifest: &crate::manifest::Manifest,
    method: &str,
    path: &str,
) -> Result<String> {
    let operation = format!("{method} {path}");
    if let Some(existing) = manifest.sources.iter().find(|e| e.operation == operation) {
        return Ok(existing.file.clone());
    }
    let overlay = if layout.overlay().exists() {
        document::read(&layout.overlay())?
    } else {
        Value::Null
    };
    let name = crate::operation_names::overlay_operation_id(&overlay, method, path)
        .unwrap_or_else(|| crate::operation_names::derived_name(method, path));
    Ok(format!("{name}.yaml"))
}

/// How the manifest records where a spec was read from: a URL as given; a file by its path
/// from the project root when it is inside the project (the same entry whatever directory the
/// import ran in), else by its absolute path.
pub fn recorded_spec_location(layout: &crate::layout::Layout, input: &str) -> String {
    if fetch::is_url(input) {
        return input.to_string();
    }
    let Ok(file) = std::path::Path::new(input).canonicalize() else {
        return input.to_string();
    };
    let root = layout
        .root()
        .canonicalize()
        .unwrap_or_else(|_| layout.root().to_path_buf());
    match file.strip_prefix(&root) {
        Ok(relative) => relative.display().to_string(),
        Err(_) => file.display().to_string(),
    }
}

/// `cargo xtask import --from-spec`: extracts `operations` (`'<METHOD> <path>'` each) from the
/// full specification at `spec_input` (a file or URL) into `openapi/sources/`, and records each
/// in the manifest with the spec's location and SHA-256 (and `spec_origin`, a note for people
/// on where a spec saved to a file was published).
///
/// All or nothing: every operation is extracted, and the new documents are merged with the
/// committed sources they join, before any file is written; otherwise the error names each
/// problem and nothing changes.
pub fn import_from_spec(
    layout: &crate::layout::Layout,
    spec_input: &str,
    operations: &[String],
    spec_origin: Option<&str>,
) -> Result<Vec<Imported>> {
    let wanted = operations
        .iter()
        .map(|o| super::from_spec::parse_operation(o))
        .collect::<Result<Vec<_>>>()?;
    let spec = super::from_spec::Spec::read(spec_input)?;
    import_from_parsed_spec(layout, &spec, spec_input, &wanted, spec_origin)
}

/// [`import_from_spec`] with the spec already read; `spec_input` is its file path or URL.
pub fn import_from_parsed_spec(
    layout: &crate::layout::Layout,
    spec: &super::from_spec::Spec,
    spec_input: &str,
    operations: &[(String, String)],
    spec_origin: Option<&str>,
) -> Result<Vec<Imported>> {
    use super::from_spec::{extract_text, show_operation};
    use crate::manifest::{Manifest, Origin, SourceEntry, sha256_hex};

    if operations.is_empty() {
        bail!("name at least one operation to extract, as '<METHOD> <path>'");
    }
    for (i, (method, path)) in operations.iter().enumerate() {
        if operations[..i].contains(&(method.clone(), path.clone())) {
            bail!("`{}` is named twice", show_operation(method, path));
        }
    }
    let manifest_path = layout.manifest();
    let mut manifest = Manifest::load(&manifest_path)?;
    let recorded = recorded_spec_location(layout, spec_input);

    let mut problems = Vec::new();
    let mut extracted = Vec::new();
    for (method, path) in operations {
        match extract_text(spec, method, path) {
            Ok(text) => {
                let file = source_file_name(layout, &manifest, method, path)?;
                extracted.push(Extraction {
                    method: method.clone(),
                    path: path.clone(),
                    file,
                    text,
                });
            }
            Err(err) => problems.push(format!("{err:#}")),
        }
    }
    match problems.as_slice() {
        [] => {}
        [one] => bail!("{one}; no file was written"),
        many => bail!(
            "{} of the {} operations cannot be extracted; no file was written:\n  - {}",
            many.len(),
            operations.len(),
            many.join("\n  - ")
        ),
    }
    for (i, one) in extracted.iter().enumerate() {
        if let Some(other) = extracted[..i].iter().find(|e| e.file == one.file) {
            bail!(
                "`{}` and `{}` would both be written to {}; give one of them another \
                 operationId in openapi/overlay.yaml",
                show_operation(&other.method, &other.path),
                show_operation(&one.method, &one.path),
                one.file
            );
        }
    }

    check_merge(layout, &manifest, spec, &extracted)?;

    let mut files = Vec::new();
    let mut imported = Vec::new();
    for Extraction {
        method,
        path,
        file,
        text,
    } in extracted
    {
        let operation = format!("{method} {path}");
        let target = layout.sources_dir().join(&file);
        let changed = std::fs::read(&target).ok().as_deref() != Some(text.as_bytes());
        // Re-importing from the same spec file keeps the note on where it was published,
        // unless a new one is given: the note describes the file, not this import.
        let kept_origin = manifest
            .sources
            .iter()
            .find(|e| e.operation == operation)
            .and_then(|e| match e.origin() {
                Origin::Spec {
                    spec, spec_origin, ..
                } if spec == recorded => spec_origin.map(str::to_string),
                _ => None,
            });
        manifest.upsert(SourceEntry {
            file: file.clone(),
            operation: operation.clone(),
            url: None,
            imported_from: None,
            spec: Some(recorded.clone()),
            spec_origin: spec_origin.map(str::to_string).or(kept_origin),
            spec_sha256: Some(spec.sha256.clone()),
            sha256: sha256_hex(text.as_bytes()),
        })?;
        files.push((target, text.into_bytes()));
        imported.push(Imported {
            file,
            operation,
            changed,
        });
    }
    std::fs::create_dir_all(layout.sources_dir())
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", layout.sources_dir().display()))?;
    files.push((manifest_path, manifest.render()?.into_bytes()));
    crate::fsutil::write_all_atomically(&files)?;
    Ok(imported)
}

/// One operation extracted for `import --from-spec`, not yet written.
struct Extraction {
    method: String,
    path: String,
    /// Its file name in `openapi/sources/`.
    file: String,
    /// The document, as the file's bytes.
    text: String,
}

/// Refuses documents that would not merge with the committed sources they join (those of the
/// operations they replace left out), so that a disagreement is reported by the import that
/// causes it, with no file written, rather than by the next `generate`.
///
/// The new documents are named by the spec they came from: the components and requirements
/// they hold sit at the same JSON pointers in the spec, so its lines are where to look.
fn check_merge(
    layout: &crate::layout::Layout,
    manifest: &crate::manifest::Manifest,
    spec: &super::from_spec::Spec,
    extracted: &[Extraction],
) -> Result<()> {
    use super::merge::{Source, merge};

    // (file name, source): the file name decides the order, as in `generate`.
    let mut order: Vec<(String, Source)> = Vec::new();
    if !manifest.sources.is_empty() {
        for source in super::load_sources(layout)? {
            let file = source.name.rsplit('/').next().unwrap_or(&source.name);
            if !extracted.iter().any(|e| e.file == file) {
                order.push((file.to_string(), source));
            }
        }
    }
    for one in extracted {
        order.push((
            one.file.clone(),
            Source {
                name: spec.name.clone(),
                doc: document::parse_yaml(&one.text, &one.file, 0)?,
                // Lines only matter in an error; indexing the spec is left until one occurs.
                lines: crate::locate::LineIndex::default(),
            },
        ));
    }
    order.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sources: Vec<Source> = order.into_iter().map(|(_, s)| s).collect();
    if merge(&sources).is_ok() {
        return Ok(());
    }
    for source in sources.iter_mut().filter(|s| s.name == spec.name) {
        source.lines = spec.lines().clone();
    }
    let Err(err) = merge(&sources) else {
        return Ok(());
    };
    let shown: Vec<String> = extracted
        .iter()
        .map(|e| format!("`{}`", super::from_spec::show_operation(&e.method, &e.path)))
        .collect();
    Err(err.context(format!(
        "the documents extracted from {} for {} do not merge with the committed sources in {}; \
         no file was written",
        spec.name,
        shown.join(", "),
        layout.display(&layout.sources_dir())
    )))
}
