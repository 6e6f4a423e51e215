//! The `Timings` knobs that make environment reads show the states between two transitions
//! (README, "Adversarial timings"): each one's exact sequence of views at chosen simulated
//! instants, through `get_environment` and `list_environments` alike, and the same sequence
//! with the knob off, which is the mock's old behaviour.
//!
//! Model `m`'s `production` rolls 50 % every 10 s: a promotion accepted at 0 s is `RELEASING`,
//! `RAMPING_UP` 50 % at 10 s and `SUCCEEDED` at 20 s.

use crate::common;

use std::time::Duration;

use baseten_mock::{
    DeploymentSeed, EnvironmentSeed, MockServer, ModelSeed, RollingSettings, Seed, Timings,
};
use common::{deployments_of, promote, promotion_of};

const M: &str = "m";
const PROD: &str = "production";
const V1: &str = "v1";
const V2: &str = "v2";

const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn seed() -> Seed {
    Seed::new().model(
        ModelSeed::new(M)
            .deployment(DeploymentSeed::new(V1))
            .deployment(DeploymentSeed::new(V2))
            .deployment(DeploymentSeed::new("v3"))
            .environment(
                EnvironmentSeed::new(PROD)
                    .deployment(V1)
                    .rolling(RollingSettings {
                        step_percent: 50,
                        step_seconds: 10,
                    }),
            ),
    )
}

async fn start(timings: Timings) -> MockServer {
    MockServer::builder()
        .seed(seed())
        .timings(timings)
        .start()
        .await
        .expect("the mock starts")
}

/// What a waiter classifies an environment read by: its `current_deployment`,
/// `candidate_deployment` and `in_progress_promotion` (status and traffic).
type View = (Option<String>, Option<String>, Option<(String, i64)>);

fn view(current: Option<&str>, candidate: Option<&str>, promotion: Option<(&str, i64)>) -> View {
    (
        current.map(str::to_owned),
        candidate.map(str::to_owned),
        promotion.map(|(status, traffic)| (status.to_owned(), traffic)),
    )
}

fn view_of(env: &baseten_api::types::EnvironmentV1) -> View {
    let (current, candidate) = deployments_of(env);
    (current, candidate, promotion_of(env))
}

/// The environment's view now, through `get_environment`; `list_environments` must agree.
async fn read(mock: &MockServer, env: &str) -> View {
    let got = view_of(&common::environment(mock, M, env).await);
    let list = mock
        .client()
        .list_environments()
        .model_id(M)
        .send()
        .await
        .expect("list_environments")
        .into_inner();
    let listed = list
        .environments
        .iter()
        .find(|e| e.name == env)
        .map(view_of);
    assert_eq!(listed.as_ref(), Some(&got), "list_environments differs");
    got
}

/// The environment's views at each instant of `at` (seconds of simulated time since start,
/// ascending), the clock moved there first.
async fn timeline(mock: &MockServer, env: &str, at: &[u64]) -> Vec<(u64, View)> {
    let mut views = Vec::new();
    for &t in at {
        let now = mock.elapsed();
        assert!(secs(t) >= now, "instant {t} s is past ({now:?})");
        mock.advance(secs(t) - now);
        views.push((t, read(mock, env).await));
    }
    views
}

// --- ended_candidate_visible ---------------------------------------------------------------

#[tokio::test]
async fn ended_candidate_visible_keeps_a_succeeded_candidate_while_the_promotion_is_shown() {
    let shown_30s = Timings::default().ended_promotion_visible(secs(30));
    for (keep, ended_candidate) in [(false, None), (true, Some(V2))] {
        let mock = start(shown_30s.ended_candidate_visible(keep)).await;
        promote(&mock, M, PROD, V2).await;
        assert_eq!(
            timeline(&mock, PROD, &[0, 10, 20, 49, 50]).await,
            [
                (0, view(Some(V1), Some(V2), Some(("RELEASING", 0)))),
                (10, view(Some(V1), Some(V2), Some(("RAMPING_UP", 50)))),
                (
                    20,
                    view(Some(V2), ended_candidate, Some(("SUCCEEDED", 100)))
                ),
                (
                    49,
                    view(Some(V2), ended_candidate, Some(("SUCCEEDED", 100)))
                ),
                (50, view(Some(V2), None, None)),
            ],
            "ended_candidate_visible({keep})"
        );
    }
}

#[tokio::test]
async fn ended_candidate_visible_keeps_a_failed_candidate_beside_the_unchanged_current() {
    let shown_30s = Timings::default().ended_promotion_visible(secs(30));
    for (keep, ended_candidate) in [(false, None), (true, Some(V2))] {
        let mock = start(shown_30s.ended_candidate_visible(keep)).await;
        promote(&mock, M, PROD, V2).await;
        mock.advance(secs(10));
        mock.fail_promotion(M, PROD).expect("a promotion to fail");
        assert_eq!(
            timeline(&mock, PROD, &[10, 20, 49, 50]).await,
            [
                (10, view(Some(V1), Some(V2), Some(("RAMPING_DOWN", 50)))),
                (20, view(Some(V1), ended_candidate, Some(("FAILED", 0)))),
                (49, view(Some(V1), ended_candidate, Some(("FAILED", 0)))),
                (50, view(Some(V1), None, None)),
            ],
            "ended_candidate_visible({keep})"
        );
    }
}

#[tokio::test]
async fn ended_candidate_visible_shows_nothing_when_ended_promotions_are_not_shown() {
    let mock = start(Timings::default().ended_candidate_visible(true)).await;
    promote(&mock, M, PROD, V2).await;
    assert_eq!(
        timeline(&mock, PROD, &[10, 20]).await,
        [
            (10, view(Some(V1), Some(V2), Some(("RAMPING_UP", 50)))),
            (20, view(Some(V2), None, None)),
        ]
    );
}
