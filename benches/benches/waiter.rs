//! How a promotion waiter with the default polling treats the API and how soon it sees the end:
//! a ten-minute rolling promotion on baseten-mock (10 % more traffic every 60 s), waited for on
//! the mock's simulated clock, many times (the jitter differs each round).
//!
//! ```sh
//! cargo bench -p baseten-api-benches --bench waiter            # 50 rounds
//! BENCH_ROUNDS=200 cargo bench -p baseten-api-benches --bench waiter
//! ```
//!
//! Prints, over the rounds: the `get_environment` reads one wait makes, and its detection
//! latency, the simulated time from the mock reaching `SUCCEEDED` to the waiter returning.
//! Simulated time makes both exact and independent of the machine; PERFORMANCE.md has them.

use std::time::Duration;

use baseten_api::types::PromoteToEnvironmentRequestV1;
use baseten_api::wait::{Polling, PromotionOutcome};
use baseten_mock::{MockServer, Seed, Timings};

const SEED: &str = "
models:
  - id: mdl-rolling
    deployments:
      - {id: dpl-old, name: deployment-1}
      - {id: dpl-new, name: deployment-2}
    environments:
      - name: production
        deployment_id: dpl-old
        rolling: {step_percent: 10, step_seconds: 60}
";

struct Round {
    reads: u64,
    latency: Duration,
    total: Duration,
}

/// The mock's clean world, or the adversarial one the waiter tests also run in: the candidate
/// 30 s before its promotion object, ended promotions kept 10 s with their candidate, and
/// `current_deployment` switching 8 s after the promotion object clears.
fn timings(adversarial: bool) -> Timings {
    if adversarial {
        Timings::default()
            .candidate_lead(Duration::from_secs(30))
            .ended_promotion_visible(Duration::from_secs(10))
            .ended_candidate_visible(true)
            .current_switch_delay(Duration::from_secs(8))
    } else {
        Timings::default()
    }
}

async fn one_round(adversarial: bool) -> Round {
    let mock = MockServer::builder()
        .timings(timings(adversarial))
        .start()
        .await
        .expect("the mock starts");
    mock.seed(Seed::from_yaml_str(SEED, "waiter bench").expect("a valid seed"))
        .expect("seeded");
    let client = mock.client();
    let promoted = client
        .promote_model_to_environment()
        .model_id("mdl-rolling")
        .env_name("production")
        .body(PromoteToEnvironmentRequestV1::builder().deployment_id("dpl-new"))
        .send()
        .await
        .expect("promotion accepted")
        .into_inner();
    let started = mock.elapsed();
    let outcome = client
        .wait_for_promotion("mdl-rolling", "production", &promoted.id)
        .polling(Polling::default())
        .clock(mock.wait_clock())
        .await
        .expect("the wait ends");
    assert!(
        matches!(outcome, PromotionOutcome::Succeeded { .. }),
        "{outcome:?}"
    );
    let returned = mock.elapsed();
    let ended = mock
        .promotion_ended_at("mdl-rolling", "production")
        .expect("the promotion ended")
        .at;
    Round {
        reads: mock.request_count("get_environment"),
        latency: returned.saturating_sub(ended),
        total: returned - started,
    }
}

fn summary<T: Copy + PartialOrd + std::fmt::Debug>(mut values: Vec<T>) -> String {
    values.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    format!(
        "median {:?} [min {:?} – max {:?}]",
        values[values.len() / 2],
        values[0],
        values[values.len() - 1]
    )
}

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for adversarial in [false, true] {
        let results: Vec<Round> = (0..rounds)
            .map(|_| runtime.block_on(one_round(adversarial)))
            .collect();
        let world = if adversarial {
            "adversarial timings (candidate 30 s early, ended promotion shown 10 s with its \
             candidate, current 8 s after it clears)"
        } else {
            "clean timings"
        };
        println!(
            "promotion waiter, default polling, 10-minute rolling promotion on baseten-mock, \
             {world}, {rounds} rounds"
        );
        println!(
            "  get_environment reads per wait: {}",
            summary(results.iter().map(|r| r.reads).collect())
        );
        println!(
            "  detection latency (simulated):  {}",
            summary(results.iter().map(|r| r.latency).collect())
        );
        println!(
            "  wait (simulated):               {}",
            summary(results.iter().map(|r| r.total).collect())
        );
    }
}
