//! The check of a request's path and query parameters against its operation in the spec.
//!
//! Parameters arrive as text; each is converted to what its schema asks for (`?limit=5` to the
//! integer 5, a repeated `?ids=a&ids=b` to a list, OpenAPI's default `form` style), then all
//! are checked at once by the spec's validator, so a wrong type, a value outside its enum or
//! bounds, and a missing required parameter are each a 400 naming the parameter. Parameters the
//! operation does not declare are ignored, as the live API ignores them.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::paths::Params;
use crate::spec::{Operation, Spec};

/// 400 `VALIDATION_ERROR` naming every parameter that breaks the spec.
pub(crate) fn check(
    spec: &Spec,
    op: &Operation,
    path: &Params,
    query: Option<&str>,
) -> Result<(), ApiError> {
    let query: Vec<(String, String)> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let mut values = Map::new();
    for parameter in &op.parameters {
        let raw: Vec<&str> = match parameter.location.as_str() {
            "path" => path
                .get(&parameter.name)
                .map(String::as_str)
                .into_iter()
                .collect(),
            "query" => query
                .iter()
                .filter(|(name, _)| *name == parameter.name)
                .map(|(_, value)| value.as_str())
                .collect(),
            _ => continue,
        };
        if raw.is_empty() {
            continue;
        }
        let value = convert(spec.components(), &parameter.schema, &raw);
        values.insert(parameter.name.clone(), value);
    }
    spec.validate_parameters(&op.id, &Value::Object(values))
        .map_err(|violations| {
            let described: Vec<String> = violations
                .iter()
                .map(|v| {
                    // The field path starts with the parameter's name.
                    let name = v.field.split(['.', '[']).next().unwrap_or_default();
                    let location = op
                        .parameters
                        .iter()
                        .find(|p| p.name == name)
                        .map_or("query", |p| p.location.as_str());
                    if v.message == "required field is missing" {
                        format!("{location} parameter `{name}` is required")
                    } else {
                        format!("{location} parameter `{}`: {}", v.field, v.message)
                    }
                })
                .collect();
            ApiError::validation(format!("Invalid request: {}.", described.join("; ")))
        })
}

/// The text values of one parameter as the JSON its schema wants: a list if the schema allows
/// one, else the last value as an integer, number or boolean where the schema allows that and
/// the text is one, else as text (which the validator then rejects if text is wrong).
fn convert(components: &Value, schema: &Value, raw: &[&str]) -> Value {
    let kinds = kinds(components, schema, 0);
    if let Some(items) = kinds.iter().find_map(|k| match k {
        Kind::Array(items) => Some(items),
        _ => None,
    }) {
        return Value::Array(
            raw.iter()
                .map(|r| convert(components, items, &[r]))
                .collect(),
        );
    }
    let text = raw.last().copied().unwrap_or_default();
    let has = |kind: &Kind| kinds.contains(kind);
    if has(&Kind::Integer)
        && let Ok(n) = text.parse::<i64>()
    {
        return Value::from(n);
    }
    if has(&Kind::Number)
        && let Some(n) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
    {
        return Value::Number(n);
    }
    if has(&Kind::Boolean)
        && let Ok(b) = text.parse::<bool>()
    {
        return Value::Bool(b);
    }
    Value::from(text)
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Integer,
    Number,
    Boolean,
    Other,
    Array(Value),
}

/// What a schema accepts, through `$ref`, `anyOf`, `oneOf` and `allOf`.
fn kinds(components: &Value, schema: &Value, depth: usize) -> Vec<Kind> {
    if depth > 16 {
        return Vec::new();
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components"))
        .and_then(|pointer| components.pointer(pointer))
    {
        return kinds(components, target, depth + 1);
    }
    let mut found = Vec::new();
    for keyword in ["anyOf", "oneOf", "allOf"] {
        for branch in schema
            .get(keyword)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            found.extend(kinds(components, branch, depth + 1));
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for t in types {
        found.push(match t {
            "integer" => Kind::Integer,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "array" => Kind::Array(schema.get("items").cloned().unwrap_or(Value::Bool(true))),
            _ => Kind::Other,
        });
    }
    // An enum of numbers or booleans without a `type`.
    for value in schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        found.push(match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Kind::Integer,
            Value::Number(_) => Kind::Number,
            Value::Bool(_) => Kind::Boolean,
            _ => Kind::Other,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_becomes_what_the_schema_wants() {
        let c = json!({"schemas": {"Order": {"enum": ["asc", "desc"], "type": "string"}}});
        let int_or_null = json!({"anyOf": [{"type": "integer"}, {"type": "null"}]});
        assert_eq!(convert(&c, &int_or_null, &["5"]), json!(5));
        assert_eq!(convert(&c, &int_or_null, &["five"]), json!("five"));
        assert_eq!(
            convert(&c, &json!({"type": "boolean"}), &["true"]),
            json!(true)
        );
        assert_eq!(
            convert(&c, &json!({"type": "number"}), &["1.5"]),
            json!(1.5)
        );
        let list = json!({"type": "array", "items": {"type": "integer"}});
        assert_eq!(convert(&c, &list, &["1", "2"]), json!([1, 2]));
        let order = json!({"$ref": "#/components/schemas/Order"});
        assert_eq!(convert(&c, &order, &["asc"]), json!("asc"));
    }
}
