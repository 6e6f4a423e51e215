//! Stage 5: each rule that turns the 3.1 document into the 3.0 document progenitor reads.

mod common;

use common::yaml;
use serde_json::{Value, json};
use xtask::pipeline::derive::derive;

/// A 3.1 document with one operation whose response is `Thing`, plus `extra` schemas.
fn spec_with(thing: &str, extra: &str) -> Value {
    yaml(&format!(
        "openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\npaths:\n  /things:\n    get:\n      responses:\n        '200':\n          description: ''\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Thing'}}\n              examples:\n                one: {{value: {{id: 1}}}}\ncomponents:\n  schemas:\n    Thing:\n{thing}{extra}"
    ))
}

fn thing(doc: &Value) -> &Value {
    &doc["components"]["schemas"]["Thing"]
}

#[test]
fn the_version_becomes_3_0_3() {
    let derived = derive(&spec_with("      type: object\n", ""));
    assert_eq!(derived.doc["openapi"], "3.0.3");
}

#[test]
fn any_of_with_null_becomes_nullable() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        name: {anyOf: [{type: string}, {type: 'null'}], title: Name}\n        size: {oneOf: [{type: integer, minimum: 0}, {type: 'null'}]}\n",
        "",
    ));
    assert_eq!(
        thing(&derived.doc)["properties"]["name"],
        json!({"title": "Name", "nullable": true, "type": "string"})
    );
    assert_eq!(
        thing(&derived.doc)["properties"]["size"],
        json!({"nullable": true, "type": "integer", "minimum": 0})
    );
}

#[test]
fn a_nullable_ref_is_wrapped_in_all_of_so_progenitor_sees_the_nullable() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        other: {anyOf: [{$ref: '#/components/schemas/Other'}, {type: 'null'}], description: D}\n",
        "    Other: {type: object}\n",
    ));
    assert_eq!(
        thing(&derived.doc)["properties"]["other"],
        json!({"description": "D", "nullable": true, "allOf": [{"$ref": "#/components/schemas/Other"}]})
    );
}

#[test]
fn a_nullable_ref_loses_a_null_default_that_3_0_would_check_against_the_ref() {
    // OpenAPI 3.0 validates a default against every `allOf` member; `Other` is not nullable.
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        other: {anyOf: [{$ref: '#/components/schemas/Other'}, {type: 'null'}], default: null}\n        kept: {anyOf: [{$ref: '#/components/schemas/Other'}, {type: 'null'}], default: {a: 1}}\n",
        "    Other: {type: object}\n",
    ));
    let properties = &thing(&derived.doc)["properties"];
    assert_eq!(
        properties["other"],
        json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/Other"}]})
    );
    assert_eq!(properties["kept"]["default"], json!({"a": 1}));
}

#[test]
fn several_non_null_members_stay_a_union_marked_nullable() {
    let derived = derive(&spec_with(
        "      anyOf: [{type: string}, {type: integer}, {type: 'null'}]\n",
        "",
    ));
    assert_eq!(
        thing(&derived.doc),
        &json!({"nullable": true, "anyOf": [{"type": "string"}, {"type": "integer"}]})
    );
}

#[test]
fn type_arrays_with_null_become_nullable() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        a: {type: [string, 'null']}\n        b: {type: [string, integer]}\n",
        "",
    ));
    let properties = &thing(&derived.doc)["properties"];
    assert_eq!(properties["a"], json!({"type": "string", "nullable": true}));
    assert_eq!(
        properties["b"],
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
    );
}

#[test]
fn schema_examples_become_example_but_media_type_examples_stay() {
    let derived = derive(&spec_with(
        "      type: object\n      examples: [{id: 1}, {id: 2}]\n",
        "",
    ));
    assert_eq!(thing(&derived.doc)["example"], json!({"id": 1}));
    assert!(thing(&derived.doc).get("examples").is_none());
    let media =
        &derived.doc["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"];
    assert_eq!(
        media["examples"],
        json!({"one": {"value": {"id": 1}}}),
        "Example Objects are valid 3.0"
    );
}

#[test]
fn const_becomes_a_one_value_enum_and_drops_an_equal_default() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        kind: {const: model, default: model}\n        version: {type: integer, const: 2, default: 1}\n",
        "",
    ));
    let properties = &thing(&derived.doc)["properties"];
    assert_eq!(
        properties["kind"],
        json!({"type": "string", "enum": ["model"]})
    );
    assert_eq!(
        properties["version"],
        json!({"type": "integer", "default": 1, "enum": [2]})
    );
}

#[test]
fn numeric_exclusive_bounds_take_the_3_0_form() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        ratio: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1}\n",
        "",
    ));
    assert_eq!(
        thing(&derived.doc)["properties"]["ratio"],
        json!({"type": "number", "exclusiveMinimum": true, "exclusiveMaximum": true, "minimum": 0, "maximum": 1})
    );
}

#[test]
fn a_ref_with_siblings_keeps_them_through_all_of() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        status: {$ref: '#/components/schemas/Status', description: Current status}\n        plain: {$ref: '#/components/schemas/Status'}\n",
        "    Status: {type: string, enum: [A, B]}\n",
    ));
    let properties = &thing(&derived.doc)["properties"];
    assert_eq!(
        properties["status"],
        json!({"description": "Current status", "allOf": [{"$ref": "#/components/schemas/Status"}]})
    );
    assert_eq!(
        properties["plain"],
        json!({"$ref": "#/components/schemas/Status"})
    );
}

#[test]
fn keywords_without_a_3_0_equivalent_are_dropped_and_reported() {
    let derived = derive(&spec_with(
        "      type: object\n      $comment: internal\n      unevaluatedProperties: false\n",
        "",
    ));
    assert!(thing(&derived.doc).get("$comment").is_none());
    assert!(thing(&derived.doc).get("unevaluatedProperties").is_none());
    assert!(derived.notes.contains(
        &"/components/schemas/Thing: dropped `$comment` (no OpenAPI 3.0 equivalent)".to_string()
    ));
}

#[test]
fn unreachable_components_are_pruned() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        other: {$ref: '#/components/schemas/Other'}\n",
        "    Other: {type: object, properties: {deep: {$ref: '#/components/schemas/Deep'}}}\n    Deep: {type: string}\n    Orphan: {type: string}\n",
    ));
    let names: Vec<&String> = derived.doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(names, ["Thing", "Other", "Deep"]);
    assert!(
        derived
            .notes
            .contains(&"/components/schemas/Orphan: pruned (no operation uses it)".to_string())
    );
}

#[test]
fn operations_without_an_id_get_a_unique_derived_one() {
    let doc = yaml(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /v1/models/{model_id}:\n    get: {responses: {'200': {description: ''}}}\n    delete: {operationId: get_model, responses: {'200': {description: ''}}}\n  /v1/models:\n    get: {responses: {'200': {description: ''}}}\n",
    );
    let derived = derive(&doc);
    let paths = &derived.doc["paths"];
    assert_eq!(
        paths["/v1/models/{model_id}"]["delete"]["operationId"], "get_model",
        "overlay ids are kept"
    );
    assert_eq!(
        paths["/v1/models/{model_id}"]["get"]["operationId"],
        "get_model_2"
    );
    assert_eq!(paths["/v1/models"]["get"]["operationId"], "list_models");
}

#[test]
fn the_project_spec_derives_the_documented_forms() {
    let project = common::TempProject::copy_of_project();
    let derived: Value =
        serde_json::from_str(&std::fs::read_to_string(project.layout.derived()).unwrap()).unwrap();
    let deployment = &derived["components"]["schemas"]["DeploymentV1"]["properties"];
    assert_eq!(
        deployment["autoscaling_settings"]["allOf"][0]["$ref"],
        "#/components/schemas/AutoscalingSettingsV1"
    );
    assert_eq!(deployment["autoscaling_settings"]["nullable"], true);
    assert_eq!(deployment["labels"]["type"], "object");
    assert_eq!(deployment["labels"]["nullable"], true);
    let text = serde_json::to_string(&derived).unwrap();
    assert!(!text.contains("\"null\""), "no 3.1 null type may remain");
    assert!(
        !text.contains("\"examples\":[true]"),
        "schema examples must be converted"
    );
}

#[test]
fn additional_properties_false_is_dropped_so_new_response_fields_still_decode() {
    let derived = derive(&spec_with(
        "      type: object\n      additionalProperties: false\n      properties:\n        tags: {type: object, additionalProperties: {type: string}}\n",
        "",
    ));
    let thing = thing(&derived.doc);
    assert!(thing.get("additionalProperties").is_none());
    assert_eq!(
        thing["properties"]["tags"]["additionalProperties"],
        json!({"type": "string"}),
        "a map's value schema is not a restriction"
    );
    assert!(derived.notes.iter().any(|n| {
        n.starts_with("/components/schemas/Thing: dropped `additionalProperties: false`")
    }));
}

#[test]
fn patterns_are_dropped_because_the_server_checks_them() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        cost: {anyOf: [{type: number}, {type: string, pattern: '^(?!^[-+.]*$)[+-]?0*\\d*\\.?\\d*$'}]}\n",
        "",
    ));
    assert_eq!(
        thing(&derived.doc)["properties"]["cost"],
        json!({"anyOf": [{"type": "number"}, {"type": "string"}]})
    );
}

/// A `oneOf` of two variants that pydantic titles alike, as Baseten's full spec does.
const TAGGED_VARIANTS: &str = "      type: object\n      properties:\n        event: {oneOf: [{$ref: '#/components/schemas/Created'}, {$ref: '#/components/schemas/Deleted'}]}\n";
const VARIANTS: &str = "    Created:\n      type: object\n      properties:\n        event_type: {const: CREATED, title: Event Type, type: string}\n    Deleted:\n      type: object\n      properties:\n        event_type: {const: DELETED, title: Event Type, type: string}\n";

#[test]
fn const_discriminators_titled_alike_lose_their_titles_so_each_gets_its_own_type() {
    // typify would give both one-value enums the name `EventType` and reuse the first for both.
    let derived = derive(&spec_with(TAGGED_VARIANTS, VARIANTS));
    let schemas = &derived.doc["components"]["schemas"];
    assert_eq!(
        schemas["Created"]["properties"]["event_type"],
        json!({"type": "string", "enum": ["CREATED"]})
    );
    assert_eq!(
        schemas["Deleted"]["properties"]["event_type"],
        json!({"type": "string", "enum": ["DELETED"]})
    );
    assert!(derived.notes.contains(
        &"dropped the inline title `Event Type` wherever it occurs (inline schemas of different shapes bear it; typify would give them one Rust type)".to_string()
    ));
}

#[test]
fn an_inline_title_that_names_a_component_is_dropped() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        name: {type: string, maxLength: 255, title: Name}\n        other: {$ref: '#/components/schemas/Name'}\n",
        "    Name: {type: string, enum: [A, B], title: Status}\n",
    ));
    let schemas = &derived.doc["components"]["schemas"];
    assert!(
        schemas["Thing"]["properties"]["name"]
            .get("title")
            .is_none()
    );
    assert_eq!(
        schemas["Name"]["title"], "Status",
        "a component's own title stays"
    );
}

#[test]
fn identical_titled_schemas_and_plain_scalars_keep_their_titles() {
    let derived = derive(&spec_with(
        "      type: object\n      properties:\n        a: {type: string, enum: [X, Y], title: Mode, description: first}\n        b: {type: string, enum: [X, Y], title: Mode, description: second}\n        c: {type: string, title: Label}\n        d: {type: integer, title: Label}\n",
        "",
    ));
    let properties = &thing(&derived.doc)["properties"];
    // Same shape: one Rust type `Mode` is right. Plain scalars never become types.
    assert_eq!(properties["a"]["title"], "Mode");
    assert_eq!(properties["b"]["title"], "Mode");
    assert_eq!(properties["c"]["title"], "Label");
    assert_eq!(properties["d"]["title"], "Label");
}

#[test]
fn derived_operation_ids_do_not_collide_with_overlay_ids_once_made_rust_names() {
    // progenitor turns `listModels` into the method `list_models`.
    let doc = yaml(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /v1/models:\n    get: {responses: {'200': {description: ''}}}\n    post: {operationId: listModels, responses: {'200': {description: ''}}}\n",
    );
    let derived = derive(&doc);
    assert_eq!(
        derived.doc["paths"]["/v1/models"]["get"]["operationId"],
        "list_models_2"
    );
}
