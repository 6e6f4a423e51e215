//! Example bodies generated from a schema, for the operations the mock has no stateful handler
//! for (as stripe-mock answers Stripe's); and a stateful answer fitted to the served spec
//! ([`complete`]): the fields it lacks when that spec requires more than the mock models (a
//! field's documented `default`, `null` included, where one is given), without the fields an
//! older spec does not list.
//!
//! An answer must be the same bytes for the same request, so nothing here reads a clock or a
//! random generator: every choice is the first that fits, in the document's order.
//!
//! - `$ref` is followed; a schema that refers back to itself stops at the second visit (an
//!   `anyOf` then takes its `null` branch, an array stays empty, an optional property is left
//!   out).
//! - `anyOf` / `oneOf`: the first branch that is not `{type: 'null'}`; with a `discriminator`,
//!   its property is set to the mapping key of that branch. `allOf`: the members merged.
//! - `const`, then `enum` (first non-null value), then a non-null `default`, then for scalars
//!   the first of `examples`; otherwise a value of the first non-null `type`.
//! - Objects carry every listed property, optional ones too: a client's decoding of each field
//!   is exercised, and it costs nothing (bodies stay small: arrays have one item). A map
//!   (`additionalProperties: <schema>`) has one entry, `"key"`.
//! - Strings: by `format` (fixed values: `date-time` is `2026-01-01T00:00:00Z`), else a string
//!   that matches the `pattern` among a few candidates, else the property's own name, padded or
//!   cut to `minLength`/`maxLength`. Numbers: 0, moved into `minimum`/`maximum`.
//! - The path's ids are echoed: a string property named like a path parameter (`model_id`) has
//!   its value, and the top-level `id` has the last path parameter's when the path ends with it.
//!
//! The result is checked against the spec by the router like every answer; the crate's tests
//! do that for every operation of Baseten's full specification.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// How deep a generated document may nest; Baseten's go 8 levels deep.
const MAX_DEPTH: usize = 32;

/// Values a generated answer takes from the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Echo {
    /// Path parameters by name, for properties of the same name.
    pub(crate) fields: BTreeMap<String, String>,
    /// For the top-level `id`: the resource the path names.
    pub(crate) id: Option<String>,
}

/// An example of component `schema` (of `#/components/schemas`) from `components`.
pub(crate) fn example(components: &Value, schema: &str, echo: &Echo) -> Value {
    let root = json!({"$ref": format!("#/components/schemas/{schema}")});
    let mut value = example_of(components, &root, None, echo);
    if let (Some(id), Some(object)) = (&echo.id, value.as_object_mut())
        && object.get("id").is_some_and(Value::is_string)
    {
        object.insert("id".to_owned(), Value::from(id.clone()));
    }
    value
}

/// An example of `schema`, which may be inline (`$ref`s resolve in `components`); `name` is the
/// property or parameter it is for, if any (a string without a better rule is its name).
pub(crate) fn example_of(
    components: &Value,
    schema: &Value,
    name: Option<&str>,
    echo: &Echo,
) -> Value {
    let mut generator = Generator {
        components,
        echo,
        visiting: Vec::new(),
        defaults: false,
    };
    generator.value(schema, name).unwrap_or(Value::Null)
}

/// Adds to `body` the required properties that component `schema` asks for and `body` lacks,
/// at every depth, with generated values, and removes those an object schema that lists its
/// properties does not list: what lets a stateful answer built for one version of the spec be
/// served under a newer one that requires more (`request_backpressure_settings`), or an older
/// one that knew less (the 2026-06-03 capture's `UpdateEnvironmentResponseV1`).
pub(crate) fn complete(components: &Value, schema: &str, body: &mut Value) {
    let echo = Echo::default();
    let mut generator = Generator {
        components,
        echo: &echo,
        visiting: Vec::new(),
        // A field the mock does not model is best shown as the API's default (`policy: null`,
        // "no policy set"), not as a made-up setting.
        defaults: true,
    };
    let root = json!({"$ref": format!("#/components/schemas/{schema}")});
    generator.fill(&root, body, 0);
}

struct Generator<'a> {
    components: &'a Value,
    echo: &'a Echo,
    /// The `$ref`s being expanded, outermost first (recursion guard).
    visiting: Vec<String>,
    /// Whether any `default`, `null` and objects included, comes first (completion); else only
    /// a scalar one does (generated answers, which show a value of every field).
    defaults: bool,
}

impl Generator<'_> {
    /// The schema a `$ref` names, if it is one into the components.
    fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix("#/components")?;
        self.components.pointer(pointer)
    }

    /// A value for `schema`; `None` when it can only be built by expanding a `$ref` that is
    /// already being expanded. `name` is the property it is for, if any.
    fn value(&mut self, schema: &Value, name: Option<&str>) -> Option<Value> {
        if self.visiting.len() > MAX_DEPTH {
            return None;
        }
        let Some(map) = schema.as_object() else {
            // `true` (anything) or `false` (nothing): null is as good as anything.
            return Some(Value::Null);
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            if self.visiting.iter().any(|r| r == reference) {
                return None;
            }
            // An unresolvable `$ref` cannot be satisfied; the check of the answer says so.
            let target = self.resolve(reference)?.clone();
            self.visiting.push(reference.to_owned());
            let value = self.value(&target, name);
            self.visiting.pop();
            // Siblings of `$ref` (3.1 allows them) are annotations in Baseten's documents.
            return value;
        }
        if let Some(value) = map.get("const") {
            return Some(value.clone());
        }
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            return values
                .iter()
                .find(|v| !v.is_null())
                .or(values.first())
                .cloned();
        }
        if let Some(value) = map.get("default").filter(|v| self.defaults || is_scalar(v)) {
            return Some(value.clone());
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(branches) = map.get(keyword).and_then(Value::as_array) {
                return self.choice(branches, map.get("discriminator"), name);
            }
        }
        if let Some(members) = map.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for member in members {
                match self.value(member, name)? {
                    Value::Object(part) => merged.extend(part),
                    // A non-object `allOf` is one constraint on one value.
                    other if members.len() == 1 => return Some(other),
                    _ => {}
                }
            }
            return Some(Value::Object(merged));
        }
        let kind = first_type(map);
        if let Some(example) = map
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
            .filter(|e| is_scalar(e) && kind.is_none_or(|k| json_type_is(e, k)))
        {
            return Some(example.clone());
        }
        match kind {
            Some("object") => self.object(map),
            Some("array") => Some(self.array(map)),
            Some("string") => Some(self.string(map, name)),
            Some("integer") => Some(Value::from(integer(map))),
            Some("number") => Some(number(map)),
            Some("boolean") => Some(Value::Bool(false)),
            Some("null") => Some(Value::Null),
            _ if map.contains_key("properties") || map.contains_key("additionalProperties") => {
                self.object(map)
            }
            // No type: anything goes.
            _ => Some(Value::Null),
        }
    }

    /// The first branch that is not `null` and can be built; `null` if none can and one is
    /// allowed.
    fn choice(
        &mut self,
        branches: &[Value],
        discriminator: Option<&Value>,
        name: Option<&str>,
    ) -> Option<Value> {
        for branch in branches.iter().filter(|b| !is_null_schema(b)) {
            if let Some(mut value) = self.value(branch, name) {
                if let (Some(discriminator), Some(object)) = (discriminator, value.as_object_mut())
                {
                    tag(discriminator, branch, object);
                }
                return Some(value);
            }
        }
        branches.iter().any(is_null_schema).then_some(Value::Null)
    }

    fn object(&mut self, map: &Map<String, Value>) -> Option<Value> {
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut object = Map::new();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (property, schema) in properties {
                let value = match self.echoed(property, schema) {
                    Some(echoed) => Some(echoed),
                    None => self.value(schema, Some(property)),
                };
                match value {
                    Some(value) => {
                        object.insert(property.clone(), value);
                    }
                    // Optional and recursive: left out. Required and recursive: the whole
                    // object cannot be built here.
                    None if required.contains(&property.as_str()) => return None,
                    None => {}
                }
            }
        }
        if object.is_empty()
            && let Some(values) = map.get("additionalProperties").filter(|v| v.is_object())
            && let Some(value) = self.value(values, None)
        {
            object.insert("key".to_owned(), value);
        }
        Some(Value::Object(object))
    }

    /// The path parameter's value for a plain string property of the same name.
    fn echoed(&self, property: &str, schema: &Value) -> Option<Value> {
        let value = self.echo.fields.get(property)?;
        let plain_string = |s: &Value| {
            s.get("type").and_then(Value::as_str) == Some("string")
                && [
                    "format",
                    "pattern",
                    "enum",
                    "const",
                    "maxLength",
                    "minLength",
                ]
                .iter()
                .all(|k| s.get(k).is_none())
        };
        let accepts = plain_string(schema)
            || schema
                .get("anyOf")
                .and_then(Value::as_array)
                .and_then(|b| b.iter().find(|b| !is_null_schema(b)))
                .is_some_and(plain_string);
        accepts.then(|| Value::from(value.clone()))
    }

    fn array(&mut self, map: &Map<String, Value>) -> Value {
        let max = map.get("maxItems").and_then(Value::as_u64);
        if max == Some(0) {
            return json!([]);
        }
        let items = map
            .get("items")
            .cloned()
            .unwrap_or(json!({"type": "string"}));
        let count = map
            .get("minItems")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1);
        match self.value(&items, None) {
            Some(item) => Value::Array((0..count).map(|_| item.clone()).collect()),
            // Recursive items: an empty list is the end of the recursion.
            None => json!([]),
        }
    }

    fn string(&self, map: &Map<String, Value>, name: Option<&str>) -> Value {
        if let Some(format) = map.get("format").and_then(Value::as_str)
            && let Some(value) = formatted(format)
        {
            return Value::from(value);
        }
        let fit = |text: &str| {
            let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            let max = map.get("maxLength").and_then(Value::as_u64);
            let mut text: String = text.to_owned();
            while (text.chars().count() as u64) < min {
                text.push('x');
            }
            if let Some(max) = max {
                text = text
                    .chars()
                    .take(usize::try_from(max).unwrap_or(usize::MAX))
                    .collect();
            }
            text
        };
        if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
            let pattern_schema = json!({"type": "string", "pattern": pattern});
            if let Ok(validator) = jsonschema::validator_for(&pattern_schema) {
                let candidates = [name.unwrap_or("string"), "0", "a", "A", "a-1", "1.0", ""];
                if let Some(found) = candidates
                    .iter()
                    .map(|c| fit(c))
                    .find(|c| validator.is_valid(&Value::from(c.as_str())))
                {
                    return Value::from(found);
                }
            }
        }
        Value::from(fit(name.unwrap_or("string")))
    }

    /// Fills in, at every depth of `value`, the required properties `schema` asks for.
    fn fill(&mut self, schema: &Value, value: &mut Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(map) = schema.as_object() else {
            return;
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            if let Some(target) = self.resolve(reference).cloned() {
                self.fill(&target, value, depth + 1);
            }
            return;
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(branches) = map.get(keyword).and_then(Value::as_array) {
                // The branch of the value's own kind (an object for an object).
                if let Some(branch) = branches
                    .iter()
                    .find(|b| !is_null_schema(b) && self.kind_of(b) == json_kind(value))
                {
                    self.fill(&branch.clone(), value, depth + 1);
                }
                return;
            }
        }
        match value {
            Value::Object(object) => {
                let required: Vec<String> = map
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| {
                        r.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let Some(properties) = map.get("properties").and_then(Value::as_object) else {
                    return;
                };
                // What the schema does not list goes (the mock's own answers are checked
                // strictly): a stateful answer built for a newer spec than the one served.
                if !map.contains_key("additionalProperties") {
                    object.retain(|property, _| properties.contains_key(property));
                }
                for (property, schema) in properties {
                    match object.get_mut(property) {
                        Some(present) => self.fill(schema, present, depth + 1),
                        None if required.contains(property) => {
                            if let Some(generated) = self.value(schema, Some(property)) {
                                object.insert(property.clone(), generated);
                            }
                        }
                        None => {}
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = map.get("items") {
                    for item in items {
                        self.fill(item_schema, item, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// The JSON kind a schema describes (`object`, `array`, `scalar`), following `$ref`s.
    fn kind_of(&self, schema: &Value) -> &'static str {
        let mut schema = schema;
        for _ in 0..MAX_DEPTH {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(reference) => match self.resolve(reference) {
                    Some(target) => schema = target,
                    None => return "scalar",
                },
                None => break,
            }
        }
        match schema.as_object().and_then(first_type) {
            Some("object") => "object",
            Some("array") => "array",
            None if schema.get("properties").is_some() => "object",
            _ => "scalar",
        }
    }
}

/// Sets the discriminator property of a branch's object to the mapping key that names the
/// branch (when the branch is a `$ref` the mapping lists).
fn tag(discriminator: &Value, branch: &Value, object: &mut Map<String, Value>) {
    let (Some(property), Some(reference)) = (
        discriminator.get("propertyName").and_then(Value::as_str),
        branch.get("$ref").and_then(Value::as_str),
    ) else {
        return;
    };
    let key = discriminator
        .get("mapping")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().find(|(_, to)| to.as_str() == Some(reference)))
        .map(|(key, _)| key.clone());
    if let Some(key) = key {
        object.insert(property.to_owned(), Value::from(key));
    }
}

/// Fixed values for the formats a JSON Schema validator checks (and a few it does not).
fn formatted(format: &str) -> Option<&'static str> {
    Some(match format {
        "date-time" => "2026-01-01T00:00:00Z",
        "date" => "2026-01-01",
        "time" => "00:00:00Z",
        "duration" => "P1D",
        "uuid" => "00000000-0000-4000-8000-000000000000",
        "uri" | "url" | "iri" => "https://example.com/",
        "uri-reference" | "iri-reference" => "/example",
        "email" | "idn-email" => "user@example.com",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        _ => return None,
    })
}

fn integer(map: &Map<String, Value>) -> i64 {
    let mut value = 0;
    if let Some(min) = map.get("minimum").and_then(Value::as_f64) {
        value = value.max(min.ceil() as i64);
    }
    if let Some(min) = map.get("exclusiveMinimum").and_then(Value::as_f64) {
        value = value.max(min.floor() as i64 + 1);
    }
    if let Some(max) = map.get("maximum").and_then(Value::as_f64) {
        value = value.min(max.floor() as i64);
    }
    if let Some(max) = map.get("exclusiveMaximum").and_then(Value::as_f64) {
        value = value.min(max.ceil() as i64 - 1);
    }
    value
}

fn number(map: &Map<String, Value>) -> Value {
    let has_bound = ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"]
        .iter()
        .any(|k| map.contains_key(*k));
    if !has_bound {
        return json!(0.0);
    }
    // Whole numbers inside the bounds are numbers too.
    json!(integer(map) as f64)
}

/// The first non-null `type` of a schema.
fn first_type(map: &Map<String, Value>) -> Option<&str> {
    match map.get("type")? {
        Value::String(kind) => Some(kind.as_str()),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .or(Some("null")),
        _ => None,
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn json_type_is(value: &Value, kind: &str) -> bool {
    match kind {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => false,
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        _ => "scalar",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn components(schemas: Value) -> Value {
        json!({ "schemas": schemas })
    }

    #[test]
    fn nullable_unions_take_their_first_non_null_branch_and_refs_are_followed() {
        let c = components(json!({
            "A": {"type": "object", "required": ["x"], "properties": {
                "x": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/B"}]},
                "y": {"type": ["null", "integer"], "minimum": 3},
                "z": {"enum": [null, "ON", "OFF"]},
                "when": {"type": "string", "format": "date-time"},
            }},
            "B": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}},
        }));
        assert_eq!(
            example(&c, "A", &Echo::default()),
            json!({"x": {"tags": ["string"]}, "y": 3, "z": "ON", "when": "2026-01-01T00:00:00Z"})
        );
    }

    #[test]
    fn recursion_ends_in_null_or_an_empty_list() {
        let c = components(json!({
            "Node": {"type": "object", "properties": {
                "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            }},
        }));
        assert_eq!(
            example(&c, "Node", &Echo::default()),
            json!({"parent": null, "children": []})
        );
    }

    #[test]
    fn discriminated_branches_are_tagged_and_path_ids_echoed() {
        let c = components(json!({
            "Wrap": {"type": "object", "properties": {
                "id": {"type": "string"},
                "model_id": {"type": "string"},
                "source": {
                    "oneOf": [{"$ref": "#/components/schemas/Cat"}],
                    "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}},
                },
                "labels": {"type": "object", "additionalProperties": {"type": "integer"}},
            }},
            "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
        }));
        let echo = Echo {
            fields: BTreeMap::from([("model_id".to_owned(), "m1".to_owned())]),
            id: Some("d1".to_owned()),
        };
        assert_eq!(
            example(&c, "Wrap", &echo),
            json!({"id": "d1", "model_id": "m1", "source": {"kind": "cat"}, "labels": {"key": 0}})
        );
    }

    #[test]
    fn completion_adds_only_missing_required_fields_at_every_depth() {
        let c = components(json!({
            "Env": {"type": "object", "required": ["name", "backpressure", "current"], "properties": {
                "name": {"type": "string"},
                "backpressure": {"type": "object", "required": ["policy"], "properties": {
                    "policy": {"anyOf": [{"enum": ["QUEUE"]}, {"type": "null"}]}}},
                "current": {"anyOf": [{"$ref": "#/components/schemas/Dep"}, {"type": "null"}]},
            }},
            "Dep": {"type": "object", "required": ["region"], "properties": {"region": {"type": "string"}}},
        }));
        let mut body = json!({"name": "staging", "current": {}});
        complete(&c, "Env", &mut body);
        assert_eq!(
            body,
            json!({"name": "staging", "current": {"region": "region"}, "backpressure": {"policy": "QUEUE"}})
        );
        // A documented default wins, null included.
        let c = components(
            json!({"S": {"type": "object", "required": ["b"], "properties": {
            "b": {"type": "object", "properties": {
                "policy": {"anyOf": [{"enum": ["QUEUE"]}, {"type": "null"}], "default": null}}}}}}),
        );
        let mut body = json!({});
        complete(&c, "S", &mut body);
        assert_eq!(body, json!({"b": {"policy": null}}));
    }
}
