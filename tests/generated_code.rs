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
