//! Every answer the mock sends matches `openapi/baseten.yaml`, over many generated scenarios.
//!
//! A seeded generator builds random worlds (every deployment status, nulls in every nullable
//! field, rolling and immediate environments, chains with and without chainlets) and sends
//! random sequences of the four operations — valid and invalid ids, flags set, unset or
//! omitted — with random clock advances and rollbacks in between. Each 200 body is checked
//! with a JSON Schema validator built here from the spec file, independently of the mock's
//! own: strictly (no property the schema lacks), with `format: date-time` checked. Every
//! error body must be `{"code", "message"}`. The mock's own response check is switched off so
//! this test sees exactly what it would send.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use baseten_mock::{
    AutoscalingSettings, ChainDeploymentSeed, ChainEnvironmentSeed, ChainSeed, ChainletSeed,
    DeploymentSeed, DeploymentStatus, EnvironmentSeed, MockServer, ModelSeed, RollingSettings,
    Seed,
};
use serde_json::{Value, json};

const SCENARIOS: u64 = 30;
const STEPS: usize = 40;

/// SplitMix64: reproducible random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const STATUSES: [DeploymentStatus; 14] = [
    DeploymentStatus::Building,
    DeploymentStatus::Deploying,
    DeploymentStatus::DeployFailed,
    DeploymentStatus::LoadingModel,
    DeploymentStatus::Active,
    DeploymentStatus::Unhealthy,
    DeploymentStatus::BuildFailed,
    DeploymentStatus::BuildStopped,
    DeploymentStatus::Deactivating,
    DeploymentStatus::Inactive,
    DeploymentStatus::Failed,
    DeploymentStatus::Updating,
    DeploymentStatus::ScaledToZero,
    DeploymentStatus::WakingUp,
];

fn status(rng: &mut Rng) -> DeploymentStatus {
    // Mostly ACTIVE, so that most promotions can succeed.
    if rng.chance(60) {
        DeploymentStatus::Active
    } else {
        *rng.pick(&STATUSES)
    }
}

fn maybe<T>(rng: &mut Rng, value: T) -> Option<T> {
    rng.chance(50).then_some(value)
}

fn autoscaling(rng: &mut Rng) -> AutoscalingSettings {
    let min = rng.below(3) as i64;
    AutoscalingSettings {
        min_replica: min,
        max_replica: min + rng.below(4) as i64,
        autoscaling_window: maybe(rng, 60),
        scale_down_delay: maybe(rng, 900),
        concurrency_target: 1 + rng.below(8) as i64,
        target_utilization_percentage: maybe(rng, 70),
        target_in_flight_tokens: maybe(rng, 4096),
    }
}

fn world(rng: &mut Rng) -> Seed {
    let mut seed = Seed::new();
    for m in 0..1 + rng.below(3) {
        let model_id = format!("m{m}");
        let mut model = ModelSeed::new(&model_id);
        let count = 1 + rng.below(4);
        let ids: Vec<String> = (0..count).map(|d| format!("{model_id}-d{d}")).collect();
        for (d, id) in ids.iter().enumerate() {
            let mut deployment = DeploymentSeed::new(id).status(status(rng));
            if d == 0 && rng.chance(70) {
                deployment = deployment.development();
            }
            if rng.chance(70) {
                deployment = deployment.instance_type(*rng.pick(&["1x2", "L4:1x16", "H100:1x80"]));
            }
            if rng.chance(50) {
                deployment = deployment.autoscaling(autoscaling(rng));
            }
            if rng.chance(30) {
                let mut labels = serde_json::Map::new();
                labels.insert("team".into(), json!("search"));
                labels.insert("tier".into(), json!(rng.below(3)));
                deployment = deployment.labels(labels);
            }
            if rng.chance(30) {
                deployment = deployment.replicas(rng.below(5) as i64);
            }
            model = model.deployment(deployment);
        }
        for env in ["production", "staging"] {
            if env == "staging" && rng.chance(50) {
                continue;
            }
            let mut environment = EnvironmentSeed::new(env);
            if rng.chance(70) {
                environment = environment.deployment(rng.pick(&ids).clone());
            }
            if rng.chance(50) {
                environment = environment.rolling(RollingSettings {
                    step_percent: 1 + rng.below(100) as u8,
                    step_seconds: 1 + rng.below(120),
                });
            }
            model = model.environment(environment);
        }
        seed = seed.model(model);
    }
    for c in 0..rng.below(3) {
        let chain_id = format!("c{c}");
        let mut chain = ChainSeed::new(&chain_id);
        let ids: Vec<String> = (0..1 + rng.below(3))
            .map(|d| format!("{chain_id}-d{d}"))
            .collect();
        for id in &ids {
            let mut deployment = ChainDeploymentSeed::new(id).status(status(rng));
            for l in 0..rng.below(4) {
                let mut chainlet = ChainletSeed::new(format!("{id}-l{l}"), format!("Chainlet{l}"));
                chainlet.status = rng.chance(30).then(|| status(rng));
                chainlet.autoscaling_settings = rng.chance(50).then(|| autoscaling(rng));
                deployment = deployment.chainlet(chainlet);
            }
            chain = chain.deployment(deployment);
        }
        let mut production = ChainEnvironmentSeed::new("production");
        if rng.chance(70) {
            production = production.deployment(rng.pick(&ids).clone());
        }
        seed = seed.chain(chain.environment(production));
    }
    seed
}

/// Validators for the response schemas, built from the spec file with
/// `additionalProperties: false` added to every object schema that lists its properties.
struct Validators(BTreeMap<&'static str, jsonschema::Validator>);

impl Validators {
    fn from_spec_file() -> Self {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/baseten.yaml");
        let yaml = std::fs::read_to_string(path).expect("the spec file");
        let document: Value = serde_yaml_ng::from_str(&yaml).expect("YAML");
        let mut components = document["components"].clone();
        strict(&mut components);
        let mut validators = BTreeMap::new();
        for name in [
            "DeploymentV1",
            "ChainDeploymentV1",
            "SignalPromotionResponseV1",
        ] {
            let schema = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": format!("#/components/schemas/{name}"),
                "components": components,
            });
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .expect("a valid schema");
            validators.insert(name, validator);
        }
        Self(validators)
    }

    #[track_caller]
    fn check(&self, schema: &str, body: &Value, context: &str) {
        let errors: Vec<String> = self.0[schema]
            .iter_errors(body)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{context}: {body} is not a {schema}: {errors:?}"
        );
    }
}

fn strict(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(strict);
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

fn flags(rng: &mut Rng, names: &[&str]) -> serde_json::Map<String, Value> {
    let mut body = serde_json::Map::new();
    for name in names {
        if rng.chance(60) {
            body.insert((*name).into(), json!(rng.chance(50)));
        }
    }
    body
}

#[derive(Default)]
struct Tally {
    ok: BTreeMap<&'static str, usize>,
    errors: BTreeMap<u16, usize>,
    statuses: BTreeSet<String>,
    checked: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_over_many_scenarios_matches_the_spec() {
    let validators = Validators::from_spec_file();
    let http = common::http();
    let mut tally = Tally::default();

    for scenario in 0..SCENARIOS {
        let mut rng = Rng(scenario);
        let seed = world(&mut rng);
        let mock = MockServer::builder()
            .seed(seed.clone())
            .no_rate_limit()
            .validate_responses(false)
            .start()
            .await
            .unwrap();
        let model_ids: Vec<String> = seed.models.iter().map(|m| m.id.clone()).collect();
        let deployment_ids: Vec<String> = seed
            .models
            .iter()
            .flat_map(|m| m.deployments.iter().map(|d| d.id.clone()))
            .chain(["dpl-1".into(), "nope".into()])
            .collect();
        let chain_ids: Vec<String> = seed
            .chains
            .iter()
            .map(|c| c.id.clone())
            .chain(["nope".into()])
            .collect();
        let chain_deployment_ids: Vec<String> = seed
            .chains
            .iter()
            .flat_map(|c| c.deployments.iter().map(|d| d.id.clone()))
            .chain(["nope".into()])
            .collect();

        for step in 0..STEPS {
            // Mostly ids that exist, so that most requests get past the 404s.
            let mut model = if rng.chance(90) {
                rng.pick(&model_ids).clone()
            } else {
                "nope".to_owned()
            };
            let mut env = match rng.below(10) {
                0..=5 => "production",
                6..=8 => "staging",
                _ => "nope",
            };
            let (operation, schema, path, body) = match rng.below(6) {
                0 => {
                    let mut body = flags(
                        &mut rng,
                        &[
                            "scale_down_previous_deployment",
                            "preserve_env_instance_type",
                        ],
                    );
                    let own: Vec<_> = deployment_ids
                        .iter()
                        .filter(|id| id.starts_with(&format!("{model}-")))
                        .collect();
                    let id = if !own.is_empty() && rng.chance(80) {
                        (*rng.pick(&own)).clone()
                    } else {
                        rng.pick(&deployment_ids).clone()
                    };
                    body.insert("deployment_id".into(), json!(id));
                    (
                        "promote_model_to_environment",
                        "DeploymentV1",
                        format!("/v1/models/{model}/environments/{env}/promote"),
                        Some(Value::Object(body)),
                    )
                }
                1 => (
                    "promote_development_to_production",
                    "DeploymentV1",
                    format!("/v1/models/{model}/deployments/development/promote"),
                    Some(Value::Object(flags(
                        &mut rng,
                        &[
                            "scale_down_previous_production",
                            "preserve_env_instance_type",
                        ],
                    ))),
                ),
                2 => {
                    let mut body = flags(&mut rng, &["scale_down_previous_deployment"]);
                    body.insert(
                        "deployment_id".into(),
                        json!(rng.pick(&chain_deployment_ids)),
                    );
                    let chain = rng.pick(&chain_ids).clone();
                    (
                        "promote_chain_to_environment",
                        "ChainDeploymentV1",
                        format!("/v1/chains/{chain}/environments/{env}/promote"),
                        Some(Value::Object(body)),
                    )
                }
                3 => {
                    // Mostly where a rolling promotion is running.
                    let running: Vec<(String, &str)> = model_ids
                        .iter()
                        .flat_map(|m| ["production", "staging"].map(|e| (m.clone(), e)))
                        .filter(|(m, e)| {
                            mock.promotion(m, e).is_some_and(|p| p.status.in_progress())
                        })
                        .collect();
                    if !running.is_empty() && rng.chance(80) {
                        (model, env) = rng.pick(&running).clone();
                    }
                    (
                        "force_roll_forward_promotion",
                        "SignalPromotionResponseV1",
                        format!(
                            "/v1/models/{model}/environments/{env}/force_roll_forward_promotion"
                        ),
                        None,
                    )
                }
                4 => {
                    mock.advance(Duration::from_secs(rng.below(200)));
                    continue;
                }
                _ => {
                    // Often fails (nothing in progress); that is fine, it is not an HTTP answer.
                    let _ = mock.fail_promotion(&model, env);
                    continue;
                }
            };

            let mut request = http
                .post(format!("{}{path}", mock.url()))
                .header("authorization", format!("Api-Key {}", mock.api_key()));
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request.send().await.expect("an answer");
            let status = response.status().as_u16();
            let answer: Value = response.json().await.expect("a JSON body");
            let context = format!("scenario {scenario} step {step}: {operation} {path} {body:?}");
            if status == 200 {
                validators.check(schema, &answer, &context);
                *tally.ok.entry(operation).or_default() += 1;
                if let Some(s) = answer["status"].as_str() {
                    tally.statuses.insert(s.to_owned());
                }
            } else {
                assert!(matches!(status, 400 | 404), "{context}: {status} {answer}");
                let fields = answer.as_object().expect("an object");
                assert_eq!(fields.len(), 2, "{context}: {answer}");
                assert!(
                    answer["code"].is_string() && answer["message"].is_string(),
                    "{context}: {answer}"
                );
                *tally.errors.entry(status).or_default() += 1;
            }
            tally.checked += 1;
        }

        // What the Rust API reports has the same shape as what the API sends.
        for id in &deployment_ids {
            if let Some(d) = mock.deployment(id) {
                validators.check("DeploymentV1", &serde_json::to_value(d).unwrap(), id);
                tally.checked += 1;
            }
        }
        for id in &chain_deployment_ids {
            if let Some(d) = mock.chain_deployment(id) {
                validators.check("ChainDeploymentV1", &serde_json::to_value(d).unwrap(), id);
                tally.checked += 1;
            }
        }
    }

    // The scenarios exercised what they are meant to.
    for op in [
        "promote_model_to_environment",
        "promote_development_to_production",
        "promote_chain_to_environment",
        "force_roll_forward_promotion",
    ] {
        assert!(
            tally.ok.get(op).copied().unwrap_or(0) >= 5,
            "too few 200s for {op}: {:?}",
            tally.ok
        );
    }
    assert!(
        tally.errors.get(&400).copied().unwrap_or(0) >= 10,
        "{:?}",
        tally.errors
    );
    assert!(
        tally.errors.get(&404).copied().unwrap_or(0) >= 10,
        "{:?}",
        tally.errors
    );
    for s in ["ACTIVE", "BUILDING"] {
        assert!(
            tally.statuses.contains(s),
            "{s} never answered: {:?}",
            tally.statuses
        );
    }
    assert!(
        tally.checked >= 700,
        "only {} documents checked",
        tally.checked
    );
    eprintln!(
        "checked {} documents; 200s: {:?}; errors: {:?}; statuses answered: {:?}",
        tally.checked, tally.ok, tally.errors, tally.statuses
    );
}

#[test]
fn the_validator_is_not_vacuous() {
    let validators = Validators::from_spec_file();
    let good = json!({
        "id": "d", "created_at": "2026-01-01T00:00:00Z", "name": "n", "model_id": "m",
        "is_production": false, "is_development": false, "status": "ACTIVE",
        "active_replica_count": 0, "autoscaling_settings": null, "instance_type_name": null,
        "environment": null, "labels": null
    });
    assert!(validators.0["DeploymentV1"].is_valid(&good));
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("environment");
    let mut extra = good.clone();
    extra["region"] = json!("us");
    let mut bad_time = good.clone();
    bad_time["created_at"] = json!("2026-01-01");
    let mut bad_status = good;
    bad_status["status"] = json!("RUNNING");
    for bad in [missing, extra, bad_time, bad_status] {
        assert!(!validators.0["DeploymentV1"].is_valid(&bad), "{bad}");
    }
}
