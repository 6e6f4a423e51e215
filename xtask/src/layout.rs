//! Where the pipeline's files live inside a checkout. Tests point it at a temporary copy.

use std::path::{Path, PathBuf};

/// The files of the spec pipeline, relative to a project root.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout of the project rooted at `root` (the directory holding `openapi/`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The workspace this xtask was built in.
    pub fn workspace() -> Self {
        Self::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Baseten's documents exactly as published, one per operation.
    pub fn sources_dir(&self) -> PathBuf {
        self.root.join("openapi/sources")
    }

    /// Where each source came from.
    pub fn manifest(&self) -> PathBuf {
        self.sources_dir().join("manifest.yaml")
    }

    /// Our additions, in the OpenAPI Overlay 1.0 format.
    pub fn overlay(&self) -> PathBuf {
        self.root.join("openapi/overlay.yaml")
    }

    /// The merged OpenAPI 3.1 specification (sources + overlay).
    pub fn merged(&self) -> PathBuf {
        self.root.join("openapi/baseten.yaml")
    }

    /// The OpenAPI 3.0.3 document derived for progenitor; the only file build.rs reads.
    pub fn derived(&self) -> PathBuf {
        self.root.join("openapi/baseten-3.0.json")
    }

    /// baseten-mock's copy of [`merged`](Self::merged), byte for byte: the spec it embeds and
    /// validates against. A package holds only its own directory, so the mock cannot
    /// `include_str!` the workspace's file and still be published.
    pub fn mock_spec(&self) -> PathBuf {
        self.root.join("baseten-mock/spec/baseten.yaml")
    }

    /// A path relative to the root, for messages and the manifest.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}
