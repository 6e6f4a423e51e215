//! Stage 3: OpenAPI Overlay 1.0 actions.

mod common;

use common::{message, yaml};
use xtask::pipeline::overlay::apply;

fn spec() -> serde_json::Value {
    yaml(
        "openapi: 3.1.0\npaths:\n  /a:\n    post: {summary: A, tags: [x]}\n  /b:\n    get: {summary: B}\n    post: {summary: B2}\n",
    )
}

#[test]
fn update_merges_into_every_selected_object() {
    let mut doc = spec();
    let overlay = yaml(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths['/a'].post\n    update: {operationId: do_a, summary: Changed}\n  - target: $.paths.*.post\n    update: {x-seen: true}\n",
    );
    apply(&mut doc, &overlay, "overlay.yaml").unwrap();
    assert_eq!(doc["paths"]["/a"]["post"]["operationId"], "do_a");
    assert_eq!(doc["paths"]["/a"]["post"]["summary"], "Changed");
    assert_eq!(doc["paths"]["/a"]["post"]["x-seen"], true);
    assert_eq!(doc["paths"]["/b"]["post"]["x-seen"], true);
    assert!(doc["paths"]["/b"]["get"].get("x-seen").is_none());
}

#[test]
fn update_on_an_array_appends() {
    let mut doc = spec();
    let overlay =
        yaml("overlay: 1.0.0\nactions:\n  - target: $.paths['/a'].post.tags\n    update: y\n");
    apply(&mut doc, &overlay, "overlay.yaml").unwrap();
    assert_eq!(
        doc["paths"]["/a"]["post"]["tags"],
        serde_json::json!(["x", "y"])
    );
}

#[test]
fn remove_deletes_the_selected_nodes() {
    let mut doc = spec();
    let overlay =
        yaml("overlay: 1.0.0\nactions:\n  - target: $.paths['/b'].post\n    remove: true\n");
    apply(&mut doc, &overlay, "overlay.yaml").unwrap();
    assert!(doc["paths"]["/b"].get("post").is_none());
    assert!(doc["paths"]["/b"].get("get").is_some());
}

#[test]
fn an_action_that_selects_nothing_is_an_error() {
    let mut doc = spec();
    let overlay = yaml(
        "overlay: 1.0.0\nactions:\n  - target: $.paths['/renamed'].post\n    update: {operationId: x}\n",
    );
    let text = message(apply(&mut doc, &overlay, "openapi/overlay.yaml").unwrap_err());
    assert_eq!(
        text,
        "openapi/overlay.yaml: action #1 (target `$.paths['/renamed'].post`): the target selects nothing in the merged document"
    );
}

#[test]
fn malformed_overlays_are_rejected_with_the_reason() {
    let mut doc = spec();
    let cases = [
        (
            "overlay: 2.0.0\nactions: []\n",
            "`overlay` must be a 1.x version",
        ),
        (
            "overlay: 1.0.0\nactions:\n  - target: '$.paths[['\n    update: {}\n",
            "invalid JSONPath",
        ),
        (
            "overlay: 1.0.0\nactions:\n  - target: $.paths\n",
            "exactly one of `update` or `remove: true`",
        ),
        (
            "overlay: 1.0.0\nactions:\n  - target: $.openapi\n    update: {a: 1}\n",
            "the target is a scalar",
        ),
    ];
    for (text, expected) in cases {
        let err = message(apply(&mut doc, &yaml(text), "o.yaml").unwrap_err());
        assert!(err.contains(expected), "{text:?} gave {err}");
    }
}
