//! Shared helpers for the xtask tests.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use xtask::layout::Layout;

/// The real project's `openapi/` folder.
pub fn project_openapi() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi")
}

/// The real project's root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A temporary project holding a copy of the real `openapi/` folder and of the other file the
/// pipeline writes, baseten-mock's `spec/baseten.yaml`.
pub struct TempProject {
    pub dir: tempfile::TempDir,
    pub layout: Layout,
}

impl TempProject {
    pub fn copy_of_project() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&project_openapi(), &dir.path().join("openapi"));
        let layout = Layout::new(dir.path());
        let mock_spec = layout.mock_spec();
        std::fs::create_dir_all(mock_spec.parent().unwrap()).unwrap();
        std::fs::copy(Layout::new(project_root()).mock_spec(), &mock_spec).unwrap();
        // The earlier captures the manifest names, where it names them.
        let manifest = xtask::manifest::Manifest::load(&layout.manifest()).unwrap();
        for capture in &manifest.earlier_captures {
            let target = dir.path().join(&capture.spec);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(project_root().join(&capture.spec), target).unwrap();
        }
        Self { dir, layout }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Parses YAML written inline in a test.
pub fn yaml(text: &str) -> Value {
    xtask::document::parse_yaml(text, "test", 0).unwrap()
}

/// The text of an error chain, as the CLI prints it.
pub fn message(err: anyhow::Error) -> String {
    format!("{err:#}")
}

/// A version of Baseten's full management API spec (`tests/fixtures/full-spec/`).
pub fn full_spec(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/full-spec")
        .join(file)
}
