//! Each 3.1 form of a Schema Object rewritten into the 3.0 form with the same meaning.

use serde_json::{Map, Value, json};

/// Keywords of the OpenAPI 3.0 Schema Object; anything else (but `x-…`) is dropped.
pub const SCHEMA_KEYWORDS_3_0: &[&str] = &[
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
pub const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Is this the `{type: 'null'}` member of a union?
pub fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        && schema.as_object().is_some_and(|m| {
            m.keys()
                .all(|k| k == "type" || ANNOTATIONS.contains(&k.as_str()))
        })
}

/// Rewrites one Schema Object into 3.0 form (its children are rewritten after it).
pub fn convert_schema(schema: &mut Map<String, Value>, pointer: &str, notes: &mut Vec<String>) {
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
                // OpenAPI 3.0 checks a default against each `allOf` member, and the referenced
                // schema is not nullable, so `default: null` would make the document invalid;
                // for a nullable value, a null default says what absence already says.
                if schema.get("default") == Some(&Value::Null) {
                    schema.shift_remove("default");
                }
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
