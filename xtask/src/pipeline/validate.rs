//! Stage 4: check that a document is a usable OpenAPI description before anything is written.
//!
//! These are the rules whose violation would otherwise surface as a confusing progenitor panic
//! or a silently wrong client: every `$ref` resolves, every `{param}` of a path template is
//! declared as a required path parameter (and every path parameter appears in the template),
//! operation ids are unique (also once converted to Rust names), and security requirements name defined schemes. The structure of
//! the document is also checked against the OpenAPI JSON Schema (see `meta_schema`).

use crate::document::child_pointer;
use crate::operation_names::rust_name_key;
use crate::pipeline::HTTP_METHODS;
use anyhow::{Result, bail};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Checks `doc`; `name` names it in the error, which lists every problem found.
pub fn validate(doc: &Value, name: &str) -> Result<()> {
    let mut problems = Vec::new();
    check_refs(doc, doc, "", &mut problems);
    check_operations(doc, &mut problems);
    if problems.is_empty() {
        return Ok(());
    }
    let count = problems.len();
    let list: Vec<String> = problems.into_iter().map(|p| format!("  - {p}")).collect();
    bail!(
        "{name} is not a valid OpenAPI document ({count} problem(s)):\n{}",
        list.join("\n")
    )
}

fn check_refs(root: &Value, value: &Value, pointer: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_ptr = child_pointer(pointer, key);
                if key == "$ref" && child.is_string() {
                    let reference = child.as_str().unwrap_or_default();
                    match reference.strip_prefix('#') {
                        Some(target) if root.pointer(target).is_some() => {}
                        Some(_) => problems.push(format!("{child_ptr}: `$ref: {reference}` points at nothing")),
                        None => problems.push(format!(
                            "{child_ptr}: `$ref: {reference}` is not a local reference (only `#/…` is supported)"
                        )),
                    }
                } else {
                    check_refs(root, child, &child_ptr, problems);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_refs(root, item, &format!("{pointer}/{i}"), problems);
            }
        }
        _ => {}
    }
}

/// Follows a `$ref` (one level at a time) to the object it names.
fn resolve<'a>(root: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(target) => match root.pointer(target) {
                Some(next) => value = next,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

fn check_operations(doc: &Value, problems: &mut Vec<String>) {
    let schemes: BTreeSet<&str> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    check_security(doc.get("security"), &schemes, "/security", problems);

    // Keyed by the Rust name progenitor will make of the id: `getModel` and `get_model` clash.
    let mut ids: BTreeMap<String, (String, String)> = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        problems.push("/paths: missing".into());
        return;
    };
    for (path, item) in paths {
        let item_ptr = child_pointer("/paths", path);
        if !path.starts_with('/') {
            problems.push(format!("{item_ptr}: a path must start with `/`"));
        }
        let template: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        let item = resolve(doc, item);
        let shared = path_parameters(
            doc,
            item.get("parameters"),
            &format!("{item_ptr}/parameters"),
            problems,
        );
        for method in HTTP_METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let op_ptr = child_pointer(&item_ptr, method);
            let label = format!("{} {path}", method.to_uppercase());
            let mut declared = shared.clone();
            declared.extend(path_parameters(
                doc,
                op.get("parameters"),
                &format!("{op_ptr}/parameters"),
                problems,
            ));
            for name in template.difference(&declared) {
                problems.push(format!("{op_ptr}: `{{{name}}}` in the path of {label} is not declared as a path parameter"));
            }
            for name in declared.difference(&template) {
                problems.push(format!(
                    "{op_ptr}: path parameter `{name}` of {label} does not appear in the path"
                ));
            }
            if let Some(id) = op.get("operationId").and_then(Value::as_str)
                && let Some((other_id, other)) =
                    ids.insert(rust_name_key(id), (id.to_string(), label.clone()))
            {
                if other_id == id {
                    problems.push(format!(
                        "{op_ptr}/operationId: `{id}` is used by both {other} and {label}"
                    ));
                } else {
                    problems.push(format!(
                        "{op_ptr}/operationId: `{id}` ({label}) and `{other_id}` ({other}) become \
                         the same Rust method name"
                    ));
                }
            }
            if op
                .get("responses")
                .and_then(Value::as_object)
                .is_none_or(|r| r.is_empty())
            {
                problems.push(format!("{op_ptr}/responses: {label} documents no response"));
            }
            check_security(
                op.get("security"),
                &schemes,
                &format!("{op_ptr}/security"),
                problems,
            );
        }
    }
}

/// The names of the `in: path` parameters in a parameter list, checking they are required.
fn path_parameters(
    doc: &Value,
    list: Option<&Value>,
    pointer: &str,
    problems: &mut Vec<String>,
) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, parameter) in list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let parameter = resolve(doc, parameter);
        if parameter.get("in").and_then(Value::as_str) != Some("path") {
            continue;
        }
        let Some(name) = parameter.get("name").and_then(Value::as_str) else {
            problems.push(format!("{pointer}/{i}: path parameter without a `name`"));
            continue;
        };
        if parameter.get("required") != Some(&Value::Bool(true)) {
            problems.push(format!(
                "{pointer}/{i}: path parameter `{name}` must have `required: true`"
            ));
        }
        names.insert(name.to_string());
    }
    names
}

fn check_security(
    requirements: Option<&Value>,
    schemes: &BTreeSet<&str>,
    pointer: &str,
    problems: &mut Vec<String>,
) {
    for (i, requirement) in requirements
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for name in requirement
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            if !schemes.contains(name.as_str()) {
                problems.push(format!("{pointer}/{i}: security scheme `{name}` is not defined in /components/securitySchemes"));
            }
        }
    }
}
