//! Visiting every Schema Object of a document, wherever OpenAPI allows one.

use crate::document::child_pointer;
use crate::pipeline::HTTP_METHODS;
use serde_json::{Map, Value};

/// What a visitor is given: the schema and its JSON pointer.
pub type Visitor<'a> = dyn FnMut(&mut Map<String, Value>, &str) + 'a;

/// Calls `f` on every Schema Object of the document with its pointer, parents before children:
/// a union must see its `{type: 'null'}` member before that member is rewritten, and members
/// merged into a parent are then visited as the parent's own children.
pub fn for_each_schema(doc: &mut Value, f: &mut Visitor) {
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

/// Is `pointer` the top of a named component schema (`/components/schemas/<name>`), as opposed
/// to a schema written inline somewhere?
pub fn is_component_schema(pointer: &str) -> bool {
    pointer
        .strip_prefix("/components/schemas/")
        .is_some_and(|name| !name.contains('/'))
}

fn visit_path_item(item: &mut Value, pointer: &str, f: &mut Visitor) {
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

fn visit_parameter_list(list: &mut Value, pointer: &str, f: &mut Visitor) {
    for (i, parameter) in list.as_array_mut().into_iter().flatten().enumerate() {
        visit_parameter(parameter, &format!("{pointer}/{i}"), f);
    }
}

/// A Parameter or Header Object: a `schema` or a `content` map.
fn visit_parameter(parameter: &mut Value, pointer: &str, f: &mut Visitor) {
    if let Some(schema) = parameter.get_mut("schema") {
        visit_schema(schema, &format!("{pointer}/schema"), f);
    }
    visit_content(parameter, pointer, f);
}

fn visit_response(response: &mut Value, pointer: &str, f: &mut Visitor) {
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
fn visit_content(holder: &mut Value, pointer: &str, f: &mut Visitor) {
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

/// The keywords whose values are maps of subschemas.
pub const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
];

/// The keywords whose values are lists of subschemas.
pub const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// The keywords whose values are one subschema.
pub const SCHEMA_SINGLES: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
];

fn visit_schema(schema: &mut Value, pointer: &str, f: &mut Visitor) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    f(map, pointer);
    for (key, value) in map.iter_mut() {
        let child = child_pointer(pointer, key);
        if SCHEMA_MAPS.contains(&key.as_str()) {
            for (name, sub) in value.as_object_mut().into_iter().flatten() {
                visit_schema(sub, &child_pointer(&child, name), f);
            }
        } else if SCHEMA_LISTS.contains(&key.as_str()) {
            for (i, sub) in value.as_array_mut().into_iter().flatten().enumerate() {
                visit_schema(sub, &format!("{child}/{i}"), f);
            }
        } else if SCHEMA_SINGLES.contains(&key.as_str()) {
            visit_schema(value, &child, f);
        }
    }
}
