//! The OpenAPI document the mock serves, and JSON Schema validators built from it.
//!
//! The workspace's `openapi/baseten.yaml` is embedded at compile time, from the byte-identical
//! copy `spec/baseten.yaml` inside this crate: a published crate holds only its own directory,
//! so the copy is what makes it packageable. `cargo xtask generate` writes the copy and
//! `cargo xtask check` fails when it differs. Its operations decide which requests exist
//! (anything else is a 404), its request-body schemas check what clients send, and its response
//! schemas check what the mock answers.
//!
//! OpenAPI 3.1 schemas are JSON Schema 2020-12, so a component is validated by a schema that
//! `$ref`s `#/components/schemas/<Name>` with the document's `components` alongside: references
//! between components resolve inside that one document, and 3.1's `anyOf [.., {type: 'null'}]`
//! needs no translation.
//!
//! Requests are validated as the spec says (extra properties are allowed, as the live API
//! ignores them). Responses are validated strictly: every object schema that lists `properties`
//! also gets `additionalProperties: false`, so the mock cannot invent a field the spec lacks.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

/// The spec the mock serves: `openapi/baseten.yaml`, through this crate's copy of it.
pub const SPEC_YAML: &str = include_str!("../spec/baseten.yaml");

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// `operationId`, e.g. `promote_model_to_environment`.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/v1/models/{model_id}/environments/{env_name}/promote`.
    pub path: String,
    /// Component name of the JSON request body, if the operation has one.
    pub request_schema: Option<String>,
    /// Whether the request body is required.
    pub request_required: bool,
    /// Component name of the 200 response body.
    pub response_schema: Option<String>,
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

/// The parsed spec with a validator per component schema.
pub struct Spec {
    operations: Vec<Operation>,
    lenient: BTreeMap<String, Validator>,
    strict: BTreeMap<String, Validator>,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spec")
            .field("operations", &self.operations)
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
        static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
        SPEC.get_or_init(|| Spec::parse(SPEC_YAML))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses an OpenAPI 3.1 document (YAML or JSON).
    ///
    /// # Errors
    ///
    /// A message naming what is missing or malformed.
    pub fn parse(yaml: &str) -> Result<Spec, String> {
        let document: Value =
            serde_yaml_ng::from_str(yaml).map_err(|e| format!("not YAML: {e}"))?;
        let components = document
            .get("components")
            .cloned()
            .ok_or("no `components`")?;
        let schemas = components
            .get("schemas")
            .and_then(Value::as_object)
            .ok_or("no `components.schemas`")?;

        let mut lenient = BTreeMap::new();
        let mut strict = BTreeMap::new();
        let mut strict_components = components.clone();
        forbid_unlisted_properties(&mut strict_components);
        for name in schemas.keys() {
            lenient.insert(name.clone(), compile(&components, name)?);
            strict.insert(name.clone(), compile(&strict_components, name)?);
        }

        let operations = operations(&document)?;
        for op in &operations {
            for schema in op.request_schema.iter().chain(&op.response_schema) {
                if !lenient.contains_key(schema) {
                    return Err(format!(
                        "operation {} refers to unknown schema {schema}",
                        op.id
                    ));
                }
            }
        }
        Ok(Spec {
            operations,
            lenient,
            strict,
        })
    }

    /// All operations, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
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
            Some(schema) => self.validate(&self.lenient, schema, body),
            None => Ok(()),
        }
    }

    /// Checks a 200 response body against the operation's response schema, strictly: a
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
            Some(schema) => self.validate(&self.strict, schema, body),
            None => Err(vec![SchemaViolation {
                field: String::new(),
                message: format!("operation {operation_id} has no response schema"),
            }]),
        }
    }

    fn validate(
        &self,
        validators: &BTreeMap<String, Validator>,
        schema: &str,
        body: &Value,
    ) -> Result<(), Vec<SchemaViolation>> {
        let Some(validator) = validators.get(schema) else {
            return Err(vec![SchemaViolation {
                field: String::new(),
                message: format!("unknown schema {schema}"),
            }]);
        };
        let violations: Vec<_> = validator
            .iter_errors(body)
            .map(|error| violation(&error))
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }
}

fn compile(components: &Value, name: &str) -> Result<Validator, String> {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": components,
    });
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        // `created_at` is `format: date-time`: a mock answering a bad timestamp is a bug.
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("schema {name}: {e}"))
}

/// Adds `additionalProperties: false` to every object schema that lists `properties` and says
/// nothing about others (none of the spec's schemas combines properties through `allOf`, where
/// this would be wrong).
fn forbid_unlisted_properties(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
            map.values_mut().for_each(forbid_unlisted_properties);
        }
        Value::Array(items) => items.iter_mut().for_each(forbid_unlisted_properties),
        _ => {}
    }
}

fn operations(document: &Value) -> Result<Vec<Operation>, String> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("no `paths`")?;
    let mut operations = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{} {path} has no operationId", method.to_uppercase()))?;
            let body = op.get("requestBody");
            operations.push(Operation {
                id: id.to_owned(),
                method: method.to_uppercase(),
                path: path.clone(),
                request_schema: body.and_then(json_schema_ref),
                request_required: body
                    .and_then(|b| b.get("required"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                response_schema: op
                    .get("responses")
                    .and_then(|r| r.get("200"))
                    .and_then(json_schema_ref),
            });
        }
    }
    Ok(operations)
}

/// `content."application/json".schema.$ref` → the component name.
fn json_schema_ref(holder: &Value) -> Option<String> {
    holder
        .get("content")?
        .get("application/json")?
        .get("schema")?
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
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
    fn field_paths_read_like_code() {
        let s = |v: &[&str]| field_path(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "");
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "0", "b"]), "a[0].b");
        assert_eq!(s(&["0"]), "[0]");
    }
}
