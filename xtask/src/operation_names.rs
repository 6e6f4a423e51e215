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

/// The Rust method name derived from an operation's method and path, as a reader of a REST API
/// would say it: `list_` a collection, `get_`/`update_`/`delete_` an item, `create_` in a
/// collection, and an action by its own verb (`activate_deployment`). The nouns are the path's
/// literal segments, an item's in the singular; models are the API's main resource, so a path
/// under `/v1/models/{model_id}` is named by what follows (`get_deployment`), and a path under
/// `/v1/teams/{team_id}` says `team` (`list_team_secrets`).
///
/// `POST /v1/models/{model_id}/deployments/{deployment_id}/activate` → `activate_deployment`;
/// `GET /v1/training_projects` → `list_training_projects`;
/// `DELETE /v1/models/{model_id}/environments/{env_name}` → `delete_environment`.
/// Where the rule reads a path poorly, the overlay names the operation.
pub fn method_name(method: &str, path: &str) -> String {
    let method = method.to_ascii_lowercase();
    let mut segments: Vec<(String, bool)> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => (identifier(param), true),
                None => (identifier(s), false),
            },
        )
        .filter(|(s, _)| !s.is_empty())
        .collect();
    // The version prefix names nothing.
    if segments.first().is_some_and(|(s, param)| {
        !param && s.len() > 1 && s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit())
    }) {
        segments.remove(0);
    }
    let mut words: Vec<String> = Vec::new();
    // Scopes: a team's copy of a resource, or the model a resource belongs to.
    if segments.len() > 2 && segments[1].1 {
        match segments[0].0.as_str() {
            "teams" => {
                words.push("team".into());
                segments.drain(..2);
            }
            "models" => {
                segments.drain(..2);
            }
            _ => {}
        }
    }
    let Some((last, last_is_param)) = segments.last().cloned() else {
        return derived_name(&method, path);
    };
    let after_item = segments.len() >= 2 && segments[segments.len() - 2].1;
    let literal_count = segments.iter().filter(|(_, p)| !p).count();
    let verb: String;
    if last_is_param {
        verb = match method.as_str() {
            "get" => "get",
            "patch" | "put" => "update",
            "delete" => "delete",
            other => other,
        }
        .into();
    } else if ACTIONS.contains(&last.as_str())
        || (method == "post" && after_item && !is_plural(&last) && literal_count > 1)
    {
        verb = last.clone();
        segments.pop();
    } else {
        verb = match method.as_str() {
            "get" if is_plural(&last) => "list",
            "get" => "get",
            "post" if is_plural(&last) => "create",
            "post" => "create",
            "patch" | "put" => "update",
            "delete" => "delete",
            other => other,
        }
        .into();
    }
    let count = segments.len();
    for (i, (segment, is_param)) in segments.iter().enumerate() {
        if *is_param {
            continue;
        }
        let names_an_item = segments.get(i + 1).is_some_and(|(_, p)| *p);
        let is_target = i + 1 == count;
        // A collection is singular where one of its items is meant: an item, a new one, or
        // the resource an action acts on.
        let singular = names_an_item || (is_target && verb != "list" && is_plural(segment));
        words.push(if singular {
            singular_of(segment)
        } else {
            segment.clone()
        });
    }
    words.dedup();
    let mut name = vec![verb];
    name.extend(words);
    name.retain(|w| !w.is_empty());
    name.join("_")
}

/// Path segments that are an action on what precedes them, whatever the method.
const ACTIONS: &[&str] = &[
    "activate",
    "deactivate",
    "promote",
    "retry",
    "stop",
    "recreate",
    "sync",
    "sign",
    "validate",
    "register",
    "search",
    "download",
    "cancel_promotion",
    "force_cancel_promotion",
    "pause_promotion",
    "resume_promotion",
    "force_roll_forward_promotion",
];

/// Words that end in `s` but name one thing (`metrics` of a deployment, its `settings`).
const NOT_PLURAL: &[&str] = &[
    "metrics",
    "settings",
    "capabilities",
    "credentials",
    "status",
    "usage",
    "logs",
    "access",
];

fn is_plural(word: &str) -> bool {
    let last = word.rsplit('_').next().unwrap_or(word);
    last.ends_with('s') && !last.ends_with("ss") && !NOT_PLURAL.contains(&last)
}

/// The singular of a snake_case plural, by its last word (`training_projects` →
/// `training_project`, `patches` → `patch`, `policies` → `policy`).
fn singular_of(word: &str) -> String {
    if !is_plural(word) {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["ches", "shes", "sses", "xes"] {
        if word.ends_with(ending) {
            return word[..word.len() - 2].to_string();
        }
    }
    word[..word.len() - 1].to_string()
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
