//! Path parameters: one value, one path segment.
//!
//! progenitor percent-encodes path parameters but leaves `.` alone, and URL parsing then
//! resolves `..` (also written `%2e%2e`), so `model_id = ".."` would send the request to a
//! different endpoint. build.rs routes every path parameter of every operation through
//! [`encode_segment`], which refuses what cannot be a segment and encodes the rest.

use crate::Error;

/// Encodes `value` as one path segment, or refuses it naming the parameter.
pub fn encode_segment(name: &str, value: &str) -> Result<String, Error> {
    let problem = if value.is_empty() {
        Some("is empty")
    } else if value.trim().is_empty() {
        Some("is only whitespace")
    } else if value == "." || value == ".." {
        Some("is a relative path segment (`.` or `..`)")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::InvalidRequest(format!(
            "path parameter `{name}` {problem}"
        ))),
        // `/`, `?`, `#`, `%`, spaces, controls and non-ASCII are all percent-encoded, so the
        // value stays inside its segment; `%2e%2e` becomes `%252e%252e`, never `..`.
        None => Ok(progenitor_client::encode_path(value)),
    }
}
