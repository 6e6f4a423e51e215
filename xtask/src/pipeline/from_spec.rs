//! Stage 1, second kind of source: one operation of Baseten's full specification → a
//! single-operation document of the shape a docs page embeds, under `openapi/sources/`.
//!
//! Baseten renders every docs page from one complete specification (served at
//! `https://api.baseten.co/v1/spec`), so the document of a page that cannot be fetched can be
//! cut out of the spec instead. The cut is laid out as the pages lay theirs out (compare
//! `openapi/sources/force_roll_forward_promotion.yaml`), so that both kinds of source read
//! alike and merge alike:
//! - top level: `openapi`, `info`, `servers`, `security`, `paths`, `components`, in that order;
//! - the path item: its `parameters` first, then the one operation (the path's other methods
//!   belong to other pages);
//! - the operation: its fields in the order the OpenAPI specification lists them, extensions
//!   (`x-codeSamples`) last. The pages order them so; the spec does not (it puts
//!   `x-codeSamples` second);
//! - `components`: `parameters`, `schemas`, any other section, then `securitySchemes`; in each,
//!   the components the operation reaches, transitively, in the order a breadth-first walk from
//!   the path item meets them (the pages' order again); each component exactly as the spec
//!   has it;
//! - the security schemes that the spec's `security` and the operation's name.
//!
//! Extracting `force_roll_forward_promotion` from the 2026-06-03 spec gives the committed page's
//! document, key order included (`tests/from_spec.rs` checks it).

use crate::document::{self, child_pointer, unescape_pointer_token};
use crate::locate::LineIndex;
use crate::manifest::sha256_hex;
use crate::pipeline::HTTP_METHODS;
use anyhow::{Result, anyhow, bail};
use serde_json::{Map, Value};
use std::cell::OnceCell;
use std::collections::VecDeque;

/// A full specification, read and parsed.
#[derive(Debug)]
pub struct Spec {
    /// How messages name it: its URL, or its file path as given.
    pub name: String,
    /// Its text, kept to find the line of a node when something is wrong with it.
    pub text: String,
    pub doc: Value,
    /// SHA-256 of its bytes, recorded in the manifest.
    pub sha256: String,
    /// Built on first use: indexing a 1 MB spec costs more than extracting from it, and only
    /// error messages need lines.
    lines: OnceCell<LineIndex>,
}

impl Spec {
    /// Reads a spec from a file, or fetches it from an http(s) URL.
    pub fn read(input: &str) -> Result<Self> {
        let text = if crate::fetch::is_url(input) {
            crate::fetch::get_text(input)?
        } else {
            std::fs::read_to_string(input)
                .map_err(|e| anyhow!("cannot read the spec {input}: {e}"))?
        };
        Self::parse(input, text)
    }

    /// Parses a spec's text (JSON, as Baseten serves it, or YAML); `name` names it in errors.
    pub fn parse(name: &str, text: String) -> Result<Self> {
        let doc = if text.trim_start().starts_with('{') {
            // JSON through the JSON parser: its errors carry the line and column, and it is
            // several times faster than the YAML one on a spec this size.
            serde_json::from_str(&text).map_err(|err| {
                let message = err.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message);
                anyhow!(
                    "{name}:{}:{}: invalid JSON: {message}",
                    err.line(),
                    err.column()
                )
            })?
        } else {
            document::parse_yaml(&text, name, 0)?
        };
        let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
        if !version.starts_with("3.1.") {
            bail!(
                "{name}: not an OpenAPI 3.1 document (`openapi` is {:?}); --from-spec reads \
                 Baseten's full specification, such as https://api.baseten.co/v1/spec",
                doc.get("openapi").unwrap_or(&Value::Null)
            );
        }
        if !doc.get("paths").is_some_and(Value::is_object) {
            bail!("{name}: the spec has no `paths` mapping");
        }
        Ok(Self {
            name: name.to_string(),
            sha256: sha256_hex(text.as_bytes()),
            text,
            doc,
            lines: OnceCell::new(),
        })
    }

    /// Where each node of the spec is, by JSON pointer.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// `name:line` of the node at `pointer` (or of its nearest ancestor).
    pub fn at(&self, pointer: &str) -> String {
        match self.lines().line_of(pointer) {
            Some(line) => format!("{}:{line}", self.name),
            None => self.name.clone(),
        }
    }

    /// Every operation of the spec as `(method, path)`, in document order.
    pub fn operations(&self) -> Vec<(String, String)> {
        document::operations(&self.doc)
    }
}

/// Parses `'<METHOD> <path>'` (as given on the command line; the method in any case) into the
/// manifest's form: the method in lower case, and the path.
pub fn parse_operation(text: &str) -> Result<(String, String)> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(method), Some(path), None)
            if HTTP_METHODS.contains(&method.to_ascii_lowercase().as_str())
                && path.starts_with('/') =>
        {
            Ok((method.to_ascii_lowercase(), path.to_string()))
        }
        _ => bail!(
            "`{text}` is not an operation: write it as '<METHOD> <path>', such as \
             'GET /v1/models/{{model_id}}/environments/{{env_name}}' (quoted, one argument)"
        ),
    }
}

/// `GET /v1/…`: how messages show an operation.
pub fn show_operation(method: &str, path: &str) -> String {
    format!("{} {path}", method.to_ascii_uppercase())
}

/// The single-operation document for `method path`, as YAML: the bytes of the source file.
pub fn extract_text(spec: &Spec, method: &str, path: &str) -> Result<String> {
    document::to_yaml(&extract(spec, method, path)?, "")
}

/// Operation fields in the order the OpenAPI 3.1 specification lists them (4.8.10.1).
const OPERATION_FIELDS: &[&str] = &[
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "callbacks",
    "deprecated",
    "security",
    "servers",
];

/// Top-level keys a single-operation document carries, in the pages' order. `jsonSchemaDialect`
/// changes how every schema is read, so it travels with them when the spec sets it; `tags`,
/// `externalDocs` and `webhooks` describe the API as a whole, and the pages leave them out.
const TOP_LEVEL: &[&str] = &[
    "openapi",
    "jsonSchemaDialect",
    "info",
    "servers",
    "security",
];

/// The single-operation document for `method path` (see the module documentation for its
/// layout). Every `$ref` it needs must resolve in the spec; all that do not are reported.
pub fn extract(spec: &Spec, method: &str, path: &str) -> Result<Value> {
    let item_pointer = child_pointer("/paths", path);
    let item = spec.doc.pointer(&item_pointer).and_then(Value::as_object);
    let Some(operation) = item
        .and_then(|item| item.get(method))
        .and_then(Value::as_object)
    else {
        bail!("{}", unknown_operation(spec, method, path));
    };
    let item = item.expect("the operation was found in it");
    if item.contains_key("$ref") {
        bail!(
            "{}: the path item of `{path}` is a `$ref`; a single-operation document cannot \
             carry a shared path item",
            spec.at(&item_pointer)
        );
    }

    let mut path_item = Map::new();
    if let Some(parameters) = item.get("parameters") {
        path_item.insert("parameters".into(), parameters.clone());
    }
    for (key, value) in item {
        // `summary`, `description`, `servers` of the path item apply to the operation too.
        if key != "parameters" && !HTTP_METHODS.contains(&key.as_str()) {
            path_item.insert(key.clone(), value.clone());
        }
    }
    let mut ordered = Map::new();
    for field in OPERATION_FIELDS {
        if let Some(value) = operation.get(*field) {
            ordered.insert(field.to_string(), value.clone());
        }
    }
    for (key, value) in operation {
        if !ordered.contains_key(key) {
            ordered.insert(key.clone(), value.clone());
        }
    }
    path_item.insert(method.to_string(), Value::Object(ordered));
    let path_item = Value::Object(path_item);

    let shown = show_operation(method, path);
    let mut problems = Vec::new();
    let mut walk = Walk::default();
    walk.scan(&path_item, &item_pointer);
    // The schemes named by the requirements that apply to the operation: the document's own
    // and the operation's. A scheme no requirement names changes nothing about the operation.
    let operation_pointer = child_pointer(&item_pointer, method);
    for (requirements, pointer) in [
        (spec.doc.get("security"), "/security".to_string()),
        (
            operation.get("security"),
            child_pointer(&operation_pointer, "security"),
        ),
    ] {
        for (i, requirement) in requirements
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for name in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
                let scheme = child_pointer("/components/securitySchemes", name);
                if spec.doc.pointer(&scheme).is_none() {
                    problems.push(format!(
                        "{}: the security requirement at {pointer}/{i} names `{name}`, which \
                         /components/securitySchemes does not define",
                        spec.at(&child_pointer(&format!("{pointer}/{i}"), name))
                    ));
                } else {
                    walk.reach("securitySchemes", name);
                }
            }
        }
    }

    // Breadth first: every component the operation reaches is scanned for the ones it reaches.
    let mut reached: Vec<(String, String)> = Vec::new();
    while let Some(next) = walk.queue.pop_front() {
        match next {
            Pending::Component(section, name) => {
                if reached.contains(&(section.clone(), name.clone())) {
                    continue;
                }
                let pointer = component_pointer(&section, &name);
                let value = spec
                    .doc
                    .pointer(&pointer)
                    .expect("only components that exist are queued");
                reached.push((section, name));
                walk.scan(value, &pointer);
            }
            Pending::Reference { reference, at } => match component_of(spec, &reference) {
                Ok((section, name)) => walk.reach(&section, &name),
                Err(why) => problems.push(format!(
                    "{}: `$ref: {reference}` at {at} {why} (needed by `{shown}`)",
                    spec.at(&at)
                )),
            },
        }
    }
    match problems.as_slice() {
        [] => {}
        [one] => bail!("{one}"),
        many => bail!(
            "`{shown}` cannot be extracted from {} ({} problems):\n  - {}",
            spec.name,
            many.len(),
            many.join("\n  - ")
        ),
    }

    let mut doc = Map::new();
    for key in TOP_LEVEL {
        if let Some(value) = spec.doc.get(*key) {
            doc.insert(key.to_string(), value.clone());
        }
    }
    let mut paths = Map::new();
    paths.insert(path.to_string(), path_item);
    doc.insert("paths".into(), Value::Object(paths));
    if !reached.is_empty() {
        doc.insert(
            "components".into(),
            Value::Object(components(spec, &reached)),
        );
    }
    Ok(Value::Object(doc))
}

/// The reached components, by section: `parameters` and `schemas` first and `securitySchemes`
/// last, as on the pages; any other section between them, in the order first reached.
fn components(spec: &Spec, reached: &[(String, String)]) -> Map<String, Value> {
    let mut sections: Vec<&str> = vec!["parameters", "schemas"];
    for (section, _) in reached {
        if !sections.contains(&section.as_str()) && section != "securitySchemes" {
            sections.push(section);
        }
    }
    sections.push("securitySchemes");
    let mut out = Map::new();
    for section in sections {
        let entries: Map<String, Value> = reached
            .iter()
            .filter(|(s, _)| s == section)
            .map(|(s, name)| {
                let value = spec.doc.pointer(&component_pointer(s, name));
                (name.clone(), value.cloned().unwrap_or(Value::Null))
            })
            .collect();
        if !entries.is_empty() {
            out.insert(section.to_string(), Value::Object(entries));
        }
    }
    out
}

fn component_pointer(section: &str, name: &str) -> String {
    child_pointer(&child_pointer("/components", section), name)
}

/// What the walk still has to look at.
enum Pending {
    /// A component known to exist, to copy and scan.
    Component(String, String),
    /// A reference found at `at` (a JSON pointer into the spec), to resolve.
    Reference { reference: String, at: String },
}

#[derive(Default)]
struct Walk {
    queue: VecDeque<Pending>,
}

impl Walk {
    fn reach(&mut self, section: &str, name: &str) {
        self.queue
            .push_back(Pending::Component(section.into(), name.into()));
    }

    /// Queues every reference in `value` (found at `pointer` in the spec), in document order:
    /// each `$ref`, and the targets of a discriminator's `mapping`, which are references too
    /// (a schema reached only through a mapping is still needed to decode the response).
    fn scan(&mut self, value: &Value, pointer: &str) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let child_ptr = child_pointer(pointer, key);
                    match (key.as_str(), child) {
                        ("$ref", Value::String(reference)) => {
                            self.queue.push_back(Pending::Reference {
                                reference: reference.clone(),
                                at: child_ptr,
                            });
                        }
                        ("discriminator", Value::Object(discriminator)) => {
                            let mapping = discriminator.get("mapping").and_then(Value::as_object);
                            for (value, target) in mapping.into_iter().flatten() {
                                let Some(target) = target.as_str() else {
                                    continue;
                                };
                                // A bare name stands for a schema (OpenAPI 3.1, 4.8.25.1).
                                let reference = if target.contains('/') || target.contains('#') {
                                    target.to_string()
                                } else {
                                    format!("#/components/schemas/{target}")
                                };
                                self.queue.push_back(Pending::Reference {
                                    reference,
                                    at: child_pointer(&child_pointer(&child_ptr, "mapping"), value),
                                });
                            }
                        }
                        _ => self.scan(child, &child_ptr),
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.scan(item, &format!("{pointer}/{i}"));
                }
            }
            _ => {}
        }
    }
}

/// The component (section, name) a reference points into, or why it cannot be carried: a
/// single-operation document holds the spec's components and nothing else of it.
fn component_of(spec: &Spec, reference: &str) -> Result<(String, String), String> {
    let Some(target) = reference.strip_prefix('#') else {
        return Err("is not a local reference (only `#/components/…` is supported)".into());
    };
    let tokens: Vec<String> = target
        .split('/')
        .skip(1)
        .map(unescape_pointer_token)
        .collect();
    let [first, section, name, ..] = tokens.as_slice() else {
        return Err(
            "points outside /components/<section>/<name>; a single-operation document \
                    carries only components"
                .into(),
        );
    };
    if !target.starts_with('/') || first != "components" {
        return Err(
            "points outside /components; a single-operation document carries only \
                    components"
                .into(),
        );
    }
    if spec.doc.pointer(target).is_none() {
        let missing = if spec
            .doc
            .pointer(&component_pointer(section, name))
            .is_none()
        {
            format!("the spec defines no component `{section}/{name}`")
        } else {
            format!("component `{section}/{name}` has nothing at {target}")
        };
        return Err(format!("does not resolve: {missing}"));
    }
    Ok((section.clone(), name.clone()))
}

/// Says that the spec has no `method path`, and lists the operations nearest to it.
fn unknown_operation(spec: &Spec, method: &str, path: &str) -> String {
    let wanted = show_operation(method, path);
    let operations = spec.operations();
    let on_path: Vec<String> = operations
        .iter()
        .filter(|(_, p)| p == path)
        .map(|(m, _)| m.to_ascii_uppercase())
        .collect();
    let mut nearest: Vec<(usize, String)> = operations
        .iter()
        .map(|(m, p)| {
            let shown = show_operation(m, p);
            (edit_distance(&wanted, &shown), shown)
        })
        .collect();
    nearest.sort();
    let list: Vec<String> = nearest
        .into_iter()
        .take(5)
        .map(|(_, shown)| format!("`{shown}`"))
        .collect();
    let here = if on_path.is_empty() {
        String::new()
    } else {
        format!(" (`{path}` has {} only)", on_path.join(", "))
    };
    format!(
        "{}: the spec has no operation `{wanted}`{here}; the nearest of its {} operations: {}",
        spec.name,
        operations.len(),
        list.join(", ")
    )
}

/// Levenshtein distance in characters: small for a typo, a wrong method or a missing segment.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("GET /a", "GET /a"), 0);
        assert_eq!(edit_distance("GET /a", "PUT /a"), 2);
        assert_eq!(edit_distance("GET /ab", "GET /a"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
