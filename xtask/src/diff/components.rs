//! Comparing component schemas, each once under its own name: added, removed, and changed
//! (through [`super::schemas`]). Schemas no operation uses are not part of the generated crate
//! and are left out.

use super::change::{Effect, Group, Kind, Role, Verdict};
use super::differ::{Differ, Found, Place};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

fn schemas(doc: &Value) -> Map<String, Value> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

impl Differ<'_> {
    pub fn compare_components(
        &mut self,
        old_roles: &BTreeMap<String, Role>,
        new_roles: &BTreeMap<String, Role>,
    ) {
        let old = schemas(self.old_root);
        let new = schemas(self.new_root);
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for name in names {
            let place = Place::new(Group::Schema, name.as_str());
            let old_role = old_roles.get(name).copied();
            let new_role = new_roles.get(name).copied();
            // What counts is whether the crate has the type: a component no operation uses
            // any more is pruned from it, as if it were gone.
            let in_old = old.get(name).filter(|_| old_role.is_some());
            let in_new = new.get(name).filter(|_| new_role.is_some());
            match (in_old, in_new) {
                (Some(o), Some(n)) => {
                    if let Some(role) = Role::join(old_role, new_role) {
                        self.compare_schema(&place, role, o, n, None);
                    }
                }
                (Some(_), None) => self.push(
                    &place,
                    Found {
                        kind: Kind::SchemaRemoved,
                        role: old_role,
                        verdict: Verdict::new(
                            Effect::Breaking,
                            Effect::Compatible,
                            "the Rust type is gone",
                        ),
                        what: if new.contains_key(name) {
                            "no longer used by any operation".into()
                        } else {
                            "removed".into()
                        },
                        old: None,
                        new: None,
                    },
                ),
                (None, Some(_)) => self.push(
                    &place,
                    Found {
                        kind: Kind::SchemaAdded,
                        role: new_role,
                        verdict: Verdict::compatible(""),
                        what: "added".into(),
                        old: None,
                        new: None,
                    },
                ),
                _ => {}
            }
        }
    }
}
