//! Reading and writing OpenAPI documents as `serde_json::Value`s.
//!
//! Every stage of the pipeline works on plain JSON values (key order preserved) so that a
//! stage can be written, tested and reasoned about without a typed OpenAPI model that would
//! drop what it does not know (`x-codeSamples`, 3.1 keywords, …).

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value};
use std::path::Path;

/// Parses YAML (which includes JSON) into a JSON value.
///
/// `origin` names the input in errors (a file path, or `page.md (OpenAPI block)`);
/// `line_offset` is added to reported line numbers when the text was cut out of a larger file.
pub fn parse_yaml(text: &str, origin: &str, line_offset: usize) -> Result<Value> {
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|err| match err.location() {
            Some(loc) => anyhow!(
                "{origin}:{}:{}: invalid YAML: {}",
                loc.line() + line_offset,
                loc.column(),
                strip_location(&err.to_string())
            ),
            None => anyhow!("{origin}: invalid YAML: {err}"),
        })?;
    yaml_to_json(yaml, origin, "")
}

/// serde_yaml_ng appends "at line X column Y" to its messages; we report the location ourselves
/// (shifted by the offset of the block inside its page), so drop its copy.
fn strip_location(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// Converts YAML to JSON, turning non-string keys (`200:` unquoted) into strings as OpenAPI
/// tools do, and refusing what JSON cannot hold (tags, NaN) with the JSON pointer of the value.
fn yaml_to_json(value: serde_yaml_ng::Value, origin: &str, pointer: &str) -> Result<Value> {
    use serde_yaml_ng::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| anyhow!("{origin}: {pointer}: number {f} has no JSON form"))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, origin, &format!("{pointer}/{i}")))
                .collect::<Result<_>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, item) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => bail!("{origin}: {pointer}: unsupported mapping key {other:?}"),
                };
                let child = format!("{pointer}/{}", escape_pointer_token(&key));
                let item = yaml_to_json(item, origin, &child)?;
                map.insert(key, item);
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => bail!(
            "{origin}: {pointer}: YAML tag {} is not supported",
            tagged.tag
        ),
    })
}

/// Reads and parses a YAML or JSON file.
pub fn read(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_yaml(&text, &path.display().to_string(), 0)
}

/// Serializes a document as YAML, deterministically (key order as in the value).
pub fn to_yaml(value: &Value, header: &str) -> Result<String> {
    let body = serde_yaml_ng::to_string(value).context("cannot serialize YAML")?;
    Ok(format!("{header}{body}"))
}

/// Serializes a document as pretty JSON with a final newline.
pub fn to_json(value: &Value) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value).context("cannot serialize JSON")?;
    text.push('\n');
    Ok(text)
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one reference token of a JSON pointer (RFC 6901).
pub fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Joins a pointer and a key.
pub fn child_pointer(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(key))
}

/// The HTTP methods an OpenAPI Path Item can hold, in the specification's order.
pub const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operations (method, path) a document defines, in document order.
pub fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in HTTP_METHODS {
                if item.get(method).is_some() {
                    found.push((method.to_string(), path.clone()));
                }
            }
        }
    }
    found
}
