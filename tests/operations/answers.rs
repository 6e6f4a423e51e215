//! Whether a decoded answer kept what the server sent.

use serde_json::Value;

/// Every value the server sent is in the decoded answer, equal: the same keys at every depth
/// (a `null` sent is the same as a field left out, as an `Option` decodes it), the same
/// strings and booleans, numbers equal as numbers (`0` sent into an `f64` field is `0.0`),
/// arrays item by item. The decoded answer may have more: the documented defaults of fields
/// the server left out.
///
/// # Errors
///
/// The first difference, with its path (`environments[0].name`).
pub fn kept(sent: &Value, decoded: &Value) -> Result<(), String> {
    kept_at(sent, decoded, &mut String::new())
}

fn kept_at(sent: &Value, decoded: &Value, path: &mut String) -> Result<(), String> {
    let differs = || format!("`{path}`: sent {sent}, decoded {decoded}");
    match (sent, decoded) {
        (Value::Object(sent), Value::Object(decoded)) => {
            for (key, value) in sent {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                match decoded.get(key) {
                    Some(decoded) => kept_at(value, decoded, path)?,
                    None if value.is_null() => {}
                    None => return Err(format!("`{path}`: sent {value}, lost in decoding")),
                }
                path.truncate(len);
            }
            Ok(())
        }
        (Value::Array(sent), Value::Array(decoded)) => {
            if sent.len() != decoded.len() {
                return Err(differs());
            }
            for (i, (sent, decoded)) in sent.iter().zip(decoded).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                kept_at(sent, decoded, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
        (a, b) if a == b => Ok(()),
        _ => Err(differs()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_lost_or_changed_value_is_a_difference_and_a_default_added_is_not() {
        let sent = json!({"a": 1, "b": [{"c": "x"}], "n": null});
        assert_eq!(
            super::kept(&sent, &json!({"a": 1.0, "b": [{"c": "x"}], "d": 25})),
            Ok(())
        );
        assert_eq!(
            super::kept(&sent, &json!({"a": 1, "b": [{"c": "y"}]})),
            Err("`b[0].c`: sent \"x\", decoded \"y\"".to_owned())
        );
        assert_eq!(
            super::kept(&sent, &json!({"b": [{"c": "x"}]})),
            Err("`a`: sent 1, lost in decoding".to_owned())
        );
        assert!(super::kept(&sent, &json!({"a": 1, "b": []})).is_err());
    }
}
