//! Stage 5: the merged OpenAPI 3.1 document → the OpenAPI 3.0.3 document that progenitor reads.
//!
//! progenitor parses OpenAPI 3.0 only, and misreads some 3.1 forms without complaint (a
//! `nullable` beside a `$ref` is ignored; `anyOf [T, null]` becomes an untagged enum). Each rule
//! below rewrites one 3.1 form into the 3.0 form with the same meaning:
//! - `anyOf`/`oneOf` with a `{type: 'null'}` member, and `type` arrays holding `'null'` →
//!   `nullable: true` (a lone `$ref` member becomes `allOf: [$ref]` so the `nullable` counts);
//! - schema `examples` (a list) → `example` (its first item);
//! - `const` → a one-value `enum` (dropping a `default` equal to it);
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` + boolean flag;
//! - keywords 3.0 does not have are dropped (reported);
//! - components that no operation reaches are pruned (reported);
//! - every operation gets an `operationId`: the overlay's, else one derived from method and path.

use crate::document::child_pointer;
use crate::operation_names;
use crate::pipeline::HTTP_METHODS;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, VecDeque};

/// The derived document and what the derivation dropped or named on the way.
#[derive(Debug)]
pub struct Derived {
    pub doc: Value,
    pub notes: Vec<String>,
}

/// Keywords of the OpenAPI 3.0 Schema Object; anything else (but `x-…`) is dropped.
const SCHEMA_KEYWORDS_3_0: &[&str] = &[
    "$ref",
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

/// Keywords that only annotate; a `$ref` beside nothing else keeps its siblings' meaning if we
/// leave it as `allOf: [$ref]`.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Derives the 3.0.3 document from the merged 3.1 document.
pub fn derive(merged: &Value) -> Derived {
    let mut doc = merged.clone();
    let mut notes = Vec::new();
    if let Some(map) = doc.as_object_mut() {
        map.insert("openapi".into(), json!("3.0.3"));
        for key in ["webhooks", "jsonSchemaDialect"] {
            if map.shift_remove(key).is_some() {
                notes.push(format!("/{key}: dropped (OpenAPI 3.1 only)"));
            }
        }
    }
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        if info.shift_remove("summary").is_some() {
            notes.push("/info/summary: dropped (OpenAPI 3.1 only)".into());
        }
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.shift_remove("identifier");
        }
    }
    assign_operation_ids(&mut doc, &mut notes);
    for_each_schema(&mut doc, &mut |schema, pointer| {
        convert_schema(schema, pointer, &mut notes)
    });
    prune_unreachable_components(&mut doc, &mut notes);
    Derived { doc, notes }
}

/// Gives every operation without one an id derived from its method and path, unique in the
/// document (ids the overlay set are kept and reserved first).
fn assign_operation_ids(doc: &mut Value, notes: &mut Vec<String>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let mut taken: BTreeSet<String> = paths
        .values()
        .flat_map(|item| HTTP_METHODS.iter().filter_map(move |m| item.get(*m)))
        .filter_map(|op| {
            op.get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    for (path, item) in paths.iter_mut() {
        for method in HTTP_METHODS {
            let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                continue;
            };
            if op.contains_key("operationId") {
                continue;
            }
            let name =
                operation_names::unique(operation_names::derived_name(method, path), &mut taken);
            notes.push(format!(
                "{} {path}: no operationId in the overlay; named it `{name}`",
                method.to_uppercase()
            ));
            op.insert("operationId".into(), Value::String(name));
        }
    }
}

/// Calls `f` on every Schema Object of the document with its pointer, parents before children:
/// a union must see its `{type: 'null'}` member before that member is rewritten, and members
/// merged into a parent are then visited as the parent's own children.
fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            visit_path_item(item, &child_pointer("/paths", path), f);
        }
    }
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    for (section, entries) in components.iter_mut() {
        let Some(entries) = entries.as_object_mut() else {
            continue;
        };
        for (name, value) in entries.iter_mut() {
            let pointer = child_pointer(&format!("/components/{section}"), name);
            match section.as_str() {
                "schemas" => visit_schema(value, &pointer, f),
                "parameters" | "headers" => visit_parameter(value, &pointer, f),
                "responses" => visit_response(value, &pointer, f),
                "requestBodies" => visit_content(value, &pointer, f),
                "pathItems" => visit_path_item(value, &pointer, f),
                _ => {}
            }
        }
    }
}

fn visit_path_item(
    item: &mut Value,
    pointer: &str,
    f: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    for (key, value) in item.iter_mut() {
        let child = child_pointer(pointer, key);
        if key == "parameters" {
            visit_parameter_list(value, &child, f);
        } else if HTTP_METHODS.contains(&key.as_str()) {
            let Some(op) = value.as_object_mut() else {
                continue;
            };
            for (op_key, op_value) in op.iter_mut() {
                let op_child = child_pointer(&child, op_key);
                match op_key.as_str() {
                    "parameters" => visit_parameter_list(op_value, &op_child, f),
                    "requestBody" => visit_content(op_value, &op_child, f),
                    "responses" => {
                        for (status, response) in op_value.as_object_mut().into_iter().flatten() {
                            visit_response(response, &child_pointer(&op_child, status), f);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

fn visit_parameter_list(
    list: &mut Value,
    pointer: &str,
    f: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    for (i, parameter) in list.as_array_mut().into_iter().flatten().enumerate() {
        visit_parameter(parameter, &format!("{pointer}/{i}"), f);
    }
}

/// A Parameter or Header Object: a `schema` or a `content` map.
fn visit_parameter(
    parameter: &mut Value,
    pointer: &str,
    f: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    if let Some(schema) = parameter.get_mut("schema") {
        visit_schema(schema, &format!("{pointer}/schema"), f);
    }
    visit_content(parameter, pointer, f);
}

fn visit_response(
    response: &mut Value,
    pointer: &str,
    f: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    visit_content(response, pointer, f);
    for (name, header) in response
        .get_mut("headers")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        visit_parameter(
            header,
            &child_pointer(&format!("{pointer}/headers"), name),
            f,
        );
    }
}

/// The `content` map of a Request Body, Response, Parameter or Header.
fn visit_content(
    holder: &mut Value,
    pointer: &str,
    f: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    for (media, media_object) in holder
        .get_mut("content")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        if let Some(schema) = media_object.get_mut("schema") {
            visit_schema(
                schema,
                &format!(
                    "{}/schema",
                    child_pointer(&format!("{pointer}/content"), media)
                ),
                f,
            );
        }
    }
}

fn visit_schema(
    schema: &mut Value,
    pointer: &str,
    f: &mut dyn FnMut(&mut Map<String, Value>, &str),
) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    f(map, pointer);
    for (key, value) in map.iter_mut() {
        let child = child_pointer(pointer, key);
        match key.as_str() {
            "properties" | "patternProperties" | "$defs" | "dependentSchemas" => {
                for (name, sub) in value.as_object_mut().into_iter().flatten() {
                    visit_schema(sub, &child_pointer(&child, name), f);
                }
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                for (i, sub) in value.as_array_mut().into_iter().flatten().enumerate() {
                    visit_schema(sub, &format!("{child}/{i}"), f);
                }
            }
            "items"
            | "additionalProperties"
            | "not"
            | "contains"
            | "propertyNames"
            | "if"
            | "then"
            | "else"
            | "unevaluatedProperties"
            | "unevaluatedItems" => visit_schema(value, &child, f),
            _ => {}
        }
    }
}

/// Is this the `{type: 'null'}` member of a union?
fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        && schema.as_object().is_some_and(|m| {
            m.keys()
                .all(|k| k == "type" || ANNOTATIONS.contains(&k.as_str()))
        })
}

/// Rewrites one Schema Object into 3.0 form (its children are rewritten after it).
fn convert_schema(schema: &mut Map<String, Value>, pointer: &str, notes: &mut Vec<String>) {
    // `type: [T, 'null']` → `type: T` + nullable; several non-null types → anyOf of each.
    if let Some(Value::Array(types)) = schema.get("type").cloned() {
        let non_null: Vec<Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        if non_null.len() < types.len() {
            schema.insert("nullable".into(), Value::Bool(true));
        }
        match non_null.as_slice() {
            [] => {
                schema.shift_remove("type");
            }
            [one] => {
                schema.insert("type".into(), one.clone());
            }
            many => {
                schema.shift_remove("type");
                let members = many.iter().map(|t| json!({ "type": t })).collect();
                schema.insert("anyOf".into(), Value::Array(members));
            }
        }
    } else if schema.get("type").and_then(Value::as_str) == Some("null") {
        schema.shift_remove("type");
        schema.insert("nullable".into(), Value::Bool(true));
        schema.insert("enum".into(), json!([null]));
    }

    // `anyOf`/`oneOf` with a null member → nullable, unwrapping a single remaining member.
    for union in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = schema.get(union) else {
            continue;
        };
        if !members.iter().any(is_null_schema) {
            continue;
        }
        let rest: Vec<Value> = members
            .iter()
            .filter(|m| !is_null_schema(m))
            .cloned()
            .collect();
        schema.shift_remove(union);
        schema.insert("nullable".into(), Value::Bool(true));
        match rest.as_slice() {
            [] => {}
            [only] if only.get("$ref").is_some() => {
                // progenitor ignores `nullable` beside a `$ref`; inside `allOf` it is honoured.
                schema.insert("allOf".into(), json!([{ "$ref": only["$ref"] }]));
            }
            [Value::Object(only)]
                if only
                    .keys()
                    .all(|k| !schema.contains_key(k) || ANNOTATIONS.contains(&k.as_str())) =>
            {
                for (key, value) in only {
                    if !schema.contains_key(key) {
                        schema.insert(key.clone(), value.clone());
                    }
                }
            }
            _ => {
                schema.insert(union.into(), Value::Array(rest));
            }
        }
    }

    // `$ref` with siblings: 3.0 ignores the siblings, so keep their meaning through `allOf`.
    if schema.contains_key("$ref") && schema.len() > 1 {
        let target = schema.shift_remove("$ref").expect("checked above");
        schema.insert("allOf".into(), json!([{ "$ref": target }]));
    }

    if let Some(Value::Array(examples)) = schema.shift_remove("examples")
        && !schema.contains_key("example")
        && let Some(first) = examples.into_iter().next()
    {
        schema.insert("example".into(), first);
    }

    if let Some(value) = schema.shift_remove("const") {
        if schema.get("default") == Some(&value) {
            schema.shift_remove("default");
        }
        if !schema.contains_key("type")
            && let Some(kind) = json_type(&value)
        {
            schema.insert("type".into(), Value::String(kind.into()));
        }
        schema.insert("enum".into(), Value::Array(vec![value]));
    }

    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Number(limit)) = schema.get(exclusive).cloned() {
            schema.insert(bound.into(), Value::Number(limit));
            schema.insert(exclusive.into(), Value::Bool(true));
        }
    }

    let dropped: Vec<String> = schema
        .keys()
        .filter(|k| !k.starts_with("x-") && !SCHEMA_KEYWORDS_3_0.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in dropped {
        schema.shift_remove(&key);
        notes.push(format!(
            "{pointer}: dropped `{key}` (no OpenAPI 3.0 equivalent)"
        ));
    }
}

fn json_type(value: &Value) -> Option<&'static str> {
    Some(match value {
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::Null => return None,
    })
}

/// Removes components that no operation reaches through `$ref`s (and security schemes that no
/// security requirement names).
fn prune_unreachable_components(doc: &mut Value, notes: &mut Vec<String>) {
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut roots = Vec::new();
    collect_refs(doc.get("paths").unwrap_or(&Value::Null), &mut roots);
    queue.extend(roots);
    while let Some(reference) = queue.pop_front() {
        if !reached.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            let mut found = Vec::new();
            collect_refs(target, &mut found);
            queue.extend(found);
        }
    }
    let mut schemes: BTreeSet<String> = BTreeSet::new();
    collect_security_names(doc.get("security"), &mut schemes);
    for item in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(_, v)| v)
    {
        for method in HTTP_METHODS {
            collect_security_names(
                item.get(*method).and_then(|op| op.get("security")),
                &mut schemes,
            );
        }
    }

    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    for (section, entries) in components.iter_mut() {
        let Some(entries) = entries.as_object_mut() else {
            continue;
        };
        entries.retain(|name, _| {
            let keep = if section == "securitySchemes" {
                schemes.contains(name)
            } else {
                reached.contains(&format!(
                    "#{}",
                    child_pointer(&format!("/components/{section}"), name)
                ))
            };
            if !keep {
                notes.push(format!(
                    "/components/{section}/{name}: pruned (no operation uses it)"
                ));
            }
            keep
        });
    }
    components.retain(|_, entries| entries.as_object().is_none_or(|m| !m.is_empty()));
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(reference) = child.as_str() {
                        out.push(reference.to_string());
                    }
                } else {
                    collect_refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

fn collect_security_names(requirements: Option<&Value>, out: &mut BTreeSet<String>) {
    for requirement in requirements.and_then(Value::as_array).into_iter().flatten() {
        out.extend(
            requirement
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, _)| name.clone()),
        );
    }
}
