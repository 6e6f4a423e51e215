//! Which operations a build generates: the promotion lifecycle always, and each area of the API
//! whose cargo feature is enabled. The one place that decides an operation's area (build.rs
//! reads it, and so do the tests that hold Cargo.toml's features and README's table to it).
//!
//! An operation's area is found by its path: the area whose prefix matches the most segments.
//! A team's copy of a resource (`/v1/teams/{team_id}/secrets`) belongs to the resource's area.

use serde_json::{Map, Value};
use std::collections::{BTreeSet, VecDeque};

/// A cargo feature that generates one area of the API.
pub struct Area {
    /// The cargo feature (and the area's name in docs).
    pub feature: &'static str,
    /// What the area is for, in a few words (README's table; build.rs does not read it).
    #[allow(dead_code)]
    pub what: &'static str,
    /// Path prefixes after `/v1/`, whole segments (`{…}` matches any parameter).
    pub prefixes: &'static [&'static str],
}

/// Every area, in README's order. A path no prefix matches fails the build, naming the path.
pub const AREAS: &[Area] = &[
    Area {
        feature: "models",
        what: "models and their deployments: list, create, delete, activate, deactivate, rename, autoscaling, logs, metrics, patches",
        prefixes: &["models", "prepare_model_upload", "blobs/credentials/model"],
    },
    Area {
        feature: "environments",
        what: "a model's environments (create, update, delete, logs, metrics) and environment groups",
        prefixes: &["models/{}/environments", "environment_groups"],
    },
    Area {
        feature: "chains",
        what: "chains, their deployments and environments, chainlet settings",
        prefixes: &["chains"],
    },
    Area {
        feature: "secrets",
        what: "the organization's and teams' secrets",
        prefixes: &["secrets"],
    },
    Area {
        feature: "api_keys",
        what: "API keys",
        prefixes: &["api_keys"],
    },
    Area {
        feature: "training",
        what: "training projects and jobs, their logs, metrics and checkpoints, training capacity",
        prefixes: &[
            "training_projects",
            "training_jobs",
            "training",
            "blobs/credentials/train",
        ],
    },
    Area {
        feature: "loops",
        what: "Loops: sessions, runs, trainers, samplers, checkpoints and deployments",
        prefixes: &["loops"],
    },
    Area {
        feature: "teams",
        what: "teams and users",
        prefixes: &["teams", "users"],
    },
    Area {
        feature: "gateway",
        what: "the gateway's endpoints, groups and their API keys",
        prefixes: &["gateway"],
    },
    Area {
        feature: "model_apis",
        what: "model APIs, their usage, and LLM models",
        prefixes: &["model_apis", "llm_models"],
    },
    Area {
        feature: "library",
        what: "library listings and their versions",
        prefixes: &["library_listings"],
    },
    Area {
        feature: "account",
        what: "audit logs, billing usage, regions, instance types and their prices",
        prefixes: &[
            "audit_logs",
            "billing",
            "regions",
            "instance_types",
            "instance_type_prices",
        ],
    },
];

/// The promotion lifecycle, generated whatever the features: the crate's waiters and
/// `baseten-deploy` are built on these, and they are the crate's API from its first release.
pub const LIFECYCLE: &[&str] = &[
    "cancel_promotion",
    "force_cancel_promotion",
    "force_roll_forward_promotion",
    "get_chain_deployment",
    "get_chain_environment",
    "get_deployment",
    "get_environment",
    "list_environments",
    "pause_promotion",
    "promote_chain_to_environment",
    "promote_development_to_production",
    "promote_model_to_environment",
    "resume_promotion",
];

/// The HTTP methods an OpenAPI path item can hold.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The area of an operation by its path; `None` when no area claims it.
pub fn area_of(path: &str) -> Option<&'static Area> {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.first() == Some(&"v1") {
        segments.remove(0);
    }
    // A team's copy of a resource: the resource's area.
    if segments.len() > 2 && segments[0] == "teams" && is_parameter(segments[1]) {
        segments.drain(..2);
    }
    let matches = |prefix: &str| -> Option<usize> {
        let wanted: Vec<&str> = prefix.split('/').collect();
        let fits = wanted.len() <= segments.len()
            && wanted
                .iter()
                .zip(&segments)
                .all(|(w, s)| w == s || (*w == "{}" && is_parameter(s)));
        fits.then_some(wanted.len())
    };
    AREAS
        .iter()
        .filter_map(|area| {
            let best = area.prefixes.iter().filter_map(|p| matches(p)).max()?;
            Some((best, area))
        })
        .max_by_key(|(length, _)| *length)
        .map(|(_, area)| area)
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// The document with only the operations a build generates (the lifecycle's, and those of the
/// areas `enabled` says yes to) and only the components they reach, so that a build generates
/// no type nobody can use. `Err` names a path no area claims.
pub fn select(mut out: Value, enabled: &dyn Fn(&str) -> bool) -> Result<Value, String> {
    let paths = out
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("the document has no `paths`")?;
    let mut kept_paths = Map::new();
    for (path, item) in std::mem::take(paths) {
        let Some(item) = item.as_object() else {
            continue;
        };
        let area = area_of(&path).ok_or_else(|| {
            format!("no area of build/areas.rs claims the path {path}; add its prefix to one")
        })?;
        let mut kept = Map::new();
        for (key, value) in item {
            let wanted = !METHODS.contains(&key.as_str())
                || enabled(area.feature)
                || value
                    .get("operationId")
                    .and_then(Value::as_str)
                    .is_some_and(|id| LIFECYCLE.contains(&id));
            if wanted {
                kept.insert(key.clone(), value.clone());
            }
        }
        if kept.keys().any(|k| METHODS.contains(&k.as_str())) {
            kept_paths.insert(path, Value::Object(kept));
        }
    }
    *paths = kept_paths;
    prune_components(&mut out);
    Ok(out)
}

/// Removes every component that the paths do not reach through `$ref`s (security schemes are
/// kept: nothing refers to them by `$ref`).
fn prune_components(doc: &mut Value) {
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    collect_refs(&doc["paths"], &mut queue);
    while let Some(reference) = queue.pop_front() {
        if !reached.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            collect_refs(target, &mut queue);
        }
    }
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    for (section, entries) in components.iter_mut() {
        if section == "securitySchemes" {
            continue;
        }
        if let Some(entries) = entries.as_object_mut() {
            entries.retain(|name, _| {
                reached.contains(&format!(
                    "#/components/{section}/{}",
                    name.replace('~', "~0").replace('/', "~1")
                ))
            });
        }
    }
    components.retain(|_, entries| entries.as_object().is_none_or(|e| !e.is_empty()));
}

fn collect_refs(value: &Value, out: &mut VecDeque<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => out.push_back(reference.clone()),
                    _ => collect_refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}
