//! The values an operation's call is given: path parameters name the seeded world, query
//! parameters and bodies are the served spec's examples (the mock's generator, which every
//! answer also comes from), so what is sent is what that spec accepts.

use std::collections::BTreeMap;

use baseten_mock::spec::{Operation, Spec};
use serde_json::Value;

use crate::calls;
use crate::world;

/// The values for one call, by setter name.
#[derive(Debug, Clone)]
pub struct Values {
    by_setter: BTreeMap<String, Value>,
}

impl Values {
    /// The same values, with `setter` given `value` instead.
    pub fn with(mut self, setter: &str, value: Value) -> Self {
        self.by_setter.insert(setter.to_owned(), value);
        self
    }
}

impl calls::Arguments for Values {
    fn get<T: serde::de::DeserializeOwned>(&self, operation: &str, setter: &str) -> Option<T> {
        let value = self.by_setter.get(setter)?;
        Some(serde_json::from_value(value.clone()).unwrap_or_else(|e| {
            panic!("{operation}: `{setter}` cannot take the spec's example {value}: {e}")
        }))
    }
}

/// Whether every setter must match a parameter of the served operation (the crate's own spec),
/// or only those the served document has (a capture from another time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Every,
    Served,
}

/// The name progenitor gives a parameter's setter: snake case, a keyword escaped with `_`.
fn setter_name(parameter: &str) -> String {
    let mut name = String::new();
    for (i, c) in parameter.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !name.ends_with('_') {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    match name.as_str() {
        "type" | "match" | "ref" | "self" | "use" | "where" | "in" | "for" | "async" => {
            name.push('_');
            name
        }
        _ => name,
    }
}

/// The values for `operation` as `served` describes it, for the builder's `setters`.
///
/// # Errors
///
/// A parameter of the operation that the builder cannot send, or (with [`Match::Every`]) a
/// setter that no parameter of the served operation explains.
pub fn for_operation(
    served: &Spec,
    operation: &Operation,
    setters: &[&str],
    matching: Match,
) -> Result<Values, String> {
    let mut by_setter = BTreeMap::new();
    for parameter in &operation.parameters {
        let setter = setter_name(&parameter.name);
        if !setters.contains(&setter.as_str()) {
            if parameter.location == "path" || parameter.required || matching == Match::Every {
                return Err(format!(
                    "the {} parameter `{}` has no setter (setters: {setters:?})",
                    parameter.location, parameter.name
                ));
            }
            continue;
        }
        let value = match parameter.location.as_str() {
            "path" => Value::from(world::path_value(&operation.path, &parameter.name)),
            "query" => served.example_of(&parameter.schema, Some(&parameter.name)),
            other => return Err(format!("a {other} parameter, `{}`", parameter.name)),
        };
        by_setter.insert(setter, value);
    }
    if let Some(schema) = &operation.request_schema
        && setters.contains(&"body")
    {
        let mut body = served
            .example(schema)
            .ok_or_else(|| format!("the request schema `{schema}` is not in the document"))?;
        world::fit_body(&operation.path, &mut body);
        by_setter.insert("body".to_owned(), body);
    }
    if matching == Match::Every
        && let Some(setter) = setters.iter().find(|s| !by_setter.contains_key(**s))
    {
        return Err(format!(
            "the setter `{setter}` matches no parameter or body of {} {}",
            operation.method, operation.path
        ));
    }
    Ok(Values { by_setter })
}

#[cfg(test)]
mod tests {
    #[test]
    fn setter_names_follow_progenitor() {
        assert_eq!(super::setter_name("model_id"), "model_id");
        assert_eq!(super::setter_name("startTime"), "start_time");
        assert_eq!(super::setter_name("page-size"), "page_size");
        assert_eq!(super::setter_name("type"), "type_");
    }
}
