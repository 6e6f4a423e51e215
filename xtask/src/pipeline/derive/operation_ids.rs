//! Every operation gets an `operationId`: the overlay's, else one derived from method and path.

use crate::operation_names;
use crate::pipeline::HTTP_METHODS;
use serde_json::Value;
use std::collections::BTreeSet;

/// Gives every operation without one an id derived from its method and path, unique in the
/// document even as a Rust name (ids the overlay set are kept and reserved first).
pub fn assign_operation_ids(doc: &mut Value, notes: &mut Vec<String>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let mut taken: BTreeSet<String> = paths
        .values()
        .flat_map(|item| HTTP_METHODS.iter().filter_map(move |m| item.get(*m)))
        .filter_map(|op| {
            op.get("operationId")
                .and_then(Value::as_str)
                .map(operation_names::rust_name_key)
        })
        .collect();
    for (path, item) in paths.iter_mut() {
        for method in HTTP_METHODS {
            let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                continue;
            };
            if op.contains_key("operationId") {
                continue;
            }
            let name =
                operation_names::unique(operation_names::method_name(method, path), &mut taken);
            notes.push(format!(
                "{} {path}: no operationId in the overlay; named it `{name}`",
                method.to_uppercase()
            ));
            op.insert("operationId".into(), Value::String(name));
        }
    }
}
