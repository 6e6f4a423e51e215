//! Which top-level modules of a crate name which others through `crate::` paths, and whether
//! that graph has a cycle. Shared by the tests of baseten-api (`tests/it/module_imports.rs`) and
//! baseten-mock (`baseten-mock/tests/it/module_imports.rs`) and xtask (`xtask/src/module_imports.rs`),
//! which include this file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module of the crate at `src` → the top-level modules its code (comments aside)
/// names with `crate::`. A name the crate root re-exports (`pub use config::ClientBuilder;` in
/// lib.rs) counts as its module. `extra` adds text to a module (e.g. code a module `include!`s).
pub fn imports(src: &Path, extra: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        // lib.rs is the root that declares the modules; main.rs is the binary, another crate.
        if name == "lib" || name == "main" {
            continue;
        }
        *sources.entry(name).or_default() += &read_tree(&path);
    }
    for (module, text) in extra {
        *sources.entry((*module).to_owned()).or_default() += text;
    }
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let reexported = reexports(&std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default());
    sources
        .iter()
        .map(|(module, text)| {
            let code: Vec<&str> = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect();
            let named = crate_paths(&code.join("\n"))
                .into_iter()
                .map(|name| reexported.get(&name).cloned().unwrap_or(name))
                .filter(|target| target != module && modules.contains(target))
                .collect();
            (module.clone(), named)
        })
        .collect()
}

/// The text of a module: its file, or every file under its directory (nested ones included).
pub fn read_tree(path: &Path) -> String {
    if !path.is_dir() {
        return std::fs::read_to_string(path).unwrap();
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    entries.iter().map(|entry| read_tree(entry)).collect()
}

/// Names re-exported by the crate root → the module they come from: `pub use m::{A, B};`,
/// `pub use m::A;`, `pub use m::inner::A;`.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(at) = statement.find("pub use ") else {
            continue;
        };
        let path = statement[at + "pub use ".len()..].trim();
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        let items = rest.rsplit("::{").next().unwrap_or(rest);
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let item = item.trim().rsplit("::").next().unwrap_or_default();
            let item = item.split(" as ").last().unwrap_or(item).trim();
            if !item.is_empty() {
                names.insert(item.to_owned(), module.trim().to_owned());
            }
        }
    }
    names
}

/// The first segment after each `crate::` in some code, including each item of a group
/// `crate::{a, b::{c, d}}` (which may span lines).
pub fn crate_paths(code: &str) -> Vec<String> {
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
pub fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
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
