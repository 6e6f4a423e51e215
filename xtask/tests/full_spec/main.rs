//! The pipeline on Baseten's whole management API, as Baseten published it on two dates
//! (`tests/fixtures/full-spec/`: 150 and 183 operations, OpenAPI 3.1, no operation ids).
//!
//! For each version, `pipeline::run_on_document` (the same stages `cargo xtask generate` runs
//! after import) derives the 3.0 document: the newest with the project's overlay (whose names
//! are the crate's methods), the older with none (every operation gets a derived name, and an
//! overlay written for the newest would name operations June does not have). Each operation
//! gets a unique name, and the union tags the client must keep closed are found.
//!
//! The client generated from the newest version is the crate itself with `--features full`
//! (`.ci/run` lints it); the timings and sizes are printed (`-- --nocapture`).

#[path = "../common/mod.rs"]
mod common;

use serde_json::Value;
use std::time::Instant;
use xtask::pipeline::HTTP_METHODS;

/// Each fixture, its number of operations, its number of union tags, and whether the project's
/// overlay applies to it.
const VERSIONS: &[(&str, usize, usize, bool)] = &[
    ("openapi-2026-06-03.json", 150, 5, false),
    ("openapi-2026-08-22.json", 183, 55, true),
];

#[test]
fn the_pipeline_names_every_operation_of_the_full_api_once() {
    let overlay = xtask::document::read(&common::project_openapi().join("overlay.yaml")).unwrap();
    for (file, operations, tags, with_overlay) in VERSIONS {
        let text = std::fs::read_to_string(common::full_spec(file)).unwrap();
        let started = Instant::now();
        let outputs = xtask::pipeline::run_on_document(
            file,
            &text,
            with_overlay.then_some((&overlay, "openapi/overlay.yaml")),
        )
        .unwrap_or_else(|e| panic!("the pipeline fails on {file}: {e:#}"));
        let pipeline_time = started.elapsed();

        let derived: Value = serde_json::from_str(&outputs.derived).unwrap();
        let ids = operation_ids(&derived);
        assert_eq!(
            ids.len(),
            *operations,
            "{file}: operations in the derived spec"
        );
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{file}: operation ids are unique");
        let found = xtask::diff::client_rules::union_tags(&derived).len();
        assert_eq!(
            found, *tags,
            "{file}: union tags (kept closed by build/rules.rs)"
        );

        eprintln!(
            "{file}: {} operations; {found} union tags; pipeline {} ms ({} notes); derived 3.0 \
             spec {} bytes",
            ids.len(),
            pipeline_time.as_millis(),
            outputs.notes.len(),
            outputs.derived.len(),
        );
    }
}

/// The `operationId` of every operation, in document order.
fn operation_ids(doc: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for method in HTTP_METHODS {
            if let Some(op) = item.get(*method) {
                ids.push(op["operationId"].as_str().unwrap().to_string());
            }
        }
    }
    ids
}
