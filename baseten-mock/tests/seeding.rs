//! Seeding through the Rust API: defaults, and inconsistent data rejected by field path
//! without changing anything.

use baseten_mock::{
    DeploymentSeed, DeploymentStatus, EnvironmentSeed, MockServer, ModelSeed, RollingSettings,
    Seed, SeedError,
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
