//! Every operation of Baseten's full specification (the 2026-08-22 fixture, 183 operations,
//! found by walking the document's `paths`) answers a request built from the spec with a 2xx
//! whose body validates against the operation's response schema, strictly (no property the
//! schema lacks), with a validator built here from the document rather than the mock's; and a
//! generated answer is byte-identical the second time.

use crate::common;

use std::collections::BTreeMap;
use std::time::Instant;

use baseten_mock::{MockServer, every_operation};
use serde_json::{Value, json};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// The request body: the spec's example of the schema, fitted to the world.
fn body_for(spec: &baseten_mock::spec::Spec, path: &str, op: &Value) -> Option<Value> {
    let reference = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()?;
    let name = reference.strip_prefix("#/components/schemas/").unwrap();
    let mut body = spec.example(name).unwrap();
    every_operation::fit_body(path, &mut body);
    Some(body)
}

/// Required query parameters, from their schema's default or format.
fn query_for(op: &Value) -> Vec<(String, String)> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .map(|p| {
            let value = match p["schema"]["format"].as_str() {
                Some("date-time") => "2026-01-01T00:00:00Z".to_owned(),
                _ => p["schema"]["default"].as_str().unwrap_or("x").to_owned(),
            };
            (p["name"].as_str().unwrap().to_owned(), value)
        })
        .collect()
}

/// Strict validators of the document's response schemas, built here (not by the mock): one
/// registry of the components with `additionalProperties: false` on every object schema that
/// lists properties.
struct Validators {
    registry: jsonschema::Registry<'static>,
    cache: BTreeMap<String, jsonschema::Validator>,
}

impl Validators {
    fn new(document: &Value) -> Self {
        let mut components = document["components"].clone();
        strict(&mut components);
        let registry = jsonschema::Registry::new()
            .add("urn:test-spec", json!({ "components": components }))
            .unwrap()
            .prepare()
            .unwrap();
        Self {
            registry,
            cache: BTreeMap::new(),
        }
    }

    fn errors(&mut self, schema: &str, body: &Value) -> Vec<String> {
        let registry = &self.registry;
        let validator = self.cache.entry(schema.to_owned()).or_insert_with(|| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .with_registry(registry)
                .should_validate_formats(true)
                .build(&json!({"$ref": format!("urn:test-spec#/components/schemas/{schema}")}))
                .unwrap()
        });
        validator
            .iter_errors(body)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }
}

fn strict(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), json!(false));
            }
            map.values_mut().for_each(strict);
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

async fn send(
    http: &reqwest::Client,
    mock: &MockServer,
    method: &str,
    url: &str,
    query: &[(String, String)],
    body: Option<&Value>,
) -> (u16, Vec<u8>) {
    let mut request = http
        .request(
            method.to_uppercase().parse().unwrap(),
            format!("{}{url}", mock.url()),
        )
        .query(query)
        .header("authorization", format!("Bearer {}", mock.api_key()));
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn every_operation_of_the_full_spec_answers_a_valid_deterministic_2xx() {
    let started = Instant::now();
    let document: Value = serde_json::from_str(&common::full_spec_text()).unwrap();
    let spec = common::full_spec();
    let seed = every_operation::seed();
    let stateful = baseten_mock::stateful_operations();
    let mut validators = Validators::new(&document);

    // Deletions last, so that nothing else runs on a deleted environment; each operation on a
    // fresh mock, so that one operation's changes do not decide another's answer.
    let mut operations: Vec<(&str, &str, &Value)> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                operations.push((path, method, op));
            }
        }
    }
    assert_eq!(operations.len(), 183, "the fixture's operations");

    // One client: building one costs tens of milliseconds (TLS roots).
    let http = common::http();
    let mut failures = Vec::new();
    let mut generated = 0;
    for (path, method, op) in &operations {
        let mock = MockServer::builder()
            .parsed_spec(spec.clone())
            .seed(seed.clone())
            .no_rate_limit()
            .start()
            .await
            .unwrap();
        mock.prepare_for(path).unwrap();
        let mut url = (*path).to_owned();
        for name in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            url = url.replace(
                &format!("{{{name}}}"),
                &every_operation::path_value(path, name),
            );
        }
        let query = query_for(op);
        let body = body_for(&spec, path, op);
        let (status, bytes) = send(&http, &mock, method, &url, &query, body.as_ref()).await;
        let shown = format!("{} {path}", method.to_uppercase());
        if !(200..300).contains(&status) {
            failures.push(format!(
                "{shown}: {status} {}",
                String::from_utf8_lossy(&bytes)
            ));
            continue;
        }
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        let schema = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap()
            .strip_prefix("#/components/schemas/")
            .unwrap();
        let errors = validators.errors(schema, &answer);
        if !errors.is_empty() {
            failures.push(format!("{shown}: the answer breaks {schema}: {errors:?}"));
        }
        let is_stateful = stateful
            .iter()
            .any(|(m, p)| m.eq_ignore_ascii_case(method) && p == path);
        if !is_stateful {
            generated += 1;
            let (again_status, again) =
                send(&http, &mock, method, &url, &query, body.as_ref()).await;
            if (again_status, &again) != (status, &bytes) {
                failures.push(format!("{shown}: a second request answered differently"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(generated > 150, "only {generated} generated answers");
    eprintln!(
        "{} operations ({generated} generated) answered in {:?}",
        operations.len(),
        started.elapsed()
    );
}
