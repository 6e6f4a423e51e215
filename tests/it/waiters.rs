//! The waiters against a scripted server on a test clock: what they conclude from each sequence
//! of answers, when they give up, and what they report on the way. (The same waiters against
//! baseten-mock's simulated rolling promotions are in `waiters_on_the_mock`.)

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use baseten_api::wait::{DeploymentOutcome, Polling, PromotionOutcome, WaitClock, WaitError};
use baseten_api::{Client, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::wire::deployment_json;

/// Time that moves only when a waiter sleeps.
#[derive(Default)]
pub(crate) struct TestClock(Mutex<Duration>);

impl WaitClock for TestClock {
    fn now(&self) -> Duration {
        *self.0.lock().unwrap()
    }
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        *self.0.lock().unwrap() += duration;
        Box::pin(std::future::ready(()))
    }
    /// Time does not pass during a read: the deadline has come only if the clock is there.
    fn deadline(&self, at: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        if self.now() >= at {
            Box::pin(std::future::ready(()))
        } else {
            Box::pin(std::future::pending())
        }
    }
}

const ENV_PATH: &str = "/v1/models/m-1/environments/production";
const DEPLOYMENT_PATH: &str = "/v1/models/m-1/deployments/dep-3";

fn deployment(id: &str, status: &str) -> Value {
    let mut d = deployment_json();
    d["id"] = json!(id);
    d["status"] = json!(status);
    d
}

fn environment(current: &str, promotion: Option<(&str, i64)>) -> Value {
    json!({
        "name": "production", "created_at": "2026-08-01T09:00:00Z", "model_id": "m-1",
        "current_deployment": deployment(current, "ACTIVE"),
        "candidate_deployment": promotion.map(|_| deployment("dep-3", "ACTIVE")),
        "in_progress_promotion": promotion.map(|(status, percent)| json!({
            "status": status, "percent_traffic_to_new_version": percent,
            "error_message": (status == "FAILED").then_some("replicas never became ready"),
            "rolling_deploy": true
        })),
        "autoscaling_settings": {"min_replica": 1, "max_replica": 2, "concurrency_target": 1,
            "autoscaling_window": null, "scale_down_delay": null, "target_utilization_percentage": null},
        "promotion_settings": {"rolling_deploy": true},
        "instance_type": {"id": "1x4", "name": "1x4", "memory_limit_mib": 4096, "millicpu_limit": 1000,
            "gpu_count": 0, "gpu_type": null, "gpu_memory_limit_mib": null}
    })
}

/// A server answering `route` with each `(status, body, times)` in turn; the last repeats.
async fn scripted(route: &str, answers: Vec<(u16, Value, u64)>) -> MockServer {
    let server = MockServer::start().await;
    let last = answers.len() - 1;
    for (i, (status, body, times)) in answers.into_iter().enumerate() {
        let mock = Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(status).set_body_json(body));
        let mock = if i == last {
            mock
        } else {
            mock.up_to_n_times(times)
        };
        mock.mount(&server).await;
    }
    server
}

/// A client that does not retry, so the waiter itself sees every failed read.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("wait-test-key")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// Waits for the promotion of dep-3 to production of m-1, with the client above, on a test clock.
async fn wait_for_dep_3(server: &MockServer) -> Result<PromotionOutcome, WaitError> {
    client(server)
        .wait_for_promotion("m-1", "production", "dep-3")
        .clock(Arc::new(TestClock::default()))
        .await
}

fn reads(server_requests: &[wiremock::Request]) -> usize {
    server_requests
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count()
}

#[tokio::test]
async fn a_rolling_promotion_is_followed_to_success_with_each_change_reported_once() {
    let server = scripted(
        ENV_PATH,
        vec![
            (200, environment("dep-2", Some(("RELEASING", 0))), 1),
            (200, environment("dep-2", Some(("RAMPING_UP", 25))), 3),
            (200, environment("dep-2", Some(("RAMPING_UP", 50))), 3),
            (200, environment("dep-3", None), 1),
        ],
    )
    .await;
    let client = client(&server);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let outcome = client
        .wait_for_promotion("m-1", "production", "dep-3")
        .clock(Arc::new(TestClock::default()))
        .on_progress(move |p| log.lock().unwrap().push(p.to_string()))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, PromotionOutcome::Succeeded { deployment } if deployment.id == "dep-3")
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "RELEASING 0% to the candidate (current dep-2, candidate dep-3)",
            "RAMPING_UP 25% to the candidate (current dep-2, candidate dep-3)",
            "RAMPING_UP 50% to the candidate (current dep-2, candidate dep-3)",
            "no promotion in progress (current dep-3)",
        ]
    );
    assert_eq!(reads(&server.received_requests().await.unwrap()), 8);
}

#[tokio::test]
async fn a_rolling_deploy_strategy_newer_than_the_spec_does_not_stop_the_waiter() {
    // Each read decodes the whole environment: a strategy the spec does not list (it lists one)
    // must not turn every read into a decode error.
    let with_surge = |mut environment: Value| {
        environment["promotion_settings"]["rolling_deploy_config"] =
            json!({"rolling_deploy_strategy": "SURGE", "max_surge_percent": 25});
        environment
    };
    let server = scripted(
        ENV_PATH,
        vec![
            (
                200,
                with_surge(environment("dep-2", Some(("RAMPING_UP", 50)))),
                2,
            ),
            (200, with_surge(environment("dep-3", None)), 1),
        ],
    )
    .await;
    let outcome = wait_for_dep_3(&server).await.unwrap();
    assert!(
        matches!(&outcome, PromotionOutcome::Succeeded { deployment } if deployment.id == "dep-3"),
        "{outcome:?}"
    );
    assert_eq!(reads(&server.received_requests().await.unwrap()), 3);
}

#[tokio::test]
async fn a_failed_promotion_is_a_failure_with_baseten_s_message() {
    let server = scripted(
        ENV_PATH,
        vec![
            (200, environment("dep-2", Some(("RAMPING_UP", 25))), 2),
            (200, environment("dep-2", Some(("FAILED", 0))), 1),
        ],
    )
    .await;
    let outcome = wait_for_dep_3(&server).await.unwrap();
    let PromotionOutcome::Failed { error_message, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        error_message.as_deref(),
        Some("replicas never became ready")
    );
}

#[tokio::test]
async fn an_unknown_status_keeps_the_waiter_waiting_and_is_named_at_the_deadline() {
    let server = scripted(
        ENV_PATH,
        vec![(200, environment("dep-2", Some(("HALTED", 40))), 1)],
    )
    .await;
    let clock = Arc::new(TestClock::default());
    let err = client(&server)
        .wait_for_promotion("m-1", "production", "dep-3")
        .timeout(Duration::from_secs(600))
        .clock(clock.clone())
        .await
        .unwrap_err();
    let WaitError::Timeout {
        waited,
        unknown_status,
        polls,
        last,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        *waited,
        Duration::from_secs(600),
        "the last read is at the deadline"
    );
    assert_eq!(unknown_status.as_deref(), Some("HALTED"));
    assert!(last.is_some());
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "gave up waiting for the promotion of dep-3 to production of model m-1 after 10m 0s"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("last seen: HALTED 40% to the candidate"),
        "{shown}"
    );
    assert!(
        shown.contains("status `HALTED` is unknown to this version"),
        "{shown}"
    );
    // 2 s growing ×1.5 to 15 s (plus ≤10 % jitter) over ten minutes: a bounded number of reads.
    assert!((40..=52).contains(polls), "{polls} reads");
    assert_eq!(clock.now(), Duration::from_secs(600));
}

#[tokio::test]
async fn a_503_between_reads_does_not_end_the_wait() {
    let server = scripted(
        ENV_PATH,
        vec![
            (200, environment("dep-2", Some(("RAMPING_UP", 25))), 1),
            (503, json!({"code": "UNAVAILABLE"}), 2),
            (200, environment("dep-3", None), 1),
        ],
    )
    .await;
    let outcome = wait_for_dep_3(&server).await.unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
}

#[tokio::test]
async fn a_401_ends_the_wait_at_once() {
    let server = scripted(
        ENV_PATH,
        vec![(
            401,
            json!({"code": "UNAUTHORIZED", "message": "bad key"}),
            1,
        )],
    )
    .await;
    let err = wait_for_dep_3(&server).await.unwrap_err();
    assert!(
        matches!(&err, WaitError::Request { source, .. } if source.is_unauthorized()),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_new_deployment_s_early_404_is_tolerated_then_it_is_followed_to_ready() {
    let server = scripted(
        DEPLOYMENT_PATH,
        vec![
            (
                404,
                json!({"code": "NOT_FOUND", "message": "no such deployment"}),
                2,
            ),
            (200, deployment("dep-3", "BUILDING"), 2),
            (200, deployment("dep-3", "LOADING_MODEL"), 1),
            (200, deployment("dep-3", "SCALED_TO_ZERO"), 1),
        ],
    )
    .await;
    let outcome = client(&server)
        .wait_for_deployment("m-1", "dep-3")
        .clock(Arc::new(TestClock::default()))
        .await
        .unwrap();
    // Scaled to zero is deployed and healthy: ready, not failed.
    assert!(
        matches!(&outcome, DeploymentOutcome::Ready(d) if d.id == "dep-3"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_404_past_the_grace_period_is_not_found() {
    let server = scripted(
        DEPLOYMENT_PATH,
        vec![(404, json!({"code": "NOT_FOUND"}), 1)],
    )
    .await;
    let err = client(&server)
        .wait_for_deployment("m-1", "dep-3")
        .polling(Polling::default().not_found_grace(Duration::from_secs(10)))
        .clock(Arc::new(TestClock::default()))
        .await
        .unwrap_err();
    let WaitError::NotFound { waited, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(*waited >= Duration::from_secs(10), "{waited:?}");
    assert!(
        err.to_string()
            .starts_with("deployment dep-3 of model m-1: not found after waiting"),
        "{err}"
    );
}

#[tokio::test]
async fn a_build_failure_is_a_failure() {
    let server = scripted(
        DEPLOYMENT_PATH,
        vec![
            (200, deployment("dep-3", "BUILDING"), 3),
            (200, deployment("dep-3", "BUILD_FAILED"), 1),
        ],
    )
    .await;
    let outcome = client(&server)
        .wait_for_deployment("m-1", "dep-3")
        .clock(Arc::new(TestClock::default()))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, DeploymentOutcome::Failed(d) if d.status.to_string() == "BUILD_FAILED")
    );
}

#[tokio::test]
async fn dropping_the_future_stops_polling() {
    let server = scripted(
        ENV_PATH,
        vec![(200, environment("dep-2", Some(("RAMPING_UP", 25))), 1)],
    )
    .await;
    let client = client(&server);
    // Real time here: the waiter sleeps 2 s after its first read; drop it in the meantime.
    let wait = client
        .wait_for_promotion("m-1", "production", "dep-3")
        .into_future();
    let _ = tokio::time::timeout(Duration::from_millis(300), wait).await;
    let before = reads(&server.received_requests().await.unwrap());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(before, 1);
    assert_eq!(
        reads(&server.received_requests().await.unwrap()),
        before,
        "no read after drop"
    );
    // And nothing but reads was ever sent: waiting never cancels anything.
    assert!(
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|r| r.method.as_str() == "GET")
    );
}

/// A deadline is a deadline: a read in flight when it passes is abandoned there, even with a
/// retry policy that would keep that one read going (4 attempts of 1 s each here; of 60 s each
/// with the defaults).
#[tokio::test]
async fn a_read_in_flight_at_the_deadline_is_abandoned_there() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ENV_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(environment("dep-2", Some(("RAMPING_UP", 25)))),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // Then the server stops answering.
    Mock::given(method("GET"))
        .and(path(ENV_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(environment("dep-2", Some(("RAMPING_UP", 25))))
                .set_delay(Duration::from_secs(60)),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("wait-test-key")
        .base_url(server.uri())
        .request_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client
        .wait_for_promotion("m-1", "production", "dep-3")
        .timeout(Duration::from_secs(3))
        .polling(Polling::default().intervals(Duration::from_secs(1), Duration::from_secs(1)))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(3_500),
        "ended after {took:?}: {err}"
    );
    let WaitError::Timeout { last_error, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        last_error
            .as_deref()
            .is_some_and(|e| e.contains("abandoned")),
        "{err}"
    );
}

#[tokio::test]
async fn a_404_once_the_environment_was_read_is_a_deleted_environment() {
    let server = scripted(
        ENV_PATH,
        vec![
            (200, environment("dep-2", Some(("RAMPING_UP", 25))), 2),
            (
                404,
                json!({"code": "NOT_FOUND", "message": "Environment production not found"}),
                1,
            ),
        ],
    )
    .await;
    let outcome = wait_for_dep_3(&server).await.unwrap();
    assert!(
        matches!(
            outcome,
            PromotionOutcome::EnvironmentDeleted { last_status: Some(ref s) } if s.to_string() == "RAMPING_UP"
        ),
        "{outcome:?}"
    );
    // Never read: it does not exist (a wrong id), unless the caller says it was read before.
    let server = scripted(ENV_PATH, vec![(404, json!({"code": "NOT_FOUND"}), 1)]).await;
    let err = wait_for_dep_3(&server).await.unwrap_err();
    assert!(matches!(err, WaitError::NotFound { .. }), "{err:?}");
    let outcome = client(&server)
        .wait_for_promotion("m-1", "production", "dep-3")
        .clock(Arc::new(TestClock::default()))
        .environment_exists()
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            PromotionOutcome::EnvironmentDeleted { last_status: None }
        ),
        "{outcome:?}"
    );
}

const CHAIN_ENV_PATH: &str = "/v1/chains/c-1/environments/production";

fn chain_environment(current: &str, candidate: Option<&str>) -> Value {
    let deployment = |id: &str| {
        json!({
            "id": id, "created_at": "2026-08-01T09:00:00Z", "chain_id": "c-1",
            "environment": null, "chainlets": [], "status": "ACTIVE"
        })
    };
    json!({
        "name": "production", "created_at": "2026-08-01T09:00:00Z", "chain_id": "c-1",
        "current_deployment": deployment(current),
        "candidate_deployment": candidate.map(deployment),
        "promotion_settings": {}, "chainlet_settings": []
    })
}

/// Chains have no promotion object: while the candidate is ours, the promotion goes on, however
/// long it takes; then the environment serves it.
#[tokio::test]
async fn a_chain_promotion_goes_on_while_its_deployment_is_the_candidate() {
    let server = scripted(
        CHAIN_ENV_PATH,
        vec![
            (200, chain_environment("cd-1", Some("cd-2")), 40),
            (200, chain_environment("cd-2", None), 1),
        ],
    )
    .await;
    let outcome = client(&server)
        .wait_for_chain_promotion("c-1", "production", "cd-2")
        .clock(Arc::new(TestClock::default()))
        .await
        .unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
    assert_eq!(reads(&server.received_requests().await.unwrap()), 41);
}

// ---- Polling is never faster than `MIN_POLL_INTERVAL`, nor sooner than a 429's `retry_after`.

/// Answers each read with the next of `answers` (the last repeats), noting the time on `clock`
/// when each read arrived (the test clock does not move during a read).
struct Timed {
    clock: Arc<TestClock>,
    answers: Vec<ResponseTemplate>,
    reads: Arc<Mutex<Vec<Duration>>>,
}

impl wiremock::Respond for Timed {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let mut reads = self.reads.lock().unwrap();
        reads.push(self.clock.now());
        self.answers[(reads.len() - 1).min(self.answers.len() - 1)].clone()
    }
}

/// Waits for dep-3's promotion against `answers` with `polling`, on a test clock; returns the
/// result and the clock time of every read.
async fn timed_wait(
    answers: Vec<ResponseTemplate>,
    polling: Polling,
    timeout: Duration,
) -> (Result<PromotionOutcome, WaitError>, Vec<Duration>) {
    let server = MockServer::start().await;
    let clock = Arc::new(TestClock::default());
    let reads = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path(ENV_PATH))
        .respond_with(Timed {
            clock: clock.clone(),
            answers,
            reads: reads.clone(),
        })
        .mount(&server)
        .await;
    let result = client(&server)
        .wait_for_promotion("m-1", "production", "dep-3")
        .polling(polling)
        .timeout(timeout)
        .clock(clock)
        .await;
    let reads = reads.lock().unwrap().clone();
    (result, reads)
}

#[tokio::test]
async fn polling_is_never_faster_than_the_floor() {
    assert_eq!(baseten_api::wait::MIN_POLL_INTERVAL, Duration::from_secs(1));
    let polling = Polling::default()
        .intervals(Duration::ZERO, Duration::from_millis(10))
        .jitter(0.0);
    assert_eq!(polling.initial(), Duration::from_secs(1));
    assert_eq!(polling.max(), Duration::from_secs(1));
    let ramping =
        ResponseTemplate::new(200).set_body_json(environment("dep-2", Some(("RAMPING_UP", 25))));
    let (result, reads) = timed_wait(vec![ramping], polling, Duration::from_secs(3)).await;
    let err = result.unwrap_err();
    assert!(
        matches!(err, WaitError::Timeout { polls: 3, .. }),
        "{err:?}"
    );
    let secs = Duration::from_secs;
    assert_eq!(reads, [secs(0), secs(1), secs(2)]);
}

#[tokio::test]
async fn a_waiter_never_reads_sooner_than_the_retry_after_of_a_429() {
    let ramping =
        || ResponseTemplate::new(200).set_body_json(environment("dep-2", Some(("RAMPING_UP", 25))));
    let done = ResponseTemplate::new(200).set_body_json(environment("dep-3", None));
    // Each way a 429 can ask for 5 s: Baseten's body, the same as a string, a header.
    let limited = [
        ResponseTemplate::new(429)
            .set_body_json(json!({"error": "Rate limit exceeded.", "retry_after": 5})),
        ResponseTemplate::new(429)
            .set_body_json(json!({"error": "Rate limit exceeded.", "retry_after": "5"})),
        ResponseTemplate::new(429)
            .insert_header("retry-after", "5")
            .set_body_json(json!({"error": "Rate limit exceeded."})),
    ];
    for (form, limited) in limited.into_iter().enumerate() {
        let polling = Polling::default()
            .intervals(Duration::from_secs(1), Duration::from_secs(1))
            .jitter(0.0);
        let answers = vec![ramping(), limited, done.clone()];
        let (result, reads) = timed_wait(answers, polling, Duration::from_secs(60)).await;
        assert!(result.as_ref().is_ok_and(|o| o.is_success()), "{result:?}");
        let [first, limited, next] = reads[..] else {
            panic!("form {form}: reads at {reads:?}")
        };
        // Polling alone would read every second: the 429 at 1 s holds the next read to 6 s.
        assert_eq!(limited - first, Duration::from_secs(1), "form {form}");
        assert!(
            next - limited >= Duration::from_secs(5),
            "form {form}: read again {:?} after a 429 that asked for 5 s",
            next - limited
        );
    }
}
