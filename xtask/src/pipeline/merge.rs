//! Stage 2: the source documents → one OpenAPI 3.1 document.
//!
//! Each docs page carries a complete document for one operation, with copies of the components
//! it uses. The copies were captured at different times, so they may differ; the rules:
//! - paths are united; the same method and path in two sources is an error naming both files;
//! - a component found in several sources: identical → kept once; one a superset of the other
//!   that only adds optional properties → the superset (reported); else an error naming the
//!   component, both files with their lines, the JSON pointer of the first difference and the
//!   two values there;
//! - `openapi`, `info`, `servers`, `security` and the security schemes must agree.
//!
//! Every disagreement is reported, not only the first: sources imported from a newer version
//! of Baseten's spec usually differ in several places at once (the security scheme and a
//! component, say), and a maintainer deciding what to re-import needs to see all of them.
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
    let mut conflicts = Vec::new();
    let mut top = Map::new();
    for key in MUST_AGREE {
        let mut agreed: Option<(&Source, &Value)> = None;
        // Each other value once, with the sources that share it (as for components, below).
        let mut rejected: Vec<Rejected> = Vec::new();
        for source in sources {
            let Some(value) = source.doc.get(*key) else {
                continue;
            };
            match agreed {
                None => agreed = Some((source, value)),
                Some((seen, seen_value)) if seen_value != value => {
                    if let Some(same) = rejected.iter_mut().find(|r| &r.copy == value) {
                        same.also.push(source.name.clone());
                        continue;
                    }
                    let at = first_difference(seen_value, value, &format!("/{key}"));
                    rejected.push(Rejected {
                        name: key.to_string(),
                        copy: value.clone(),
                        source: source.name.clone(),
                        conflict: conflicts.len(),
                        also: Vec::new(),
                    });
                    conflicts.push(format!(
                        "`{key}` differs between {} and {} (first difference at {}); all \
                         sources must agree on it",
                        seen.at(&at),
                        source.at(&at),
                        shown(seen_value, value, &format!("/{key}"), &at)
                    ));
                }
                Some(_) => {}
            }
        }
        report_shared(rejected, &mut conflicts);
        if let Some((_, value)) = agreed {
            top.insert(key.to_string(), value.clone());
        }
    }

    top.insert(
        "paths".into(),
        Value::Object(merge_paths(sources, &mut conflicts)?),
    );

    let components = merge_components(sources, &mut notes, &mut conflicts)?;
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
                    conflicts.push(format!(
                        "`{key}` differs between {} and {} (first difference at {})",
                        sources[seen.source].at(&at),
                        source.at(&at),
                        shown(&seen.value, value, &format!("/{key}"), &at)
                    ));
                }
            }
        }
    }
    match conflicts.as_slice() {
        [] => {}
        [one] => bail!("{one}"),
        many => bail!(
            "the sources disagree in {} places that cannot be merged:\n  - {}",
            many.len(),
            many.join("\n  - ")
        ),
    }
    top.extend(others.into_iter().map(|e| (e.key, e.value)));
    Ok(Merged {
        doc: Value::Object(top),
        notes,
    })
}

/// Collects `path → its keys (methods, parameters, …) with the source each came from`.
/// Conflicts go to `conflicts`; an error is a source that is not shaped like OpenAPI at all.
fn merge_paths(sources: &[Source], conflicts: &mut Vec<String>) -> Result<Map<String, Value>> {
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
                    conflicts.push(format!(
                        "`{} {path}` is defined by both {} and {}; each operation must come from \
                         one source",
                        key.to_uppercase(),
                        sources[seen.source].at(&pointer),
                        source.at(&pointer)
                    ));
                } else if &seen.value != value {
                    let at = first_difference(&seen.value, value, &pointer);
                    conflicts.push(format!(
                        "path item `{path}` differs between {} and {} (first difference at {})",
                        sources[seen.source].at(&at),
                        source.at(&at),
                        shown(&seen.value, value, &pointer, &at)
                    ));
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

fn merge_components(
    sources: &[Source],
    notes: &mut Vec<String>,
    conflicts: &mut Vec<String>,
) -> Result<Map<String, Value>> {
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
        // Per component, the copies already reported as conflicting, each with the index of its
        // message and the other sources whose copy merges with it: one conflict is reported
        // once, naming every source that has it, rather than once per source.
        let mut rejected: Vec<Rejected> = Vec::new();
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
                } else if let Some(same) = rejected.iter_mut().find(|r| {
                    &r.name == name
                        && (&r.copy == value
                            || superset_additions(&r.copy, value, &pointer).is_some()
                            || superset_additions(value, &r.copy, &pointer).is_some())
                }) {
                    same.also.push(source.name.clone());
                } else {
                    // Where widening fails, read with the larger copy as the would-be superset:
                    // the first difference alone may be a harmless added property.
                    let size = |v: &Value| v.to_string().len();
                    let (narrow, wide) = if size(value) >= size(&seen.value) {
                        (&seen.value, value)
                    } else {
                        (value, &seen.value)
                    };
                    let (at, note) = blocker(narrow, wide, &pointer)
                        .unwrap_or_else(|| (first_difference(&seen.value, value, &pointer), ""));
                    rejected.push(Rejected {
                        name: name.clone(),
                        copy: value.clone(),
                        source: source.name.clone(),
                        conflict: conflicts.len(),
                        also: Vec::new(),
                    });
                    conflicts.push(format!(
                        "component `{section}/{name}` differs between {} and {} (first difference \
                         at {}{note}); only a superset that adds optional properties can be merged",
                        sources[seen.source].at(&at),
                        source.at(&at),
                        shown(&seen.value, value, &pointer, &at)
                    ));
                }
            }
        }
        report_shared(rejected, conflicts);
        if merged.is_empty() {
            continue;
        }
        merged.sort_by(|a, b| a.key.cmp(&b.key));
        let entries: Map<String, Value> = merged.into_iter().map(|e| (e.key, e.value)).collect();
        out.insert(section.clone(), Value::Object(entries));
    }
    Ok(out)
}

/// A copy of a component (or a top-level value) that conflicts with the one kept.
struct Rejected {
    name: String,
    copy: Value,
    /// The source it came from.
    source: String,
    /// Its message in the list of conflicts.
    conflict: usize,
    /// Later sources whose copy is this one, or merges with it: the same conflict.
    also: Vec<String>,
}

/// Adds to each conflict the other sources that have the same disagreement.
fn report_shared(rejected: Vec<Rejected>, conflicts: &mut [String]) {
    for r in rejected.into_iter().filter(|r| !r.also.is_empty()) {
        conflicts[r.conflict].push_str(&format!(
            "; so do {} (like {})",
            r.also.join(", "),
            r.source
        ));
    }
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

/// Where `wide` stops being a superset of `narrow` that only adds optional properties (the
/// rules of [`superset_additions`]), with a note when the value alone does not say why; `None`
/// when it is such a superset.
fn blocker(narrow: &Value, wide: &Value, pointer: &str) -> Option<(String, &'static str)> {
    match (narrow, wide) {
        (Value::Object(n), Value::Object(w)) => {
            if let Some(key) = w.keys().find(|k| !n.contains_key(*k)) {
                return Some((child_pointer(pointer, key), ""));
            }
            for (key, nv) in n {
                let child = child_pointer(pointer, key);
                let Some(wv) = w.get(key) else {
                    return Some((child, ""));
                };
                if key != "properties" {
                    if let Some(found) = blocker(nv, wv, &child) {
                        return Some(found);
                    }
                    continue;
                }
                let (Some(np), Some(wp)) = (nv.as_object(), wv.as_object()) else {
                    if nv != wv {
                        return Some((first_difference(nv, wv, &child), ""));
                    }
                    continue;
                };
                let required = w.get("required").and_then(Value::as_array);
                for (prop, schema) in wp {
                    let prop_pointer = child_pointer(&child, prop);
                    match np.get(prop) {
                        Some(narrow_schema) => {
                            if let Some(found) = blocker(narrow_schema, schema, &prop_pointer) {
                                return Some(found);
                            }
                        }
                        None if required.is_some_and(|r| r.iter().any(|x| x == prop)) => {
                            return Some((prop_pointer, ", a property added as required"));
                        }
                        None => {}
                    }
                }
                if let Some(prop) = np.keys().find(|k| !wp.contains_key(*k)) {
                    return Some((child_pointer(&child, prop), ""));
                }
            }
            None
        }
        (Value::Array(n), Value::Array(w)) if n.len() == w.len() => n
            .iter()
            .zip(w)
            .enumerate()
            .find_map(|(i, (nv, wv))| blocker(nv, wv, &format!("{pointer}/{i}"))),
        _ => (narrow != wide).then(|| (first_difference(narrow, wide, pointer), "")),
    }
}

/// `<pointer>: <a's value> vs <b's value>` for a difference that [`first_difference`] found at
/// `at` between `a` and `b` (both found at `base`): the pointer alone says where to look, not
/// what changed. When one side has no value there (a key renamed, an item added) and the two
/// parents are short, the parents are shown instead: `{"ApiKeyAuth":[]}` vs `{"BearerAuth":[]}`
/// says more than `[]` vs absent.
fn shown(a: &Value, b: &Value, base: &str, at: &str) -> String {
    let relative = at.strip_prefix(base).unwrap_or("");
    let (in_a, in_b) = (a.pointer(relative), b.pointer(relative));
    if (in_a.is_none() || in_b.is_none())
        && let Some(cut) = relative.rfind('/')
        && let (Some(pa), Some(pb)) = (a.pointer(&relative[..cut]), b.pointer(&relative[..cut]))
    {
        let (pa, pb) = (pa.to_string(), pb.to_string());
        if pa.chars().count() <= SHOWN_MAX && pb.chars().count() <= SHOWN_MAX {
            return format!("{base}{}: `{pa}` vs `{pb}`", &relative[..cut]);
        }
    }
    let side = |v: Option<&Value>| match v {
        Some(value) => format!("`{}`", compact(value)),
        None => "absent".to_string(),
    };
    format!("{at}: {} vs {}", side(in_a), side(in_b))
}

/// How much of a value a message shows.
const SHOWN_MAX: usize = 80;

/// A value as one line of JSON, cut short: enough to recognise it in a message.
fn compact(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(SHOWN_MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
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
