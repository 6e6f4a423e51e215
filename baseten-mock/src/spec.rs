//! The OpenAPI document the mock serves, and JSON Schema validators built from it.
//!
//! By default that is the workspace's `openapi/baseten.yaml`, embedded at compile time from the
//! byte-identical copy `spec/baseten.yaml` inside this crate: a published crate holds only its
//! own directory, so the copy is what makes it packageable. `cargo xtask generate` writes the
//! copy and `cargo xtask check` fails when it differs. Another OpenAPI 3.1 document (YAML or
//! JSON) can be served instead ([`Spec::parse`], `MockServerBuilder::spec`, `--spec`). Its
//! operations decide which requests exist (anything else is a 404), its parameter and
//! request-body schemas check what clients send, and its response schemas check what the mock
//! answers.
//!
//! Operations are known by method and path template; where the document gives an
//! `operationId`, that is the operation's name in messages and in the Rust API, else
//! `"METHOD /path/template"` is (Baseten's own specification has no operationIds).
//!
//! OpenAPI 3.1 schemas are JSON Schema 2020-12. The document's `components` are registered
//! once with a [`jsonschema::Registry`] under a URN, and a schema is validated by a small
//! validator that `$ref`s into it: references between components resolve inside that one
//! document, 3.1's `anyOf [.., {type: 'null'}]` needs no translation, and only the
//! validators the operations need are compiled (a validator per component, each embedding the
//! whole document, would take seconds for 400 schemas), once, when the document is parsed, so
//! that a schema the validator cannot use is reported then.
//!
//! Requests are validated as the spec says (extra properties are allowed, as the live API
//! ignores them). Responses are validated strictly: every object schema that lists `properties`
//! also gets `additionalProperties: false`, so the mock cannot invent a field the spec lacks.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Map, Value, json};

/// The spec the mock serves unless told otherwise: `openapi/baseten.yaml`, through this crate's
/// copy of it.
pub const SPEC_YAML: &str = include_str!("../spec/baseten.yaml");

/// Where the document's `components` are registered, as the spec says them.
const LENIENT_URI: &str = "urn:baseten-mock:spec";
/// The same `components` with `additionalProperties: false` added (for responses).
const STRICT_URI: &str = "urn:baseten-mock:strict-spec";

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// Its name: the `operationId` (e.g. `promote_model_to_environment`) if the document gives
    /// one, else `"METHOD /path/template"` (e.g. `DELETE /v1/models/{model_id}`).
    pub id: String,
    /// The document's `operationId`, if it has one.
    pub operation_id: Option<String>,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/v1/models/{model_id}/environments/{env_name}/promote`.
    pub path: String,
    /// Its path and query parameters (the path item's and its own, `$ref`s resolved).
    pub parameters: Vec<Parameter>,
    /// Component name of the JSON request body, if the operation has one.
    pub request_schema: Option<String>,
    /// Whether the request body is required.
    pub request_required: bool,
    /// The status of its success answer: its first documented 2xx (200 when none is).
    pub response_status: u16,
    /// Component name of the success answer's JSON body; `None` if it has none.
    pub response_schema: Option<String>,
}

/// A parameter of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether a request must send it (path parameters always must).
    pub required: bool,
    /// Its JSON schema (`{}` if the document gives none).
    pub schema: Value,
}

/// One way a JSON document fails a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaViolation {
    /// Where, as a field path (`deployment_id`, `chainlets[0].status`); empty for the document
    /// itself.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// The parsed spec, with the validators its operations need.
pub struct Spec {
    /// `components` of the document (what `#/components/...` references resolve in).
    components: Value,
    operations: Vec<Operation>,
    registry: Registry<'static>,
    /// Compiled validators by key (`lenient:<schema>`, `strict:<schema>`, `parameters:<op>`).
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spec")
            .field("operations", &self.operations.len())
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// The embedded spec, parsed once.
    ///
    /// # Errors
    ///
    /// A message if the embedded document is not a usable OpenAPI document (a build problem,
    /// which the crate's tests catch).
    pub fn embedded() -> Result<&'static Spec, String> {
        embedded_shared().map(|spec| &**spec)
    }

    /// Parses an OpenAPI 3.1 document, JSON or YAML.
    ///
    /// # Errors
    ///
    /// A message naming what is missing or malformed, and where: not JSON or YAML (with line
    /// and column), not OpenAPI 3.1, no `paths`, a `$ref` to a component that does not exist, a
    /// path parameter the template does not have, an inline request or response schema (the
    /// mock needs named components), two operations with the same name.
    pub fn parse(text: &str) -> Result<Spec, String> {
        // JSON first: it is what Baseten publishes, and serde_json is much faster on 1 MB.
        let document: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(json_error) => serde_yaml_ng::from_str(text).map_err(|yaml_error| {
                if text.trim_start().starts_with('{') {
                    format!("not JSON: {json_error}")
                } else {
                    format!("not YAML: {yaml_error}")
                }
            })?,
        };
        let version = document
            .get("openapi")
            .and_then(Value::as_str)
            .ok_or("not an OpenAPI document: no `openapi` version")?;
        if !version.starts_with("3.1") {
            return Err(format!(
                "`openapi: {version}`: the mock serves OpenAPI 3.1 documents (their schemas are \
                 JSON Schema 2020-12)"
            ));
        }
        let components = match document.get("components") {
            Some(Value::Object(map)) => Value::Object(map.clone()),
            None => json!({}),
            Some(_) => return Err("`components` is not an object".to_owned()),
        };
        let operations = operations(&document, &components)?;

        let mut strict = components.clone();
        forbid_unlisted_properties(&mut strict);
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(LENIENT_URI, json!({ "components": components }))
            .and_then(|r| r.add(STRICT_URI, json!({ "components": strict })))
            .and_then(|r| r.prepare())
            .map_err(|e| format!("the schemas cannot be indexed: {e}"))?;
        let spec = Spec {
            components,
            operations,
            registry,
            validators: Mutex::new(HashMap::new()),
        };
        spec.compile_all()?;
        Ok(spec)
    }

    /// Compiles every validator the operations need, so that a schema the validator cannot
    /// use (a bad regular expression, a `$ref` to nothing) stops the start with its place
    /// named, instead of failing requests later. The validators are kept.
    fn compile_all(&self) -> Result<(), String> {
        for op in &self.operations {
            let at = format!("{} {}", op.method, op.path);
            self.parameter_validator(op)
                .map_err(|e| format!("{at}: parameters: {}", e.message))?;
            if let Some(schema) = &op.request_schema {
                self.component_validator(LENIENT_URI, schema)
                    .map_err(|e| format!("{at}: request schema {schema}: {}", e.message))?;
            }
            if let Some(schema) = &op.response_schema {
                self.component_validator(STRICT_URI, schema)
                    .map_err(|e| format!("{at}: response schema {schema}: {}", e.message))?;
            }
        }
        Ok(())
    }

    /// All operations, in document order (paths in order, methods in the order
    /// get, put, post, delete, options, head, patch, trace).
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this name ([`Operation::id`]).
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The operation with this method and path template.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.method.eq_ignore_ascii_case(method) && op.path == path)
    }

    /// The document's `components` (schemas, parameters, ...).
    pub fn components(&self) -> &Value {
        &self.components
    }

    /// A deterministic example of component schema `schema` (of `#/components/schemas`), as
    /// the mock generates answers: the same value every time, every property listed, arrays of
    /// one item (see the README's "Generated answers"). `None` for a component the document
    /// lacks. Handy to build a request body that the spec accepts.
    pub fn example(&self, schema: &str) -> Option<Value> {
        self.components.get("schemas")?.get(schema)?;
        Some(crate::generate::example(
            &self.components,
            schema,
            &crate::generate::Echo::default(),
        ))
    }

    /// An example of `schema`, inline or a `$ref` into this document's components, by the same
    /// rules as [`example`](Self::example); `name` is what it is for (a parameter's or a
    /// property's name), which a string without a better rule takes as its value. Handy for a
    /// parameter's value.
    pub fn example_of(&self, schema: &Value, name: Option<&str>) -> Value {
        crate::generate::example_of(
            &self.components,
            schema,
            name,
            &crate::generate::Echo::default(),
        )
    }

    /// Checks a request body against the operation's request schema (extra properties allowed).
    /// An operation without a request body accepts anything.
    ///
    /// # Errors
    ///
    /// Every violation, each naming its field.
    pub fn validate_request(
        &self,
        operation_id: &str,
        body: &Value,
    ) -> Result<(), Vec<SchemaViolation>> {
        let schema = self
            .operation(operation_id)
            .and_then(|op| op.request_schema.as_deref());
        match schema {
            Some(schema) => self.validate_component(LENIENT_URI, schema, body),
            None => Ok(()),
        }
    }

    /// Checks a success response body against the operation's response schema, strictly: a
    /// property the schema does not list is a violation.
    ///
    /// # Errors
    ///
    /// Every violation, each naming its field; or one if the operation is unknown.
    pub fn validate_response(
        &self,
        operation_id: &str,
        body: &Value,
    ) -> Result<(), Vec<SchemaViolation>> {
        let schema = self
            .operation(operation_id)
            .and_then(|op| op.response_schema.as_deref());
        match schema {
            Some(schema) => self.validate_component(STRICT_URI, schema, body),
            None => Err(vec![whole(format!(
                "operation {operation_id} has no response schema"
            ))]),
        }
    }

    /// Checks an operation's path and query parameters, given as one JSON object (name →
    /// value, already converted from text to the type the schema wants): every required one
    /// present, each valid against its schema. Parameters the operation does not declare are
    /// ignored, as the live API ignores them.
    ///
    /// # Errors
    ///
    /// Every violation, each naming its parameter.
    pub fn validate_parameters(
        &self,
        operation_id: &str,
        values: &Value,
    ) -> Result<(), Vec<SchemaViolation>> {
        let Some(op) = self.operation(operation_id) else {
            return Err(vec![whole(format!("unknown operation {operation_id}"))]);
        };
        run(self.parameter_validator(op), values)
    }

    fn parameter_validator(&self, op: &Operation) -> Result<Arc<Validator>, SchemaViolation> {
        let key = format!("parameters:{}", op.id);
        self.validator(&key, || {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for p in op.parameters.iter().filter(|p| is_checked(&p.location)) {
                let mut schema = p.schema.clone();
                absolute_refs(&mut schema);
                properties.insert(p.name.clone(), schema);
                if p.required {
                    required.push(Value::from(p.name.clone()));
                }
            }
            json!({"type": "object", "properties": properties, "required": required})
        })
    }

    fn validate_component(
        &self,
        uri: &str,
        schema: &str,
        body: &Value,
    ) -> Result<(), Vec<SchemaViolation>> {
        run(self.component_validator(uri, schema), body)
    }

    fn component_validator(
        &self,
        uri: &str,
        schema: &str,
    ) -> Result<Arc<Validator>, SchemaViolation> {
        let key = format!("{uri}:{schema}");
        self.validator(
            &key,
            || json!({"$ref": format!("{uri}#/components/schemas/{}", pointer_escape(schema))}),
        )
    }

    /// The validator cached under `key`, compiled from `schema()` the first time. A schema
    /// that does not compile is reported as a violation of every document (the spec is
    /// broken there; the message says where).
    fn validator(
        &self,
        key: &str,
        schema: impl FnOnce() -> Value,
    ) -> Result<Arc<Validator>, SchemaViolation> {
        if let Some(found) = self.cached(key) {
            return Ok(found);
        }
        // Compiled outside the lock: two requests may compile the same one, which is harmless.
        let compiled = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            // `created_at` is `format: date-time`: a mock answering a bad timestamp is a bug.
            .should_validate_formats(true)
            .build(&schema())
            .map(Arc::new)
            .map_err(|e| whole(format!("the spec's schema for {key} is unusable: {e}")))?;
        self.validators
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), Arc::clone(&compiled));
        Ok(compiled)
    }

    fn cached(&self, key: &str) -> Option<Arc<Validator>> {
        self.validators
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }
}

/// The embedded spec, parsed once, shared by every mock that serves it.
pub(crate) fn embedded_shared() -> Result<&'static Arc<Spec>, String> {
    static SPEC: OnceLock<Result<Arc<Spec>, String>> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(SPEC_YAML).map(Arc::new))
        .as_ref()
        .map_err(Clone::clone)
}

fn run(
    validator: Result<Arc<Validator>, SchemaViolation>,
    document: &Value,
) -> Result<(), Vec<SchemaViolation>> {
    let validator = validator.map_err(|e| vec![e])?;
    let violations: Vec<_> = validator
        .iter_errors(document)
        .map(|error| violation(&error))
        .collect();
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

fn whole(message: String) -> SchemaViolation {
    SchemaViolation {
        field: String::new(),
        message,
    }
}

/// Path and query parameters are checked; headers and cookies are the client's business.
fn is_checked(location: &str) -> bool {
    matches!(location, "path" | "query")
}

/// `#/components/...` → the registered document's URN, so that a schema copied out of the
/// document (a parameter's) still resolves its references.
fn absolute_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && reference.starts_with("#/")
            {
                *reference = format!("{LENIENT_URI}{reference}");
            }
            map.values_mut().for_each(absolute_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(absolute_refs),
        _ => {}
    }
}

/// A component name as a JSON pointer segment (RFC 6901).
fn pointer_escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Adds `additionalProperties: false` to every object schema that lists `properties` and says
/// nothing about others. Not to a member of an `allOf`, whose properties are combined with its
/// siblings' (there it would reject theirs); Baseten's documents have no `allOf`.
fn forbid_unlisted_properties(value: &mut Value) {
    forbid_in(value, false);
}

fn forbid_in(value: &mut Value, in_all_of: bool) {
    match value {
        Value::Object(map) => {
            if !in_all_of
                && map.contains_key("properties")
                && !map.contains_key("additionalProperties")
                && !map.contains_key("unevaluatedProperties")
            {
                map.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
            for (key, child) in map.iter_mut() {
                if key == "allOf" {
                    if let Value::Array(members) = child {
                        members.iter_mut().for_each(|m| forbid_in(m, true));
                    }
                } else {
                    forbid_in(child, false);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| forbid_in(i, false)),
        _ => {}
    }
}

fn operations(document: &Value, components: &Value) -> Result<Vec<Operation>, String> {
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("no `paths`")?;
    let schemas = components.get("schemas").and_then(Value::as_object);
    let mut operations: Vec<Operation> = Vec::new();
    for (path, item) in paths {
        if !path.starts_with('/') {
            return Err(format!("path {path:?} does not start with `/`"));
        }
        let shared = item.get("parameters");
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let method = method.to_uppercase();
            let at = format!("{method} {path}");
            let operation_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let parameters = parameters(shared, op.get("parameters"), components, path)
                .map_err(|e| format!("{at}: {e}"))?;
            let body = op.get("requestBody");
            let request_schema = match body {
                Some(body) => json_schema_ref(body).map_err(|e| format!("{at}: request {e}"))?,
                None => None,
            };
            let (response_status, response) = success_response(op);
            let response_schema = match response {
                Some(response) => {
                    json_schema_ref(response).map_err(|e| format!("{at}: response {e}"))?
                }
                None => None,
            };
            for schema in request_schema.iter().chain(&response_schema) {
                if !schemas.is_some_and(|s| s.contains_key(schema)) {
                    return Err(format!(
                        "{at} refers to schema {schema}, which `components.schemas` lacks"
                    ));
                }
            }
            let id = operation_id.clone().unwrap_or_else(|| at.clone());
            if operations.iter().any(|other| other.id == id) {
                return Err(format!("two operations are named {id}"));
            }
            operations.push(Operation {
                id,
                operation_id,
                method,
                path: path.clone(),
                parameters,
                request_schema,
                request_required: body
                    .and_then(|b| b.get("required"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                response_status,
                response_schema,
            });
        }
    }
    Ok(operations)
}

/// The first 2xx response (by status, `2XX` last), or 200 without a body if none is documented.
fn success_response(op: &Value) -> (u16, Option<&Value>) {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return (200, None);
    };
    let mut success: Vec<(u16, &Value)> = responses
        .iter()
        .filter_map(|(status, response)| {
            let code = if status.eq_ignore_ascii_case("2XX") {
                299
            } else {
                status.parse().ok().filter(|s| (200..300).contains(s))?
            };
            Some((code, response))
        })
        .collect();
    success.sort_by_key(|(code, _)| *code);
    match success.first() {
        Some((299, response)) => (200, Some(response)),
        Some((code, response)) => (*code, Some(response)),
        None => (200, None),
    }
}

/// The path item's parameters overridden by the operation's (same name and location), `$ref`s
/// to `#/components/parameters/..` resolved; every `{name}` of the template must be one.
fn parameters(
    shared: Option<&Value>,
    own: Option<&Value>,
    components: &Value,
    path: &str,
) -> Result<Vec<Parameter>, String> {
    let mut found: Vec<Parameter> = Vec::new();
    for list in [shared, own].into_iter().flatten() {
        let list = list.as_array().ok_or("`parameters` is not a list")?;
        for entry in list {
            let parameter = parameter(entry, components)?;
            found.retain(|p| !(p.name == parameter.name && p.location == parameter.location));
            found.push(parameter);
        }
    }
    for name in template_names(path) {
        if !found.iter().any(|p| p.location == "path" && p.name == name) {
            // Undeclared path parameters are still strings: declare them so.
            found.push(Parameter {
                name: name.to_owned(),
                location: "path".to_owned(),
                required: true,
                schema: json!({"type": "string"}),
            });
        }
    }
    Ok(found)
}

fn parameter(entry: &Value, components: &Value) -> Result<Parameter, String> {
    let entry = match entry.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/parameters/")
                .ok_or_else(|| format!("parameter $ref {reference:?} is not to a component"))?;
            components
                .pointer(&format!("/parameters/{}", pointer_escape(name)))
                .ok_or_else(|| format!("parameter $ref {reference:?} names nothing"))?
        }
        None => entry,
    };
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .ok_or("a parameter has no `name`")?;
    let location = entry
        .get("in")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("parameter {name} has no `in`"))?;
    Ok(Parameter {
        name: name.to_owned(),
        location: location.to_owned(),
        required: location == "path"
            || entry
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        schema: entry.get("schema").cloned().unwrap_or_else(|| json!({})),
    })
}

/// The `{names}` of a path template, in order.
pub(crate) fn template_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}

/// `content."application/json".schema.$ref` → the component name; `None` without JSON content.
fn json_schema_ref(holder: &Value) -> Result<Option<String>, String> {
    let Some(schema) = holder
        .get("content")
        .and_then(|c| c.get("application/json"))
        .and_then(|c| c.get("schema"))
    else {
        return Ok(None);
    };
    let reference = schema
        .get("$ref")
        .and_then(Value::as_str)
        .ok_or("schema is inline; the mock needs a `$ref` to `#/components/schemas/<Name>`")?;
    reference
        .strip_prefix("#/components/schemas/")
        .map(|name| Some(name.to_owned()))
        .ok_or_else(|| format!("schema $ref {reference:?} is not to `#/components/schemas/`"))
}

fn violation(error: &jsonschema::ValidationError<'_>) -> SchemaViolation {
    let mut segments: Vec<String> = error
        .instance_path()
        .iter()
        .map(|segment| segment.to_string())
        .collect();
    let message = match error.kind() {
        // Name the missing field itself rather than its parent object.
        jsonschema::error::ValidationErrorKind::Required { property } => {
            segments.push(property.as_str().unwrap_or_default().to_owned());
            "required field is missing".to_owned()
        }
        _ => error.to_string(),
    };
    SchemaViolation {
        field: field_path(&segments),
        message,
    }
}

/// `["chainlets", "0", "status"]` → `chainlets[0].status`.
fn field_path(segments: &[String]) -> String {
    let mut path = String::new();
    for segment in segments {
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{segment}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> &'static Spec {
        Spec::embedded().expect("the embedded spec parses")
    }

    #[test]
    fn every_operation_is_found_with_its_method_and_schemas() {
        let mut ops: Vec<_> = spec()
            .operations()
            .iter()
            .map(|op| {
                (
                    op.id.as_str(),
                    op.method.as_str(),
                    op.request_schema.as_deref(),
                    op.request_required,
                    op.response_schema.as_deref(),
                )
            })
            .collect();
        // The whole API is served; the promotion lifecycle is what the mock models.
        assert_eq!(ops.len(), 183);
        ops.retain(|op| crate::IMPLEMENTED_OPERATIONS.contains(&op.0));
        ops.sort();
        let signal = Some("SignalPromotionResponseV1");
        assert_eq!(
            ops,
            [
                (
                    "cancel_promotion",
                    "POST",
                    None,
                    false,
                    Some("CancelPromotionResponseV1")
                ),
                ("force_cancel_promotion", "POST", None, false, signal),
                ("force_roll_forward_promotion", "POST", None, false, signal),
                (
                    "get_chain_deployment",
                    "GET",
                    None,
                    false,
                    Some("ChainDeploymentV1")
                ),
                (
                    "get_chain_environment",
                    "GET",
                    None,
                    false,
                    Some("ChainEnvironmentV1")
                ),
                ("get_deployment", "GET", None, false, Some("DeploymentV1")),
                ("get_environment", "GET", None, false, Some("EnvironmentV1")),
                (
                    "list_environments",
                    "GET",
                    None,
                    false,
                    Some("EnvironmentsV1")
                ),
                ("pause_promotion", "POST", None, false, signal),
                (
                    "promote_chain_to_environment",
                    "POST",
                    Some("PromoteToChainEnvironmentRequestV1"),
                    true,
                    Some("ChainDeploymentV1")
                ),
                (
                    "promote_development_to_production",
                    "POST",
                    Some("PromoteRequestV1"),
                    true,
                    Some("DeploymentV1")
                ),
                (
                    "promote_model_to_environment",
                    "POST",
                    Some("PromoteToEnvironmentRequestV1"),
                    true,
                    Some("DeploymentV1")
                ),
                ("resume_promotion", "POST", None, false, signal),
            ]
        );
    }

    #[test]
    fn missing_required_field_is_named() {
        let err = spec()
            .validate_request(
                "promote_model_to_environment",
                &json!({"scale_down_previous_deployment": true}),
            )
            .unwrap_err();
        assert_eq!(
            err,
            [SchemaViolation {
                field: "deployment_id".into(),
                message: "required field is missing".into()
            }]
        );
    }

    #[test]
    fn wrong_type_is_named_and_extra_request_fields_are_allowed() {
        let err = spec()
            .validate_request(
                "promote_model_to_environment",
                &json!({"deployment_id": "d", "preserve_env_instance_type": "yes", "extra": 1}),
            )
            .unwrap_err();
        assert_eq!(err.len(), 1, "{err:?}");
        assert_eq!(err[0].field, "preserve_env_instance_type");
        assert!(err[0].message.contains("boolean"), "{err:?}");
    }

    #[test]
    fn responses_are_strict_about_fields_nulls_and_formats() {
        let good = json!({
            "id": "cd", "created_at": "2026-01-01T00:00:00Z", "chain_id": "c",
            "environment": null, "status": "ACTIVE",
            "chainlets": [{"id": "cl", "name": "E", "autoscaling_settings": null,
                "instance_type_name": "1x2", "active_replica_count": 0, "status": "BUILDING"}]
        });
        spec()
            .validate_response("promote_chain_to_environment", &good)
            .unwrap();

        let mut extra = good.clone();
        extra["chainlets"][0]["colour"] = json!("red");
        let err = spec()
            .validate_response("promote_chain_to_environment", &extra)
            .unwrap_err();
        assert_eq!(err[0].field, "chainlets[0]", "{err:?}");

        let mut bad_time = good.clone();
        bad_time["created_at"] = json!("yesterday");
        let err = spec()
            .validate_response("promote_chain_to_environment", &bad_time)
            .unwrap_err();
        assert_eq!(err[0].field, "created_at", "{err:?}");

        let mut bad_status = good;
        bad_status["chainlets"][0]["status"] = json!("SLEEPING");
        let err = spec()
            .validate_response("promote_chain_to_environment", &bad_status)
            .unwrap_err();
        assert_eq!(err[0].field, "chainlets[0].status", "{err:?}");
    }

    #[test]
    fn operations_without_ids_are_named_by_method_and_path_and_parameters_merge() {
        let spec = Spec::parse(
            r#"{"openapi": "3.1.0", "paths": {"/a/{x}/{y}": {
                "parameters": [
                    {"name": "x", "in": "path", "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}}],
                "get": {
                    "parameters": [{"name": "q", "in": "query", "required": true,
                                    "schema": {"type": "integer"}}],
                    "responses": {"201": {"description": "created"}}}}}}"#,
        )
        .unwrap();
        let op = &spec.operations()[0];
        assert_eq!(
            (op.id.as_str(), op.operation_id.as_deref()),
            ("GET /a/{x}/{y}", None)
        );
        assert_eq!(
            (op.response_status, op.response_schema.as_deref()),
            (201, None)
        );
        let shown: Vec<_> = op
            .parameters
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.location.as_str(),
                    p.required,
                    p.schema.clone(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("x", "path", true, json!({"type": "string"})),
                // The operation's own overrides the path item's.
                ("q", "query", true, json!({"type": "integer"})),
                // Undeclared in the document, still a path parameter.
                ("y", "path", true, json!({"type": "string"})),
            ]
        );
        assert!(spec.operation("GET /a/{x}/{y}").is_some());
        assert!(spec.find("get", "/a/{x}/{y}").is_some());
        let err = spec
            .validate_parameters("GET /a/{x}/{y}", &json!({"x": "1", "y": "2", "q": "z"}))
            .unwrap_err();
        assert_eq!(err[0].field, "q", "{err:?}");
    }

    #[test]
    fn field_paths_read_like_code() {
        let s = |v: &[&str]| field_path(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "");
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "0", "b"]), "a[0].b");
        assert_eq!(s(&["0"]), "[0]");
    }
}
