//! The areas of the API (build/areas.rs): every operation has one, Cargo.toml has a feature for
//! each and `full` for all, README's table lists them, and the default build's surface (its
//! operations and types) is pinned, so a change to what a user who needs only promotions gets
//! is a reviewed one.

#[path = "../../build/areas.rs"]
#[allow(dead_code)]
mod build_areas;

use serde_json::Value;
use std::collections::BTreeSet;

const SPEC: &str = include_str!("../../openapi/baseten-3.0.json");
const CARGO_TOML: &str = include_str!("../../Cargo.toml");
const README: &str = include_str!("../../README.md");

fn spec() -> Value {
    serde_json::from_str(SPEC).unwrap()
}

/// `(operation id, path)` of every operation of a document.
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                found.push((id.to_string(), format!("{} {path}", method.to_uppercase())));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_operation_has_an_area_and_the_lifecycle_is_in_the_spec() {
    let doc = spec();
    let all = operations(&doc);
    assert!(all.len() >= 183, "{} operations", all.len());
    for (id, operation) in &all {
        let path = operation.split_once(' ').unwrap().1;
        assert!(
            build_areas::area_of(path).is_some(),
            "{id} ({operation}) has no area"
        );
    }
    for id in build_areas::LIFECYCLE {
        assert!(
            all.iter().any(|(found, _)| found == id),
            "no lifecycle operation {id}"
        );
    }
    // Areas by path: a team's copy goes with the resource, the longest prefix wins.
    let area = |path: &str| build_areas::area_of(path).map(|a| a.feature);
    assert_eq!(area("/v1/teams/{team_id}/secrets"), Some("secrets"));
    assert_eq!(area("/v1/teams/{team_id}"), Some("teams"));
    assert_eq!(
        area("/v1/models/{model_id}/environments/{env_name}"),
        Some("environments")
    );
    assert_eq!(area("/v1/models/{model_id}/deployments"), Some("models"));
    assert_eq!(area("/v1/training"), Some("training"));
    assert_eq!(area("/v1/trainingx"), None);
}

#[test]
fn cargo_toml_has_a_feature_per_area_and_full_enables_them_all() {
    let section = CARGO_TOML
        .split("\n[features]\n")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    let features: BTreeSet<&str> = section
        .lines()
        .filter(|line| !line.starts_with('#') && line.contains(" = "))
        .map(|line| line.split(" = ").next().unwrap().trim())
        .collect();
    for area in build_areas::AREAS {
        assert!(
            features.contains(area.feature),
            "no feature {}",
            area.feature
        );
    }
    let full = section
        .lines()
        .find(|line| line.starts_with("full = "))
        .expect("a `full` feature");
    let listed: BTreeSet<&str> = full["full = ".len()..]
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|f| f.trim().trim_matches('"'))
        .collect();
    let every: BTreeSet<&str> = build_areas::AREAS.iter().map(|a| a.feature).collect();
    assert_eq!(listed, every, "`full` enables every area");
    let others: BTreeSet<&str> = features.difference(&every).copied().collect();
    assert_eq!(
        others,
        BTreeSet::from(["default", "full", "native-tls", "rustls"]),
        "a feature that is no area"
    );
}

#[test]
fn the_readme_lists_every_area_with_its_operations() {
    let doc = spec();
    for area in build_areas::AREAS {
        let count = operations(&doc)
            .iter()
            .filter(|(_, operation)| {
                build_areas::area_of(operation.split_once(' ').unwrap().1)
                    .is_some_and(|a| a.feature == area.feature)
            })
            .count();
        let row = format!("| `{}` | {count} | {} |", area.feature, area.what);
        assert!(README.contains(&row), "README lacks the row\n{row}");
    }
}

#[test]
fn the_default_build_generates_the_promotion_lifecycle_and_the_types_it_reaches() {
    let selected = build_areas::select(spec(), &|_| false).unwrap();
    let ids: BTreeSet<String> = operations(&selected)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let lifecycle: BTreeSet<String> = build_areas::LIFECYCLE
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(ids, lifecycle);
    // The lifecycle the client always builds is the one the mock models statefully.
    let modelled: BTreeSet<String> = baseten_mock::IMPLEMENTED_OPERATIONS
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(modelled, lifecycle, "the mock's IMPLEMENTED_OPERATIONS");
    // The surface a default build has: its operations and the types they reach.
    let mut surface = String::new();
    for (id, operation) in operations(&selected) {
        surface.push_str(&format!("{id}: {operation}\n"));
    }
    for name in selected["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
    {
        surface.push_str(&format!("type {name}\n"));
    }
    insta::assert_snapshot!("default_build_surface", surface);
    // And an area brings its operations and no other.
    let with_secrets = build_areas::select(spec(), &|feature| feature == "secrets").unwrap();
    let added: Vec<String> = operations(&with_secrets)
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !lifecycle.contains(id))
        .collect();
    assert_eq!(
        added,
        [
            "create_secret",
            "create_team_secret",
            "delete_secret",
            "delete_team_secret",
            "list_secrets",
            "list_team_secrets"
        ]
    );
}
