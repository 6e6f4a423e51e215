//! The operations of a document, with what the diff compares: effective Rust method name,
//! parameters (path item's and operation's), request body, responses.

use crate::pipeline::HTTP_METHODS;
use crate::pipeline::derive::operation_ids::assign_operation_ids;
use serde_json::{Map, Value};

/// One operation of a document.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub path: String,
    /// The method name the generated client gives it: the `operationId`, or the name the derive
    /// stage would assign.
    pub id: String,
    /// Parameters by (location, name), path-item parameters overridden by the operation's.
    pub parameters: Vec<Parameter>,
    pub request_body: Option<Value>,
    pub responses: Map<String, Value>,
    /// The operation's own `security`, if it overrides the document's.
    pub security: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub location: String,
    pub name: String,
    pub required: bool,
    pub schema: Value,
}

impl Operation {
    /// `POST /v1/…`
    pub fn label(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    /// Method and path with parameter names blanked, so that renaming `{id}` to `{model_id}`
    /// is the same operation.
    pub fn key(&self) -> (String, String) {
        (self.method.clone(), template(&self.path))
    }

    /// The names of the path template's parameters, in order.
    pub fn path_parameter_names(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect()
    }
}

/// `/v1/models/{model_id}` → `/v1/models/{}`.
pub fn template(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                "{}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Follows a local `$ref` (a few levels) to what it names.
pub fn resolve<'a>(root: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(next) => value = next,
            None => break,
        }
    }
    value
}

/// The operations of `doc`, in document order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    // The ids the derive stage gives operations without one, so names match the crate's.
    let mut named = doc.clone();
    assign_operation_ids(&mut named, &mut Vec::new());
    let mut found = Vec::new();
    for (path, item) in named
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let item = resolve(&named, item);
        let shared = item.get("parameters");
        for method in HTTP_METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let mut parameters = parameter_list(doc, shared);
            for own in parameter_list(doc, op.get("parameters")) {
                parameters.retain(|p| !(p.location == own.location && p.name == own.name));
                parameters.push(own);
            }
            found.push(Operation {
                method: method.to_string(),
                path: path.clone(),
                id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                parameters,
                request_body: op.get("requestBody").map(|b| resolve(doc, b).clone()),
                responses: op
                    .get("responses")
                    .and_then(Value::as_object)
                    .map(|r| {
                        r.iter()
                            .map(|(status, response)| {
                                (status.clone(), resolve(doc, response).clone())
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                security: op.get("security").cloned(),
            });
        }
    }
    found
}

fn parameter_list(doc: &Value, list: Option<&Value>) -> Vec<Parameter> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| resolve(doc, p))
        .filter_map(|p| {
            Some(Parameter {
                location: p.get("in")?.as_str()?.to_string(),
                name: p.get("name")?.as_str()?.to_string(),
                required: p.get("required") == Some(&Value::Bool(true)),
                schema: p
                    .get("schema")
                    .cloned()
                    .or_else(|| first_media_schema(p))
                    .unwrap_or(Value::Bool(true)),
            })
        })
        .collect()
}

/// The schema of the first media type of a `content` map (parameters may use one).
fn first_media_schema(holder: &Value) -> Option<Value> {
    holder
        .get("content")?
        .as_object()?
        .values()
        .next()?
        .get("schema")
        .cloned()
}

/// Media type → schema of a request body or response.
pub fn media_schemas(holder: &Value) -> Vec<(String, Value)> {
    holder
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(media, object)| {
            (
                media.clone(),
                object.get("schema").cloned().unwrap_or(Value::Bool(true)),
            )
        })
        .collect()
}
