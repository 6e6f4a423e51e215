//! Stage 2: the merge rules.

mod common;

use common::message;
use xtask::pipeline::merge::{Source, merge};

fn source(name: &str, text: &str) -> Source {
    Source::parse(name, text).unwrap()
}

const HEAD: &str = "openapi: 3.1.0\ninfo: {title: T, version: 1.0.0}\nservers: [{url: 'https://api.baseten.co'}]\nsecurity: [{ApiKeyAuth: []}]\n";

fn doc(paths: &str, schemas: &str) -> String {
    format!(
        "{HEAD}paths:\n{paths}components:\n  securitySchemes:\n    ApiKeyAuth: {{type: apiKey, in: header, name: Authorization}}\n  schemas:\n{schemas}"
    )
}

const OP_A: &str = "  /a:\n    post:\n      responses: {'200': {description: ''}}\n";
const OP_B: &str = "  /b:\n    get:\n      responses: {'200': {description: ''}}\n";
const NARROW: &str = "    Thing:\n      type: object\n      required: [id]\n      properties:\n        id: {type: string}\n";
const WIDE: &str = "    Thing:\n      type: object\n      required: [id]\n      properties:\n        id: {type: string}\n        labels: {anyOf: [{type: object}, {type: 'null'}], default: null}\n";

#[test]
fn paths_are_united_and_identical_components_kept_once() {
    let merged = merge(&[
        source("a.yaml", &doc(OP_A, NARROW)),
        source("b.yaml", &doc(OP_B, NARROW)),
    ])
    .unwrap();
    let paths: Vec<&String> = merged.doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/a", "/b"]);
    assert_eq!(
        merged.doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .len(),
        1
    );
    assert!(merged.notes.is_empty());
}

#[test]
fn copies_are_united_whatever_the_order_and_the_union_is_reported() {
    let united = |first: (&str, &str, &str), second: (&str, &str, &str)| {
        merge(&[
            source(first.0, &doc(first.1, first.2)),
            source(second.0, &doc(second.1, second.2)),
        ])
        .unwrap()
    };
    let one = united(("a.yaml", OP_A, NARROW), ("b.yaml", OP_B, WIDE));
    let other = united(("b.yaml", OP_B, WIDE), ("a.yaml", OP_A, NARROW));
    for merged in [&one, &other] {
        let thing = &merged.doc["components"]["schemas"]["Thing"];
        assert!(thing["properties"].get("labels").is_some(), "{thing}");
        assert_eq!(thing["required"], serde_json::json!(["id"]));
    }
    assert_eq!(
        one.notes,
        [
            "/components/schemas/Thing: united b.yaml's copy with the one kept so far (first from a.yaml): `/components/schemas/Thing/properties/labels` is only in b.yaml (optional)"
        ]
    );
    assert_eq!(
        other.notes,
        [
            "/components/schemas/Thing: united a.yaml's copy with the one kept so far (first from b.yaml): `/components/schemas/Thing/properties/labels` is only in the copy kept so far (optional)"
        ]
    );
}

#[test]
fn a_property_required_by_one_capture_and_absent_from_another_is_optional() {
    // Baseten's newest specification requires `request_backpressure_settings` in
    // `DeploymentV1`; the seed pages, captured earlier, lack it: a response from either
    // version must decode.
    let wide_required = WIDE.replace("required: [id]", "required: [id, labels]");
    for (first, second) in [
        (NARROW, wide_required.as_str()),
        (wide_required.as_str(), NARROW),
    ] {
        let merged = merge(&[
            source("a.yaml", &doc(OP_A, first)),
            source("b.yaml", &doc(OP_B, second)),
        ])
        .unwrap();
        let thing = &merged.doc["components"]["schemas"]["Thing"];
        assert_eq!(thing["required"], serde_json::json!(["id"]), "{thing}");
        assert!(thing["properties"].get("labels").is_some());
        assert_eq!(merged.notes.len(), 1);
        assert!(
            merged.notes[0].contains("/properties/labels` is required by ")
                && merged.notes[0].ends_with(": optional"),
            "{}",
            merged.notes[0]
        );
    }
    // Required in one copy and optional in the other: optional too.
    let merged = merge(&[
        source("a.yaml", &doc(OP_A, &wide_required)),
        source("b.yaml", &doc(OP_B, WIDE)),
    ])
    .unwrap();
    let thing = &merged.doc["components"]["schemas"]["Thing"];
    assert_eq!(thing["required"], serde_json::json!(["id"]));
    assert_eq!(
        merged.notes,
        [
            "/components/schemas/Thing: united b.yaml's copy with the one kept so far (first from a.yaml): `/components/schemas/Thing/properties/labels` is required by the copy kept so far, not by b.yaml: optional"
        ]
    );
}

#[test]
fn security_alternatives_are_united_so_both_schemes_stay_supported() {
    let bearer = doc(OP_B, NARROW)
        .replace(
            "security: [{ApiKeyAuth: []}]",
            "security: [{BearerAuth: []}]",
        )
        .replace(
            "ApiKeyAuth: {type: apiKey, in: header, name: Authorization}",
            "BearerAuth: {type: http, scheme: bearer}",
        );
    for sources in [
        [
            source("a.yaml", &doc(OP_A, NARROW)),
            source("b.yaml", &bearer),
        ],
        [
            source("b.yaml", &bearer),
            source("a.yaml", &doc(OP_A, NARROW)),
        ],
    ] {
        let merged = merge(&sources).unwrap();
        assert_eq!(
            merged.doc["security"],
            serde_json::json!([{"ApiKeyAuth": []}, {"BearerAuth": []}])
        );
        let schemes = merged.doc["components"]["securitySchemes"]
            .as_object()
            .unwrap();
        assert!(schemes.contains_key("ApiKeyAuth") && schemes.contains_key("BearerAuth"));
    }
}

#[test]
fn an_incompatible_component_names_both_files_and_the_first_difference() {
    let retyped = NARROW.replace("id: {type: string}", "id: {type: integer}");
    let text = message(
        merge(&[
            source("a.yaml", &doc(OP_A, NARROW)),
            source("b.yaml", &doc(OP_B, &retyped)),
        ])
        .unwrap_err(),
    );
    assert_eq!(
        text,
        "component `schemas/Thing` differs between a.yaml:17 and b.yaml:17 (first difference at \
         /components/schemas/Thing/properties/id/type: `\"string\"` vs `\"integer\"`); copies may differ only in their properties (one a copy lacks, or that only some copies require, becomes optional)"
    );
}

#[test]
fn a_keyword_only_one_copy_has_is_a_conflict_in_either_order() {
    let with_format = NARROW.replace("id: {type: string}", "id: {type: string, format: uuid}");
    for (first, second) in [
        (NARROW, with_format.as_str()),
        (with_format.as_str(), NARROW),
    ] {
        let text = message(
            merge(&[
                source("a.yaml", &doc(OP_A, first)),
                source("b.yaml", &doc(OP_B, second)),
            ])
            .unwrap_err(),
        );
        assert!(
            text.starts_with("component `schemas/Thing` differs between a.yaml:17 and b.yaml:17"),
            "{text}"
        );
    }
}

#[test]
fn the_same_operation_in_two_sources_is_an_error_naming_both() {
    let text = message(
        merge(&[
            source("a.yaml", &doc(OP_A, NARROW)),
            source("b.yaml", &doc(OP_A, NARROW)),
        ])
        .unwrap_err(),
    );
    assert_eq!(
        text,
        "`POST /a` is defined by both a.yaml:7 and b.yaml:7; each operation must come from one source"
    );
}

#[test]
fn info_servers_and_security_schemes_must_agree() {
    let other_version = doc(OP_B, NARROW).replace("version: 1.0.0", "version: 1.1.0");
    let text = message(
        merge(&[
            source("a.yaml", &doc(OP_A, NARROW)),
            source("b.yaml", &other_version),
        ])
        .unwrap_err(),
    );
    assert_eq!(
        text,
        "`info` differs between a.yaml:2 and b.yaml:2 (first difference at /info/version: `\"1.0.0\"` vs `\"1.1.0\"`); all sources must agree on it"
    );

    let other_server =
        doc(OP_B, NARROW).replace("https://api.baseten.co", "https://staging.baseten.co");
    let text = message(
        merge(&[
            source("a.yaml", &doc(OP_A, NARROW)),
            source("b.yaml", &other_server),
        ])
        .unwrap_err(),
    );
    assert!(
        text.starts_with(
            "`servers` differs between a.yaml:3 and b.yaml:3 (first difference at /servers/0/url: `\"https://api.baseten.co\"` vs `\"https://staging.baseten.co\"`)"
        ),
        "{text}"
    );

    let bearer = doc(OP_B, NARROW).replace(
        "type: apiKey, in: header, name: Authorization",
        "type: http, scheme: bearer",
    );
    let text = message(
        merge(&[
            source("a.yaml", &doc(OP_A, NARROW)),
            source("b.yaml", &bearer),
        ])
        .unwrap_err(),
    );
    assert!(
        text.starts_with(
            "component `securitySchemes/ApiKeyAuth` differs between a.yaml:11 and b.yaml:11"
        ),
        "{text}"
    );
}

#[test]
fn a_path_item_shared_by_two_sources_merges_its_methods() {
    let get_a = "  /a:\n    get:\n      responses: {'200': {description: ''}}\n";
    let merged = merge(&[
        source("a.yaml", &doc(OP_A, NARROW)),
        source("b.yaml", &doc(get_a, NARROW)),
    ])
    .unwrap();
    let item = merged.doc["paths"]["/a"].as_object().unwrap();
    assert!(item.contains_key("get") && item.contains_key("post"));
}

#[test]
fn the_committed_sources_merge_by_the_rule_for_captures() {
    let project = common::TempProject::copy_of_project();
    let sources = xtask::pipeline::load_sources(&project.layout).unwrap();
    let merged = merge(&sources).unwrap();
    let operations: usize = merged.doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "parameters")
                .count()
        })
        .sum();
    assert_eq!(operations, 183);
    // The seed pages declare `ApiKeyAuth`, the newest specification `BearerAuth`: both stay.
    assert_eq!(
        merged.doc["security"],
        serde_json::json!([{"ApiKeyAuth": []}, {"BearerAuth": []}])
    );
    // The seed pages were captured before Baseten added `request_backpressure_settings`,
    // `region` and `labels` to `DeploymentV1`: each is optional in the union, and said so.
    let deployment = &merged.doc["components"]["schemas"]["DeploymentV1"];
    for added in ["request_backpressure_settings", "region", "labels"] {
        assert!(deployment["properties"].get(added).is_some(), "{added}");
        assert!(
            !deployment["required"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == added),
            "{added} is required"
        );
    }
    assert!(
        merged.notes.iter().any(|note| note
            .starts_with("/components/schemas/DeploymentV1: united ")
            && note.contains("/properties/request_backpressure_settings` is required by ")),
        "{:#?}",
        merged.notes
    );
}

#[test]
fn every_disagreement_is_reported_not_only_the_first() {
    let other_version = doc(
        OP_B,
        &NARROW.replace("id: {type: string}", "id: {type: integer}"),
    )
    .replace("version: 1.0.0", "version: 1.1.0");
    let text = message(
        merge(&[
            source("a.yaml", &doc(OP_A, NARROW)),
            source("b.yaml", &other_version),
        ])
        .unwrap_err(),
    );
    assert_eq!(
        text,
        "the sources disagree in 2 places that cannot be merged:\n  \
         - `info` differs between a.yaml:2 and b.yaml:2 (first difference at /info/version: \
         `\"1.0.0\"` vs `\"1.1.0\"`); all sources must agree on it\n  \
         - component `schemas/Thing` differs between a.yaml:17 and b.yaml:17 (first difference at \
         /components/schemas/Thing/properties/id/type: `\"string\"` vs `\"integer\"`); copies may \
         differ only in their properties (one a copy lacks, or that only some copies require, \
         becomes optional)"
    );
}

#[test]
fn a_disagreement_shared_by_several_sources_is_reported_once_naming_them_all() {
    let retyped = NARROW.replace("id: {type: string}", "id: {type: integer}");
    let bearer = |paths: &str| {
        doc(paths, &retyped).replace(
            "security: [{ApiKeyAuth: []}]",
            "security: [{BearerAuth: []}]",
        )
    };
    let op_c = "  /c:\n    get:\n      responses: {'200': {description: ''}}\n";
    let text = message(
        merge(&[
            source("a.yaml", &doc(OP_A, NARROW)),
            source("b.yaml", &bearer(OP_B)),
            source("c.yaml", &bearer(op_c)),
        ])
        .unwrap_err(),
    );
    // (The security schemes are united: both stay supported.)
    assert_eq!(
        text,
        "component `schemas/Thing` differs between a.yaml:17 and b.yaml:17 (first difference at \
         /components/schemas/Thing/properties/id/type: `\"string\"` vs `\"integer\"`); copies \
         may differ only in their properties (one a copy lacks, or that only some copies \
         require, becomes optional); so do c.yaml (like b.yaml)"
    );
}

/// An earlier capture relaxes the result so that what the API sent then decodes: by component
/// name, and by operation where the operation answered with another component then.
#[test]
fn an_earlier_capture_relaxes_by_component_and_by_what_each_operation_answered_then() {
    use serde_json::json;
    use xtask::pipeline::merge::relax;

    let answer = |schema: &str| {
        json!({"responses": {"200": {"content": {"application/json": {"schema": {
            "$ref": format!("#/components/schemas/{schema}")
        }}}}}})
    };
    let mut doc = json!({
        "paths": {"/e": {"patch": answer("UpdateEnvironment"), "get": answer("Environment")}},
        "components": {"schemas": {
            "UpdateEnvironment": {"type": "object", "required": ["environment", "status"],
                "properties": {"environment": {"type": "object"}, "status": {"type": "string"}}},
            "Environment": {"type": "object", "required": ["name", "rate"],
                "properties": {"name": {"type": "string"}, "rate": {"type": "integer"}}},
        }},
    });
    let earlier = json!({
        "paths": {"/e": {"patch": answer("UpdateAutoscaling"), "get": answer("Environment")}},
        "components": {"schemas": {
            "UpdateAutoscaling": {"type": "object", "required": ["status"],
                "properties": {"status": {"type": "string"}}},
            "Environment": {"type": "object", "required": ["rate"],
                "properties": {"rate": {"type": "number"}}},
        }},
    });
    let mut notes = Vec::new();
    relax(&mut doc, &earlier, "june.json", &mut notes);

    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["UpdateEnvironment"]["required"], json!(["status"]));
    assert_eq!(schemas["Environment"]["required"], json!(["rate"]));
    assert_eq!(
        schemas["Environment"]["properties"]["rate"]["type"],
        json!("number")
    );
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert!(
        notes[1].contains("where PATCH /e answered 200 with `UpdateAutoscaling`")
            && notes[1].contains("`/components/schemas/UpdateEnvironment/properties/environment` is optional (absent then)"),
        "{notes:#?}"
    );

    // The same capture again changes nothing: relaxing is idempotent.
    let relaxed = doc.clone();
    let mut again = Vec::new();
    relax(&mut doc, &earlier, "june.json", &mut again);
    assert_eq!(doc, relaxed);
    assert!(again.is_empty(), "{again:#?}");
}
