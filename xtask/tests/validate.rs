//! Stage 4: what makes a document unusable is reported, all at once, with pointers.

mod common;

use common::{message, yaml};
use xtask::pipeline::validate::validate;

#[test]
fn the_project_specs_are_valid() {
    let project = common::TempProject::copy_of_project();
    let merged = xtask::document::read(&project.layout.merged()).unwrap();
    validate(&merged, "baseten.yaml").unwrap();
    let derived = xtask::document::read(&project.layout.derived()).unwrap();
    validate(&derived, "baseten-3.0.json").unwrap();
}

#[test]
fn every_problem_is_listed_with_its_pointer() {
    let doc = yaml(
        "openapi: 3.1.0\npaths:\n  /m/{model_id}:\n    get:\n      operationId: same\n      parameters: [{name: other, in: path, required: false, schema: {type: string}}]\n      security: [{Nope: []}]\n      responses: {'200': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/Missing'}}}}}\n  /n:\n    get: {operationId: same, responses: {}}\n",
    );
    let text = message(validate(&doc, "spec.yaml").unwrap_err());
    let expected = [
        "spec.yaml is not a valid OpenAPI document (7 problem(s)):",
        "/paths/~1m~1{model_id}/get/responses/200/content/application~1json/schema/$ref: `$ref: #/components/schemas/Missing` points at nothing",
        "/paths/~1m~1{model_id}/get/parameters/0: path parameter `other` must have `required: true`",
        "/paths/~1m~1{model_id}/get: `{model_id}` in the path of GET /m/{model_id} is not declared as a path parameter",
        "/paths/~1m~1{model_id}/get: path parameter `other` of GET /m/{model_id} does not appear in the path",
        "/paths/~1m~1{model_id}/get/security/0: security scheme `Nope` is not defined in /components/securitySchemes",
        "/paths/~1n/get/operationId: `same` is used by both GET /m/{model_id} and GET /n",
        "/paths/~1n/get/responses: GET /n documents no response",
    ];
    for line in expected {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

#[test]
fn operation_ids_that_become_the_same_rust_method_are_reported() {
    let doc = yaml(
        "openapi: 3.1.0\npaths:\n  /a:\n    get: {operationId: getThing, responses: {'200': {description: ''}}}\n  /b:\n    get: {operationId: get_thing, responses: {'200': {description: ''}}}\n",
    );
    let text = message(validate(&doc, "spec.yaml").unwrap_err());
    assert!(
        text.contains("/paths/~1b/get/operationId: `get_thing` (GET /b) and `getThing` (GET /a) become the same Rust method name"),
        "{text}"
    );
}
