//! Pins the generated client source.
//!
//! Any change in what build.rs produces (a new document from the pipeline, a
//! progenitor upgrade, different settings) fails here until the new snapshot
//! in `tests/snapshots/` is reviewed and accepted.

const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/baseten_api_generated.rs"));

#[test]
fn generated_client_source_is_unchanged() {
    insta::assert_snapshot!(GENERATED);
}

#[test]
fn generated_client_has_the_four_operations() {
    // A readable failure for the most important property, before the
    // snapshot diff.
    for operation in [
        "operation_id: \"promote_model_to_environment\"",
        "operation_id: \"promote_chain_to_environment\"",
        "operation_id: \"promote_development_to_production\"",
        "operation_id: \"force_roll_forward_promotion\"",
    ] {
        assert!(GENERATED.contains(operation), "missing {operation}");
    }
}

#[test]
fn no_generated_type_refuses_unknown_fields() {
    // The live API adds response fields; the derive stage drops `additionalProperties: false`,
    // from which typify would generate this attribute.
    assert!(!GENERATED.contains("deny_unknown_fields"));
}

#[test]
fn the_generated_code_calls_only_the_runtime_module_of_the_hand_written_layer() {
    let mut modules: Vec<&str> = GENERATED
        .match_indices("crate::")
        .map(|(at, _)| {
            let rest = &GENERATED[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !c.is_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect();
    modules.sort_unstable();
    modules.dedup();
    // `ClientState` is the inner type progenitor stores; `Error` the one error type.
    assert_eq!(modules, ["ClientState", "Error", "runtime"], "{modules:?}");
}

#[test]
fn the_readme_shows_every_line_of_its_examples() {
    // GitHub and crates.io render rustdoc's hidden lines (`# async fn run() …`) literally, so
    // the README's examples are complete as written (they are still compiled: src/lib.rs).
    let readme = include_str!("../../README.md");
    let mut in_rust = false;
    for (number, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_rust = !in_rust && line.starts_with("```rust");
            continue;
        }
        assert!(
            !(in_rust && (line.starts_with("# ") || line == "#")),
            "README.md:{}: a hidden doctest line: {line}",
            number + 1
        );
    }
}
