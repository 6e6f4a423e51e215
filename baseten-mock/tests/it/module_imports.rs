//! The crate's modules import one another one way: no module reaches, through `crate::` paths,
//! a module that reaches back to it. A cycle (as `server` ↔ `accept` ↔ `routes` once were)
//! means shared state lives in the wrong place; it belongs in a module both can import (`app`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its code (comments aside) names with `crate::`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        // lib.rs is the root that declares the modules; main.rs is the binary, another crate.
        if name == "lib" || name == "main" {
            continue;
        }
        let text = sources.entry(name).or_default();
        if path.is_dir() {
            for file in std::fs::read_dir(&path).unwrap() {
                *text += &std::fs::read_to_string(file.unwrap().path()).unwrap();
            }
        } else {
            *text += &std::fs::read_to_string(&path).unwrap();
        }
    }
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    sources
        .iter()
        .map(|(module, text)| {
            let code: Vec<&str> = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect();
            let named = crate_paths(&code.join("\n"))
                .into_iter()
                .filter(|target| target != module && modules.contains(target))
                .collect();
            (module.clone(), named)
        })
        .collect()
}

/// The first segment after each `crate::` in some code, including each item of a group
/// `crate::{a, b::{c, d}}` (which may span lines).
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            found.push(ident(rest));
            continue;
        };
        // Items are separated by commas at the group's own depth.
        let (mut depth, mut item) = (0, String::new());
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    found.push(ident(&std::mem::take(&mut item)));
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        found.push(ident(&item));
    }
    found.retain(|name| !name.is_empty());
    found
}

/// A cycle in the graph, as the modules along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            let mut cycle = path[start..].to_vec();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let graph = imports();
    // The test sees the modules it is about (a rename would otherwise make it vacuous).
    for module in ["app", "server", "accept", "routes", "operations", "state"] {
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
