//! Rules of the generated client that more than one part of the project must agree on:
//! build.rs applies them (`build/postprocess.rs`), and `cargo xtask diff` judges spec changes
//! by them (a value added to an open enum still decodes in an old client; one added to a closed
//! enum does not). Both include this file, so each rule is written once.
//!
//! Only `serde_json` and `std` are used here: build.rs reads the 3.0 document with them, xtask
//! the 3.1 sources (with `preserve_order`), and both must find the same tags in the same shapes.

use serde_json::Value;
use std::collections::BTreeSet;

/// The name of the catch-all variant that keeps a value this client does not know.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// The open-enum rule: a string enum gets the catch-all variant ([`UNKNOWN_VARIANT`]), however
/// many values it has, unless it is a union tag ([`union_tags`]).
///
/// A value the API adds later to an ordinary enum is a new value of the same thing, which an
/// old client must still decode and keep. A union tag is different: its value says which member
/// of a `oneOf`/`anyOf` an object is, so another value is another member (one an old client
/// does not know), and an open tag would let a member match an object of another member.
pub fn is_open_enum(string_values: bool, union_tag: bool) -> bool {
    string_values && !union_tag
}

/// The JSON pointers (`/components/schemas/Dog/properties/kind`) of the schemas of `doc` that
/// are union tags: the schema of a property that tells the members of a `oneOf`/`anyOf` apart,
/// and, when that schema is a `$ref` (or an `allOf` of one), the schema it refers to as well.
///
/// A property is a union tag when
/// - it is the union's (or a member's) `discriminator.propertyName`, or
/// - every object member of a union of at least two object members declares it with exactly one
///   value (a one-value `enum` or a `const`), and no two members with the same value.
///
/// Members are followed through local `$ref`s, and a member's properties include those of the
/// parts of its `allOf`. Schemas anywhere in the document are looked at, used or not.
pub fn union_tags(doc: &Value) -> BTreeSet<String> {
    let mut tags = BTreeSet::new();
    visit(doc, doc, &mut String::new(), &mut tags);
    tags
}

/// Looks for unions in `value` (at `pointer`) and everything under it.
fn visit(doc: &Value, value: &Value, pointer: &mut String, tags: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("oneOf")
                || map.contains_key("anyOf")
                || map.contains_key("discriminator")
            {
                union_at(doc, value, pointer, tags);
            }
            for (key, child) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                visit(doc, child, pointer, tags);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                visit(doc, child, pointer, tags);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// The tags of the union (or discriminated schema) `schema` at `pointer`.
fn union_at(doc: &Value, schema: &Value, pointer: &str, tags: &mut BTreeSet<String>) {
    let discriminator = schema
        .pointer("/discriminator/propertyName")
        .and_then(Value::as_str);
    // A discriminated base schema (members extend it with `allOf`) has the tag itself.
    if let Some(name) = discriminator {
        for (property, at) in properties(doc, schema, pointer) {
            if property == name {
                add_tag(doc, &at, tags);
            }
        }
    }
    let mut members = Vec::new();
    for keyword in ["oneOf", "anyOf"] {
        let Some(list) = schema.get(keyword).and_then(Value::as_array) else {
            continue;
        };
        for i in 0..list.len() {
            let (at, member) = resolve(doc, &format!("{pointer}/{keyword}/{i}"));
            if let Some(member) = member.filter(|m| is_object(doc, m, &at)) {
                members.push(properties(doc, member, &at));
            }
        }
    }
    let mut names: BTreeSet<String> = discriminator.map(str::to_string).into_iter().collect();
    if members.len() >= 2 {
        // Properties every member fixes to one value, the values all different.
        for (name, _) in &members[0] {
            let mut seen = BTreeSet::new();
            let distinct = members.iter().all(|properties| {
                properties
                    .iter()
                    .find(|(property, _)| property == name)
                    .and_then(|(_, at)| one_value(doc, at))
                    .is_some_and(|value| seen.insert(value))
            });
            if distinct {
                names.insert(name.clone());
            }
        }
    }
    for properties in &members {
        for (property, at) in properties {
            if names.contains(property) {
                add_tag(doc, at, tags);
            }
        }
    }
}

/// Records the property schema at `at` and every schema its `$ref`s lead to.
fn add_tag(doc: &Value, at: &str, tags: &mut BTreeSet<String>) {
    let mut at = at.to_string();
    for _ in 0..32 {
        tags.insert(at.clone());
        match reference(doc.pointer(&at)) {
            Some(next) if !tags.contains(&next) => at = next,
            _ => break,
        }
    }
}

/// The local `$ref` of `schema` (or of its `allOf` of one member), as a JSON pointer.
fn reference(schema: Option<&Value>) -> Option<String> {
    let schema = schema?;
    let reference =
        schema
            .get("$ref")
            .or_else(|| match schema.get("allOf")?.as_array()?.as_slice() {
                [only] if schema.get("properties").is_none() => only.get("$ref"),
                _ => None,
            })?;
    Some(reference.as_str()?.strip_prefix('#')?.to_string())
}

/// The schema at `pointer`, its `$ref`s followed: its pointer and the schema.
fn resolve<'a>(doc: &'a Value, pointer: &str) -> (String, Option<&'a Value>) {
    let mut at = pointer.to_string();
    for _ in 0..32 {
        match doc
            .pointer(&at)
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
        {
            Some(next) => at = next.strip_prefix('#').unwrap_or(next).to_string(),
            None => break,
        }
    }
    let schema = doc.pointer(&at);
    (at, schema)
}

/// Does `schema` describe an object (`type: object`, or properties of its own or in an
/// `allOf` part)?
fn is_object(doc: &Value, schema: &Value, pointer: &str) -> bool {
    let typed = match schema.get("type") {
        Some(Value::String(kind)) => kind == "object",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "object"),
        _ => false,
    };
    typed || !properties(doc, schema, pointer).is_empty()
}

/// The properties of the object `schema` at `pointer` (its own and its `allOf` parts'), each
/// with the pointer of its schema.
fn properties(doc: &Value, schema: &Value, pointer: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut own = |schema: &Value, pointer: &str| {
        if let Some(map) = schema.get("properties").and_then(Value::as_object) {
            for name in map.keys() {
                found.push((
                    name.clone(),
                    format!("{pointer}/properties/{}", escape(name)),
                ));
            }
        }
    };
    own(schema, pointer);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for i in 0..parts.len() {
            let (at, part) = resolve(doc, &format!("{pointer}/allOf/{i}"));
            if let Some(part) = part {
                own(part, &at);
            }
        }
    }
    found
}

/// The one value the schema at `at` allows (a one-value `enum`, or `const`), as JSON text;
/// `$ref`s (and `allOf`s of one) are followed.
fn one_value(doc: &Value, at: &str) -> Option<String> {
    let mut at = at.to_string();
    for _ in 0..32 {
        let schema = doc.pointer(&at)?;
        if let Some(value) = schema.get("const") {
            return Some(value.to_string());
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return match values.as_slice() {
                [only] => Some(only.to_string()),
                _ => None,
            };
        }
        at = reference(Some(schema))?;
    }
    None
}

/// A key as a JSON pointer token (`~` → `~0`, `/` → `~1`).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
