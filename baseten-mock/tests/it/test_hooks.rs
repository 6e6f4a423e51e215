//! The hooks a client's tests use: scripted errors for the next requests to one operation
//! (`fail_next`), statuses the client does not know (`set_promotion_status_override`,
//! `set_deployment_status_override`), request counts, and a promotion's history in simulated
//! time.

use crate::common;

use std::time::Duration;

use baseten_api::RetryPolicy;
use baseten_api::types::{DeploymentStatusV1, InProgressPromotionStatusV1};
use baseten_mock::{MockError, PromotionStatus};
use common::{MINUTE, demo, environment, get, post, promote, promotion_of, shown};

const ENV_PATH: &str = "/v1/models/mdl-whisper/environments/production";

#[tokio::test]
async fn fail_next_answers_the_next_requests_to_one_operation_then_stops() {
    let mock = demo().await;
    mock.fail_next("get_environment", 2, 503).unwrap();

    for _ in 0..2 {
        let (status, body) = get(&mock, ENV_PATH).await;
        assert_eq!(status, 503);
        assert_eq!(body["code"], "INTERNAL_ERROR");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("get_environment"),
            "{body}"
        );
    }
    // Other operations are not affected, and the third request goes through.
    assert_eq!(
        get(&mock, "/v1/models/mdl-whisper/environments").await.0,
        200
    );
    assert_eq!(get(&mock, ENV_PATH).await.0, 200);
    assert_eq!(mock.request_count("get_environment"), 3);
    assert_eq!(mock.request_count("list_environments"), 1);
}

#[tokio::test]
async fn the_client_retries_a_scripted_503_on_a_read() {
    let mock = demo().await;
    mock.fail_next("get_environment", 1, 503).unwrap();
    // The client's own retry policy, with a short backoff so the test does not wait.
    let client = baseten_api::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .retry_policy(
            RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let env = client
        .get_environment()
        .model_id("mdl-whisper")
        .env_name("production")
        .send()
        .await
        .expect("retried past the 503")
        .into_inner();
    assert_eq!(env.name, "production");
    // One 503, one 200: the client retried the GET.
    let statuses: Vec<_> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(200)]);
    assert_eq!(mock.request_count("get_environment"), 2);
}

#[tokio::test]
async fn a_scripted_error_on_a_promotion_changes_nothing() {
    let mock = demo().await;
    mock.fail_next("promote_model_to_environment", 1, 500)
        .unwrap();
    let (status, _) = post(
        &mock,
        "/v1/models/mdl-llama/environments/staging/promote",
        Some(r#"{"deployment_id": "dpl-llama-v2"}"#),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(
        mock.environment("mdl-llama", "staging")
            .unwrap()
            .deployment_id,
        None
    );
}

#[tokio::test]
async fn a_scripted_429_has_the_documented_rate_limit_body() {
    let mock = demo().await;
    mock.fail_next("get_deployment", 1, 429).unwrap();
    let (status, body) = get(&mock, "/v1/models/mdl-llama/deployments/dpl-llama-v1").await;
    assert_eq!(status, 429);
    assert_eq!(
        body["error"],
        "Rate limit exceeded. Please try again later."
    );
    assert_eq!(body["retry_after"], 1);
}

#[tokio::test]
async fn fail_next_rejects_unknown_operations_and_statuses_a_client_would_not_retry() {
    let mock = demo().await;
    let err = mock.fail_next("get_everything", 1, 503).unwrap_err();
    assert!(
        matches!(err, MockError::UnknownOperation(ref op) if op == "get_everything"),
        "{err}"
    );
    assert!(
        err.to_string().contains("get_environment"),
        "lists the known ones: {err}"
    );
    for status in [200, 404, 499, 600] {
        let err = mock.fail_next("get_environment", 1, status).unwrap_err();
        assert!(
            matches!(err, MockError::InvalidFaultStatus(s) if s == status),
            "{err}"
        );
    }
    // Nothing was queued by the rejected calls.
    assert_eq!(get(&mock, ENV_PATH).await.0, 200);
}

#[tokio::test]
async fn a_promotion_status_override_shows_an_unknown_status_while_the_promotion_goes_on() {
    let mock = demo().await;
    // Nothing in progress: nothing to show it on.
    mock.set_promotion_status_override("mdl-whisper", "production", Some("HALTED"))
        .unwrap();
    assert_eq!(
        promotion_of(&environment(&mock, "mdl-whisper", "production").await),
        None
    );

    promote(&mock, "mdl-whisper", "production", "dpl-whisper-v2").await;
    mock.advance(MINUTE);
    let env = environment(&mock, "mdl-whisper", "production").await;
    let promotion = env.in_progress_promotion.unwrap();
    assert_eq!(
        promotion.status,
        InProgressPromotionStatusV1::Unknown("HALTED".to_owned())
    );
    // Only the status is overridden; the traffic is the real one.
    assert_eq!(promotion.percent_traffic_to_new_version, 25);
    let list = mock
        .client()
        .list_environments()
        .model_id("mdl-whisper")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(promotion_of(&list.environments[0]), shown("HALTED", 25));

    // The mock's own state is unaffected, and the promotion finishes as usual.
    assert_eq!(
        mock.promotion("mdl-whisper", "production").unwrap().status,
        PromotionStatus::RampingUp
    );
    mock.advance(MINUTE);
    mock.set_promotion_status_override("mdl-whisper", "production", None)
        .unwrap();
    assert_eq!(
        promotion_of(&environment(&mock, "mdl-whisper", "production").await),
        shown("RAMPING_UP", 50)
    );
    mock.advance(2 * MINUTE);
    assert_eq!(
        promotion_of(&environment(&mock, "mdl-whisper", "production").await),
        None
    );

    assert!(matches!(
        mock.set_promotion_status_override("mdl-whisper", "staging", Some("HALTED")),
        Err(MockError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_deployment_status_override_shows_in_every_read_of_it() {
    let mock = demo().await;
    mock.set_deployment_status_override("dpl-llama-v1", Some("RESTARTING"))
        .unwrap();
    let d = mock
        .client()
        .get_deployment()
        .model_id("mdl-llama")
        .deployment_id("dpl-llama-v1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        d.status,
        DeploymentStatusV1::Unknown("RESTARTING".to_owned())
    );
    let env = environment(&mock, "mdl-llama", "production").await;
    assert_eq!(
        env.current_deployment.unwrap().status,
        DeploymentStatusV1::Unknown("RESTARTING".to_owned())
    );

    mock.set_deployment_status_override("dpl-llama-v1", None)
        .unwrap();
    let (_, body) = get(&mock, "/v1/models/mdl-llama/deployments/dpl-llama-v1").await;
    assert_eq!(body["status"], "ACTIVE");
    assert!(
        mock.set_deployment_status_override("dpl-nope", Some("X"))
            .is_err()
    );
}

#[tokio::test]
async fn request_counts_are_per_operation() {
    let mock = demo().await;
    for _ in 0..3 {
        get(&mock, ENV_PATH).await;
    }
    post(
        &mock,
        "/v1/models/mdl-llama/environments/production/pause_promotion",
        None,
    )
    .await;
    // Matches no operation: not counted.
    get(&mock, "/v1/nothing").await;
    let counts = mock.request_counts();
    assert_eq!(counts.get("get_environment"), Some(&3));
    assert_eq!(counts.get("pause_promotion"), Some(&1));
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert_eq!(mock.request_count("get_deployment"), 0);
}

#[tokio::test]
async fn the_history_has_every_change_at_its_simulated_time_even_unobserved() {
    let mock = demo().await;
    promote(&mock, "mdl-whisper", "production", "dpl-whisper-v2").await;
    assert_eq!(
        mock.promotion_ended_at("mdl-whisper", "production"),
        None,
        "in progress"
    );
    // One jump: nobody looked in between, the steps still have their own times.
    mock.advance(10 * MINUTE);
    let history: Vec<_> = mock
        .promotion_history("mdl-whisper", "production")
        .into_iter()
        .map(|e| (e.at.as_secs(), e.deployment_id, e.status, e.percent_traffic))
        .collect();
    let v2 = || "dpl-whisper-v2".to_owned();
    assert_eq!(
        history,
        [
            (0, v2(), PromotionStatus::Releasing, 0),
            (60, v2(), PromotionStatus::RampingUp, 25),
            (120, v2(), PromotionStatus::RampingUp, 50),
            (180, v2(), PromotionStatus::RampingUp, 75),
            (240, v2(), PromotionStatus::Succeeded, 100),
        ]
    );
    let end = mock
        .promotion_ended_at("mdl-whisper", "production")
        .unwrap();
    assert_eq!(
        (end.at, end.status),
        (4 * MINUTE, PromotionStatus::Succeeded)
    );

    // An immediate promotion is one SUCCEEDED event; an environment without any has none.
    mock.advance(MINUTE);
    promote(&mock, "mdl-llama", "staging", "dpl-llama-v2").await;
    let staging = mock.promotion_history("mdl-llama", "staging");
    assert_eq!(staging.len(), 1);
    assert_eq!(
        (staging[0].at, staging[0].status, staging[0].percent_traffic),
        (11 * MINUTE, PromotionStatus::Succeeded, 100)
    );
    assert!(mock.promotion_history("mdl-llama", "production").is_empty());
    assert_eq!(mock.promotion_ended_at("mdl-llama", "production"), None);
}
