//! Operation names: from the overlay when it gives one, otherwise derived from method and path.
//!
//! Baseten's documents carry no `operationId`; progenitor needs one per operation, and the
//! source files are named after their operation. The derived name is deterministic and
//! readable: `POST /v1/models/{model_id}/environments/{env_name}/promote` →
//! `post_v1_models_by_model_id_environments_by_env_name_promote`.

use serde_json::Value;
use std::collections::BTreeSet;

/// The name derived from an operation's method and path.
pub fn derived_name(method: &str, path: &str) -> String {
    let mut words = vec![method.to_ascii_lowercase()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            words.push(format!("by_{}", identifier(param)));
        } else {
            words.push(identifier(segment));
        }
    }
    words.retain(|w| !w.is_empty());
    words.join("_")
}

/// Lower snake case of arbitrary text: runs of anything but ASCII letters and digits become `_`.
fn identifier(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The operation id that the overlay assigns to `method path`, if any.
///
/// Only the shape our overlay uses is recognised: an action whose target is
/// `$.paths['<path>'].<method>` (or `["<path>"]`) and whose update sets `operationId`.
pub fn overlay_operation_id(overlay: &Value, method: &str, path: &str) -> Option<String> {
    let actions = overlay.get("actions")?.as_array()?;
    let wanted = [
        format!("$.paths['{path}'].{method}"),
        format!("$.paths[\"{path}\"].{method}"),
    ];
    actions.iter().find_map(|action| {
        let target = action.get("target")?.as_str()?;
        if !wanted.iter().any(|w| w == target) {
            return None;
        }
        action
            .get("update")?
            .get("operationId")?
            .as_str()
            .map(str::to_string)
    })
}

/// What is left of a name once a generator has turned it into a Rust identifier, case and
/// separators aside: progenitor makes `getModel` and `get_model` the same method, and typify
/// makes the titles `Event Type` and `event_type` the same type. Two names with the same key
/// would become one Rust name.
pub fn rust_name_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Makes `name` unique by appending `_2`, `_3`, …; `taken` holds the [`rust_name_key`]s of the
/// names already given, so the result is also unique once converted to a Rust name.
pub fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&rust_name_key(&candidate)) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    taken.insert(rust_name_key(&candidate));
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_are_readable_and_distinguish_parameters() {
        assert_eq!(
            derived_name(
                "POST",
                "/v1/models/{model_id}/environments/{env_name}/promote"
            ),
            "post_v1_models_by_model_id_environments_by_env_name_promote"
        );
        assert_eq!(
            derived_name("get", "/v1/models/{id}"),
            "get_v1_models_by_id"
        );
        assert_eq!(derived_name("get", "/v1/models/id"), "get_v1_models_id");
        assert_eq!(
            derived_name("get", "/v1/api-keys.json"),
            "get_v1_api_keys_json"
        );
        assert_eq!(derived_name("get", "/"), "get");
    }

    #[test]
    fn unique_appends_a_counter() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a_2");
        assert_eq!(unique("a".into(), &mut taken), "a_3");
        // Names that become the same Rust identifier are not unique either.
        let mut taken = BTreeSet::from([rust_name_key("getModel")]);
        assert_eq!(unique("get_model".into(), &mut taken), "get_model_2");
    }
}
