//! The promotion-lifecycle operations on the wire: the four signals (cancel, force cancel,
//! pause, resume) send no body; the five reads are `GET`s with no body and no content type; and
//! what the API answers decodes, including what the live API adds.

use baseten_api::types::{self, CancelPromotionStatusV1, InProgressPromotionStatusV1};
use baseten_api::{Client, Error};
use serde_json::{Value, json};

use crate::wire::{
    assert_headers, client_for, deployment_json, only_request, server_answering, wire,
};

/// Calls operation `name` with model `m` and environment `e` (and fixed deployment and chain
/// ids), for the tests that are the same for every operation.
pub(crate) async fn call_on(client: &Client, name: &str, m: &str, e: &str) -> Result<(), Error> {
    match name {
        "cancel_promotion" => client
            .cancel_promotion()
            .model_id(m)
            .env_name(e)
            .send()
            .await
            .map(drop),
        "force_roll_forward_promotion" => client
            .force_roll_forward_promotion()
            .model_id(m)
            .env_name(e)
            .send()
            .await
            .map(drop),
        "force_cancel_promotion" => client
            .force_cancel_promotion()
            .model_id(m)
            .env_name(e)
            .send()
            .await
            .map(drop),
        "pause_promotion" => client
            .pause_promotion()
            .model_id(m)
            .env_name(e)
            .send()
            .await
            .map(drop),
        "resume_promotion" => client
            .resume_promotion()
            .model_id(m)
            .env_name(e)
            .send()
            .await
            .map(drop),
        "get_environment" => client
            .get_environment()
            .model_id(m)
            .env_name(e)
            .send()
            .await
            .map(drop),
        "list_environments" => client
            .list_environments()
            .model_id(m)
            .send()
            .await
            .map(drop),
        "get_deployment" => client
            .get_deployment()
            .model_id(m)
            .deployment_id("dep-2")
            .send()
            .await
            .map(drop),
        "get_chain_environment" => client
            .get_chain_environment()
            .chain_id("c-1")
            .env_name(e)
            .send()
            .await
            .map(drop),
        "get_chain_deployment" => client
            .get_chain_deployment()
            .chain_id("c-1")
            .chain_deployment_id("cd-1")
            .send()
            .await
            .map(drop),
        other => panic!("no such operation in this test: {other}"),
    }
}

/// Every new operation: its method, path and a valid answer.
fn operations() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let signal = json!({"success": true});
    vec![
        (
            "cancel_promotion",
            "POST",
            "/v1/models/m-1/environments/production/cancel_promotion",
            json!({"status": "RAMPING_DOWN", "message": "Promotion to production is being canceled."}),
        ),
        (
            "force_cancel_promotion",
            "POST",
            "/v1/models/m-1/environments/production/force_cancel_promotion",
            signal.clone(),
        ),
        (
            "pause_promotion",
            "POST",
            "/v1/models/m-1/environments/production/pause_promotion",
            signal.clone(),
        ),
        (
            "resume_promotion",
            "POST",
            "/v1/models/m-1/environments/production/resume_promotion",
            signal,
        ),
        (
            "get_environment",
            "GET",
            "/v1/models/m-1/environments/production",
            environment_json(),
        ),
        (
            "list_environments",
            "GET",
            "/v1/models/m-1/environments",
            json!({"environments": [environment_json()]}),
        ),
        (
            "get_deployment",
            "GET",
            "/v1/models/m-1/deployments/dep-2",
            deployment_json(),
        ),
        (
            "get_chain_environment",
            "GET",
            "/v1/chains/c-1/environments/production",
            chain_environment_json(),
        ),
        (
            "get_chain_deployment",
            "GET",
            "/v1/chains/c-1/deployments/cd-1",
            chain_deployment_json(),
        ),
    ]
}

#[tokio::test]
async fn each_operation_sends_its_method_and_path_and_no_body() {
    for (name, method, path, answer) in operations() {
        let server = server_answering(answer).await;
        call_on(&client_for(&server), name, "m-1", "production")
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let request = only_request(&server).await;
        assert_eq!(request.method.as_str(), method, "{name}");
        assert_eq!(request.url.path(), path, "{name}");
        assert_eq!(request.url.query(), None, "{name}");
        // No body and no content type: the signals take none, and a GET has none.
        assert_headers(&request, false);
        insta::assert_yaml_snapshot!(format!("lifecycle_{name}"), wire(&request));
    }
}

/// An `EnvironmentV1` in the middle of a rolling promotion, every field filled in.
fn environment_json() -> Value {
    let mut candidate = deployment_json();
    candidate["id"] = json!("dep-3");
    candidate["status"] = json!("ACTIVE");
    json!({
        "name": "production",
        "created_at": "2026-08-01T09:00:00Z",
        "model_id": "m-1",
        "current_deployment": deployment_json(),
        "candidate_deployment": candidate,
        "in_progress_promotion": {
            "status": "RAMPING_UP",
            "percent_traffic_to_new_version": 25,
            "error_message": null,
            "rolling_deploy": true
        },
        "autoscaling_settings": {
            "min_replica": 1, "max_replica": 4, "autoscaling_window": 60, "scale_down_delay": 900,
            "concurrency_target": 8, "target_utilization_percentage": 70
        },
        "promotion_settings": {
            "redeploy_on_promotion": false,
            "rolling_deploy": true,
            "promotion_cleanup_strategy": "SCALE_TO_ZERO",
            "rolling_deploy_config": null,
            "ramp_up_while_promoting": false
        },
        "instance_type": {
            "id": "H100:1x80", "name": "H100", "memory_limit_mib": 81920, "millicpu_limit": 8000,
            "gpu_count": 1, "gpu_type": "H100", "gpu_memory_limit_mib": 81920
        }
    })
}

fn chain_deployment_json() -> Value {
    json!({
        "id": "cd-1", "created_at": "2026-08-01T09:00:00Z", "chain_id": "c-1",
        "environment": "production", "status": "ACTIVE",
        "chainlets": [{"id": "cl-1", "name": "Entrypoint", "autoscaling_settings": null,
            "instance_type_name": "1x4", "active_replica_count": 1, "status": "ACTIVE"}]
    })
}

fn chain_environment_json() -> Value {
    json!({
        "name": "production", "created_at": "2026-08-01T09:00:00Z", "chain_id": "c-1",
        "promotion_settings": {"rolling_deploy": false},
        "chainlet_settings": [],
        "current_deployment": chain_deployment_json(),
        "candidate_deployment": null
    })
}

async fn environment_answering(answer: Value) -> Result<types::EnvironmentV1, Error> {
    let server = server_answering(answer).await;
    client_for(&server)
        .get_environment()
        .model_id("m-1")
        .env_name("production")
        .send()
        .await
        .map(|r| r.into_inner())
}

#[tokio::test]
async fn an_environment_in_a_rolling_promotion_decodes() {
    let environment = environment_answering(environment_json()).await.unwrap();
    let promotion = environment.in_progress_promotion.expect("a promotion");
    assert_eq!(promotion.status, InProgressPromotionStatusV1::RampingUp);
    assert_eq!(promotion.percent_traffic_to_new_version, 25);
    assert_eq!(
        environment.candidate_deployment.map(|d| d.id).as_deref(),
        Some("dep-3")
    );
    assert_eq!(
        environment.current_deployment.map(|d| d.id).as_deref(),
        Some("dep-2")
    );
}

#[tokio::test]
async fn an_environment_with_nulls_and_without_optionals_decodes() {
    let mut idle = environment_json();
    idle["current_deployment"] = Value::Null;
    idle["in_progress_promotion"] = Value::Null;
    let object = idle.as_object_mut().unwrap();
    object.remove("candidate_deployment");
    for setting in [
        "redeploy_on_promotion",
        "rolling_deploy",
        "promotion_cleanup_strategy",
        "rolling_deploy_config",
        "ramp_up_while_promoting",
    ] {
        object["promotion_settings"]
            .as_object_mut()
            .unwrap()
            .remove(setting);
    }
    let environment = environment_answering(idle).await.unwrap();
    assert!(environment.current_deployment.is_none());
    assert!(environment.candidate_deployment.is_none());
    assert!(environment.in_progress_promotion.is_none());
}

#[tokio::test]
async fn an_environment_with_what_the_live_api_added_decodes() {
    let mut live = environment_json();
    // August 2026: deployments gained `request_backpressure_settings` and `region`; environments
    // carry autoscaling schedules (shaped as the specification of 2026-08-22 gives them);
    // promotion statuses grow, and a field nobody documents yet is ignored.
    for deployment in ["current_deployment", "candidate_deployment"] {
        live[deployment]["request_backpressure_settings"] =
            json!({"policy": "REJECT_ON_FULL", "max_queue": 64});
        live[deployment]["region"] = json!({"slug": "us", "display_name": "United States"});
    }
    live["autoscaling_schedules"] = json!({
        "timezone": "UTC",
        "schedules": [{
            "id": "sch-1", "name": "office hours", "enabled": true, "cadence": "DAILY",
            "weekdays": ["MONDAY"], "start_minute": 0, "end_minute": 0,
            "autoscaling_settings": {"min_replica": 2, "max_replica": 4}
        }],
        "applied_state": null
    });
    live["in_progress_promotion"]["status"] = json!("WAITING_FOR_CAPACITY");
    let environment = environment_answering(live).await.unwrap();
    assert_eq!(
        environment.in_progress_promotion.map(|p| p.status),
        Some(InProgressPromotionStatusV1::Unknown(
            "WAITING_FOR_CAPACITY".into()
        ))
    );
}

/// A rolling-deploy configuration with a strategy newer than the spec (which lists only
/// `REPLICA`), every field filled in.
fn surge_config() -> Value {
    json!({
        "rolling_deploy_strategy": "SURGE",
        "max_surge_percent": 25,
        "max_unavailable_percent": 0,
        "stabilization_time_seconds": 300,
        "replica_overhead_percent": 10
    })
}

/// Asserts that `settings` (decoded from promotion settings holding [`surge_config`]) kept the
/// new strategy, and sends the configuration back unchanged.
fn assert_keeps_surge(settings: &types::PromotionSettingsV1) {
    let config = settings
        .rolling_deploy_config
        .as_ref()
        .expect("a rolling deploy config");
    assert_eq!(
        config.rolling_deploy_strategy,
        types::RollingDeployStrategyV1::Unknown("SURGE".into())
    );
    assert_eq!(config.rolling_deploy_strategy.to_string(), "SURGE");
    assert_eq!(serde_json::to_value(config).unwrap(), surge_config());
}

#[tokio::test]
async fn environments_with_a_rolling_deploy_strategy_newer_than_the_spec_decode_and_round_trip() {
    // `RollingDeployStrategyV1` has one value in the spec; it is no union tag, so a value the
    // API adds later is kept, not a decode error.
    let mut environment = environment_json();
    environment["promotion_settings"]["rolling_deploy_config"] = surge_config();

    let decoded = environment_answering(environment.clone()).await.unwrap();
    assert_keeps_surge(&decoded.promotion_settings);

    let server = server_answering(json!({"environments": [environment]})).await;
    let list = client_for(&server)
        .list_environments()
        .model_id("m-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_keeps_surge(&list.environments[0].promotion_settings);

    let mut chain_environment = chain_environment_json();
    chain_environment["promotion_settings"]["rolling_deploy_config"] = surge_config();
    let server = server_answering(chain_environment).await;
    let chain = client_for(&server)
        .get_chain_environment()
        .chain_id("c-1")
        .env_name("production")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_keeps_surge(&chain.promotion_settings);
}

#[tokio::test]
async fn max_scale_down_rate_decodes_a_fraction_and_a_whole_number() {
    // `type: number` in the spec: a rate of 2.5 is as valid as 20.
    for (sent, expected) in [(json!(2.5), 2.5), (json!(20), 20.0), (json!(0.25), 0.25)] {
        let mut environment = environment_json();
        environment["autoscaling_settings"]["max_scale_down_rate"] = sent.clone();
        let decoded = environment_answering(environment).await.unwrap();
        assert_eq!(
            decoded.autoscaling_settings.max_scale_down_rate,
            Some(expected),
            "{sent}"
        );
    }
}

#[tokio::test]
async fn a_bad_environment_names_the_field_path() {
    let mut bad = environment_json();
    bad["in_progress_promotion"]["percent_traffic_to_new_version"] = json!("a quarter");
    let Err(Error::Decode(decode)) = environment_answering(bad).await else {
        panic!("a decode error")
    };
    assert_eq!(
        decode.path,
        "in_progress_promotion.percent_traffic_to_new_version"
    );
}

#[tokio::test]
async fn cancel_says_whether_it_is_done_or_ramping_down() {
    for (status, expected) in [
        ("CANCELED", CancelPromotionStatusV1::Canceled),
        ("RAMPING_DOWN", CancelPromotionStatusV1::RampingDown),
    ] {
        let server = server_answering(json!({"status": status, "message": "ok"})).await;
        let answer = client_for(&server)
            .cancel_promotion()
            .model_id("m-1")
            .env_name("production")
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(answer.status, expected);
    }
}
