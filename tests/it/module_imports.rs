//! The client's hand-written modules import one another one way, and the generated code calls
//! only `runtime` (and the types it is given): no module reaches, through `crate::` paths, a
//! module that reaches back to it.

use std::path::Path;

#[path = "../shared/module_graph.rs"]
mod module_graph;

const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/baseten_api_generated.rs"));

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // `generated.rs` includes build.rs's output: its calls are the generated module's.
    let graph = module_graph::imports(&src, &[("generated", GENERATED)]);
    for module in ["client", "config", "error", "generated", "runtime", "wait"] {
        assert!(graph.contains_key(module), "no module {module}: {graph:?}");
    }
    assert!(
        graph["generated"].contains("runtime") && graph["config"].contains("client"),
        "the parser no longer sees the crate's paths: {graph:?}"
    );
    if let Some(cycle) = module_graph::find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}
