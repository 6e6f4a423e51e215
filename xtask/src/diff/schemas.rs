//! Comparing two schemas: properties, types, required-ness, nullability, enum values, defaults.
//! The effect of each change depends on which way the schema flows (see the table in
//! [`crate::diff`]).

use super::change::{Effect, Flow, Kind, Role, Verdict, per_flow};
use super::differ::{Differ, Found, Place};
use super::node::{MAX_DEPTH, Node, Shape, describe, widens};
use serde_json::{Value, json};

use Effect::{Behavior, Breaking, Compatible};

/// Required-ness of a property on both sides: with nullability and the default it decides
/// whether the Rust field is an `Option`.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub old_required: bool,
    pub new_required: bool,
}

impl Differ<'_> {
    /// Compares `old` and `new` (schemas of the old and new document) found at `place`.
    pub fn compare_schema(
        &mut self,
        place: &Place,
        role: Role,
        old: &Value,
        new: &Value,
        field: Option<Field>,
    ) {
        // A `$ref` to part of a schema can make it contain itself: stop where a person would.
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.compare_nodes(place, role, old, new, field);
        self.depth -= 1;
    }

    fn compare_nodes(
        &mut self,
        place: &Place,
        role: Role,
        old: &Value,
        new: &Value,
        field: Option<Field>,
    ) {
        let o = Node::of(self.old_root, old);
        let n = Node::of(self.new_root, new);
        // Does the Rust field change between `T` and `Option<T>`? Then code reading or setting
        // it no longer compiles, whatever the wire says.
        let flips = field
            .is_some_and(|f| o.rust_optional(f.old_required) != n.rust_optional(f.new_required));
        let rust_if_flips = if flips { Breaking } else { Compatible };

        if !self.same_shape(&o, &n) {
            let (old_root, new_root) = (self.old_root, self.new_root);
            let verdict = per_flow(role, |flow| match flow {
                Flow::Request if widens(old_root, &o, new_root, &n) => Verdict::new(
                    Breaking,
                    Compatible,
                    "the server accepts all an old client sends",
                ),
                Flow::Request => Verdict::new(
                    Breaking,
                    Breaking,
                    "the server may refuse what an old client sends",
                ),
                Flow::Response if widens(new_root, &n, old_root, &o) => Verdict::new(
                    Breaking,
                    Compatible,
                    "an old client still decodes all the server sends",
                ),
                Flow::Response => {
                    Verdict::new(Breaking, Breaking, "an old client may fail to decode it")
                }
            });
            let (from, to) = (describe(self.old_root, &o), describe(self.new_root, &n));
            self.push(
                place,
                Found {
                    kind: Kind::TypeChanged,
                    role: Some(role),
                    verdict,
                    what: format!("type changed from `{from}` to `{to}`"),
                    old: Some(json!(from)),
                    new: Some(json!(to)),
                },
            );
            return;
        }

        if o.nullable != n.nullable {
            let became = n.nullable;
            let verdict = per_flow(role, |flow| match (became, flow) {
                (true, Flow::Request) => Verdict::new(rust_if_flips, Compatible, ""),
                (true, Flow::Response) => Verdict::new(
                    rust_if_flips,
                    Breaking,
                    "an old client fails to decode a null",
                ),
                (false, Flow::Request) => Verdict::new(
                    rust_if_flips,
                    Breaking,
                    "the server refuses the null an old client may send",
                ),
                (false, Flow::Response) => Verdict::new(rust_if_flips, Compatible, ""),
            });
            let (kind, what) = if became {
                (Kind::BecameNullable, "may now be null")
            } else {
                (Kind::BecameNonNullable, "can no longer be null")
            };
            self.push(place, found(kind, role, verdict, &with_flip(what, flips)));
        }

        self.compare_values(place, role, &o, &n);

        if o.default != n.default {
            let request_why = if n.default.is_some() {
                "the crate's builders send the new default where the caller sets nothing"
            } else {
                "the crate's builders no longer fill in a value the caller leaves unset"
            };
            let verdict = per_flow(role, |flow| match flow {
                Flow::Request => Verdict::new(rust_if_flips.max(Behavior), Compatible, request_why),
                Flow::Response => Verdict::new(
                    rust_if_flips.max(Behavior),
                    Behavior,
                    "an old client fills in its old default when the server omits the field",
                ),
            });
            let what = match (&o.default, &n.default) {
                (Some(a), Some(b)) => format!("default changed from {a} to {b}"),
                (None, Some(b)) => format!("default {b} added"),
                (Some(a), None) => format!("default {a} removed"),
                (None, None) => unreachable!("defaults differ"),
            };
            self.push(
                place,
                Found {
                    old: o.default.clone(),
                    new: n.default.clone(),
                    ..found(
                        Kind::DefaultChanged,
                        role,
                        verdict,
                        &with_flip(&what, flips),
                    )
                },
            );
        }

        match (&o.shape, &n.shape) {
            (Shape::Object, Shape::Object) => self.compare_properties(place, role, &o, &n),
            (Shape::Array(a), Shape::Array(b)) => {
                self.compare_schema(&place.suffix("[]"), role, a, b, None)
            }
            (Shape::Map(a), Shape::Map(b)) => {
                self.compare_schema(&place.suffix("{}"), role, a, b, None)
            }
            (Shape::Union(a), Shape::Union(b)) | (Shape::AllOf(a), Shape::AllOf(b)) => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    self.compare_schema(&place.suffix(&format!("#{}", i + 1)), role, x, y, None);
                }
            }
            _ => {}
        }
    }

    fn compare_values(&mut self, place: &Place, role: Role, o: &Node, n: &Node) {
        let (Some(old), Some(new)) = (&o.values, &n.values) else {
            return;
        };
        let added: Vec<Value> = new.iter().filter(|v| !old.contains(v)).cloned().collect();
        let removed: Vec<Value> = old.iter().filter(|v| !new.contains(v)).cloned().collect();
        if !added.is_empty() {
            // build.rs gives every string enum an `Unknown(String)` variant, so an old client
            // decodes a new value, unless the old document used it as a union tag: that stays
            // closed (the rule and the tags are `client_rules`', which build.rs applies).
            let open = super::client_rules::is_open_enum(
                old.iter().all(Value::is_string),
                o.map.contains_key(super::UNION_TAG),
            );
            let verdict = per_flow(role, |flow| match flow {
                Flow::Request => Verdict::compatible(""),
                Flow::Response if open => Verdict::new(
                    Breaking,
                    Behavior,
                    "a new variant breaks exhaustive matches; an old client decodes the value \
                     as `Unknown(..)`",
                ),
                Flow::Response => Verdict::new(
                    Breaking,
                    Breaking,
                    "a new variant breaks exhaustive matches, and an old client cannot decode \
                     the value: a union tag is a closed enum (another value is another member)",
                ),
            });
            let what = format!("enum values added: {}", list(&added));
            self.push(
                place,
                Found {
                    new: Some(Value::Array(added)),
                    ..found(Kind::EnumValuesAdded, role, verdict, &what)
                },
            );
        }
        if !removed.is_empty() {
            let verdict = per_flow(role, |flow| match flow {
                Flow::Request => Verdict::new(
                    Breaking,
                    Breaking,
                    "the variant is gone, and the server refuses it from an old client",
                ),
                Flow::Response => Verdict::new(Breaking, Compatible, "the variant is gone"),
            });
            let what = format!("enum values removed: {}", list(&removed));
            self.push(
                place,
                Found {
                    old: Some(Value::Array(removed)),
                    ..found(Kind::EnumValuesRemoved, role, verdict, &what)
                },
            );
        }
    }

    fn compare_properties(&mut self, place: &Place, role: Role, o: &Node, n: &Node) {
        let old_properties = o.properties();
        let new_properties = n.properties();
        for (name, old_schema) in &old_properties {
            let at = place.child(name);
            let Some(new_schema) = new_properties.get(name) else {
                let was_required = o.requires(name);
                let strict = n.forbids_other_properties();
                let verdict = per_flow(role, |flow| match flow {
                    Flow::Request if strict => Verdict::new(
                        Breaking,
                        Breaking,
                        "the server refuses unknown properties an old client still sends",
                    ),
                    Flow::Request => Verdict::new(
                        Breaking,
                        Compatible,
                        "the field is gone; the server ignores it from an old client",
                    ),
                    Flow::Response if was_required => Verdict::new(
                        Breaking,
                        Breaking,
                        "the field is gone; an old client requires it",
                    ),
                    Flow::Response => Verdict::new(Breaking, Compatible, "the field is gone"),
                });
                let what = if was_required {
                    "removed (was required)"
                } else {
                    "removed (was optional)"
                };
                self.push(&at, found(Kind::PropertyRemoved, role, verdict, what));
                continue;
            };
            let field = Field {
                old_required: o.requires(name),
                new_required: n.requires(name),
            };
            if field.old_required != field.new_required {
                let old_node = Node::of(self.old_root, old_schema);
                let new_node = Node::of(self.new_root, new_schema);
                let flips = old_node.rust_optional(field.old_required)
                    != new_node.rust_optional(field.new_required);
                let rust = if flips { Breaking } else { Compatible };
                let became = field.new_required;
                let verdict = per_flow(role, |flow| match (became, flow) {
                    (true, Flow::Request) => Verdict::new(
                        Breaking,
                        Breaking,
                        "code that leaves it unset fails, and the server refuses an old client \
                         that omits it",
                    ),
                    (true, Flow::Response) => Verdict::new(rust, Compatible, ""),
                    (false, Flow::Request) => Verdict::new(rust, Compatible, ""),
                    (false, Flow::Response) => Verdict::new(
                        rust,
                        Breaking,
                        "an old client fails to decode a response without it",
                    ),
                });
                let (kind, what) = if became {
                    (Kind::BecameRequired, "became required")
                } else {
                    (Kind::BecameOptional, "became optional")
                };
                self.push(&at, found(kind, role, verdict, &with_flip(what, flips)));
            }
            self.compare_schema(&at, role, old_schema, new_schema, Some(field));
        }
        for (name, new_schema) in &new_properties {
            if old_properties.contains_key(name) {
                continue;
            }
            let required = n.requires(name);
            let verdict = per_flow(role, |flow| match flow {
                Flow::Request if required => Verdict::new(
                    Breaking,
                    Breaking,
                    "code must now set it, and an old client does not send it",
                ),
                Flow::Request => Verdict::compatible(""),
                Flow::Response => {
                    Verdict::compatible("an old client ignores fields it does not know")
                }
            });
            let node = Node::of(self.new_root, new_schema);
            let what = format!(
                "added, {} (`{}`)",
                if required { "required" } else { "optional" },
                describe(self.new_root, &node)
            );
            self.push(
                &place.child(name),
                found(Kind::PropertyAdded, role, verdict, &what),
            );
        }
    }
}

/// Says so when the change turns the Rust field from `T` into `Option<T>` or back: that alone
/// breaks code reading or setting it.
fn with_flip(what: &str, flips: bool) -> String {
    if flips {
        format!("{what}; the Rust field changes between `T` and `Option<T>`")
    } else {
        what.to_string()
    }
}

/// A change without old/new values.
pub fn found(kind: Kind, role: Role, verdict: Verdict, what: &str) -> Found {
    Found {
        kind,
        role: Some(role),
        verdict,
        what: what.to_string(),
        old: None,
        new: None,
    }
}

impl Differ<'_> {
    /// Are the two nodes the same kind of value, one level deep (their contents are compared
    /// separately)?
    fn same_shape(&self, o: &Node, n: &Node) -> bool {
        self.same_shape_within(o, n, MAX_DEPTH)
    }

    fn same_shape_within(&self, o: &Node, n: &Node, depth: usize) -> bool {
        if depth == 0 {
            return true;
        }
        if o.values.is_some() != n.values.is_some() {
            return false;
        }
        match (&o.shape, &n.shape) {
            (Shape::Ref(a), Shape::Ref(b)) => a == b,
            (Shape::Scalar { .. }, Shape::Scalar { .. }) => o.shape == n.shape,
            (Shape::Union(a), Shape::Union(b)) | (Shape::AllOf(a), Shape::AllOf(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b).all(|(x, y)| {
                        let x = Node::of(self.old_root, x);
                        let y = Node::of(self.new_root, y);
                        self.same_shape_within(&x, &y, depth - 1) && x.nullable == y.nullable
                    })
            }
            (Shape::Array(_), Shape::Array(_))
            | (Shape::Map(_), Shape::Map(_))
            | (Shape::Object, Shape::Object)
            | (Shape::Any, Shape::Any) => true,
            _ => false,
        }
    }
}

/// `A, B, C` for enum values (strings without quotes).
fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
