//! Every answer the mock sends matches `openapi/baseten.yaml`, over many generated scenarios.
//!
//! A seeded generator builds random worlds (every deployment status, nulls in every nullable
//! field, rolling and immediate environments, promotions and builds that fail, chains with and
//! without chainlets, random 404 windows, visibility of ended promotions, the adversarial
//! timings) and sends random sequences of all the spec's operations — promotions, signals
//! (cancel, force cancel, pause, resume, force roll forward) and reads; valid and invalid ids,
//! flags set, unset or omitted — with random clock advances and rollbacks in between. Each 200 body is checked with a JSON
//! Schema validator built here from the spec file, independently of the mock's own: strictly
//! (no property the schema lacks), with `format: date-time` checked. Every error body must be
//! `{"code", "message"}`. The mock's own response check is switched off so this test sees
//! exactly what it would send.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use baseten_mock::{
    AutoscalingSettings, ChainDeploymentSeed, ChainEnvironmentSeed, ChainSeed, ChainletSeed,
    DeploymentSeed, DeploymentStatus, EnvironmentSeed, MockServer, ModelSeed, PromotionFailure,
    RollingSettings, Seed, Timings,
};
use serde_json::{Value, json};

const SCENARIOS: u64 = 40;
const STEPS: usize = 60;

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
                if rng.chance(25) {
                    let mut failure = PromotionFailure::at_step(1 + rng.below(4) as u32);
                    if rng.chance(50) {
                        failure = failure.error_message("Replicas crashed.");
                    }
                    environment = environment.promotion_failure(failure);
                }
            }
            model = model.environment(environment);
        }
        if rng.chance(20) {
            model = model.build_fails_with(*rng.pick(&[
                DeploymentStatus::BuildFailed,
                DeploymentStatus::DeployFailed,
                DeploymentStatus::Failed,
            ]));
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
            "CancelPromotionResponseV1",
            "EnvironmentV1",
            "EnvironmentsV1",
            "ChainEnvironmentV1",
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
    /// Deployment statuses answered at the top level of a body.
    statuses: BTreeSet<String>,
    /// `in_progress_promotion.status` values answered.
    promotion_statuses: BTreeSet<String>,
    /// The states between two transitions that only the adversarial timings show.
    between: BTreeSet<&'static str>,
    checked: usize,
}

impl Tally {
    /// Notes the statuses a 200 body shows.
    fn saw(&mut self, body: &Value) {
        if let Some(s) = body["status"].as_str() {
            self.statuses.insert(s.to_owned());
        }
        let environments = match body["environments"].as_array() {
            Some(list) => list.iter().collect(),
            None => vec![body],
        };
        for env in environments {
            let promotion = env["in_progress_promotion"]["status"].as_str();
            if let Some(s) = promotion {
                self.promotion_statuses.insert(s.to_owned());
            }
            if env["candidate_deployment"].is_object() {
                self.between.insert(match promotion {
                    _ if env.get("chain_id").is_some() => "a chain candidate",
                    None => "a candidate without a promotion",
                    Some("SUCCEEDED" | "FAILED" | "CANCELED") => {
                        "a candidate of an ended promotion"
                    }
                    Some(_) => "a candidate of a promotion in progress",
                });
            }
        }
    }
}

/// The ids a scenario draws from: the seed's, ids the mock creates, and ids that do not exist.
struct Ids {
    models: Vec<String>,
    deployments: Vec<String>,
    chains: Vec<String>,
    chain_deployments: Vec<String>,
}

impl Ids {
    fn of(seed: &Seed) -> Self {
        Self {
            models: seed.models.iter().map(|m| m.id.clone()).collect(),
            deployments: seed
                .models
                .iter()
                .flat_map(|m| m.deployments.iter().map(|d| d.id.clone()))
                .chain(["dpl-1".into(), "dpl-2".into(), "nope".into()])
                .collect(),
            chains: seed
                .chains
                .iter()
                .map(|c| c.id.clone())
                .chain(["nope".into()])
                .collect(),
            chain_deployments: seed
                .chains
                .iter()
                .flat_map(|c| c.deployments.iter().map(|d| d.id.clone()))
                .chain(["nope".into()])
                .collect(),
        }
    }

    /// Mostly a model that exists, so that most requests get past the 404s.
    fn model(&self, rng: &mut Rng) -> String {
        if rng.chance(90) {
            rng.pick(&self.models).clone()
        } else {
            "nope".to_owned()
        }
    }

    /// Mostly one of `model`'s deployments.
    fn deployment_of(&self, rng: &mut Rng, model: &str) -> String {
        let own: Vec<_> = self
            .deployments
            .iter()
            .filter(|id| id.starts_with(&format!("{model}-")) || id.starts_with("dpl-"))
            .collect();
        if !own.is_empty() && rng.chance(80) {
            (*rng.pick(&own)).clone()
        } else {
            rng.pick(&self.deployments).clone()
        }
    }
}

fn environment_name(rng: &mut Rng) -> &'static str {
    match rng.below(10) {
        0..=5 => "production",
        6..=8 => "staging",
        _ => "nope",
    }
}

/// One request to send.
struct Request {
    operation: &'static str,
    schema: &'static str,
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
}

const SIGNALS: [(&str, &str); 5] = [
    ("force_roll_forward_promotion", "SignalPromotionResponseV1"),
    ("cancel_promotion", "CancelPromotionResponseV1"),
    ("force_cancel_promotion", "SignalPromotionResponseV1"),
    ("pause_promotion", "SignalPromotionResponseV1"),
    ("resume_promotion", "SignalPromotionResponseV1"),
];

/// The next request of a scenario, or `None` for a step that moves the clock or fails a
/// promotion instead.
fn next_request(rng: &mut Rng, ids: &Ids, mock: &MockServer) -> Option<Request> {
    let model = ids.model(rng);
    let env = environment_name(rng);
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;
    let request = match rng.below(13) {
        0 | 1 => {
            let mut body = flags(
                rng,
                &[
                    "scale_down_previous_deployment",
                    "preserve_env_instance_type",
                ],
            );
            body.insert(
                "deployment_id".into(),
                json!(ids.deployment_of(rng, &model)),
            );
            Request {
                operation: "promote_model_to_environment",
                schema: "DeploymentV1",
                method: post,
                path: format!("/v1/models/{model}/environments/{env}/promote"),
                body: Some(Value::Object(body)),
            }
        }
        2 => Request {
            operation: "promote_development_to_production",
            schema: "DeploymentV1",
            method: post,
            path: format!("/v1/models/{model}/deployments/development/promote"),
            body: Some(Value::Object(flags(
                rng,
                &[
                    "scale_down_previous_production",
                    "preserve_env_instance_type",
                ],
            ))),
        },
        3 => {
            let mut body = flags(rng, &["scale_down_previous_deployment"]);
            body.insert(
                "deployment_id".into(),
                json!(rng.pick(&ids.chain_deployments)),
            );
            let chain = rng.pick(&ids.chains).clone();
            Request {
                operation: "promote_chain_to_environment",
                schema: "ChainDeploymentV1",
                method: post,
                path: format!("/v1/chains/{chain}/environments/{env}/promote"),
                body: Some(Value::Object(body)),
            }
        }
        4 | 5 => {
            // Mostly where a promotion is in progress.
            let running: Vec<(String, &str)> = ids
                .models
                .iter()
                .flat_map(|m| ["production", "staging"].map(|e| (m.clone(), e)))
                .filter(|(m, e)| mock.promotion(m, e).is_some_and(|p| p.status.in_progress()))
                .collect();
            let (model, env) = if !running.is_empty() && rng.chance(85) {
                rng.pick(&running).clone()
            } else {
                (model, env)
            };
            let (operation, schema) = *rng.pick(&SIGNALS);
            Request {
                operation,
                schema,
                method: post,
                path: format!("/v1/models/{model}/environments/{env}/{operation}"),
                body: None,
            }
        }
        6 | 7 => Request {
            operation: "get_environment",
            schema: "EnvironmentV1",
            method: get,
            path: format!("/v1/models/{model}/environments/{env}"),
            body: None,
        },
        8 => Request {
            operation: "list_environments",
            schema: "EnvironmentsV1",
            method: get,
            path: format!("/v1/models/{model}/environments"),
            body: None,
        },
        9 => Request {
            operation: "get_deployment",
            schema: "DeploymentV1",
            method: get,
            path: format!(
                "/v1/models/{model}/deployments/{}",
                ids.deployment_of(rng, &model)
            ),
            body: None,
        },
        10 => {
            let chain = rng.pick(&ids.chains).clone();
            if rng.chance(50) {
                Request {
                    operation: "get_chain_environment",
                    schema: "ChainEnvironmentV1",
                    method: get,
                    path: format!("/v1/chains/{chain}/environments/{env}"),
                    body: None,
                }
            } else {
                Request {
                    operation: "get_chain_deployment",
                    schema: "ChainDeploymentV1",
                    method: get,
                    path: format!(
                        "/v1/chains/{chain}/deployments/{}",
                        rng.pick(&ids.chain_deployments)
                    ),
                    body: None,
                }
            }
        }
        11 => {
            mock.advance(Duration::from_secs(rng.below(200)));
            return None;
        }
        _ => {
            // Often fails (nothing in progress); that is fine, it is not an HTTP answer.
            let _ = mock.fail_promotion(&model, env);
            return None;
        }
    };
    Some(request)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_over_many_scenarios_matches_the_spec() {
    let validators = Validators::from_spec_file();
    let http = common::http();
    let mut tally = Tally::default();

    for scenario in 0..SCENARIOS {
        let mut rng = Rng(scenario);
        let seed = world(&mut rng);
        let timings = Timings::default()
            .new_deployment_not_found(Duration::from_secs(rng.below(3) * 5))
            .ended_promotion_visible(Duration::from_secs(rng.below(3) * 60));
        // The adversarial timings from a generator of their own, so that the worlds and
        // requests stay the ones the other draws make.
        let mut knobs = Rng(!scenario);
        let timings = timings
            .ended_candidate_visible(knobs.below(2) == 1)
            .candidate_lead(Duration::from_secs(knobs.below(3) * 30))
            .current_switch_delay(Duration::from_secs(knobs.below(3) * 30))
            .chain_promotion(Duration::from_secs(knobs.below(3) * 60));
        let mock = MockServer::builder()
            .seed(seed.clone())
            .timings(timings)
            .no_rate_limit()
            .validate_responses(false)
            .start()
            .await
            .unwrap();
        let ids = Ids::of(&seed);

        for step in 0..STEPS {
            let Some(request) = next_request(&mut rng, &ids, &mock) else {
                continue;
            };
            let Request {
                operation,
                schema,
                method,
                path,
                body,
            } = request;
            let mut sent = http
                .request(method.clone(), format!("{}{path}", mock.url()))
                .header("authorization", format!("Api-Key {}", mock.api_key()));
            if let Some(body) = &body {
                sent = sent.json(body);
            }
            let response = sent.send().await.expect("an answer");
            let status = response.status().as_u16();
            let answer: Value = response.json().await.expect("a JSON body");
            let context =
                format!("scenario {scenario} step {step}: {operation} {method} {path} {body:?}");
            if status == 200 {
                validators.check(schema, &answer, &context);
                *tally.ok.entry(operation).or_default() += 1;
                tally.saw(&answer);
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
        for id in &ids.deployments {
            if let Some(d) = mock.deployment(id) {
                validators.check("DeploymentV1", &serde_json::to_value(d).unwrap(), id);
                tally.checked += 1;
            }
        }
        for id in &ids.chain_deployments {
            if let Some(d) = mock.chain_deployment(id) {
                validators.check("ChainDeploymentV1", &serde_json::to_value(d).unwrap(), id);
                tally.checked += 1;
            }
        }
    }

    // The scenarios exercised what they are meant to: every operation answered 200 often
    // enough, errors of both kinds, and the statuses that only some paths produce.
    for op in baseten_mock::IMPLEMENTED_OPERATIONS {
        assert!(
            tally.ok.get(op).copied().unwrap_or(0) >= 5,
            "too few 200s for {op}: {:?}",
            tally.ok
        );
    }
    for status in [400, 404] {
        assert!(
            tally.errors.get(&status).copied().unwrap_or(0) >= 10,
            "{:?}",
            tally.errors
        );
    }
    for s in ["ACTIVE", "BUILDING", "CANCELED", "RAMPING_DOWN"] {
        assert!(
            tally.statuses.contains(s),
            "{s} never answered at the top level: {:?}",
            tally.statuses
        );
    }
    for s in [
        "RELEASING",
        "RAMPING_UP",
        "RAMPING_DOWN",
        "PAUSED",
        "SUCCEEDED",
        "FAILED",
        "CANCELED",
    ] {
        assert!(
            tally.promotion_statuses.contains(s),
            "in_progress_promotion never showed {s}: {:?}",
            tally.promotion_statuses
        );
    }
    for state in [
        "a chain candidate",
        "a candidate without a promotion",
        "a candidate of an ended promotion",
        "a candidate of a promotion in progress",
    ] {
        assert!(
            tally.between.contains(state),
            "never answered {state}: {:?}",
            tally.between
        );
    }
    assert!(
        tally.checked >= 1500,
        "only {} documents checked",
        tally.checked
    );
    eprintln!(
        "checked {} documents; 200s: {:?}; errors: {:?}; statuses answered: {:?}; promotion statuses: {:?}",
        tally.checked, tally.ok, tally.errors, tally.statuses, tally.promotion_statuses
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
