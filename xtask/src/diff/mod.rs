//! `cargo xtask diff <old> <new>`: what changed between two versions of the spec, and what each
//! change means for the next version of the crate.
//!
//! Both documents are compared semantically, not as text: `$ref`s are followed, and the
//! spellings OpenAPI 3.1 allows for one thing are made equal ([`node`]): `anyOf [T, null]`,
//! `type: [T, 'null']` and `nullable: true` are all a nullable `T`. Operations are matched by
//! method and path template (a renamed `{param}` is the same operation); component schemas by
//! name, each compared once, in the role (request, response, or both) in which the operations
//! of either version use it. Schemas no operation uses are not part of the crate and are
//! skipped.
//!
//! # Effects
//!
//! Every change gets two verdicts, each `compatible`, `behavior` (still compiles and decodes,
//! but means something else) or `breaking`:
//! - **rust**: for code using the generated crate. Assumes, as progenitor's builders invite,
//!   that values are built with `builder()` or `..Default::default()` and that fields are read
//!   by name, so a new field is not breaking (Cargo's semver rules would call it major for
//!   struct literals). A field that changes between `T` and `Option<T>` (typify makes a field
//!   an `Option` when it is nullable, or optional without a default) is breaking.
//! - **wire**: for a client built from the old spec talking to a server that speaks the new
//!   one. The generated client ignores response fields it does not know (the pipeline drops
//!   `additionalProperties: false`), sends every field it knows, and fills a missing optional
//!   response field with its default.
//!
//! | change | sent by the client (request) — rust / wire | received (response) — rust / wire |
//! |---|---|---|
//! | operation added | compatible / compatible | |
//! | operation removed | breaking / breaking | |
//! | method renamed (`operationId`) | breaking / compatible | |
//! | parameter added: required / optional | breaking / breaking; compatible / compatible | |
//! | parameter removed | breaking / compatible (ignored by the server) | |
//! | parameter became required / optional | breaking / breaking; compatible / compatible | |
//! | request body added (required) / removed | breaking / breaking; breaking / compatible | |
//! | response status added | | 2xx: breaking / breaking (unexpected to an old client); other, with a body: breaking (error type) / compatible |
//! | response status removed | | breaking if it was 2xx or had a body / compatible |
//! | property added, required | breaking / breaking | compatible / compatible |
//! | property added, optional | compatible / compatible | compatible / compatible |
//! | property removed | breaking / compatible (breaking if the schema forbids unknown properties) | breaking / breaking if it was required, else compatible |
//! | type changed | breaking / compatible only if the new type accepts all the old one did | breaking / compatible only if the old type accepts all the new one can be |
//! | became required | breaking / breaking | compatible¹ / compatible |
//! | became optional | compatible¹ / compatible | compatible¹ / breaking |
//! | became nullable | compatible¹ / compatible | compatible¹ / breaking |
//! | became non-nullable | compatible¹ / breaking | compatible¹ / compatible |
//! | enum values added | compatible / compatible | breaking (exhaustive `match`) / behavior: string enums are open (`client_rules::is_open_enum`), one-value or not, so an old client decodes the value as `Unknown(..)`; breaking for a union tag (`client_rules::union_tags` of the old document), which stays closed |
//! | enum values removed | breaking / breaking | breaking / compatible |
//! | default changed | behavior¹ / compatible | behavior¹ / behavior |
//! | schema added / removed | compatible; breaking (the type is gone) / compatible | same |
//! | security requirement or scheme changed | compatible (auth is hand-written) / breaking | |
//! | servers changed | behavior / compatible | |
//!
//! ¹ breaking when the Rust field changes between `T` and `Option<T>`.
//!
//! A schema used both ways gets the worse verdict of the two columns.
//!
//! # Output
//!
//! [`render::text`]: grouped by operation, then schema, then security and document. Each line is
//! `rust: <effect>  wire: <effect>  <where>: <what> (<why>)`, `-` meaning compatible.
//!
//! [`render::json`] (`--format json`), a stable shape:
//! ```json
//! {
//!   "format": 1,
//!   "old": "HEAD:openapi/baseten.yaml",
//!   "new": "openapi/baseten.yaml",
//!   "summary": {"changes": 2, "rust_breaking": 1, "wire_breaking": 1, "behavior": 0,
//!               "operations": {"old": 4, "new": 4}},
//!   "changes": [
//!     {"group": "schema", "subject": "DeploymentV1", "path": "status", "kind": "enum_values_added",
//!      "role": "response", "rust": "breaking", "wire": "breaking",
//!      "message": "enum values added: PAUSED (…)", "new": ["PAUSED"]}
//!   ]
//! }
//! ```
//! `group` is `operation`, `schema`, `security` or `document`; `kind` one of [`Kind`]'s
//! variants in snake case; `role` `request`, `response`, `both` or null; `old`/`new` are present
//! where a value makes sense (types as text, enum values, defaults, method names). Changes are
//! sorted by group, subject and path.
//!
//! # Exit status
//!
//! `0` when the comparison ran; with `--fail-on-breaking`, `2` when any change is breaking for
//! the Rust API or on the wire; `1` when an input cannot be read.

pub mod change;
pub mod components;
pub mod differ;
pub mod document;
pub mod input;
pub mod model;
pub mod node;
pub mod operations;
pub mod render;
pub mod schemas;
pub mod usage;

/// The generated client's rules, shared with build.rs (`build/postprocess.rs`), so the diff
/// judges a change by exactly what build.rs does (which enums are open, for one).
#[path = "../../../build/rules.rs"]
pub mod client_rules;

/// The key [`diff`] adds to each union tag of its copy of the old document
/// ([`client_rules::union_tags`]), so the comparison, which follows references and rewrites
/// 3.1 spellings on its way down, still knows a tag when it reaches one.
const UNION_TAG: &str = "x-xtask-diff-union-tag";

pub use change::{Change, Effect, Group, Kind, Role};

use serde_json::Value;

/// The result of comparing two documents.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the inputs were named (a file, `REV:path`).
    pub old: String,
    pub new: String,
    pub old_operations: usize,
    pub new_operations: usize,
    pub changes: Vec<Change>,
}

impl Report {
    /// Changes that break the Rust API.
    pub fn rust_breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.rust == Effect::Breaking)
            .count()
    }

    /// Changes that break an old client talking to the new server.
    pub fn wire_breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.wire == Effect::Breaking)
            .count()
    }

    /// Changes that alter behavior without breaking anything.
    pub fn behavior(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| {
                !c.is_breaking() && (c.rust == Effect::Behavior || c.wire == Effect::Behavior)
            })
            .count()
    }

    pub fn has_breaking(&self) -> bool {
        self.changes.iter().any(Change::is_breaking)
    }

    /// The changes at `subject` (and `path`), for tests and tools.
    pub fn find(&self, subject: &str, path: &str) -> Vec<&Change> {
        self.changes
            .iter()
            .filter(|c| c.subject == subject && c.path == path)
            .collect()
    }
}

/// Compares two OpenAPI documents (3.1, or 3.0); `old_name` and `new_name` label them.
pub fn diff(old: &Value, new: &Value, old_name: &str, new_name: &str) -> Report {
    let old_ops = model::operations(old);
    let new_ops = model::operations(new);
    // Whether an old client decodes a new enum value depends on the old document's tags.
    let mut marked = old.clone();
    for pointer in client_rules::union_tags(old) {
        if let Some(Value::Object(schema)) = marked.pointer_mut(&pointer) {
            schema.insert(UNION_TAG.into(), Value::Bool(true));
        }
    }
    let old = &marked;
    let mut differ = differ::Differ::new(old, new);
    differ.compare_operations(&old_ops, &new_ops);
    differ.compare_components(&usage::roles(old, &old_ops), &usage::roles(new, &new_ops));
    differ.compare_document();
    let mut changes = differ.changes;
    changes.sort_by(|a, b| {
        (a.group, subject_order(a), &a.path, a.kind).cmp(&(
            b.group,
            subject_order(b),
            &b.path,
            b.kind,
        ))
    });
    Report {
        old: old_name.to_string(),
        new: new_name.to_string(),
        old_operations: old_ops.len(),
        new_operations: new_ops.len(),
        changes,
    }
}

/// Operations sort by path, then method; other subjects by name.
fn subject_order(change: &Change) -> (&str, &str) {
    match change.subject.split_once(' ') {
        Some((method, path)) if change.group == Group::Operation => (path, method),
        _ => (change.subject.as_str(), ""),
    }
}
