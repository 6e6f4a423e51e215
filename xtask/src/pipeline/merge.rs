//! Stage 2: the source documents → one OpenAPI 3.1 document.
//!
//! Each docs page carries a complete document for one operation, with copies of the components
//! it uses. The copies were captured at different times, so they may differ; the rules:
//! - paths are united; the same method and path in two sources is an error naming both files;
//! - a component found in several sources: identical → kept once; else the copies are united
//!   by the rule for captures taken at different times (below), and each union is reported;
//!   where they cannot be united, an error names the component, both files with their lines,
//!   the JSON pointer of the first difference and the two values there;
//! - `openapi`, `info` and `servers` must agree; security schemes of the same name must agree.
//!
//! **Captures taken at different times.** Baseten's docs pages and the specifications cut into
//! sources were captured at different times, and a response must decode whatever version of the
//! API sent it. So two copies of a component are united: their properties are united (at any
//! depth), and a property is required only if every copy requires it. A property one copy lacks,
//! or that one copy requires and another does not, is optional in the result. Every other
//! keyword (types, formats, enums, descriptions) must be identical: a change of meaning is not
//! guessed at. The same holds for `security`: its alternatives are united, so that every scheme
//! a capture declares stays supported (the seeds' `ApiKeyAuth`, the newest `BearerAuth`), sorted
//! by scheme name. Their order means nothing to the client, which sends the scheme it is
//! configured with (`Api-Key` by default, as the docs pages say).
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
    /// One line per component whose copies were united: which copy lacked or did not require
    /// which property.
    pub notes: Vec<String>,
}

/// Top-level keys that must be identical in every source.
const MUST_AGREE: &[&str] = &["openapi", "info", "servers"];

/// The top-level key whose alternatives are united (see the module docs).
const SECURITY: &str = "security";

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

    if let Some(security) = unite_security(sources, &mut conflicts) {
        top.insert(SECURITY.into(), security);
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
            if key == "paths"
                || key == "components"
                || key == SECURITY
                || MUST_AGREE.contains(&key.as_str())
            {
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
                let united = if section == "securitySchemes" {
                    Err((first_difference(&seen.value, value, &pointer), ""))
                } else {
                    let mut report = Report::default();
                    unite(&seen.value, value, &pointer, &mut report).map(|v| (v, report))
                };
                match united {
                    Ok((value, report)) => {
                        notes.push(report.note(&pointer, &sources[seen.source].name, &source.name));
                        seen.value = value;
                    }
                    Err((at, note)) => {
                        // A copy like one already rejected is the same conflict.
                        let like = rejected.iter().position(|r| {
                            &r.name == name
                                && (&r.copy == value
                                    || unite(&r.copy, value, &pointer, &mut Report::default())
                                        .is_ok())
                        });
                        if let Some(like) = like {
                            rejected[like].also.push(source.name.clone());
                            continue;
                        }
                        rejected.push(Rejected {
                            name: name.clone(),
                            copy: value.clone(),
                            source: source.name.clone(),
                            conflict: conflicts.len(),
                            also: Vec::new(),
                        });
                        conflicts.push(format!(
                            "component `{section}/{name}` differs between {} and {} (first \
                             difference at {}{note}); copies may differ only in their properties \
                             (one a copy lacks, or that only some copies require, becomes optional)",
                            sources[seen.source].at(&at),
                            source.at(&at),
                            shown(&seen.value, value, &pointer, &at)
                        ));
                    }
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

/// What uniting two copies of a component did, for the merge's notes.
#[derive(Default)]
struct Report {
    /// Properties only the first copy has: (pointer, whether it requires them).
    only_first: Vec<(String, bool)>,
    /// Properties only the second copy has.
    only_second: Vec<(String, bool)>,
    /// Properties both copies have that only one requires: (pointer, whether it is the first).
    required_by_one: Vec<(String, bool)>,
}

impl Report {
    /// The note for uniting `second`'s copy with the one kept so far, which came first from
    /// `origin` (and may already unite several copies).
    fn note(&self, pointer: &str, origin: &str, second: &str) -> String {
        let first = "the copy kept so far";
        let mut parts = Vec::new();
        for (only, (has, lacks)) in [
            (&self.only_first, (first, second)),
            (&self.only_second, (second, first)),
        ] {
            for (property, required) in only {
                parts.push(if *required {
                    format!("`{property}` is required by {has} and absent from {lacks}: optional")
                } else {
                    format!("`{property}` is only in {has} (optional)")
                });
            }
        }
        for (property, by_first) in &self.required_by_one {
            let (requires, does_not) = if *by_first {
                (first, second)
            } else {
                (second, first)
            };
            parts.push(format!(
                "`{property}` is required by {requires}, not by {does_not}: optional"
            ));
        }
        format!(
            "{pointer}: united {second}'s copy with the one kept so far (first from {origin}): {}",
            parts.join("; ")
        )
    }
}

/// Unites two captures of a component by the rule in the module docs: properties united, a
/// property required only where every copy requires it, everything else identical. `Err` gives
/// the pointer where the copies cannot be united (and a note when the value alone does not say
/// why).
fn unite(
    first: &Value,
    second: &Value,
    pointer: &str,
    report: &mut Report,
) -> Result<Value, (String, &'static str)> {
    match (first, second) {
        (Value::Object(a), Value::Object(b)) => {
            // The same keywords on both sides, but for `required` (absent means none).
            for key in a.keys().chain(b.keys()) {
                if key != "required" && (!a.contains_key(key) || !b.contains_key(key)) {
                    return Err((child_pointer(pointer, key), ""));
                }
            }
            let mut out = Map::new();
            for (key, av) in a {
                let child = child_pointer(pointer, key);
                let value = match key.as_str() {
                    "properties" => unite_properties(a, b, &child, report)?,
                    "required" => continue,
                    _ => unite(av, &b[key], &child, report)?,
                };
                out.insert(key.clone(), value);
            }
            let required = |m: &Map<String, Value>| -> Vec<String> {
                m.get("required")
                    .and_then(Value::as_array)
                    .map(|r| {
                        r.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (ra, rb) = (required(a), required(b));
            let both: Vec<Value> = ra
                .iter()
                .filter(|name| rb.contains(name))
                .map(|name| Value::String(name.clone()))
                .collect();
            if !both.is_empty() {
                out.insert("required".into(), Value::Array(both));
            }
            Ok(Value::Object(out))
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err((format!("{pointer}/{}", a.len().min(b.len())), ""));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .map(|(i, (x, y))| unite(x, y, &format!("{pointer}/{i}"), report))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        _ if first == second => Ok(first.clone()),
        _ => Err((pointer.to_string(), "")),
    }
}

/// The union of two copies' `properties` (`pointer` is theirs): the first copy's order, then
/// what only the second has; a property both have is united.
fn unite_properties(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    pointer: &str,
    report: &mut Report,
) -> Result<Value, (String, &'static str)> {
    let (Some(pa), Some(pb)) = (a["properties"].as_object(), b["properties"].as_object()) else {
        return if a["properties"] == b["properties"] {
            Ok(a["properties"].clone())
        } else {
            Err((pointer.to_string(), ", `properties` is not a mapping"))
        };
    };
    let requires = |m: &Map<String, Value>, name: &str| {
        m.get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == name))
    };
    let mut out = Map::new();
    for (name, schema) in pa {
        let child = child_pointer(pointer, name);
        match pb.get(name) {
            Some(other) => {
                out.insert(name.clone(), unite(schema, other, &child, report)?);
                if requires(a, name) != requires(b, name) {
                    report.required_by_one.push((child, requires(a, name)));
                }
            }
            None => {
                report.only_first.push((child, requires(a, name)));
                out.insert(name.clone(), schema.clone());
            }
        }
    }
    for (name, schema) in pb.iter().filter(|(name, _)| !pa.contains_key(*name)) {
        report
            .only_second
            .push((child_pointer(pointer, name), requires(b, name)));
        out.insert(name.clone(), schema.clone());
    }
    Ok(Value::Object(out))
}

/// Relaxes the merged document by an earlier capture of the API (one no source comes from any
/// more), so that what the API sent then still decodes: in every component both have, a
/// property the earlier capture lacks or does not require is no longer required, and an
/// `integer` the earlier capture gave as a `number` becomes a `number` (a number holds both).
/// Nothing else of the earlier capture is taken: names, docs and defaults are the newest's.
/// An operation that answers with another component now than it did then is matched by its
/// method, path and status: the component it answers with now is relaxed by the one it
/// answered with then as well (`PATCH /v1/models/{model_id}/environments/{env_name}` answered
/// `UpdateAutoscalingSettingsResponseV1`, `{status, message}`, before its answer became
/// `UpdateEnvironmentResponseV1`, which requires `environment`).
/// Each change is a note. `earlier` is the capture's document, `name` how notes name it.
pub fn relax(doc: &mut Value, earlier: &Value, name: &str, notes: &mut Vec<String>) {
    let renamed = renamed_responses(doc, earlier);
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (component, schema) in schemas.iter_mut() {
        let pointer = format!("/components/schemas/{}", escape_pointer_token(component));
        let Some(old) = earlier.pointer(&pointer) else {
            continue;
        };
        relax_noted(schema, old, &pointer, notes, || {
            format!("relaxed by the earlier capture {name} so that its responses decode")
        });
    }
    for answer in renamed {
        let pointer = format!("/components/schemas/{}", escape_pointer_token(&answer.now));
        let old_pointer = format!("/components/schemas/{}", escape_pointer_token(&answer.then));
        let (Some(schema), Some(old)) =
            (schemas.get_mut(&answer.now), earlier.pointer(&old_pointer))
        else {
            continue;
        };
        relax_noted(schema, old, &pointer, notes, || {
            format!(
                "relaxed by the earlier capture {name}, where {} answered {} with `{}`, so that those answers decode",
                answer.operation, answer.status, answer.then
            )
        });
    }
}

/// Relaxes `schema` (at `pointer`) by `old`, and notes the changes, if any, after `why`.
fn relax_noted(
    schema: &mut Value,
    old: &Value,
    pointer: &str,
    notes: &mut Vec<String>,
    why: impl FnOnce() -> String,
) {
    let mut changes = Vec::new();
    relax_schema(schema, old, pointer, &mut changes);
    if !changes.is_empty() {
        notes.push(format!("{pointer}: {}: {}", why(), changes.join("; ")));
    }
}

/// An operation's answer that is another component now than in an earlier capture.
struct RenamedResponse {
    /// `METHOD /path`.
    operation: String,
    status: String,
    now: String,
    then: String,
}

/// Every JSON answer of an operation both documents have whose component differs, in the
/// newest document's order.
fn renamed_responses(doc: &Value, earlier: &Value) -> Vec<RenamedResponse> {
    let component = |response: &Value| -> Option<String> {
        let reference = response
            .pointer("/content/application~1json/schema/$ref")?
            .as_str()?;
        Some(reference.strip_prefix("#/components/schemas/")?.to_owned())
    };
    let mut renamed = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return renamed;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, operation) in item {
            let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, response) in responses {
                let then = earlier
                    .get("paths")
                    .and_then(|p| p.get(path))
                    .and_then(|i| i.get(method))
                    .and_then(|o| o.get("responses"))
                    .and_then(|r| r.get(status))
                    .and_then(component);
                if let (Some(now), Some(then)) = (component(response), then)
                    && now != then
                {
                    renamed.push(RenamedResponse {
                        operation: format!("{} {path}", method.to_uppercase()),
                        status: status.clone(),
                        now,
                        then,
                    });
                }
            }
        }
    }
    renamed
}

fn relax_schema(new: &mut Value, old: &Value, pointer: &str, changes: &mut Vec<String>) {
    let (Some(new), Some(old)) = (new.as_object_mut(), old.as_object()) else {
        return;
    };
    if new.get("type") == Some(&Value::from("integer"))
        && old.get("type") == Some(&Value::from("number"))
    {
        new.insert("type".into(), Value::from("number"));
        changes.push(format!(
            "`{pointer}` is a number (an integer now, a number then)"
        ));
    }
    let old_properties = old.get("properties").and_then(Value::as_object);
    let old_required: Vec<&Value> = old
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().collect())
        .unwrap_or_default();
    if let Some(required) = new.get_mut("required").and_then(Value::as_array_mut)
        && let Some(old_properties) = old_properties
    {
        required.retain(|name| {
            let keep = old_required.contains(&name);
            if !keep {
                let shown = name.as_str().unwrap_or_default();
                changes.push(if old_properties.contains_key(shown) {
                    format!("`{pointer}/properties/{shown}` is optional (it was optional then)")
                } else {
                    format!("`{pointer}/properties/{shown}` is optional (absent then)")
                });
            }
            keep
        });
        if required.is_empty() {
            new.remove("required");
        }
    }
    for (key, child) in new.iter_mut() {
        let Some(old_child) = old.get(key) else {
            continue;
        };
        let at = child_pointer(pointer, key);
        match (key.as_str(), child) {
            ("properties", Value::Object(properties)) => {
                for (property, schema) in properties.iter_mut() {
                    if let Some(old_schema) = old_child.get(property) {
                        relax_schema(schema, old_schema, &child_pointer(&at, property), changes);
                    }
                }
            }
            ("items" | "additionalProperties" | "not", child) => {
                relax_schema(child, old_child, &at, changes)
            }
            ("anyOf" | "oneOf" | "allOf", Value::Array(branches)) => {
                if let Some(old_branches) = old_child.as_array()
                    && old_branches.len() == branches.len()
                {
                    for (i, (branch, old_branch)) in
                        branches.iter_mut().zip(old_branches).enumerate()
                    {
                        relax_schema(branch, old_branch, &format!("{at}/{i}"), changes);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The sources' `security` alternatives united (each once), sorted by scheme name; `None` when
/// no source has one. A source whose `security` is not a list is a conflict.
fn unite_security(sources: &[Source], conflicts: &mut Vec<String>) -> Option<Value> {
    let mut alternatives: Vec<Value> = Vec::new();
    let mut any = false;
    for source in sources {
        let Some(security) = source.doc.get(SECURITY) else {
            continue;
        };
        any = true;
        let Some(list) = security.as_array() else {
            conflicts.push(format!(
                "{}: `security` must be a list of security requirements",
                source.at("/security")
            ));
            continue;
        };
        for alternative in list {
            if !alternatives.contains(alternative) {
                alternatives.push(alternative.clone());
            }
        }
    }
    alternatives.sort_by_key(|a| a.to_string());
    any.then_some(Value::Array(alternatives))
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
