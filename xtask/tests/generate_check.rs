//! `generate` and `check` on a copy of the project: determinism, freshness, stale detection.

mod common;

use common::{TempProject, message};
use xtask::commands::{check, generate};

#[test]
fn the_committed_generated_files_are_fresh() {
    let project = TempProject::copy_of_project();
    let stale = check(&project.layout).unwrap();
    assert!(
        stale.is_empty(),
        "run `cargo xtask generate`:\n{}",
        stale.iter().map(|s| s.diff.as_str()).collect::<String>()
    );
}

#[test]
fn generating_twice_gives_identical_bytes() {
    let project = TempProject::copy_of_project();
    let layout = &project.layout;
    std::fs::remove_file(layout.merged()).unwrap();
    std::fs::remove_file(layout.derived()).unwrap();
    std::fs::remove_dir_all(layout.mock_spec().parent().unwrap()).unwrap();
    let (_, written) = generate(layout).unwrap();
    assert_eq!(
        written,
        [
            "openapi/baseten.yaml",
            "openapi/baseten-3.0.json",
            "baseten-mock/spec/baseten.yaml"
        ]
    );
    let read = || {
        (
            std::fs::read(layout.merged()).unwrap(),
            std::fs::read(layout.derived()).unwrap(),
            std::fs::read(layout.mock_spec()).unwrap(),
        )
    };
    let first = read();
    assert_eq!(
        first.2, first.0,
        "the mock's copy is the merged spec, byte for byte"
    );
    let (_, written) = generate(layout).unwrap();
    assert!(written.is_empty(), "a second run has nothing to write");
    assert_eq!(first, read());
    // And in memory, independent of the files:
    let a = xtask::pipeline::run(layout).unwrap();
    let b = xtask::pipeline::run(layout).unwrap();
    assert_eq!((a.merged, a.derived), (b.merged, b.derived));
}

#[test]
fn check_reports_a_stale_file_with_a_diff() {
    let project = TempProject::copy_of_project();
    let merged = std::fs::read_to_string(project.layout.merged()).unwrap();
    std::fs::write(
        project.layout.merged(),
        merged.replace("title: Baseten management API", "title: Edited"),
    )
    .unwrap();
    let stale = check(&project.layout).unwrap();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].file, "openapi/baseten.yaml");
    assert!(
        stale[0]
            .diff
            .contains("-  title: Edited\n+  title: Baseten management API"),
        "{}",
        stale[0].diff
    );
}

#[test]
fn an_overlay_change_makes_the_committed_files_stale() {
    let project = TempProject::copy_of_project();
    let overlay = std::fs::read_to_string(project.layout.overlay()).unwrap();
    std::fs::write(
        project.layout.overlay(),
        overlay.replace(
            "operationId: force_roll_forward_promotion",
            "operationId: roll_forward",
        ),
    )
    .unwrap();
    let files: Vec<String> = check(&project.layout)
        .unwrap()
        .into_iter()
        .map(|s| s.file)
        .collect();
    assert_eq!(
        files,
        [
            "openapi/baseten.yaml",
            "openapi/baseten-3.0.json",
            "baseten-mock/spec/baseten.yaml"
        ]
    );
}

#[test]
fn check_reports_a_stale_mock_spec_copy_and_generate_restores_it() {
    let project = TempProject::copy_of_project();
    let copy = project.layout.mock_spec();
    let text = std::fs::read_to_string(&copy).unwrap();
    std::fs::write(
        &copy,
        text.replace("title: Baseten management API", "title: Edited"),
    )
    .unwrap();
    let stale = check(&project.layout).unwrap();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0].file, "baseten-mock/spec/baseten.yaml");
    assert!(
        stale[0]
            .diff
            .contains("-  title: Edited\n+  title: Baseten management API"),
        "{}",
        stale[0].diff
    );

    let (_, written) = generate(&project.layout).unwrap();
    assert_eq!(written, ["baseten-mock/spec/baseten.yaml"]);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(project.layout.merged()).unwrap()
    );
    assert!(check(&project.layout).unwrap().is_empty());
}

#[test]
fn check_reports_a_missing_mock_spec_copy_by_name() {
    let project = TempProject::copy_of_project();
    std::fs::remove_file(project.layout.mock_spec()).unwrap();
    let stale = check(&project.layout).unwrap();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0].file, "baseten-mock/spec/baseten.yaml");
    assert_eq!(stale[0].diff, "baseten-mock/spec/baseten.yaml is missing\n");
}

#[test]
fn a_hand_edited_source_is_refused_and_nothing_is_written() {
    let project = TempProject::copy_of_project();
    let source = project
        .layout
        .sources_dir()
        .join("promote_model_to_environment.yaml");
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replace("default: true", "default: false")).unwrap();
    let before = std::fs::read(project.layout.merged()).unwrap();
    let err = message(generate(&project.layout).unwrap_err());
    assert!(err.starts_with("openapi/sources/promote_model_to_environment.yaml differs from the page it was imported from"), "{err}");
    assert_eq!(std::fs::read(project.layout.merged()).unwrap(), before);
}

#[test]
fn a_source_with_broken_yaml_is_reported_with_file_line_and_column() {
    let project = TempProject::copy_of_project();
    // A broken page imported anyway would be refused at import; simulate a corrupted file whose
    // manifest hash matches so the YAML parser is what reports it.
    let source = project
        .layout
        .sources_dir()
        .join("force_roll_forward_promotion.yaml");
    let broken = "openapi: 3.1.0\ninfo:\n  title: [unclosed\n";
    std::fs::write(&source, broken).unwrap();
    let manifest_path = project.layout.manifest();
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let old = xtask::manifest::sha256_hex(
        std::fs::read(common::project_openapi().join("sources/force_roll_forward_promotion.yaml"))
            .unwrap()
            .as_slice(),
    );
    std::fs::write(
        &manifest_path,
        manifest.replace(&old, &xtask::manifest::sha256_hex(broken.as_bytes())),
    )
    .unwrap();
    let err = message(generate(&project.layout).unwrap_err());
    assert!(
        err.starts_with("openapi/sources/force_roll_forward_promotion.yaml:4:"),
        "{err}"
    );
    assert!(err.contains("invalid YAML"), "{err}");
}

#[test]
fn every_operation_has_a_readable_name_and_the_lifecycle_keeps_its_own() {
    let project = TempProject::copy_of_project();
    let derived: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(project.layout.derived()).unwrap()).unwrap();
    let mut ids: Vec<String> = derived["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().iter())
        .filter(|(method, _)| xtask::pipeline::HTTP_METHODS.contains(&method.as_str()))
        .map(|(method, op)| {
            op.get("operationId")
                .and_then(|id| id.as_str())
                .unwrap_or_else(|| panic!("a {method} operation has no name"))
                .to_string()
        })
        .collect();
    let operations = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), operations, "names are unique");
    // Every name reads as an action on a resource: never the literal path form
    // (`get_v1_models_by_model_id`), never a counter that only made it unique.
    for id in &ids {
        assert!(
            !id.contains("v1_") && !id.contains("_by_") && !id.ends_with(char::is_numeric),
            "{id} is not a readable name: derive a better one or name it in the overlay"
        );
    }
    // The promotion lifecycle keeps the names it had from its first release.
    for lifecycle in [
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
    ] {
        assert!(ids.iter().any(|id| id == lifecycle), "{lifecycle} is gone");
    }
}

#[test]
fn generate_from_one_complete_document_writes_both_specs_to_the_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("full.json");
    std::fs::write(
        &spec,
        r##"{"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
            "paths": {"/v1/things/{id}": {"get": {
              "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
              "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
            "components": {"schemas": {"Thing": {"type": "object", "additionalProperties": false,
              "properties": {"id": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}}}}"##,
    )
    .unwrap();
    let out = dir.path().join("out");
    let generated = xtask::commands::generate_from_spec(&spec, None, &out).unwrap();
    assert_eq!(generated.operations, 1);
    assert_eq!(generated.written.len(), 3);
    let notes = std::fs::read_to_string(out.join("notes.txt")).unwrap();
    assert_eq!(notes.lines().count(), generated.notes, "{notes}");
    assert!(notes.contains("additionalProperties"), "{notes}");
    let merged = std::fs::read_to_string(out.join("baseten.yaml")).unwrap();
    assert!(
        merged.starts_with("# Generated by `cargo xtask generate --spec "),
        "{merged}"
    );
    let derived: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("baseten-3.0.json")).unwrap())
            .unwrap();
    assert_eq!(
        derived["paths"]["/v1/things/{id}"]["get"]["operationId"],
        "get_thing"
    );
    assert_eq!(
        derived["components"]["schemas"]["Thing"],
        serde_json::json!({"type": "object", "properties": {"id": {"type": "string", "nullable": true}}})
    );
}
