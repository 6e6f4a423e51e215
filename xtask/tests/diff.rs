//! `cargo xtask diff`: each kind of change on a small hand-made pair, classified for the Rust
//! API and the wire; then the two published versions of the full API; then the command itself.

mod common;

use common::yaml;
use serde_json::{Value, json};
use xtask::diff::{Change, Effect, Kind, Report, Role, diff};

use Effect::{Behavior, Breaking, Compatible};

/// A document whose `POST /things` sends `ThingIn` and receives `Thing`, and whose
/// `GET /things/{id}` receives `Thing`; `schemas` defines them (and any others), indented by 4.
fn spec(schemas: &str) -> Value {
    spec_with_paths(
        "  /things:\n    post:\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/ThingIn'}\n      responses:\n        '200':\n          description: ''\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Thing'}\n  /things/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: ''\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Thing'}\n",
        schemas,
    )
}

fn spec_with_paths(paths: &str, schemas: &str) -> Value {
    yaml(&format!(
        "openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\nsecurity: [{{ApiKeyAuth: []}}]\npaths:\n{paths}components:\n  securitySchemes:\n    ApiKeyAuth: {{type: apiKey, in: header, name: Authorization}}\n  schemas:\n{schemas}"
    ))
}

const THING_IN: &str = "    ThingIn:\n      type: object\n      required: [name]\n      properties:\n        name: {type: string}\n";
const THING: &str = "    Thing:\n      type: object\n      required: [id]\n      properties:\n        id: {type: string}\n";

fn compare(old: &Value, new: &Value) -> Report {
    diff(old, new, "old", "new")
}

/// The only change of a report.
fn only(report: &Report) -> &Change {
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    &report.changes[0]
}

/// Asserts a change's kind and both verdicts.
fn assert_change(change: &Change, kind: Kind, rust: Effect, wire: Effect) {
    assert_eq!(
        (change.kind, change.rust, change.wire),
        (kind, rust, wire),
        "{change:#?}"
    );
}

#[test]
fn identical_specs_and_equivalent_null_spellings_have_no_changes() {
    let a = spec(&format!(
        "{THING_IN}{THING}        note: {{anyOf: [{{type: string}}, {{type: 'null'}}]}}\n"
    ));
    let b = spec(&format!(
        "{THING_IN}{THING}        note: {{type: [string, 'null'], description: Changed prose}}\n"
    ));
    assert!(compare(&a, &a).changes.is_empty());
    let report = compare(&a, &b);
    assert!(report.changes.is_empty(), "{:#?}", report.changes);
}

#[test]
fn a_new_required_request_field_breaks_both_but_a_new_required_response_field_breaks_neither() {
    let old = spec(&format!("{THING_IN}{THING}"));
    let new = spec(&format!(
        "{}{}",
        THING_IN.replace("required: [name]", "required: [name, size]")
            + "        size: {type: integer}\n",
        THING.replace("required: [id]", "required: [id, region]")
            + "        region: {type: string}\n"
    ));
    let report = compare(&old, &new);
    let request = &report.find("ThingIn", "size")[0];
    assert_change(request, Kind::PropertyAdded, Breaking, Breaking);
    assert_eq!(request.role, Some(Role::Request));
    let response = &report.find("Thing", "region")[0];
    assert_change(response, Kind::PropertyAdded, Compatible, Compatible);
    assert_eq!(response.role, Some(Role::Response));
    assert!(
        response.message.contains("added, required"),
        "{}",
        response.message
    );
}

#[test]
fn a_new_optional_field_is_compatible_everywhere() {
    let old = spec(&format!("{THING_IN}{THING}"));
    let new = spec(&format!("{THING_IN}        tag: {{type: string}}\n{THING}"));
    assert_change(
        only(&compare(&old, &new)),
        Kind::PropertyAdded,
        Compatible,
        Compatible,
    );
}

#[test]
fn removed_fields_break_the_rust_api_and_the_wire_only_where_an_old_client_needs_them() {
    let old = spec(&format!(
        "{THING_IN}        tag: {{type: string}}\n{THING}        label: {{type: string}}\n"
    ));
    let new = spec(&format!(
        "{THING_IN}{}",
        THING.replace("required: [id]", "required: []").replace(
            "        id: {type: string}\n",
            "        label: {type: string}\n"
        )
    ));
    let report = compare(&old, &new);
    assert_change(
        report.find("ThingIn", "tag")[0],
        Kind::PropertyRemoved,
        Breaking,
        Compatible,
    );
    // `id` was required: an old client fails to decode a response without it.
    assert_change(
        report.find("Thing", "id")[0],
        Kind::PropertyRemoved,
        Breaking,
        Breaking,
    );

    // A request schema that forbids unknown properties refuses the field an old client sends.
    let strict = spec(&format!(
        "{}      additionalProperties: false\n{THING}        label: {{type: string}}\n",
        THING_IN
    ));
    let report = compare(&old, &strict);
    assert_change(
        report.find("ThingIn", "tag")[0],
        Kind::PropertyRemoved,
        Breaking,
        Breaking,
    );
}

#[test]
fn a_type_change_breaks_the_wire_unless_it_widens_what_the_receiver_accepts() {
    let old = spec(&format!(
        "{THING_IN}        count: {{type: integer}}\n{THING}        ratio: {{type: number}}\n        size: {{type: integer}}\n"
    ));
    let new = spec(&format!(
        "{THING_IN}        count: {{type: number}}\n{THING}        ratio: {{type: integer}}\n        size: {{type: string}}\n"
    ));
    let report = compare(&old, &new);
    // The server now accepts any number: an old client's integers still go through.
    assert_change(
        report.find("ThingIn", "count")[0],
        Kind::TypeChanged,
        Breaking,
        Compatible,
    );
    // An old client decodes integers as numbers.
    assert_change(
        report.find("Thing", "ratio")[0],
        Kind::TypeChanged,
        Breaking,
        Compatible,
    );
    let size = report.find("Thing", "size")[0];
    assert_change(size, Kind::TypeChanged, Breaking, Breaking);
    assert_eq!(
        (size.old.clone(), size.new.clone()),
        (Some(json!("integer")), Some(json!("string")))
    );
}

#[test]
fn a_reference_to_another_component_is_a_type_change() {
    let old = spec(&format!(
        "{THING_IN}{THING}        owner: {{$ref: '#/components/schemas/User'}}\n    User: {{type: object, properties: {{name: {{type: string}}}}}}\n    Team: {{type: object, properties: {{name: {{type: string}}}}}}\n"
    ));
    let new = spec(&format!(
        "{THING_IN}{THING}        owner: {{$ref: '#/components/schemas/Team'}}\n    User: {{type: object, properties: {{name: {{type: string}}}}}}\n    Team: {{type: object, properties: {{name: {{type: string}}}}}}\n"
    ));
    let report = compare(&old, &new);
    let change = report.find("Thing", "owner")[0];
    assert_change(change, Kind::TypeChanged, Breaking, Breaking);
    assert!(
        change.message.contains("`User` to `Team`"),
        "{}",
        change.message
    );
    // User is no longer used by any operation: its Rust type is gone.
    assert_change(
        report.find("User", "")[0],
        Kind::SchemaRemoved,
        Breaking,
        Compatible,
    );
}

#[test]
fn changes_inside_a_component_are_reported_once_under_its_name() {
    let old = spec(&format!(
        "{THING_IN}        owner: {{$ref: '#/components/schemas/User'}}\n{THING}        owner: {{$ref: '#/components/schemas/User'}}\n    User: {{type: object, properties: {{name: {{type: string}}}}}}\n"
    ));
    let new = spec(&format!(
        "{THING_IN}        owner: {{$ref: '#/components/schemas/User'}}\n{THING}        owner: {{$ref: '#/components/schemas/User'}}\n    User: {{type: object, required: [email], properties: {{name: {{type: string}}, email: {{type: string}}}}}}\n"
    ));
    let report = compare(&old, &new);
    let change = only(&report);
    assert_eq!(
        (change.subject.as_str(), change.path.as_str()),
        ("User", "email")
    );
    // Sent and received: the worse verdict of the two directions.
    assert_eq!(change.role, Some(Role::Both));
    assert_change(change, Kind::PropertyAdded, Breaking, Breaking);
}

#[test]
fn required_ness_changes_depend_on_the_direction() {
    let old = spec(&format!(
        "{THING_IN}        tag: {{type: string}}\n{THING}        region: {{type: string}}\n"
    ));
    let new = spec(&format!(
        "{}        tag: {{type: string}}\n{}        region: {{type: string}}\n",
        THING_IN.replace("required: [name]", "required: [name, tag]"),
        THING.replace("required: [id]", "required: [region]")
    ));
    let report = compare(&old, &new);
    // An old client may omit `tag`; the Rust field also loses its Option.
    assert_change(
        report.find("ThingIn", "tag")[0],
        Kind::BecameRequired,
        Breaking,
        Breaking,
    );
    // The server may now omit `id`, which an old client requires.
    let id = report.find("Thing", "id")[0];
    assert_change(id, Kind::BecameOptional, Breaking, Breaking);
    assert!(id.message.contains("`T` and `Option<T>`"), "{}", id.message);
    // Always sent now: an old client that tolerated its absence is fine, but the Rust type
    // changes from Option<String> to String.
    assert_change(
        report.find("Thing", "region")[0],
        Kind::BecameRequired,
        Breaking,
        Compatible,
    );
}

#[test]
fn a_field_becoming_nullable_breaks_old_clients_only_in_responses() {
    let old = spec(&format!(
        "{}{}",
        THING_IN.replace("required: [name]", "required: []"),
        THING
    ));
    let new = spec(&format!(
        "{}        name: {{anyOf: [{{type: string}}, {{type: 'null'}}]}}\n{}        id: {{type: [string, 'null']}}\n",
        THING_IN
            .replace("required: [name]", "required: []")
            .replace("        name: {type: string}\n", ""),
        THING.replace("        id: {type: string}\n", "")
    ));
    let report = compare(&old, &new);
    // Optional already, so the Rust field was an Option and stays one.
    assert_change(
        report.find("ThingIn", "name")[0],
        Kind::BecameNullable,
        Compatible,
        Compatible,
    );
    // Required: String becomes Option<String>, and an old client cannot decode a null.
    assert_change(
        report.find("Thing", "id")[0],
        Kind::BecameNullable,
        Breaking,
        Breaking,
    );

    let report = compare(&new, &old);
    assert_change(
        report.find("ThingIn", "name")[0],
        Kind::BecameNonNullable,
        Compatible,
        Breaking,
    );
    assert_change(
        report.find("Thing", "id")[0],
        Kind::BecameNonNullable,
        Breaking,
        Compatible,
    );
}

#[test]
fn enum_values_added_break_receivers_and_removed_ones_break_senders() {
    let status = |values: &str| {
        format!(
            "{THING_IN}        mode: {{$ref: '#/components/schemas/Mode'}}\n{THING}        status: {{$ref: '#/components/schemas/Status'}}\n    Mode: {{type: string, enum: [{values}]}}\n    Status: {{type: string, enum: [{values}]}}\n"
        )
    };
    let old = spec(&status("A, B"));
    let new = spec(&status("A, C"));
    let report = compare(&old, &new);
    let kinds = |subject: &str| -> Vec<(Kind, Effect, Effect)> {
        report
            .find(subject, "")
            .iter()
            .map(|c| (c.kind, c.rust, c.wire))
            .collect()
    };
    assert_eq!(
        kinds("Mode"),
        [
            (Kind::EnumValuesAdded, Compatible, Compatible),
            (Kind::EnumValuesRemoved, Breaking, Breaking),
        ]
    );
    assert_eq!(
        kinds("Status"),
        [
            (Kind::EnumValuesAdded, Breaking, Behavior),
            (Kind::EnumValuesRemoved, Breaking, Compatible),
        ]
    );
    // A one-value enum is open too: an old client decodes another value as `Unknown(..)`.
    let single = compare(&spec(&status("A")), &spec(&status("A, B")));
    let added = single.find("Status", "")[0];
    assert_eq!(
        (added.kind, added.rust, added.wire),
        (Kind::EnumValuesAdded, Breaking, Behavior)
    );
    assert_eq!(report.find("Status", "")[0].new, Some(json!(["C"])));
    // `const` is a one-value enum.
    let a = spec(&format!(
        "{THING_IN}{THING}        kind: {{const: thing}}\n"
    ));
    let b = spec(&format!(
        "{THING_IN}{THING}        kind: {{type: string, enum: [thing]}}\n"
    ));
    assert!(compare(&a, &b).changes.is_empty());
}

#[test]
fn a_value_added_to_a_union_tag_breaks_an_old_client() {
    // `Pet` is a union of `Dog` and `Cat`, told apart by `kind` (inline in `Cat`, a component
    // in `Dog`); `Dog.mode` has one value too but tells nothing apart (it is no tag).
    let pets = |dog_kinds: &str, cat_kinds: &str, modes: &str| {
        spec_with_paths(
            "  /pets/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: ''\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Pet'}\n",
            &format!(
                "    Pet:\n      oneOf: [{{$ref: '#/components/schemas/Dog'}}, {{$ref: '#/components/schemas/Cat'}}]\n    Dog:\n      type: object\n      required: [kind]\n      properties:\n        kind: {{$ref: '#/components/schemas/DogKind'}}\n        mode: {{type: string, enum: [{modes}]}}\n    Cat:\n      type: object\n      required: [kind]\n      properties:\n        kind: {{type: string, enum: [{cat_kinds}]}}\n        mode: {{type: string, enum: [{modes}]}}\n    DogKind: {{type: string, enum: [{dog_kinds}]}}\n"
            ),
        )
    };
    let report = compare(
        &pets("dog", "cat", "calm"),
        &pets("dog, puppy", "cat, kitten", "calm, wild"),
    );
    let added = |subject: &str, path: &str| {
        let found = report.find(subject, path);
        assert_eq!(found.len(), 1, "{subject} {path}: {:#?}", report.changes);
        (found[0].kind, found[0].rust, found[0].wire)
    };
    assert_eq!(
        added("DogKind", ""),
        (Kind::EnumValuesAdded, Breaking, Breaking)
    );
    assert_eq!(
        added("Cat", "kind"),
        (Kind::EnumValuesAdded, Breaking, Breaking)
    );
    assert!(
        report.find("Cat", "kind")[0].message.contains("union tag"),
        "{:#?}",
        report.changes
    );
    // Not a tag: open, whatever its number of values.
    assert_eq!(
        added("Dog", "mode"),
        (Kind::EnumValuesAdded, Breaking, Behavior)
    );
    assert_eq!(
        added("Cat", "mode"),
        (Kind::EnumValuesAdded, Breaking, Behavior)
    );
}

#[test]
fn a_changed_default_changes_behavior() {
    let old = spec(&format!(
        "{THING_IN}        surge: {{type: integer, default: 10}}\n{THING}        surge: {{type: integer, default: 10}}\n"
    ));
    let new = spec(&format!(
        "{THING_IN}        surge: {{type: integer, default: 25}}\n{THING}        surge: {{type: integer, default: 25}}\n"
    ));
    let report = compare(&old, &new);
    let request = report.find("ThingIn", "surge")[0];
    assert_change(request, Kind::DefaultChanged, Behavior, Compatible);
    assert_eq!(
        (request.old.clone(), request.new.clone()),
        (Some(json!(10)), Some(json!(25)))
    );
    assert_change(
        report.find("Thing", "surge")[0],
        Kind::DefaultChanged,
        Behavior,
        Behavior,
    );
    // Without a default an optional field becomes an Option: that breaks Rust code.
    let gone = spec(&format!(
        "{THING_IN}        surge: {{type: integer}}\n{THING}        surge: {{type: integer, default: 25}}\n"
    ));
    assert_change(
        compare(&old, &gone).find("ThingIn", "surge")[0],
        Kind::DefaultChanged,
        Breaking,
        Compatible,
    );
}

#[test]
fn operations_added_removed_and_renamed() {
    let schemas = format!("{THING_IN}{THING}");
    let old = spec(&schemas);
    let mut new = spec(&schemas);
    let paths = new["paths"].as_object_mut().unwrap();
    let get = paths.shift_remove("/things/{id}").unwrap();
    paths.insert("/v2/things/{id}".into(), get);
    paths["/things"]["post"]["operationId"] = json!("add_thing");
    let report = compare(&old, &new);
    assert_change(
        report.find("GET /things/{id}", "")[0],
        Kind::OperationRemoved,
        Breaking,
        Breaking,
    );
    let added = report.find("GET /v2/things/{id}", "")[0];
    assert_change(added, Kind::OperationAdded, Compatible, Compatible);
    assert_eq!(
        added.new,
        Some(json!("get_thing")),
        "the derived method name"
    );
    let renamed = report.find("POST /things", "")[0];
    assert_change(renamed, Kind::OperationRenamed, Breaking, Compatible);
    assert_eq!(renamed.old, Some(json!("create_thing")));
    assert_eq!(renamed.new, Some(json!("add_thing")));
    assert_eq!((report.old_operations, report.new_operations), (2, 2));
}

#[test]
fn parameters_added_removed_renamed_and_made_required() {
    let schemas = format!("{THING_IN}{THING}");
    let old = spec(&schemas);
    let mut new = spec(&schemas);
    let paths = new["paths"].as_object_mut().unwrap();
    let mut get = paths.shift_remove("/things/{id}").unwrap();
    get["get"]["parameters"] = json!([
        {"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string"}},
        {"name": "expand", "in": "query", "required": false, "schema": {"type": "boolean"}},
        {"name": "team", "in": "query", "required": true, "schema": {"type": "string"}}
    ]);
    paths.insert("/things/{thing_id}".into(), get);
    let report = compare(&old, &new);
    let subject = "GET /things/{thing_id}";
    // The derived method name names the resource, not the parameter: it stays.
    assert!(report.find(subject, "").is_empty(), "{:#?}", report.changes);
    assert_change(
        report.find(subject, "parameter `thing_id` (path)")[0],
        Kind::ParameterRenamed,
        Breaking,
        Compatible,
    );
    assert_change(
        report.find(subject, "parameter `expand` (query)")[0],
        Kind::ParameterAdded,
        Compatible,
        Compatible,
    );
    assert_change(
        report.find(subject, "parameter `team` (query)")[0],
        Kind::ParameterAdded,
        Breaking,
        Breaking,
    );
    assert_eq!(report.changes.len(), 3, "{:#?}", report.changes);

    // And back: a removed query parameter is ignored by the server.
    let report = compare(&new, &old);
    assert_change(
        report.find("GET /things/{id}", "parameter `team` (query)")[0],
        Kind::ParameterRemoved,
        Breaking,
        Compatible,
    );
}

#[test]
fn request_bodies_and_responses_added_and_removed() {
    let schemas = format!("{THING_IN}{THING}");
    let old = spec(&schemas);
    let mut new = spec(&schemas);
    let post = &mut new["paths"]["/things"]["post"];
    post.as_object_mut().unwrap().shift_remove("requestBody");
    post["responses"]["201"] = json!({"description": "created"});
    post["responses"]["404"] =
        json!({"description": "", "content": {"application/json": {"schema": {"type": "object"}}}});
    let report = compare(&old, &new);
    assert_change(
        report.find("POST /things", "request body")[0],
        Kind::RequestBodyRemoved,
        Breaking,
        Compatible,
    );
    // A new success status is unexpected to an old client.
    assert_change(
        report.find("POST /things", "response 201")[0],
        Kind::ResponseAdded,
        Breaking,
        Breaking,
    );
    // A new error body changes the method's error type, not what works on the wire.
    assert_change(
        report.find("POST /things", "response 404")[0],
        Kind::ResponseAdded,
        Breaking,
        Compatible,
    );
    let report = compare(&new, &old);
    assert_change(
        report.find("POST /things", "request body")[0],
        Kind::RequestBodyAdded,
        Breaking,
        Breaking,
    );
}

#[test]
fn a_changed_auth_scheme_breaks_old_clients_on_the_wire_only() {
    let old = spec(&format!("{THING_IN}{THING}"));
    let text = serde_json::to_string(&old)
        .unwrap()
        .replace("ApiKeyAuth", "BearerAuth")
        .replace(
            r#"{"type":"apiKey","in":"header","name":"Authorization"}"#,
            r#"{"type":"http","scheme":"bearer"}"#,
        );
    let new: Value = serde_json::from_str(&text).unwrap();
    let report = compare(&old, &new);
    let requirement = report.find("security", "")[0];
    assert_change(requirement, Kind::SecurityChanged, Compatible, Breaking);
    assert!(
        requirement
            .message
            .contains("from ApiKeyAuth to BearerAuth"),
        "{}",
        requirement.message
    );
    assert_change(
        report.find("scheme ApiKeyAuth", "")[0],
        Kind::SecuritySchemeRemoved,
        Compatible,
        Breaking,
    );
    assert_change(
        report.find("scheme BearerAuth", "")[0],
        Kind::SecuritySchemeAdded,
        Compatible,
        Compatible,
    );
}

#[test]
fn schemas_no_operation_uses_are_ignored() {
    let old = spec(&format!("{THING_IN}{THING}    Orphan: {{type: string}}\n"));
    let new = spec(&format!(
        "{THING_IN}{THING}    Orphan: {{type: integer}}\n    Other: {{type: string}}\n"
    ));
    assert!(compare(&old, &new).changes.is_empty());
}

/// The two published versions of the full API.
fn full_specs() -> (Value, Value) {
    let read = |file: &str| xtask::document::read(&common::full_spec(file)).unwrap();
    (
        read("openapi-2026-06-03.json"),
        read("openapi-2026-08-22.json"),
    )
}

#[test]
fn the_two_published_versions_of_the_full_api() {
    let (old, new) = full_specs();
    let report = diff(&old, &new, "2026-06-03", "2026-08-22");
    assert_eq!((report.old_operations, report.new_operations), (150, 183));

    let backpressure = report.find("DeploymentV1", "request_backpressure_settings")[0];
    assert_change(backpressure, Kind::PropertyAdded, Compatible, Compatible);
    assert_eq!(backpressure.role, Some(Role::Response));
    assert!(
        backpressure
            .message
            .starts_with("added, required (`RequestBackpressureSettingsV1`)"),
        "{}",
        backpressure.message
    );
    assert_change(
        report.find("DeploymentV1", "region")[0],
        Kind::PropertyAdded,
        Compatible,
        Compatible,
    );

    let security = report.find("security", "")[0];
    assert_change(security, Kind::SecurityChanged, Compatible, Breaking);
    assert_eq!(security.old, Some(json!([{"ApiKeyAuth": []}])));
    assert_eq!(security.new, Some(json!([{"BearerAuth": []}])));

    // The rolling-deploy default that went from 10 to 25 percent.
    let surge = report.find("RollingDeployConfigV1", "max_surge_percent")[0];
    assert_change(surge, Kind::DefaultChanged, Behavior, Behavior);
    assert_eq!(
        (surge.old.clone(), surge.new.clone()),
        (Some(json!(10)), Some(json!(25)))
    );

    assert_change(
        report.find("POST /v1/trainer_sessions", "")[0],
        Kind::OperationRemoved,
        Breaking,
        Breaking,
    );
    assert_change(
        report.find("GET /v1/audit_logs", "")[0],
        Kind::OperationAdded,
        Compatible,
        Compatible,
    );
    assert!(report.rust_breaking() > 0 && report.wire_breaking() > 0);
}

#[test]
fn the_full_api_report_is_reviewed() {
    let (old, new) = full_specs();
    let report = diff(
        &old,
        &new,
        "openapi-2026-06-03.json",
        "openapi-2026-08-22.json",
    );
    insta::assert_snapshot!(
        "full-api-2026-06-03-to-2026-08-22",
        xtask::diff::render::text(&report)
    );
}

#[test]
fn the_json_output_has_the_documented_shape() {
    let (old, new) = full_specs();
    let report = diff(&old, &new, "a", "b");
    let json: Value = serde_json::from_str(&xtask::diff::render::json(&report)).unwrap();
    assert_eq!(json["format"], 1);
    assert_eq!(
        (json["old"].as_str(), json["new"].as_str()),
        (Some("a"), Some("b"))
    );
    assert_eq!(json["summary"]["changes"], report.changes.len());
    assert_eq!(json["summary"]["rust_breaking"], report.rust_breaking());
    assert_eq!(json["summary"]["wire_breaking"], report.wire_breaking());
    assert_eq!(
        json["summary"]["operations"],
        json!({"old": 150, "new": 183})
    );
    let backpressure = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"] == "DeploymentV1" && c["path"] == "request_backpressure_settings")
        .unwrap();
    assert_eq!(backpressure["group"], "schema");
    assert_eq!(backpressure["kind"], "property_added");
    assert_eq!(backpressure["role"], "response");
    assert_eq!(backpressure["rust"], "compatible");
    assert_eq!(backpressure["wire"], "compatible");
}

/// Runs the built `cargo xtask` binary.
fn xtask(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap()
}

#[test]
fn the_exit_status_is_2_on_breaking_changes_only_with_the_flag() {
    let old = common::full_spec("openapi-2026-06-03.json");
    let new = common::full_spec("openapi-2026-08-22.json");
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let plain = xtask(&["diff", old, new]);
    assert_eq!(plain.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&plain.stdout).contains("\nSchemas\n"));
    let strict = xtask(&["diff", old, new, "--fail-on-breaking", "--format", "json"]);
    assert_eq!(strict.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&strict.stdout).unwrap();
    assert_eq!(json["summary"]["operations"]["new"], 183);
    // No change: success even with the flag.
    let same = xtask(&["diff", old, old, "--fail-on-breaking"]);
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).contains("no semantic changes"));
}

#[test]
fn a_git_revision_is_read_with_git_show() {
    // The committed spec at HEAD against the working tree's: whatever they are, they parse.
    let run = xtask(&["diff", "HEAD:openapi/baseten.yaml", "openapi/baseten.yaml"]);
    if run.status.code() == Some(1)
        && String::from_utf8_lossy(&run.stderr).contains("not a git repository")
    {
        return; // a source tarball, not a checkout
    }
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bad = xtask(&[
        "diff",
        "no-such-revision:openapi/baseten.yaml",
        "openapi/baseten.yaml",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("no-such-revision:openapi/baseten.yaml: `git show"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let run = xtask(&["diff", "nowhere.yaml", "openapi/baseten.yaml"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("nowhere.yaml: no such file"), "{stderr}");
}

#[test]
fn a_schema_that_contains_itself_through_a_reference_ends() {
    // `children` refers to itself through a pointer into a component, not to a component.
    let tree = |leaf: &str| {
        spec(&format!(
            "{THING_IN}{THING}        tree:\n          type: object\n          properties:\n            leaf: {{type: {leaf}}}\n            children: {{type: array, items: {{$ref: '#/components/schemas/Thing/properties/tree'}}}}\n"
        ))
    };
    let report = compare(&tree("string"), &tree("integer"));
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.path == "tree.leaf" && c.kind == Kind::TypeChanged),
        "{:#?}",
        report.changes
    );
}
