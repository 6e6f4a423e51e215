//! Stage 2: the source documents → one OpenAPI 3.1 document.
//!
//! Each docs page carries a complete document for one operation, with copies of the components
//! it uses. The copies were captured at different times, so they may differ; the rules:
//! - paths are united; the same method and path in two sources is an error naming both files;
//! - a component found in several sources: identical → kept once; one a superset of the other
//!   that only adds optional properties → the superset (reported); else an error naming the
//!   component, both files and the JSON pointer of the first difference;
//! - `openapi`, `info`, `servers`, `security` and the security schemes must agree.
//!
//! Output order is deterministic: paths and component names sorted, keys inside an object in
//! the order Baseten wrote them.

use crate::document::{child_pointer, escape_pointer_token};
use crate::locate::LineIndex;
use anyhow::{Result, bail};
use serde_json::{Map, Value};

/// A parsed source document and the name it is reported under (its file name).
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub doc: Value,
    /// Where each node is in the file, so conflicts can name `file:line`.
    pub lines: LineIndex,
}

impl Source {
    /// Parses a source file's text; `name` is how messages refer to it.
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        Ok(Self {
            name: name.to_string(),
            doc: crate::document::parse_yaml(text, name, 0)?,
            lines: LineIndex::new(text),
        })
    }

    /// `file:line` of the node at `pointer` (or its nearest ancestor in the file).
    pub fn at(&self, pointer: &str) -> String {
        match self.lines.line_of(pointer) {
            Some(line) => format!("{}:{line}", self.name),
            None => self.name.clone(),
        }
    }
}

/// The merged document and what the merge noticed on the way.
#[derive(Debug)]
pub struct Merged {
    pub doc: Value,
    /// One line per component that was widened to a superset: which source added what.
    pub notes: Vec<String>,
}

/// Top-level keys that must be identical in every source.
const MUST_AGREE: &[&str] = &["openapi", "info", "servers", "security"];

/// Component sections in the order the OpenAPI specification lists them.
const COMPONENT_SECTIONS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
];

/// A keyed value and the index of the source it was taken from (a path item's method, a
/// component).
struct Owned {
    key: String,
    value: Value,
    source: usize,
}

/// Merges the sources (already in a deterministic order, e.g. sorted by file name).
pub fn merge(sources: &[Source]) -> Result<Merged> {
    if sources.is_empty() {
        bail!("no source documents to merge")
    }
    for source in sources {
        if !source.doc.is_object() {
            bail!(
                "{}: an OpenAPI document must be a mapping at the top level",
                source.name
            );
        }
        let version = source
            .doc
            .get("openapi")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !version.starts_with("3.1.") {
            bail!(
                "{}: `openapi` is {version:?}; the pipeline reads OpenAPI 3.1 documents",
                source.name
            );
        }
    }

    let mut notes = Vec::new();
    let mut top = Map::new();
    for key in MUST_AGREE {
        let mut agreed: Option<(&Source, &Value)> = None;
        for source in sources {
            let Some(value) = source.doc.get(*key) else {
                continue;
            };
            match agreed {
                None => agreed = Some((source, value)),
                Some((seen, seen_value)) if seen_value != value => {
                    let at = first_difference(seen_value, value, &format!("/{key}"));
                    bail!(
                        "`{key}` differs between {} and {} (first difference at {at}); all \
                         sources must agree on it",
                        seen.at(&at),
                        source.at(&at)
                    );
                }
                Some(_) => {}
            }
        }
        if let Some((_, value)) = agreed {
            top.insert(key.to_string(), value.clone());
        }
    }

    top.insert("paths".into(), Value::Object(merge_paths(sources)?));

    let components = merge_components(sources, &mut notes)?;
    if !components.is_empty() {
        top.insert("components".into(), Value::Object(components));
    }

    // Anything else at the top level (tags, externalDocs, x-…): identical where repeated.
    let mut others: Vec<Owned> = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        for (key, value) in source.doc.as_object().into_iter().flatten() {
            if key == "paths" || key == "components" || MUST_AGREE.contains(&key.as_str()) {
                continue;
            }
            match others.iter().find(|e| &e.key == key) {
                None => others.push(Owned {
                    key: key.clone(),
                    value: value.clone(),
                    source: index,
                }),
                Some(seen) if &seen.value == value => {}
                Some(seen) => {
                    let at = first_difference(&seen.value, value, &format!("/{key}"));
                    bail!(
                        "`{key}` differs between {} and {} (first difference at {at})",
                        sources[seen.source].at(&at),
                        source.at(&at)
                    );
                }
            }
        }
    }
    top.extend(others.into_iter().map(|e| (e.key, e.value)));
    Ok(Merged {
        doc: Value::Object(top),
        notes,
    })
}

/// Collects `path → its keys (methods, parameters, …) with the source each came from`.
fn merge_paths(sources: &[Source]) -> Result<Map<String, Value>> {
    let mut paths: Vec<(String, Vec<Owned>)> = Vec::new();
    for (source_index, source) in sources.iter().enumerate() {
        let Some(items) = source.doc.get("paths").and_then(Value::as_object) else {
            continue;
        };
        for (path, item) in items {
            let Some(item) = item.as_object() else {
                bail!(
                    "{}: /paths/{}: a path item must be a mapping",
                    source.name,
                    escape_pointer_token(path)
                );
            };
            let index = match paths.iter().position(|(p, _)| p == path) {
                Some(i) => i,
                None => {
                    paths.push((path.clone(), Vec::new()));
                    paths.len() - 1
                }
            };
            let merged = &mut paths[index].1;
            for (key, value) in item {
                let pointer = child_pointer(&child_pointer("/paths", path), key);
                let Some(seen) = merged.iter().find(|e| &e.key == key) else {
                    merged.push(Owned {
                        key: key.clone(),
                        value: value.clone(),
                        source: source_index,
                    });
                    continue;
                };
                if crate::pipeline::HTTP_METHODS.contains(&key.as_str()) {
                    bail!(
                        "`{} {path}` is defined by both {} and {}; each operation must come from \
                         one source",
                        key.to_uppercase(),
                        sources[seen.source].at(&pointer),
                        source.at(&pointer)
                    );
                }
                if &seen.value != value {
                    let at = first_difference(&seen.value, value, &pointer);
                    bail!(
                        "path item `{path}` differs between {} and {} (first difference at {at})",
                        sources[seen.source].at(&at),
                        source.at(&at)
                    );
                }
            }
        }
    }
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(paths
        .into_iter()
        .map(|(path, keys)| {
            let item: Map<String, Value> = keys.into_iter().map(|e| (e.key, e.value)).collect();
            (path, Value::Object(item))
        })
        .collect())
}

fn merge_components(sources: &[Source], notes: &mut Vec<String>) -> Result<Map<String, Value>> {
    let mut sections: Vec<String> = COMPONENT_SECTIONS.iter().map(|s| s.to_string()).collect();
    for source in sources {
        let components = source.doc.get("components").and_then(Value::as_object);
        for key in components.into_iter().flat_map(|m| m.keys()) {
            if !sections.contains(key) {
                sections.push(key.clone());
            }
        }
    }
    let mut out = Map::new();
    for section in &sections {
        let mut merged: Vec<Owned> = Vec::new();
        for (source_index, source) in sources.iter().enumerate() {
            let Some(entries) = source.doc.pointer(&format!("/components/{section}")) else {
                continue;
            };
            let Some(entries) = entries.as_object() else {
                bail!("{}: /components/{section} must be a mapping", source.name);
            };
            for (name, value) in entries {
                let pointer = format!("/components/{section}/{}", escape_pointer_token(name));
                let Some(seen) = merged.iter_mut().find(|e| &e.key == name) else {
                    merged.push(Owned {
                        key: name.clone(),
                        value: value.clone(),
                        source: source_index,
                    });
                    continue;
                };
                if &seen.value == value {
                    continue;
                }
                // Security schemes must agree exactly: a wider one is still a different one.
                let widenable = section != "securitySchemes";
                if let Some(added) = widenable
                    .then(|| superset_additions(&seen.value, value, &pointer))
                    .flatten()
                {
                    notes.push(widen_note(
                        &pointer,
                        &source.name,
                        &sources[seen.source].name,
                        &added,
                    ));
                    seen.value = value.clone();
                    seen.source = source_index;
                } else if let Some(added) = widenable
                    .then(|| superset_additions(value, &seen.value, &pointer))
                    .flatten()
                {
                    notes.push(widen_note(
                        &pointer,
                        &sources[seen.source].name,
                        &source.name,
                        &added,
                    ));
                } else {
                    let at = first_difference(&seen.value, value, &pointer);
                    bail!(
                        "component `{section}/{name}` differs between {} and {} (first difference \
                         at {at}); only a superset that adds optional properties can be merged",
                        sources[seen.source].at(&at),
                        source.at(&at)
                    );
                }
            }
        }
        if merged.is_empty() {
            continue;
        }
        merged.sort_by(|a, b| a.key.cmp(&b.key));
        let entries: Map<String, Value> = merged.into_iter().map(|e| (e.key, e.value)).collect();
        out.insert(section.clone(), Value::Object(entries));
    }
    Ok(out)
}

fn widen_note(pointer: &str, wider: &str, narrower: &str, added: &[String]) -> String {
    let list = added
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{pointer}: {wider} adds optional {list} (absent from {narrower}); kept {wider}'s version"
    )
}

/// If `wide` equals `narrow` except for optional properties that `wide` adds (at any depth),
/// returns the pointers of those properties; otherwise `None`.
pub fn superset_additions(narrow: &Value, wide: &Value, pointer: &str) -> Option<Vec<String>> {
    let mut added = Vec::new();
    is_superset(narrow, wide, pointer, &mut added).then_some(added)
}

fn is_superset(narrow: &Value, wide: &Value, pointer: &str, added: &mut Vec<String>) -> bool {
    match (narrow, wide) {
        (Value::Object(n), Value::Object(w)) => {
            // Same keywords on both sides (only `properties` may differ, below).
            if w.keys().any(|k| !n.contains_key(k)) {
                return false;
            }
            for (key, nv) in n {
                let child = child_pointer(pointer, key);
                let Some(wv) = w.get(key) else {
                    return false;
                };
                if key == "properties" {
                    let (Some(np), Some(wp)) = (nv.as_object(), wv.as_object()) else {
                        return false;
                    };
                    let required = w.get("required").and_then(Value::as_array);
                    for (prop, schema) in wp {
                        let prop_pointer = child_pointer(&child, prop);
                        match np.get(prop) {
                            Some(narrow_schema) => {
                                if !is_superset(narrow_schema, schema, &prop_pointer, added) {
                                    return false;
                                }
                            }
                            None => {
                                let is_required =
                                    required.is_some_and(|r| r.iter().any(|x| x == prop));
                                if is_required {
                                    return false;
                                }
                                added.push(prop_pointer);
                            }
                        }
                    }
                    if np.keys().any(|k| !wp.contains_key(k)) {
                        return false;
                    }
                } else if !is_superset(nv, wv, &child, added) {
                    return false;
                }
            }
            true
        }
        (Value::Array(n), Value::Array(w)) => {
            n.len() == w.len()
                && n.iter()
                    .zip(w)
                    .enumerate()
                    .all(|(i, (nv, wv))| is_superset(nv, wv, &format!("{pointer}/{i}"), added))
        }
        _ => narrow == wide,
    }
}

/// The JSON pointer of the first place where `a` and `b` differ (key order is not a difference).
pub fn first_difference(a: &Value, b: &Value, pointer: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, xv) in x {
                let child = child_pointer(pointer, key);
                match y.get(key) {
                    None => return child,
                    Some(yv) if xv != yv => return first_difference(xv, yv, &child),
                    Some(_) => {}
                }
            }
            match y.keys().find(|k| !x.contains_key(*k)) {
                Some(key) => child_pointer(pointer, key),
                None => pointer.to_string(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (xv, yv)) in x.iter().zip(y).enumerate() {
                if xv != yv {
                    return first_difference(xv, yv, &format!("{pointer}/{i}"));
                }
            }
            format!("{pointer}/{}", x.len().min(y.len()))
        }
        _ => pointer.to_string(),
    }
}
