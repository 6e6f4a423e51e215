//! The pipeline on Baseten's whole management API, as Baseten published it on two dates
//! (`tests/fixtures/full-spec/`: 150 and 183 operations, OpenAPI 3.1, no operation ids).
//!
//! For each version: `pipeline::run_on_document` (the same stages `cargo xtask generate` runs
//! after import) derives the 3.0 document, with the project's `openapi/overlay.yaml`: the
//! crate's hand-written `src/` calls operations by the names the overlay gives them (such as
//! `get_deployment`), and every other operation gets a derived name. Then a copy of the client crate with the project's current
//! build.rs, src/ and dependencies is checked around it (`cargo check`); and an example that calls every
//! operation's method compiles, which proves each operation is a method of
//! `baseten_api::Client`. The timings and sizes are printed (`-- --nocapture`).
//!
//! The crates live in `target/fullspec/crates` and build into the workspace's own `target/`, with
//! the workspace's profiles: shared by both versions and kept between runs, the dependencies are
//! compiled once, and those our own build (or the package check) has already checked are reused.

mod client_crate;
#[path = "../common/mod.rs"]
mod common;

use client_crate::ClientCrate;
use serde_json::Value;
use std::path::Path;
use std::time::Instant;
use xtask::pipeline::HTTP_METHODS;

/// Each fixture and its number of operations.
const VERSIONS: &[(&str, usize)] = &[
    ("openapi-2026-06-03.json", 150),
    ("openapi-2026-08-22.json", 183),
];

#[test]
fn every_operation_of_the_full_api_is_a_method_of_a_client_that_compiles() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = workspace.join("target");
    let overlay = xtask::document::read(&common::project_openapi().join("overlay.yaml")).unwrap();
    // The pipeline on each version, and a crate around each derived spec.
    let crates_dir = target.join("fullspec/crates");
    let mut prepared = Vec::new();
    for (file, operations) in VERSIONS {
        let text = std::fs::read_to_string(common::full_spec(file)).unwrap();

        let started = Instant::now();
        let outputs =
            xtask::pipeline::run_on_document(file, &text, Some((&overlay, "openapi/overlay.yaml")))
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

        let stem = file.trim_end_matches(".json");
        // Examples of one workspace need names of their own.
        let example = format!("every_operation_{}", stem.replace(['-', '.'], "_"));
        let krate = ClientCrate::prepare(
            &workspace,
            &crates_dir.join(stem),
            stem,
            &outputs.derived,
            &[(&example, every_operation_example(file, &ids))],
        );
        prepared.push((file, ids, derived, outputs, pipeline_time, krate));
    }

    // Both clients checked in one cargo run: the dependencies once, the clients side by side.
    let started = Instant::now();
    let crates: Vec<&ClientCrate> = prepared.iter().map(|p| &p.5).collect();
    let builds = client_crate::check_all(&workspace, &crates_dir, &crates, &target);
    let build_time = started.elapsed();

    for ((file, ids, derived, outputs, pipeline_time, krate), build) in prepared.iter().zip(builds)
    {
        assert!(
            build.success,
            "the client generated from {file} does not build ({}):\n{}",
            krate.dir.display(),
            errors(&build.stderr)
        );

        let generated_path = build
            .out_dir
            .expect("cargo reports the build script's OUT_DIR")
            .join("baseten_api_generated.rs");
        let generated = std::fs::read_to_string(&generated_path).unwrap();
        let missing: Vec<&String> = ids
            .iter()
            .filter(|id| !generated.contains(&format!("pub fn {id}(")))
            .collect();
        assert!(missing.is_empty(), "{file}: no method for {missing:?}");
        let tags = union_tag_enums(derived, &generated);
        assert!(
            !tags.is_empty(),
            "{file}: the full API has unions with tags"
        );
        for (tag, open) in &tags {
            assert!(!open, "{file}: the union tag {tag} must stay closed");
        }

        eprintln!(
            "{file}: {} union tags, closed; {} operations; pipeline {} ms ({} notes); derived 3.0 spec {} bytes; \
             cargo check of both clients {:.1} s; generated client {} bytes, {} lines ({})",
            tags.len(),
            ids.len(),
            pipeline_time.as_millis(),
            outputs.notes.len(),
            outputs.derived.len(),
            build_time.as_secs_f64(),
            generated.len(),
            generated.lines().count(),
            generated_path.display()
        );
    }
}

/// For each union tag of `doc` that is a component's property (`client_rules::union_tags`: the
/// full API has dozens, e.g. the `event_type` of each audit-log event), the generated enum of
/// that field and whether build.rs made it open.
fn union_tag_enums(doc: &Value, generated: &str) -> Vec<(String, bool)> {
    let block = |start: &str| -> Option<&str> {
        let at = generated.find(start)?;
        let rest = &generated[at..];
        Some(&rest[..rest.find("\n    }")?])
    };
    let mut found = Vec::new();
    for pointer in xtask::diff::client_rules::union_tags(doc) {
        let parts: Vec<&str> = pointer.split('/').collect();
        let ["", "components", "schemas", schema, "properties", property] = parts.as_slice() else {
            continue;
        };
        let fields = block(&format!("pub struct {schema} {{"))
            .unwrap_or_else(|| panic!("no struct {schema} for {pointer}"));
        // The field's declaration: after its `rename`, or its own name.
        let renamed = format!("rename = \"{property}\"");
        let field = match fields.find(&renamed) {
            Some(at) => &fields[at + renamed.len()..],
            None => {
                &fields[fields
                    .find(&format!("pub {property}:"))
                    .unwrap_or_else(|| panic!("no field {property} in {schema}"))..]
            }
        };
        let field = &field[field.find("pub ").unwrap()..];
        let declaration = &field[..field.find(",\n").unwrap_or(field.len())];
        let type_name = declaration
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .find(|word| !word.is_empty() && word.chars().next().unwrap().is_uppercase())
            .unwrap_or_else(|| panic!("no type in `{declaration}`"));
        let Some(enum_block) = block(&format!("pub enum {type_name} {{")) else {
            continue; // not an enum (a union typify tagged by serde, or a plain string)
        };
        found.push((
            format!("{pointer} (`{type_name}`)"),
            enum_block.contains("Unknown(::std::string::String)"),
        ));
    }
    found
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

/// An example that names every operation's method: it compiles only if each one exists on
/// `baseten_api::Client` (as a builder-style method taking no arguments).
fn every_operation_example(file: &str, ids: &[String]) -> String {
    let mut text = format!(
        "//! Written by xtask/tests/full_spec for {file}: calls every operation's method.\n\n\
         #[allow(dead_code)]\nfn every_operation(client: &baseten_api::Client) {{\n"
    );
    for id in ids {
        text.push_str(&format!("    let _ = client.{id}();\n"));
    }
    text.push_str("}\n\nfn main() {}\n");
    text
}

/// The compiler's errors out of cargo's output (the whole output is long: 71k generated lines).
fn errors(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let first_error = lines
        .iter()
        .position(|l| l.starts_with("error"))
        .unwrap_or(0);
    lines[first_error..]
        .iter()
        .take(120)
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}
