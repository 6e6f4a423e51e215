//! Which component schemas each operation sends or receives: a change to a schema only sent by
//! the client has different effects from one to a schema it receives.

use super::change::Role;
use super::model::{Operation, media_schemas};
use super::node::component_name;
use serde_json::Value;
use std::collections::BTreeMap;

/// Component schema name → how operations use it (directly or through other schemas).
pub fn roles(doc: &Value, operations: &[Operation]) -> BTreeMap<String, Role> {
    let mut roles = BTreeMap::new();
    for op in operations {
        let mut sent: Vec<Value> = op.parameters.iter().map(|p| p.schema.clone()).collect();
        if let Some(body) = &op.request_body {
            sent.extend(media_schemas(body).into_iter().map(|(_, s)| s));
        }
        let received: Vec<Value> = op
            .responses
            .values()
            .flat_map(|r| media_schemas(r).into_iter().map(|(_, s)| s))
            .collect();
        for (schemas, role) in [(sent, Role::Request), (received, Role::Response)] {
            let mut queue: Vec<String> = Vec::new();
            for schema in &schemas {
                collect_component_refs(schema, &mut queue);
            }
            while let Some(name) = queue.pop() {
                let known = roles.get(&name).copied();
                let joined = Role::join(known, Some(role));
                if joined == known {
                    continue;
                }
                roles.insert(name.clone(), joined.unwrap_or(role));
                if let Some(schema) = doc
                    .get("components")
                    .and_then(|c| c.get("schemas"))
                    .and_then(|s| s.get(&name))
                {
                    collect_component_refs(schema, &mut queue);
                }
            }
        }
    }
    roles
}

fn collect_component_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(name) = child.as_str().and_then(component_name) {
                        out.push(name);
                    }
                } else {
                    collect_component_refs(child, out);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_component_refs(item, out)),
        _ => {}
    }
}
