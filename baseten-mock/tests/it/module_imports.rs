//! The crate's modules import one another one way: no module reaches, through `crate::` paths,
//! a module that reaches back to it. A cycle (as `server` ↔ `accept` ↔ `routes` once were)
//! means shared state lives in the wrong place; it belongs in a module both can import (`app`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[path = "../../../tests/shared/module_graph.rs"]
mod module_graph;

use module_graph::{crate_paths, find_cycle};

fn imports() -> BTreeMap<String, BTreeSet<String>> {
    module_graph::imports(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &[])
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let graph = imports();
    // The test sees the modules it is about (a rename would otherwise make it vacuous).
    for module in [
        "app",
        "server",
        "accept",
        "routes",
        "operations",
        "state",
        "generate",
        "params",
        "paths",
        "lifecycle",
        "spec",
    ] {
        assert!(graph.contains_key(module), "no module {module}: {graph:?}");
    }
    assert!(
        graph["server"].contains("accept") && graph["accept"].contains("routes"),
        "the parser no longer sees `use crate::…` lines: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(m, to)| (m.to_owned(), to.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    assert_eq!(
        crate_paths(
            "use crate::{\n    app::{App, lock},\n    error::ApiError,\n};\nuse crate::spec;"
        ),
        ["app", "error", "spec"]
    );
}
