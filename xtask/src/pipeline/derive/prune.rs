//! Components that no operation reaches are pruned, so the generated client holds only the types
//! its methods use.

use crate::document::child_pointer;
use crate::pipeline::HTTP_METHODS;
use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};

/// Removes components that no operation reaches through `$ref`s (and security schemes that no
/// security requirement names).
pub fn prune_unreachable_components(doc: &mut Value, notes: &mut Vec<String>) {
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut roots = Vec::new();
    collect_refs(doc.get("paths").unwrap_or(&Value::Null), &mut roots);
    queue.extend(roots);
    while let Some(reference) = queue.pop_front() {
        if !reached.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            let mut found = Vec::new();
            collect_refs(target, &mut found);
            queue.extend(found);
        }
    }
    let mut schemes: BTreeSet<String> = BTreeSet::new();
    collect_security_names(doc.get("security"), &mut schemes);
    for item in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(_, v)| v)
    {
        for method in HTTP_METHODS {
            collect_security_names(
                item.get(*method).and_then(|op| op.get("security")),
                &mut schemes,
            );
        }
    }

    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    for (section, entries) in components.iter_mut() {
        let Some(entries) = entries.as_object_mut() else {
            continue;
        };
        entries.retain(|name, _| {
            let keep = if section == "securitySchemes" {
                schemes.contains(name)
            } else {
                reached.contains(&format!(
                    "#{}",
                    child_pointer(&format!("/components/{section}"), name)
                ))
            };
            if !keep {
                notes.push(format!(
                    "/components/{section}/{name}: pruned (no operation uses it)"
                ));
            }
            keep
        });
    }
    components.retain(|_, entries| entries.as_object().is_none_or(|m| !m.is_empty()));
}

pub fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(reference) = child.as_str() {
                        out.push(reference.to_string());
                    }
                } else {
                    collect_refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

fn collect_security_names(requirements: Option<&Value>, out: &mut BTreeSet<String>) {
    for requirement in requirements.and_then(Value::as_array).into_iter().flatten() {
        out.extend(
            requirement
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, _)| name.clone()),
        );
    }
}
