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
fn a_superset_adding_only_optional_properties_wins_and_is_reported() {
    for order in [["a.yaml", "b.yaml"], ["b.yaml", "a.yaml"]] {
        let sources: Vec<Source> = order
            .iter()
            .map(|name| {
                if *name == "a.yaml" {
                    source(name, &doc(OP_A, NARROW))
                } else {
                    source(name, &doc(OP_B, WIDE))
                }
            })
            .collect();
        let merged = merge(&sources).unwrap();
        let thing = &merged.doc["components"]["schemas"]["Thing"];
        assert!(
            thing["properties"].get("labels").is_some(),
            "the superset is kept ({order:?})"
        );
        assert_eq!(
            merged.notes,
            [
                "/components/schemas/Thing: b.yaml adds optional `/components/schemas/Thing/properties/labels` (absent from a.yaml); kept b.yaml's version"
            ]
        );
    }
}

#[test]
fn a_new_required_property_is_a_conflict() {
    let wide_required = WIDE.replace("required: [id]", "required: [id, labels]");
    let err = merge(&[
        source("a.yaml", &doc(OP_A, NARROW)),
        source("b.yaml", &doc(OP_B, &wide_required)),
    ])
    .unwrap_err();
    let text = message(err);
    assert_eq!(
        text,
        "component `schemas/Thing` differs between a.yaml:15 and b.yaml:15 (first difference at \
         /components/schemas/Thing/required: `[\"id\"]` vs `[\"id\",\"labels\"]`); only a superset that adds optional properties can be merged"
    );
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
         /components/schemas/Thing/properties/id/type: `\"string\"` vs `\"integer\"`); only a superset that adds optional properties can be merged"
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
fn the_committed_sources_merge_with_the_labels_and_scale_down_rate_supersets() {
    let project = common::TempProject::copy_of_project();
    let sources = xtask::pipeline::load_sources(&project.layout).unwrap();
    let merged = merge(&sources).unwrap();
    assert_eq!(merged.doc["paths"].as_object().unwrap().len(), 13);
    // The pages were captured before Baseten added `labels` and `max_scale_down_rate`; the
    // documents extracted from the 2026-06-03 spec have both, as optional properties.
    assert_eq!(
        merged.notes,
        [
            "/components/schemas/AutoscalingSettingsV1: openapi/sources/get_chain_deployment.yaml adds optional `/components/schemas/AutoscalingSettingsV1/properties/max_scale_down_rate` (absent from openapi/sources/promote_chain_to_environment.yaml); kept openapi/sources/get_chain_deployment.yaml's version",
            "/components/schemas/AutoscalingSettingsV1: openapi/sources/get_chain_deployment.yaml adds optional `/components/schemas/AutoscalingSettingsV1/properties/max_scale_down_rate` (absent from openapi/sources/promote_development_to_production.yaml); kept openapi/sources/get_chain_deployment.yaml's version",
            "/components/schemas/DeploymentV1: openapi/sources/get_deployment.yaml adds optional `/components/schemas/DeploymentV1/properties/labels` (absent from openapi/sources/promote_model_to_environment.yaml); kept openapi/sources/get_deployment.yaml's version",
            "/components/schemas/AutoscalingSettingsV1: openapi/sources/get_chain_deployment.yaml adds optional `/components/schemas/AutoscalingSettingsV1/properties/max_scale_down_rate` (absent from openapi/sources/promote_model_to_environment.yaml); kept openapi/sources/get_chain_deployment.yaml's version"
        ]
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
         /components/schemas/Thing/properties/id/type: `\"string\"` vs `\"integer\"`); only a \
         superset that adds optional properties can be merged"
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
    assert_eq!(
        text,
        "the sources disagree in 2 places that cannot be merged:\n  \
         - `security` differs between a.yaml:4 and b.yaml:4 (first difference at /security/0: \
         `{\"ApiKeyAuth\":[]}` vs `{\"BearerAuth\":[]}`); all sources must agree on it; so do \
         c.yaml (like b.yaml)\n  \
         - component `schemas/Thing` differs between a.yaml:17 and b.yaml:17 (first difference at \
         /components/schemas/Thing/properties/id/type: `\"string\"` vs `\"integer\"`); only a \
         superset that adds optional properties can be merged; so do c.yaml (like b.yaml)"
    );
}
