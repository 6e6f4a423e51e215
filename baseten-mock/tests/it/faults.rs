//! Fault injection: latency, a seeded share of 5xx answers, dropped connections.

use crate::common;

use std::time::{Duration, Instant};

use baseten_mock::{Faults, MockServer, Seed};
use common::{http, post};

const ROLL: &str = "/v1/models/mdl-llama/environments/production/force_roll_forward_promotion";

async fn mock_with(faults: Faults) -> MockServer {
    MockServer::builder()
        .seed(Seed::demo())
        .no_rate_limit()
        .faults(faults)
        .start()
        .await
        .unwrap()
}

/// Statuses of `n` requests sent one after another (`None`: connection dropped).
async fn statuses(mock: &MockServer, n: usize) -> Vec<Option<u16>> {
    // A new connection per request: a reused connection that a drop just closed must not be
    // mistaken for another drop.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut out = Vec::new();
    for _ in 0..n {
        let answer = client
            .post(format!("{}{ROLL}", mock.url()))
            .header("authorization", "Api-Key mock-api-key")
            .send()
            .await;
        out.push(answer.ok().map(|r| r.status().as_u16()));
    }
    out
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let mock = mock_with(Faults::none().latency(Duration::from_millis(300))).await;
    let started = Instant::now();
    let (status, body) = post(&mock, ROLL, None).await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(status, 400);
    assert_eq!(
        body["code"], "VALIDATION_ERROR",
        "the answer itself is unchanged"
    );
}

#[tokio::test]
async fn a_seeded_share_of_requests_gets_a_5xx_and_the_same_seed_gives_the_same_ones() {
    let faults = Faults::none().server_errors(0.3).seed(42);
    let first = statuses(&mock_with(faults).await, 60).await;
    let second = statuses(&mock_with(faults).await, 60).await;
    assert_eq!(first, second, "same seed, same faults");

    let errors = first
        .iter()
        .filter(|s| matches!(s, Some(500..=599)))
        .count();
    assert!((8..=30).contains(&errors), "{errors} of 60: {first:?}");
    // Every other request got its real answer.
    assert!(
        first
            .iter()
            .all(|s| matches!(s, Some(400) | Some(500) | Some(502) | Some(503))),
        "{first:?}"
    );
    let other = statuses(&mock_with(faults.seed(43)).await, 60).await;
    assert_ne!(first, other, "another seed, other requests");
}

#[tokio::test]
async fn injected_5xx_answers_have_a_json_body_and_change_nothing() {
    let mock = mock_with(Faults::none().server_errors(1.0)).await;
    let (status, body) = post(
        &mock,
        "/v1/models/mdl-llama/environments/staging/promote",
        Some(r#"{"deployment_id": "dpl-llama-v2"}"#),
    )
    .await;
    assert!((500..=503).contains(&status), "{status}");
    assert_eq!(body["code"], "INTERNAL_ERROR");
    assert_eq!(
        mock.environment("mdl-llama", "staging")
            .unwrap()
            .deployment_id,
        None
    );

    mock.set_faults(Faults::none());
    assert_eq!(post(&mock, ROLL, None).await.0, 400);
}

#[tokio::test]
async fn dropped_connections_close_without_an_answer_and_change_nothing() {
    let mock = mock_with(Faults::none().dropped_connections(1.0)).await;
    let raw = http()
        .post(format!("{}{ROLL}", mock.url()))
        .header("authorization", "Api-Key mock-api-key")
        .send()
        .await
        .expect_err("no answer");
    assert!(!raw.is_timeout(), "closed at once, not timed out: {raw}");
    assert!(raw.status().is_none());

    let err = common::try_promote(&mock, "mdl-llama", "staging", "dpl-llama-v2")
        .await
        .expect_err("no answer");
    assert_eq!(err.status(), None, "{err}");
    assert!(!err.to_string().is_empty());
    assert_eq!(
        mock.environment("mdl-llama", "staging")
            .unwrap()
            .deployment_id,
        None
    );

    let logged = mock.requests();
    assert!(!logged.is_empty());
    assert!(logged.iter().all(|r| r.status.is_none()), "{logged:?}");

    mock.set_faults(Faults::none());
    assert_eq!(post(&mock, ROLL, None).await.0, 400);
}

#[tokio::test]
async fn a_share_of_dropped_connections_follows_the_seed() {
    let faults = Faults::none().dropped_connections(0.25).seed(9);
    let first = statuses(&mock_with(faults).await, 40).await;
    let second = statuses(&mock_with(faults).await, 40).await;
    assert_eq!(first, second);
    let dropped = first.iter().filter(|s| s.is_none()).count();
    assert!((3..=20).contains(&dropped), "{dropped} of 40: {first:?}");
    assert!(first.iter().flatten().all(|s| *s == 400), "{first:?}");
}
