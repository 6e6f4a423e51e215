//! Rules of the generated client that more than one part of the project must agree on:
//! build.rs applies them (`build/postprocess.rs`), and `cargo xtask diff` judges spec changes
//! by them (a value added to an open enum still decodes in an old client; one added to a closed
//! enum does not). Both include this file, so the rule is written once.

/// A string enum with at least this many values gets the catch-all variant. A one-value enum
/// is a `const` (a discriminator): another value is another member of a union, not a new value.
pub const OPEN_ENUM_MIN_VALUES: usize = 2;

/// The name of the catch-all variant that keeps a value this client does not know.
pub const UNKNOWN_VARIANT: &str = "Unknown";
