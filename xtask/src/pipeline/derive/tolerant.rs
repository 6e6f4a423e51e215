//! Schema keywords that would make the generated client refuse what a valid server sends, or
//! fail to build, are removed (each removal is reported).
//!
//! - `additionalProperties: false`: typify turns it into `#[serde(deny_unknown_fields)]`, so a
//!   response that gains a field (Baseten adds fields without a version bump) would no longer
//!   decode. A client only ever sends the fields it knows, so requests lose nothing.
//! - `pattern`: typify checks it with the `regress` crate, which the client does not depend on
//!   (a build failure); a pattern written for another regex dialect would make the generated
//!   code panic at first use; and a response value outside the pattern would fail to decode.
//!   The server validates what it receives, so the client need not.

use serde_json::{Map, Value};

/// Removes the keywords above from one Schema Object.
pub fn make_tolerant(schema: &mut Map<String, Value>, pointer: &str, notes: &mut Vec<String>) {
    if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
        schema.shift_remove("additionalProperties");
        notes.push(format!(
            "{pointer}: dropped `additionalProperties: false` (a response with a new field must \
             still decode)"
        ));
    }
    if schema.get("pattern").is_some_and(Value::is_string) {
        schema.shift_remove("pattern");
        notes.push(format!(
            "{pointer}: dropped `pattern` (the server validates it; the client would need a \
             regex engine and could reject valid responses)"
        ));
    }
}
