//! `MockServer::wait_clock`: the mock's simulated time as the client's `WaitClock`. A poll loop
//! written against the trait alone (what the client's waiters do) sees a ten-minute rolling
//! promotion through in a fraction of a second of real time, and the promotion's history says
//! how late it noticed the end.

use crate::common;

use std::time::{Duration, Instant};

use baseten_mock::{
    DeploymentSeed, EnvironmentSeed, MockServer, ModelSeed, PromotionStatus, RollingSettings, Seed,
};
use common::{MINUTE, demo, promote};

#[tokio::test]
async fn sleeping_moves_the_mock_clock_and_applies_what_fell_due() {
    let mock = demo().await;
    let clock = mock.wait_clock();
    assert_eq!(clock.now(), Duration::ZERO);
    promote(&mock, "mdl-whisper", "production", "dpl-whisper-v2").await;

    let started = Instant::now();
    clock.sleep(Duration::from_secs(90)).await;
    assert!(started.elapsed() < Duration::from_secs(1), "no real wait");
    assert_eq!(clock.now(), Duration::from_secs(90));
    assert_eq!(mock.elapsed(), Duration::from_secs(90));
    let p = mock.promotion("mdl-whisper", "production").unwrap();
    assert_eq!(
        (p.status, p.traffic_percent),
        (PromotionStatus::RampingUp, 25)
    );

    // The mock's own advances show on the waiter's clock too.
    mock.advance(Duration::from_secs(10));
    assert_eq!(clock.now(), Duration::from_secs(100));
}

#[tokio::test]
async fn a_sleep_that_is_never_awaited_moves_nothing() {
    let mock = demo().await;
    let clock = mock.wait_clock();
    drop(clock.sleep(Duration::from_secs(3600)));
    assert_eq!(mock.elapsed(), Duration::ZERO);
}

/// A model whose production rolls 10 % a minute: ten minutes from promotion to `SUCCEEDED`.
async fn ten_minute_rollout() -> MockServer {
    let mock = MockServer::start().await;
    mock.seed(
        Seed::new().model(
            ModelSeed::new("m")
                .deployment(DeploymentSeed::new("v1"))
                .deployment(DeploymentSeed::new("v2"))
                .environment(EnvironmentSeed::new("production").deployment("v1").rolling(
                    RollingSettings {
                        step_percent: 10,
                        step_seconds: 60,
                    },
                )),
        ),
    )
    .unwrap();
    mock
}

#[tokio::test]
async fn a_poll_loop_on_the_mock_clock_waits_out_a_ten_minute_promotion_in_real_milliseconds() {
    let mock = ten_minute_rollout().await;
    let clock = mock.wait_clock();
    promote(&mock, "m", "production", "v2").await;

    // A waiter's loop, using only the WaitClock trait: read, and sleep 7 s while in progress.
    let poll = Duration::from_secs(7);
    let client = mock.client();
    let started = Instant::now();
    let mut reads = 0;
    let (seen_at, env) = loop {
        let env = client
            .get_environment()
            .model_id("m")
            .env_name("production")
            .send()
            .await
            .expect("a read")
            .into_inner();
        reads += 1;
        if env.in_progress_promotion.is_none() {
            break (clock.now(), env);
        }
        clock.sleep(poll).await;
    };
    let real = started.elapsed();

    assert_eq!(env.current_deployment.map(|d| d.id).as_deref(), Some("v2"));
    let end = mock
        .promotion_ended_at("m", "production")
        .expect("it ended");
    assert_eq!(
        (end.at, end.status),
        (10 * MINUTE, PromotionStatus::Succeeded)
    );
    // Seen at the first poll at or after the end: 602 s, 2 s late.
    assert_eq!(seen_at, Duration::from_secs(602));
    assert!(seen_at - end.at < poll);
    assert_eq!(reads, 87);
    assert_eq!(mock.request_count("get_environment"), 87);
    // Ten simulated minutes in well under the time of one real poll interval.
    assert!(real < Duration::from_secs(5), "took {real:?} of real time");
}
