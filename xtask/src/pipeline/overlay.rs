//! Stage 3: apply `openapi/overlay.yaml` (OpenAPI Overlay 1.0) to the merged document.
//!
//! Everything we add to Baseten's documents (operation ids, …) lives in the overlay so that the
//! sources stay byte for byte as published. Each action selects nodes with a JSONPath (RFC 9535)
//! `target` and either merges `update` into them or `remove`s them. An action whose target
//! selects nothing is an error: after Baseten renames a path, a silently skipped action would
//! quietly drop an operation name.

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value};
use serde_json_path::JsonPath;

/// Applies an overlay document to `doc`. `overlay_name` names the overlay in errors.
pub fn apply(doc: &mut Value, overlay: &Value, overlay_name: &str) -> Result<()> {
    let version = overlay.get("overlay").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("1.") {
        bail!(
            "{overlay_name}: `overlay` must be a 1.x version (OpenAPI Overlay 1.0), found {version:?}"
        );
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("{overlay_name}: `actions` must be a list"))?;
    for (index, action) in actions.iter().enumerate() {
        apply_action(doc, action).with_context(|| {
            let target = action.get("target").and_then(Value::as_str).unwrap_or("?");
            format!("{overlay_name}: action #{} (target `{target}`)", index + 1)
        })?;
    }
    Ok(())
}

fn apply_action(doc: &mut Value, action: &Value) -> Result<()> {
    let target = action
        .get("target")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("`target` must be a JSONPath string"))?;
    let path = JsonPath::parse(target).map_err(|e| anyhow!("invalid JSONPath: {e}"))?;
    let remove = match action.get("remove") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => bail!("`remove` must be a boolean"),
    };
    let update = action.get("update");
    if remove == update.is_some() {
        bail!("an action needs exactly one of `update` or `remove: true`");
    }

    let pointers: Vec<Vec<Step>> = path
        .query_located(doc)
        .iter()
        .map(|node| node.location().iter().map(Step::from).collect())
        .collect();
    if pointers.is_empty() {
        bail!("the target selects nothing in the merged document");
    }
    // Reverse document order, so removing an array element does not shift the ones still to do.
    for steps in pointers.iter().rev() {
        if remove {
            remove_at(doc, steps)?;
        } else if let Some(update) = update {
            let node = node_at(doc, steps).expect("JSONPath returned a location that exists");
            merge_update(node, update)?;
        }
    }
    Ok(())
}

/// One step of a normalized path, owned so the document can be borrowed mutably afterwards.
enum Step {
    Key(String),
    Index(usize),
}

impl From<&serde_json_path::PathElement<'_>> for Step {
    fn from(element: &serde_json_path::PathElement<'_>) -> Self {
        match element {
            serde_json_path::PathElement::Name(name) => Step::Key(name.to_string()),
            serde_json_path::PathElement::Index(i) => Step::Index(*i),
        }
    }
}

fn node_at<'a>(doc: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    steps.iter().try_fold(doc, |node, step| match step {
        Step::Key(key) => node.get_mut(key.as_str()),
        Step::Index(i) => node.get_mut(*i),
    })
}

fn remove_at(doc: &mut Value, steps: &[Step]) -> Result<()> {
    let Some((last, parent_steps)) = steps.split_last() else {
        bail!("cannot remove the whole document");
    };
    let parent = node_at(doc, parent_steps).expect("parent of a located node exists");
    match (parent, last) {
        (Value::Object(map), Step::Key(key)) => {
            map.shift_remove(key);
        }
        (Value::Array(items), Step::Index(i)) => {
            items.remove(*i);
        }
        _ => unreachable!("a normalized path step always matches its parent's kind"),
    }
    Ok(())
}

/// Overlay 1.0 `update` semantics: into an object, properties are merged recursively (scalars
/// and arrays replaced); onto an array, the value is appended.
fn merge_update(node: &mut Value, update: &Value) -> Result<()> {
    match node {
        Value::Object(map) => {
            let Value::Object(fields) = update else {
                bail!("the target is an object, so `update` must be an object");
            };
            merge_object(map, fields);
            Ok(())
        }
        Value::Array(items) => {
            items.push(update.clone());
            Ok(())
        }
        _ => bail!("the target is a scalar; `update` can only target objects and arrays"),
    }
}

fn merge_object(map: &mut Map<String, Value>, fields: &Map<String, Value>) {
    for (key, value) in fields {
        match (map.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(nested)) => {
                merge_object(existing, nested)
            }
            _ => {
                map.insert(key.clone(), value.clone());
            }
        }
    }
}
