//! The baseten-api maintainers' tool: every transformation of the OpenAPI spec.
//!
//! Data flows through [`pipeline`]'s stages in order (import → merge → overlay → validate →
//! derive); [`commands`] are the `cargo xtask` entry points over them. [`diff`] compares two
//! versions of the spec and says what each change means for users; [`update`] fetches every
//! source page again and regenerates, all or nothing.

pub mod commands;
pub mod diff;
pub mod document;
pub mod fetch;
pub mod fsutil;
pub mod layout;
pub mod locate;
pub mod manifest;
pub mod operation_names;
pub mod pipeline;
pub mod update;

#[cfg(test)]
mod module_imports;
