//! A schema reduced to what matters for the diff: its shape, nullability, enum values and
//! default, with the 3.1 spellings of the same thing made equal.
//!
//! `anyOf [T, {type: 'null'}]`, `type: [T, 'null']` and `nullable: true` all become a nullable
//! `T`; `const` becomes a one-value enum; `$ref` with siblings is the reference. The rewriting is
//! the derive stage's own ([`convert_schema`]), applied one level at a time as the diff descends.

use crate::pipeline::derive::schema::convert_schema;
use serde_json::{Map, Value};

/// What kind of value a schema describes, one level deep.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A component schema, by name: compared once, under its own name.
    Ref(String),
    /// `string`, `integer`, `number`, `boolean` (with its `format`).
    Scalar {
        kind: String,
        format: Option<String>,
    },
    /// An array of `items`.
    Array(Box<Value>),
    /// An object with named properties.
    Object,
    /// An object used as a map from names to `values`.
    Map(Box<Value>),
    /// Any of the member schemas (`anyOf`/`oneOf` with several non-null members).
    Union(Vec<Value>),
    /// All of the member schemas.
    AllOf(Vec<Value>),
    /// No constraint.
    Any,
}

/// A normalized schema.
#[derive(Debug, Clone)]
pub struct Node {
    pub shape: Shape,
    pub nullable: bool,
    /// Non-null enum values, when the schema lists them.
    pub values: Option<Vec<Value>>,
    /// The default, when it is not null (a null default says nothing an absent one does not).
    pub default: Option<Value>,
    /// The schema's keywords after normalization (properties, required, …).
    pub map: Map<String, Value>,
}

impl Node {
    /// Normalizes `schema`, following `$ref`s into `root` that do not name a component schema.
    pub fn of(root: &Value, schema: &Value) -> Node {
        Self::of_depth(root, schema, 0)
    }

    fn of_depth(root: &Value, schema: &Value, depth: usize) -> Node {
        let mut map = match schema {
            Value::Object(map) => map.clone(),
            // `true` (or anything else) constrains nothing; `false` is not used by OpenAPI.
            _ => Map::new(),
        };
        convert_schema(&mut map, "", &mut Vec::new());
        let mut nullable = map.get("nullable") == Some(&Value::Bool(true));
        let values = map.get("enum").and_then(Value::as_array).map(|v| {
            nullable |= v.contains(&Value::Null);
            v.iter()
                .filter(|x| !x.is_null())
                .cloned()
                .collect::<Vec<_>>()
        });
        let default = map.get("default").filter(|d| !d.is_null()).cloned();

        // A reference (possibly kept as `allOf: [$ref]` to carry `nullable` or annotations).
        let reference = map.get("$ref").and_then(Value::as_str).or_else(|| {
            match map
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([only]) if !map.contains_key("properties") => {
                    only.get("$ref").and_then(Value::as_str)
                }
                _ => None,
            }
        });
        if let Some(reference) = reference {
            if let Some(name) = component_name(reference) {
                return Node {
                    shape: Shape::Ref(name),
                    nullable,
                    values,
                    default,
                    map,
                };
            }
            // A reference to something that is not a component: compare what it points at.
            if let Some(target) = reference.strip_prefix('#').and_then(|p| root.pointer(p))
                && depth < 32
            {
                let mut inner = Self::of_depth(root, target, depth + 1);
                inner.nullable |= nullable;
                inner.default = default.or(inner.default);
                return inner;
            }
        }

        let shape = shape_of(&map, &values);
        // A union left with one member (its keys clashed with the parent's): that member.
        if let Shape::Union(members) = &shape
            && let [only] = members.as_slice()
            && depth < 32
        {
            let mut inner = Self::of_depth(root, only, depth + 1);
            inner.nullable |= nullable;
            return inner;
        }
        Node {
            shape,
            nullable,
            values,
            default,
            map,
        }
    }

    /// The properties of an object schema.
    pub fn properties(&self) -> Map<String, Value> {
        self.map
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    /// Is `name` in `required`?
    pub fn requires(&self, name: &str) -> bool {
        self.map
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == name))
    }

    /// Does the schema refuse properties it does not list?
    pub fn forbids_other_properties(&self) -> bool {
        self.map.get("additionalProperties") == Some(&Value::Bool(false))
    }

    /// Whether the generated Rust field is an `Option`: typify makes a field `Option<T>` when
    /// it may be null, or may be absent with no default to fall back on.
    pub fn rust_optional(&self, required: bool) -> bool {
        self.nullable || (!required && self.default.is_none())
    }
}

/// `#/components/schemas/Name` → `Name`.
pub fn component_name(reference: &str) -> Option<String> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    (!name.contains('/')).then(|| crate::document::unescape_pointer_token(name))
}

fn shape_of(map: &Map<String, Value>, values: &Option<Vec<Value>>) -> Shape {
    for union in ["anyOf", "oneOf"] {
        if let Some(members) = map.get(union).and_then(Value::as_array) {
            return Shape::Union(members.clone());
        }
    }
    if let Some(members) = map.get("allOf").and_then(Value::as_array)
        && !map.contains_key("properties")
    {
        return Shape::AllOf(members.clone());
    }
    let kind = map.get("type").and_then(Value::as_str).map(str::to_string);
    let kind = kind.or_else(|| {
        // An `enum` without a `type` has the type of its values.
        let first = values.as_ref()?.first()?;
        Some(
            match first {
                Value::String(_) => "string",
                Value::Bool(_) => "boolean",
                Value::Number(n) if n.is_f64() => "number",
                Value::Number(_) => "integer",
                Value::Array(_) => "array",
                _ => "object",
            }
            .to_string(),
        )
    });
    let has_properties = map
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    match kind.as_deref() {
        Some("array") => Shape::Array(Box::new(
            map.get("items").cloned().unwrap_or(Value::Bool(true)),
        )),
        Some("object") | None if has_properties => Shape::Object,
        Some("object") => match map.get("additionalProperties") {
            Some(Value::Object(values)) => Shape::Map(Box::new(Value::Object(values.clone()))),
            Some(Value::Bool(false)) => Shape::Object,
            _ => Shape::Map(Box::new(Value::Bool(true))),
        },
        Some(kind) => Shape::Scalar {
            kind: kind.to_string(),
            format: map
                .get("format")
                .and_then(Value::as_str)
                .map(str::to_string),
        },
        None => Shape::Any,
    }
}

/// A short description of a schema's type, for messages: `string (date-time)`, `array of
/// DeploymentV1`, `one of integer | string`.
pub fn describe(root: &Value, node: &Node) -> String {
    describe_within(root, node, MAX_DEPTH)
}

/// How deep the recursive helpers follow inline schemas: a `$ref` to a part of a schema (not a
/// component) can make a schema contain itself.
pub const MAX_DEPTH: usize = 32;

fn describe_within(root: &Value, node: &Node, depth: usize) -> String {
    if depth == 0 {
        return "…".into();
    }
    let describe = |root: &Value, node: &Node| describe_within(root, node, depth - 1);
    let base = match &node.shape {
        Shape::Ref(name) => name.clone(),
        Shape::Scalar { kind, format } => match format {
            Some(format) => format!("{kind} ({format})"),
            None => kind.clone(),
        },
        Shape::Array(items) => format!("array of {}", describe(root, &Node::of(root, items))),
        Shape::Object => "object".into(),
        Shape::Map(values) => format!("map of {}", describe(root, &Node::of(root, values))),
        Shape::Union(members) => format!(
            "one of {}",
            members
                .iter()
                .map(|m| describe(root, &Node::of(root, m)))
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        Shape::AllOf(members) => format!(
            "all of {}",
            members
                .iter()
                .map(|m| describe(root, &Node::of(root, m)))
                .collect::<Vec<_>>()
                .join(" & ")
        ),
        Shape::Any => "any value".into(),
    };
    if node.nullable {
        format!("{base} | null")
    } else {
        base
    }
}

/// Does every value that `old` accepts also satisfy `new` (nullability aside)? A request type
/// may widen without breaking old clients; a response type may narrow.
pub fn widens(old_root: &Value, old: &Node, new_root: &Value, new: &Node) -> bool {
    widens_within(old_root, old, new_root, new, MAX_DEPTH)
}

fn widens_within(old_root: &Value, old: &Node, new_root: &Value, new: &Node, depth: usize) -> bool {
    if depth == 0 {
        return false;
    }
    let widens = |old_root: &Value, old: &Node, new_root: &Value, new: &Node| {
        widens_within(old_root, old, new_root, new, depth - 1)
    };
    match (&old.shape, &new.shape) {
        (_, Shape::Any) => true,
        (Shape::Ref(a), Shape::Ref(b)) => a == b,
        (
            Shape::Scalar {
                kind: a,
                format: fa,
            },
            Shape::Scalar {
                kind: b,
                format: fb,
            },
        ) => {
            let kind_ok = a == b || (a == "integer" && b == "number");
            let format_ok = fb.is_none() || fa == fb;
            let values_ok = match (&old.values, &new.values) {
                (_, None) => true,
                (Some(o), Some(n)) => o.iter().all(|v| n.contains(v)),
                (None, Some(_)) => false,
            };
            kind_ok && format_ok && values_ok
        }
        (Shape::Array(a), Shape::Array(b)) | (Shape::Map(a), Shape::Map(b)) => widens(
            old_root,
            &Node::of(old_root, a),
            new_root,
            &Node::of(new_root, b),
        ),
        (Shape::Union(members), _) => members
            .iter()
            .all(|m| widens(old_root, &Node::of(old_root, m), new_root, new)),
        (_, Shape::Union(members)) => members
            .iter()
            .any(|m| widens(old_root, old, new_root, &Node::of(new_root, m))),
        _ => false,
    }
}
