//! Seeding through the Rust API: defaults, and inconsistent data rejected by field path
//! without changing anything.

use baseten_mock::{
    DeploymentSeed, DeploymentStatus, EnvironmentSeed, MockServer, ModelSeed, PromotionFailure,
    RollingSettings, Seed, SeedError,
};

fn invalid_field(err: SeedError) -> String {
    match err {
        SeedError::Invalid { field, .. } => field,
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[tokio::test]
async fn inconsistent_seeds_are_rejected_by_field_path_and_change_nothing() {
    let mock = MockServer::start().await;
    mock.seed(Seed::demo()).unwrap();

    let cases = [
        (
            Seed::new().model(ModelSeed::new("mdl-llama")),
            "models[0].id",
        ),
        (
            Seed::new().model(ModelSeed::new("x").deployment(DeploymentSeed::new("dpl-llama-v1"))),
            "models[0].deployments[0].id",
        ),
        (
            Seed::new().model(
                ModelSeed::new("x")
                    .deployment(DeploymentSeed::new("x-1").development())
                    .deployment(DeploymentSeed::new("x-2").development()),
            ),
            "models[0].deployments[1].development",
        ),
        (
            Seed::new().model(
                ModelSeed::new("x")
                    .environment(EnvironmentSeed::new("production").deployment("dpl-llama-v1")),
            ),
            "models[0].environments[0].deployment_id",
        ),
        (
            Seed::new().model(
                ModelSeed::new("x")
                    .environment(EnvironmentSeed::new("staging"))
                    .environment(EnvironmentSeed::new("staging")),
            ),
            "models[0].environments[1].name",
        ),
        (
            Seed::new().model(ModelSeed::new("x").environment(
                EnvironmentSeed::new("production").rolling(RollingSettings {
                    step_percent: 0,
                    step_seconds: 60,
                }),
            )),
            "models[0].environments[0].rolling.step_percent",
        ),
        (
            Seed::new()
                .model(ModelSeed::new("x").deployment(DeploymentSeed::new("x-1").replicas(-1))),
            "models[0].deployments[0].active_replica_count",
        ),
        (Seed::new().model(ModelSeed::new("")), "models[0].id"),
        (
            // A failure at a step needs steps.
            Seed::new().model(ModelSeed::new("x").environment(
                EnvironmentSeed::new("production").promotion_failure(PromotionFailure::at_step(1)),
            )),
            "models[0].environments[0].promotion_failure",
        ),
        (
            Seed::new().model(
                ModelSeed::new("x").environment(
                    EnvironmentSeed::new("production")
                        .rolling(RollingSettings::default())
                        .promotion_failure(PromotionFailure::at_step(0)),
                ),
            ),
            "models[0].environments[0].promotion_failure.at_step",
        ),
        (
            Seed::new().model(ModelSeed::new("x").build_fails_with(DeploymentStatus::Active)),
            "models[0].build_fails_with",
        ),
    ];
    for (seed, field) in cases {
        assert_eq!(invalid_field(mock.seed(seed).unwrap_err()), field);
    }
    // Nothing of the rejected seeds was added.
    assert!(mock.deployments("x").is_empty());
    assert!(mock.environment("x", "production").is_none());
}

#[tokio::test]
async fn defaults_fill_in_what_a_seed_leaves_out() {
    let mock = MockServer::start().await;
    mock.seed(
        Seed::new().model(
            ModelSeed::new("m")
                .deployment(DeploymentSeed::new("ready"))
                .deployment(DeploymentSeed::new("building").status(DeploymentStatus::Building)),
        ),
    )
    .unwrap();
    let ready = mock.deployment("ready").unwrap();
    assert_eq!(ready.name, "ready");
    assert_eq!(ready.status, DeploymentStatus::Active);
    assert_eq!(ready.active_replica_count, 1);
    assert!(ready.autoscaling_settings.is_some());
    assert_eq!(ready.created_at.to_rfc3339(), "2026-01-01T00:00:00+00:00");
    assert_eq!(ready.environment, None);

    let building = mock.deployment("building").unwrap();
    assert_eq!(building.active_replica_count, 0);
    assert_eq!(building.autoscaling_settings, None);

    // Every model gets a production environment.
    let production = mock.environment("m", "production").unwrap();
    assert_eq!(production.deployment_id, None);
    assert_eq!(production.rolling, None);
}

#[tokio::test]
async fn a_bad_seed_given_to_the_builder_stops_the_start() {
    let err = MockServer::builder()
        .seed_from(Seed::new().model(ModelSeed::new("")), "fixtures/world.yaml")
        .start()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fixtures/world.yaml: models[0].id: must not be empty"
    );
}

/// `Seed::demo()` is `seeds/demo.yaml`, applies cleanly, and is the world its docs describe
/// (the quickstart and the README examples act on these ids).
#[tokio::test]
async fn the_demo_seed_is_the_file_and_the_world_its_docs_describe() {
    let file = Seed::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/demo.yaml")).unwrap();
    assert_eq!(file, Seed::demo());

    let mock = MockServer::start().await;
    mock.seed(Seed::demo()).unwrap();
    let ids = |deployments: Vec<baseten_mock::Deployment>| -> Vec<String> {
        deployments.into_iter().map(|d| d.id).collect()
    };
    let serves = |model: &str, env: &str| mock.environment(model, env).unwrap().deployment_id;

    assert_eq!(mock.model_ids(), ["mdl-llama", "mdl-whisper"]);
    assert_eq!(
        ids(mock.deployments("mdl-llama")),
        ["dpl-llama-dev", "dpl-llama-v1", "dpl-llama-v2"]
    );
    assert!(mock.deployment("dpl-llama-dev").unwrap().is_development);
    let names: Vec<String> = mock
        .environments("mdl-llama")
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["production", "staging"]);
    assert_eq!(
        serves("mdl-llama", "production").as_deref(),
        Some("dpl-llama-v1")
    );
    assert_eq!(serves("mdl-llama", "staging"), None);
    assert_eq!(mock.deployment("dpl-llama-v2").unwrap().environment, None);

    assert_eq!(
        ids(mock.deployments("mdl-whisper")),
        ["dpl-whisper-v1", "dpl-whisper-v2"]
    );
    let production = mock.environment("mdl-whisper", "production").unwrap();
    assert_eq!(production.deployment_id.as_deref(), Some("dpl-whisper-v1"));
    assert_eq!(
        production.rolling,
        Some(RollingSettings {
            step_percent: 25,
            step_seconds: 60
        })
    );

    assert_eq!(mock.chain_ids(), ["chn-rag"]);
    let chain: Vec<(String, usize)> = mock
        .chain_deployments("chn-rag")
        .into_iter()
        .map(|d| (d.id, d.chainlets.len()))
        .collect();
    assert_eq!(
        chain,
        [("chd-rag-1".to_owned(), 1), ("chd-rag-2".to_owned(), 2)]
    );
    let environments = mock.chain_environments("chn-rag");
    assert_eq!(environments.len(), 1);
    assert_eq!(environments[0].name, "production");
    assert_eq!(environments[0].deployment_id.as_deref(), Some("chd-rag-1"));
}

#[test]
fn failure_fields_are_read_from_seed_files() {
    let text = "\
models:
  - id: m
    build_fails_with: DEPLOY_FAILED
    environments:
      - name: production
        rolling: {step_percent: 50}
        promotion_failure: {at_step: 2, error_message: Replicas crashed.}
";
    let seed = Seed::from_yaml_str(text, "seed.yaml").unwrap();
    let model = &seed.models[0];
    assert_eq!(model.build_fails_with, Some(DeploymentStatus::DeployFailed));
    assert_eq!(
        model.environments[0].promotion_failure,
        Some(PromotionFailure::at_step(2).error_message("Replicas crashed."))
    );
    let err = Seed::from_yaml_str(
        "models:\n  - id: m\n    environments:\n      - name: p\n        promotion_failure: {step: 2}\n",
        "bad.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("models[0].environments[0].promotion_failure"),
        "{err}"
    );
    assert!(err.contains("step"), "{err}");
}
