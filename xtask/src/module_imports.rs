//! xtask's modules import one another one way: no top-level module, and no stage of the
//! pipeline, names a module that names it back. The stages are read in the order data flows
//! through them (`pipeline/mod.rs`), so a stage may use an earlier one (import cuts operations
//! with from_spec and checks them with merge), never the reverse.

#[path = "../../tests/shared/module_graph.rs"]
mod module_graph;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_top_level_module_imports_a_module_that_imports_it_back() {
    let graph = module_graph::imports(&src(), &[]);
    assert!(
        graph["update"].contains("pipeline") && graph["pipeline"].contains("document"),
        "the parser no longer sees xtask's paths: {graph:?}"
    );
    if let Some(cycle) = module_graph::find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn no_pipeline_stage_imports_a_stage_that_imports_it_back() {
    let dir = src().join("pipeline");
    let mut stages = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name != "mod" {
            stages.insert(name, path);
        }
    }
    let names: BTreeSet<String> = stages.keys().cloned().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (stage, path) in &stages {
        let text = module_graph::read_tree(path);
        // A sibling is `crate::pipeline::<stage>` anywhere, and `super::<stage>` in a stage that
        // is one file (in a stage's directory, `super::` is the stage itself).
        let mut code = text.replace("crate::pipeline::", "crate::");
        if !path.is_dir() {
            code = code.replace("super::", "crate::");
        }
        let code: String = code
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let named = module_graph::crate_paths(&code)
            .into_iter()
            .filter(|name| name != stage && names.contains(name))
            .collect();
        graph.insert(stage.clone(), named);
    }
    assert!(
        graph["import"].contains("from_spec") && graph["import"].contains("merge"),
        "the parser no longer sees the stages' paths: {graph:?}"
    );
    if let Some(cycle) = module_graph::find_cycle(&graph) {
        panic!(
            "import cycle between pipeline stages: {}",
            cycle.join(" → ")
        );
    }
}
