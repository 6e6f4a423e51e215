//! Whatever a server sends, decoding returns a value or an error: never a panic. Run over every
//! response type of the four operations, with arbitrary bytes and with arbitrary JSON (which
//! exercises the typed paths much deeper than random bytes do).

use baseten_api::decode_body;
use baseten_api::reqwest::StatusCode;
use baseten_api::reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use baseten_api::types::{ChainDeploymentV1, DeploymentV1, SignalPromotionResponseV1};
use proptest::prelude::*;
use serde_json::Value;

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers
}

/// Decodes into every response type; each call must return (the test fails on a panic).
fn decode_all(body: &[u8]) -> [bool; 3] {
    let headers = json_headers();
    [
        decode_body::<DeploymentV1>(StatusCode::OK, &headers, body).is_ok(),
        decode_body::<ChainDeploymentV1>(StatusCode::OK, &headers, body).is_ok(),
        decode_body::<SignalPromotionResponseV1>(StatusCode::OK, &headers, body).is_ok(),
    ]
}

/// Arbitrary JSON, biased towards the shapes and names of the real types.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "id",
        "status",
        "chainlets",
        "autoscaling_settings",
        "environment",
        "labels",
        "success",
        "created_at",
        "min_replica",
        "max_replica",
        "active_replica_count",
        "name",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "ACTIVE",
            "BUILDING",
            "NEW_STATUS",
            "",
            "2026-08-01T12:00:00Z",
            "not a date"
        ])
        .prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(names.clone(), inner, 0..10).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        decode_all(value.to_string().as_bytes());
    }

    #[test]
    fn any_status_string_decodes_as_known_or_unknown(status in ".{0,40}") {
        let value = serde_json::json!({"success": true, "status": status});
        let parsed: baseten_api::types::DeploymentStatusV1 = serde_json::from_value(value["status"].clone()).unwrap();
        // Whatever it is, it shows and serializes as the value received.
        prop_assert_eq!(parsed.to_string(), status.clone());
        prop_assert_eq!(serde_json::to_value(&parsed).unwrap(), Value::String(status));
    }
}

#[test]
fn a_valid_body_still_decodes() {
    let body = br#"{"success": true}"#;
    assert_eq!(decode_all(body), [false, false, true]);
}
