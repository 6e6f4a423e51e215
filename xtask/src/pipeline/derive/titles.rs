//! Inline schemas whose `title` would give two different Rust types the same name lose that
//! title.
//!
//! typify names a type after its schema's `title`, and when a name is already taken it reuses
//! the existing type without comparing the schemas (typify 0.8, `TypeSpace::assign_type`). Baseten's
//! documents come from pydantic, which titles every property after its name: the 56
//! `event_type: {const: …, title: Event Type}` members of one union would all become the
//! first member's one-value enum (the others could then never decode), and an inline `Name`
//! collides with a component named `Name` (a compile error). Without a title typify names an
//! inline type after where it is used (`<Parent><Property>`), which is unique.
//!
//! A title is kept when every inline schema bearing it has the same shape (annotations aside),
//! so that repeated identical properties still share one type, and no component has that name.
//! Plain scalars are left alone: typify makes no type of them.

use super::schema::ANNOTATIONS;
use super::walk::{self, SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_SINGLES, is_component_schema};
use crate::operation_names::rust_name_key as name_key;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Drops the titles that would collide; reports each dropped title once.
pub fn drop_colliding_titles(doc: &mut Value, notes: &mut Vec<String>) {
    let components: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
        .map(|name| name_key(name))
        .collect();

    // Every inline title's key → the distinct shapes that bear it.
    let mut shapes: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    walk::for_each_schema(doc, &mut |schema, pointer| {
        if let Some(title) = inline_title(schema, pointer) {
            let seen = shapes.entry(name_key(title)).or_default();
            let shape = shape(&Value::Object(schema.clone()));
            if !seen.contains(&shape) {
                seen.push(shape);
            }
        }
    });
    let colliding: BTreeSet<String> = shapes
        .into_iter()
        .filter(|(key, shapes)| shapes.len() > 1 || components.contains(key))
        .map(|(key, _)| key)
        .collect();

    let mut reported = BTreeSet::new();
    walk::for_each_schema(doc, &mut |schema, pointer| {
        let Some(title) = inline_title(schema, pointer).map(str::to_string) else {
            return;
        };
        let key = name_key(&title);
        if colliding.contains(&key) {
            schema.shift_remove("title");
            if reported.insert(title.clone()) {
                let why = if components.contains(&key) {
                    "a component has that name"
                } else {
                    "inline schemas of different shapes bear it"
                };
                notes.push(format!(
                    "dropped the inline title `{title}` wherever it occurs ({why}; typify would \
                     give them one Rust type)"
                ));
            }
        }
    });
}

/// The title of a schema written inline that typify would name a type after (a component's own
/// title does not name its type; see [`is_plain_scalar`]).
fn inline_title<'a>(schema: &'a Map<String, Value>, pointer: &str) -> Option<&'a str> {
    if is_component_schema(pointer) || is_plain_scalar(schema) {
        return None;
    }
    schema.get("title").and_then(Value::as_str)
}

/// A string, number, integer or boolean with nothing but a format, a default and annotations:
/// typify maps it to a Rust primitive (`String`, `f64`, …) and never makes a type of it, so its
/// title names nothing and is left alone.
fn is_plain_scalar(schema: &Map<String, Value>) -> bool {
    let scalar = matches!(
        schema.get("type").and_then(Value::as_str),
        Some("string" | "number" | "integer" | "boolean")
    );
    scalar
        && schema.keys().all(|key| {
            matches!(
                key.as_str(),
                "type" | "format" | "nullable" | "default" | "title" | "examples"
            ) || ANNOTATIONS.contains(&key.as_str())
                || key.starts_with("x-")
        })
}

/// A schema without its annotations, at every depth: what decides the Rust type.
fn shape(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if key == "title" || ANNOTATIONS.contains(&key.as_str()) || key == "examples" {
            continue;
        }
        let value = if SCHEMA_MAPS.contains(&key.as_str()) {
            match value {
                Value::Object(entries) => Value::Object(
                    entries
                        .iter()
                        .map(|(name, sub)| (name.clone(), shape(sub)))
                        .collect(),
                ),
                other => other.clone(),
            }
        } else if SCHEMA_LISTS.contains(&key.as_str()) {
            match value {
                Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
                other => other.clone(),
            }
        } else if SCHEMA_SINGLES.contains(&key.as_str()) {
            shape(value)
        } else {
            value.clone()
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}
