//! A copy of the project's client crate built around another spec.
//!
//! Everything comes from the workspace at test time, so the test always uses the real recipe:
//! the files the root package's `include` names (src/, build.rs, build/, README.md, …), and its
//! `[lib]`, `[features]`, `[dependencies]` and `[build-dependencies]` tables. Only
//! `openapi/baseten-3.0.json` is replaced, and an example is added.
//!
//! The crate lives at a fixed directory under `target/` and files are written only when their
//! bytes change, so a rerun with nothing new is a no-op for cargo; it builds into a shared
//! target directory so that dependencies are compiled once.

use std::path::{Path, PathBuf};
use std::process::Command;
use toml_edit::{DocumentMut, Item, Table, Value};

/// The files a package ships when its manifest has no `include`.
const DEFAULT_FILES: &[&str] = &["src", "build.rs", "build", "README.md"];

/// Files of the package that this crate replaces.
const REPLACED: &[&str] = &["Cargo.toml", "openapi/baseten-3.0.json"];

/// Files the package ships for its readers, not for building the library: the examples and
/// tests call the four operations of the real spec, which another spec may not have.
const NOT_FOR_THE_LIBRARY: &[&str] = &["examples", "tests"];

pub struct ClientCrate {
    pub dir: PathBuf,
}

/// The result of `cargo check` on the crate.
pub struct Build {
    pub success: bool,
    /// The build script's `OUT_DIR`, where the generated client is.
    pub out_dir: Option<PathBuf>,
    /// Compiler and cargo diagnostics.
    pub stderr: String,
}

impl ClientCrate {
    /// Writes the crate into `dir`: the package's files from `workspace`, `spec` as its
    /// `openapi/baseten-3.0.json`, and `examples/<name>.rs` for each example. `label` is appended
    /// to the package name: cargo gives path packages of the same name and version the same
    /// build directory, so two crates sharing a target directory would overwrite each other's
    /// output (and rebuild on every run). The library keeps its name, `baseten_api`.
    pub fn prepare(
        workspace: &Path,
        dir: &Path,
        label: &str,
        spec: &str,
        examples: &[(&str, String)],
    ) -> Self {
        let root: DocumentMut = read(&workspace.join("Cargo.toml"))
            .parse()
            .expect("the root Cargo.toml parses");
        let mut wanted: Vec<PathBuf> = Vec::new();
        for file in included_files(&root) {
            for path in files_under(&workspace.join(&file)) {
                let relative = path.strip_prefix(workspace).unwrap().to_path_buf();
                write_if_changed(&dir.join(&relative), &std::fs::read(&path).unwrap());
                wanted.push(relative);
            }
        }
        let generated: Vec<(PathBuf, Vec<u8>)> = [
            (
                PathBuf::from("Cargo.toml"),
                manifest(&root, workspace, label).into_bytes(),
            ),
            (
                PathBuf::from("openapi/baseten-3.0.json"),
                spec.as_bytes().to_vec(),
            ),
        ]
        .into_iter()
        .chain(examples.iter().map(|(name, text)| {
            (
                PathBuf::from(format!("examples/{name}.rs")),
                text.as_bytes().to_vec(),
            )
        }))
        .collect();
        for (relative, bytes) in generated {
            write_if_changed(&dir.join(&relative), &bytes);
            wanted.push(relative);
        }
        // Files the package no longer has (the lead deleted a module) must not linger.
        for path in files_under(dir) {
            let relative = path.strip_prefix(dir).unwrap().to_path_buf();
            if !wanted.contains(&relative) {
                std::fs::remove_file(&path).unwrap();
            }
        }
        Self {
            dir: dir.to_path_buf(),
        }
    }
}

/// What the root package ships (`include`), minus what this crate replaces.
fn included_files(root: &DocumentMut) -> Vec<String> {
    let listed: Option<Vec<String>> =
        root["package"]
            .get("include")
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(str::to_string)
                    .collect()
            });
    listed
        .unwrap_or_else(|| DEFAULT_FILES.iter().map(|s| s.to_string()).collect())
        .into_iter()
        .map(|pattern| {
            // `/src` or `src/**/*.rs`: the part before any glob names a file or folder to copy.
            pattern
                .split(['*', '?', '['])
                .next()
                .unwrap_or_default()
                .trim_start_matches('/')
                .trim_end_matches('/')
                .to_string()
        })
        .filter(|file| {
            !file.is_empty()
                && !REPLACED.contains(&file.as_str())
                && !NOT_FOR_THE_LIBRARY.contains(&file.as_str())
        })
        .collect()
}

/// `cargo check --workspace --examples` of `crates`, as one workspace at `root`, into
/// `target_dir`: build.rs runs and each generated client and its example are type-checked, which
/// is what the test proves (code generation and linking, most of a debug build's time for
/// 75,000 generated lines, would add nothing). One cargo run compiles the shared dependencies
/// once and checks the clients side by side, one a core. The builds, in the order of `crates`.
pub fn check_all(
    workspace: &Path,
    root: &Path,
    crates: &[&ClientCrate],
    target_dir: &Path,
) -> Vec<Build> {
    let members: Vec<String> = crates
        .iter()
        .map(|krate| {
            let name = krate
                .dir
                .strip_prefix(root)
                .expect("each crate is under the root");
            name.to_str().expect("a UTF-8 path").to_owned()
        })
        .collect();
    // Its own workspace (ours must not adopt it), with our lock and our profiles: the same
    // dependency versions, compiled the same way, so that in a shared target directory the
    // dependencies our own build already checked are reused (without the profiles every
    // dependency would be compiled again, with debug info).
    let ours: DocumentMut = read(&workspace.join("Cargo.toml"))
        .parse()
        .expect("the root Cargo.toml parses");
    let mut manifest = DocumentMut::new();
    let mut table = Table::new();
    table["resolver"] = toml_edit::value("3");
    let mut listed = toml_edit::Array::new();
    for member in &members {
        listed.push(member.as_str());
    }
    table["members"] = toml_edit::value(listed);
    manifest["workspace"] = Item::Table(table);
    if let Some(profiles) = ours.get("profile") {
        manifest["profile"] = profiles.clone();
    }
    write_if_changed(&root.join("Cargo.toml"), manifest.to_string().as_bytes());
    write_if_changed(
        &root.join("Cargo.lock"),
        &std::fs::read(workspace.join("Cargo.lock")).unwrap(),
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "check",
            "--workspace",
            "--examples",
            "--message-format=json-render-diagnostics",
        ])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let messages: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    crates
        .iter()
        .map(|krate| {
            // cargo names a path package by its manifest's directory.
            let dir = krate
                .dir
                .canonicalize()
                .unwrap_or_else(|_| krate.dir.clone());
            let out_dir = messages
                .iter()
                .filter(|message| message["reason"] == "build-script-executed")
                .filter(|message| {
                    message["package_id"]
                        .as_str()
                        .is_some_and(|id| id.contains(dir.to_str().unwrap_or_default()))
                })
                .find_map(|message| message["out_dir"].as_str().map(PathBuf::from));
            Build {
                success: output.status.success(),
                out_dir,
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        })
        .collect()
}

/// The crate's manifest: the root package's identity (its name suffixed with `label`), `[lib]`,
/// `[features]`, dependencies and build dependencies, with workspace inheritance and relative
/// paths resolved.
fn manifest(root: &DocumentMut, workspace: &Path, label: &str) -> String {
    let package = root["package"].as_table().expect("[package]");
    let inherited = root
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(Item::as_table);
    let mut out = DocumentMut::new();
    let mut new_package = Table::new();
    for key in ["name", "version", "edition", "build"] {
        let Some(item) = package.get(key) else {
            continue;
        };
        let item = if is_inherited(item) {
            inherited
                .and_then(|t| t.get(key))
                .cloned()
                .expect("an inherited package key is in [workspace.package]")
        } else {
            item.clone()
        };
        new_package.insert(key, item);
    }
    let name = package["name"].as_str().expect("package.name");
    new_package.insert("name", toml_edit::value(format!("{name}-{label}")));
    new_package.insert("publish", toml_edit::value(false));
    out.insert("package", Item::Table(new_package));
    for key in ["lib", "features"] {
        if let Some(item) = root.get(key) {
            out.insert(key, item.clone());
        }
    }
    let workspace_deps = root
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table);
    for section in ["dependencies", "build-dependencies"] {
        let Some(deps) = root.get(section).and_then(Item::as_table) else {
            continue;
        };
        let mut resolved = Table::new();
        for (name, dep) in deps {
            resolved.insert(
                name,
                resolve_dependency(name, dep, workspace_deps, workspace),
            );
        }
        out.insert(section, Item::Table(resolved));
    }
    out.to_string()
}

fn is_inherited(item: &Item) -> bool {
    item.get("workspace").and_then(Item::as_bool) == Some(true)
}

/// `dep = { workspace = true, features = […] }` → the workspace's entry plus those features;
/// `path = "…"` → an absolute path.
fn resolve_dependency(
    name: &str,
    dep: &Item,
    workspace_deps: Option<&Table>,
    workspace: &Path,
) -> Item {
    let mut table = match dep {
        Item::Value(Value::String(version)) => {
            return Item::Value(Value::String(version.clone()));
        }
        Item::Value(Value::InlineTable(t)) => t.clone(),
        Item::Table(t) => t.clone().into_inline_table(),
        other => return other.clone(),
    };
    if table.get("workspace").and_then(Value::as_bool) == Some(true) {
        let base = workspace_deps
            .and_then(|t| t.get(name))
            .expect("an inherited dependency is in [workspace.dependencies]");
        let mut merged = match base {
            Item::Value(Value::String(version)) => {
                let mut t = toml_edit::InlineTable::new();
                t.insert("version", Value::String(version.clone()));
                t
            }
            Item::Value(Value::InlineTable(t)) => t.clone(),
            Item::Table(t) => t.clone().into_inline_table(),
            _ => toml_edit::InlineTable::new(),
        };
        for (key, value) in table.iter() {
            if key != "workspace" {
                merged.insert(key, value.clone());
            }
        }
        table = merged;
    }
    if let Some(path) = table.get("path").and_then(Value::as_str) {
        let absolute = workspace.join(path).display().to_string();
        table.insert("path", Value::from(absolute));
    }
    Item::Value(Value::InlineTable(table))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file at or under `path` (nothing if it does not exist).
fn files_under(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
        found.extend(files_under(&entry.path()));
    }
    found
}

/// Writes only changed bytes, so cargo's mtime-based freshness sees an unchanged crate.
fn write_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}
