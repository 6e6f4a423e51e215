//! The `Timings` knobs that make environment reads show the states between two transitions
//! (README, "Adversarial timings"): each one's exact sequence of views at chosen simulated
//! instants, through `get_environment` and `list_environments` alike, and the same sequence
//! with the knob off, which is the mock's old behaviour.
//!
//! Model `m`'s `production` rolls 50 % every 10 s: a promotion accepted at 0 s is `RELEASING`,
//! `RAMPING_UP` 50 % at 10 s and `SUCCEEDED` at 20 s.
//!
//! `preview` (serving nothing) promotes at once. The knobs in the order of the README:
//! `ended_candidate_visible`, `candidate_lead`, `current_switch_delay`, `chain_promotion` (on
//! the demo's chain); then deleting an environment (`MockServer::delete_environment`, the
//! seed's `deleted_after_seconds`); last, the longest durations, which must not overflow.

use crate::common;

use std::time::Duration;

use baseten_mock::{
    DeploymentSeed, EnvironmentSeed, MockServer, ModelSeed, PromotionStatus, RollingSettings, Seed,
    SeedError, Timings,
};
use common::{assert_api_error, deployments_of, promote, promotion_of, try_promote};

const M: &str = "m";
const PROD: &str = "production";
const V1: &str = "v1";
const V2: &str = "v2";
const V3: &str = "v3";

const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn seed() -> Seed {
    Seed::new().model(model())
}

fn model() -> ModelSeed {
    ModelSeed::new(M)
        .deployment(DeploymentSeed::new("dev").development())
        .deployment(DeploymentSeed::new(V1))
        .deployment(DeploymentSeed::new(V2))
        .deployment(DeploymentSeed::new(V3))
        .environment(EnvironmentSeed::new(PROD).deployment(V1).rolling(rolling()))
        .environment(EnvironmentSeed::new("preview"))
}

/// Rolling like `production`.
fn rolling() -> RollingSettings {
    RollingSettings {
        step_percent: 50,
        step_seconds: 10,
    }
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

// --- candidate_lead ------------------------------------------------------------------------

#[tokio::test]
async fn candidate_lead_shows_the_candidate_before_the_promotion_object() {
    for (lead, hidden) in [(0, false), (15, true)] {
        let mock = start(Timings::default().candidate_lead(secs(lead))).await;
        promote(&mock, M, PROD, V2).await;
        // Before the lead ends: the promotion object the environment showed before (none).
        let early = |status, traffic| (!hidden).then_some((status, traffic));
        assert_eq!(
            timeline(&mock, PROD, &[0, 9, 10, 14, 15, 20]).await,
            [
                (0, view(Some(V1), Some(V2), early("RELEASING", 0))),
                (9, view(Some(V1), Some(V2), early("RELEASING", 0))),
                (10, view(Some(V1), Some(V2), early("RAMPING_UP", 50))),
                (14, view(Some(V1), Some(V2), early("RAMPING_UP", 50))),
                (15, view(Some(V1), Some(V2), Some(("RAMPING_UP", 50)))),
                (20, view(Some(V2), None, None)),
            ],
            "candidate_lead({lead} s)"
        );
    }
}

#[tokio::test]
async fn a_promotion_hidden_by_its_lead_still_runs_and_blocks_another() {
    let mock = start(Timings::default().candidate_lead(secs(15))).await;
    promote(&mock, M, PROD, V2).await;
    assert_eq!(read(&mock, PROD).await, view(Some(V1), Some(V2), None));
    let err = try_promote(&mock, M, PROD, V3).await.unwrap_err();
    assert_api_error(
        &err,
        400,
        "Environment production already has a promotion in progress.",
    );
    // The Rust API shows the promotion as it is.
    let promotion = mock.promotion(M, PROD).expect("a promotion");
    assert_eq!(promotion.status, PromotionStatus::Releasing);
}

#[tokio::test]
async fn candidate_lead_keeps_showing_the_previous_promotions_terminal_status_while_it_is_shown() {
    // The first promotion succeeds at 20 s and is shown until 50 s; the second is accepted at
    // 45 s, steps at 55 s and succeeds at 65 s.
    let shown_30s = Timings::default().ended_promotion_visible(secs(30));
    for (lead, hidden) in [(0, false), (15, true)] {
        let mock = start(shown_30s.candidate_lead(secs(lead))).await;
        promote(&mock, M, PROD, V2).await;
        mock.advance(secs(45));
        promote(&mock, M, PROD, V3).await;
        let succeeded = Some(("SUCCEEDED", 100));
        let early = |before, status, traffic| {
            if hidden {
                before
            } else {
                Some((status, traffic))
            }
        };
        assert_eq!(
            timeline(&mock, PROD, &[45, 49, 50, 55, 59, 60, 65]).await,
            [
                (
                    45,
                    view(Some(V2), Some(V3), early(succeeded, "RELEASING", 0))
                ),
                (
                    49,
                    view(Some(V2), Some(V3), early(succeeded, "RELEASING", 0))
                ),
                (50, view(Some(V2), Some(V3), early(None, "RELEASING", 0))),
                (55, view(Some(V2), Some(V3), early(None, "RAMPING_UP", 50))),
                (59, view(Some(V2), Some(V3), early(None, "RAMPING_UP", 50))),
                (60, view(Some(V2), Some(V3), Some(("RAMPING_UP", 50)))),
                (65, view(Some(V3), None, succeeded)),
            ],
            "candidate_lead({lead} s)"
        );
    }
}

#[tokio::test]
async fn a_promotion_that_ends_within_its_lead_is_shown_ended() {
    let mock = start(Timings::default().candidate_lead(secs(60))).await;
    promote(&mock, M, PROD, V2).await;
    assert_eq!(
        timeline(&mock, PROD, &[0, 19, 20]).await,
        [
            (0, view(Some(V1), Some(V2), None)),
            (19, view(Some(V1), Some(V2), None)),
            (20, view(Some(V2), None, None)),
        ]
    );
}

#[tokio::test]
async fn the_lead_of_a_development_promotion_counts_from_the_build_request() {
    // A 30 s build, then the rolling promotion into production (10 s steps of 50 %).
    let build = Timings::new(secs(10), secs(10), secs(10));
    for (lead, hidden) in [(0, false), (35, true)] {
        let mock = start(build.candidate_lead(secs(lead))).await;
        let new = common::promote_development(&mock, M).await.id;
        let new = Some(new.as_str());
        let early = |status, traffic| (!hidden).then_some((status, traffic));
        assert_eq!(
            timeline(&mock, PROD, &[0, 29, 30, 34, 35, 40, 50]).await,
            [
                (0, view(Some(V1), new, early("RELEASING", 0))),
                (29, view(Some(V1), new, early("RELEASING", 0))),
                // Built: the rolling promotion starts, its lead counted from 0 s.
                (30, view(Some(V1), new, early("RELEASING", 0))),
                (34, view(Some(V1), new, early("RELEASING", 0))),
                (35, view(Some(V1), new, Some(("RELEASING", 0)))),
                (40, view(Some(V1), new, Some(("RAMPING_UP", 50)))),
                (50, view(new, None, None)),
            ],
            "candidate_lead({lead} s)"
        );
    }
}

// --- current_switch_delay ------------------------------------------------------------------

#[tokio::test]
async fn current_switch_delay_shows_the_previous_current_after_the_promotion_cleared() {
    for (delay, before_switch) in [(0, V2), (15, V1)] {
        let mock = start(Timings::default().current_switch_delay(secs(delay))).await;
        promote(&mock, M, PROD, V2).await;
        assert_eq!(
            timeline(&mock, PROD, &[10, 20, 34, 35]).await,
            [
                (10, view(Some(V1), Some(V2), Some(("RAMPING_UP", 50)))),
                (20, view(Some(before_switch), None, None)),
                (34, view(Some(before_switch), None, None)),
                (35, view(Some(V2), None, None)),
            ],
            "current_switch_delay({delay} s)"
        );
    }
}

#[tokio::test]
async fn during_the_switch_delay_only_the_environment_reads_lag() {
    let mock = start(Timings::default().current_switch_delay(secs(15))).await;
    promote(&mock, M, PROD, V2).await;
    mock.advance(secs(25));
    let env = common::environment(&mock, M, PROD).await;
    let shown = env.current_deployment.expect("a current deployment");
    assert_eq!(shown.id, V1);
    // The deployment objects are as they are now: v1 was scaled down, v2 serves production.
    assert!(!shown.is_production);
    assert_eq!(shown.status.to_string(), "SCALED_TO_ZERO");
    let v2 = mock
        .client()
        .get_deployment()
        .model_id(M)
        .deployment_id(V2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(v2.is_production);
    assert_eq!(
        mock.environment(M, PROD).unwrap().deployment_id.as_deref(),
        Some(V2)
    );
}

#[tokio::test]
async fn with_a_shown_ended_promotion_the_switch_comes_after_it_clears() {
    // Zero delay is the old order, "switch before clearing": SUCCEEDED beside the new current.
    let shown_30s = Timings::default().ended_promotion_visible(secs(30));
    for (delay, before_switch) in [(0, V2), (15, V1)] {
        let mock = start(shown_30s.current_switch_delay(secs(delay))).await;
        promote(&mock, M, PROD, V2).await;
        let succeeded = Some(("SUCCEEDED", 100));
        assert_eq!(
            timeline(&mock, PROD, &[20, 49, 50, 64, 65]).await,
            [
                (20, view(Some(before_switch), None, succeeded)),
                (49, view(Some(before_switch), None, succeeded)),
                (50, view(Some(before_switch), None, None)),
                (64, view(Some(before_switch), None, None)),
                (65, view(Some(V2), None, None)),
            ],
            "current_switch_delay({delay} s)"
        );
    }
}

#[tokio::test]
async fn a_promotion_accepted_during_the_switch_delay_ends_it() {
    let mock = start(Timings::default().current_switch_delay(secs(15))).await;
    promote(&mock, M, PROD, V2).await;
    assert_eq!(
        timeline(&mock, PROD, &[24]).await,
        [(24, view(Some(V1), None, None))]
    );
    promote(&mock, M, PROD, V3).await;
    assert_eq!(
        read(&mock, PROD).await,
        view(Some(V2), Some(V3), Some(("RELEASING", 0)))
    );
}

#[tokio::test]
async fn an_immediate_promotion_switches_at_once_whatever_the_delay() {
    let mock = start(Timings::default().current_switch_delay(secs(15))).await;
    promote(&mock, M, "preview", V2).await;
    assert_eq!(read(&mock, "preview").await, view(Some(V2), None, None));
}

// --- chain_promotion -----------------------------------------------------------------------

/// `get_chain_environment` of the demo chain: current and candidate chain deployment, and the
/// chainlets whose settings it shows.
async fn chain_view(mock: &MockServer) -> (Option<String>, Option<String>, usize) {
    let env = mock
        .client()
        .get_chain_environment()
        .chain_id("chn-rag")
        .env_name(PROD)
        .send()
        .await
        .expect("get_chain_environment")
        .into_inner();
    (
        env.current_deployment.map(|d| d.id),
        env.candidate_deployment.map(|d| d.id),
        env.chainlet_settings.len(),
    )
}

#[tokio::test]
async fn chain_promotion_shows_the_candidate_before_switching_current() {
    let (old, new) = ("chd-rag-1", "chd-rag-2");
    // chd-rag-1 has one chainlet, chd-rag-2 two.
    let before = (Some(old.to_owned()), Some(new.to_owned()), 1);
    let after = (Some(new.to_owned()), None, 2);
    let mut answers = Vec::new();
    for (seconds, switching) in [(0, false), (30, true)] {
        let mock = MockServer::builder()
            .seed(Seed::demo())
            .timings(Timings::default().chain_promotion(secs(seconds)))
            .start()
            .await
            .unwrap();
        let (status, answer) = common::post(
            &mock,
            "/v1/chains/chn-rag/environments/production/promote",
            Some(r#"{"deployment_id": "chd-rag-2"}"#),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        answers.push(answer);
        let mut views = Vec::new();
        for t in [0, 29, 30] {
            mock.advance(secs(t) - mock.elapsed());
            views.push((t, chain_view(&mock).await));
        }
        let early = if switching { &before } else { &after };
        assert_eq!(
            views,
            [(0, early.clone()), (29, early.clone()), (30, after.clone())],
            "chain_promotion({seconds} s)"
        );
        // Nothing else waits: the deployments and the Rust API show the switch at once.
        assert_eq!(
            mock.chain_environment("chn-rag", PROD)
                .unwrap()
                .deployment_id
                .as_deref(),
            Some(new)
        );
        assert_eq!(mock.chain_deployment(old).unwrap().environment, None);
    }
    // The promotion answers the same with the knob on as with it off.
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0]["environment"], PROD);
}

// --- deleting an environment ---------------------------------------------------------------

/// `staging` of model `m` serves v3 and rolls like `production`.
async fn with_staging(staging: EnvironmentSeed) -> MockServer {
    let mock = MockServer::start().await;
    mock.seed(Seed::new().model(model().environment(staging)))
        .expect("a valid seed");
    mock
}

fn staging() -> EnvironmentSeed {
    EnvironmentSeed::new("staging")
        .deployment(V3)
        .rolling(rolling())
}

/// `get_environment`, for an environment that may be gone.
async fn get_env(mock: &MockServer, env: &str) -> Result<View, baseten_api::Error> {
    mock.client()
        .get_environment()
        .model_id(M)
        .env_name(env)
        .send()
        .await
        .map(|r| view_of(&r.into_inner()))
}

async fn get_staging(mock: &MockServer) -> Result<View, baseten_api::Error> {
    get_env(mock, "staging").await
}

async fn environment_names(mock: &MockServer) -> Vec<String> {
    let list = mock
        .client()
        .list_environments()
        .model_id(M)
        .send()
        .await
        .unwrap()
        .into_inner();
    list.environments.into_iter().map(|e| e.name).collect()
}

#[track_caller]
fn assert_gone(result: Result<impl std::fmt::Debug, baseten_api::Error>) {
    let err = result.expect_err("the environment is gone");
    assert_api_error(&err, 404, "Environment staging not found for model m.");
}

#[tokio::test]
async fn a_deleted_environment_cancels_its_promotion_and_answers_404() {
    let mock = with_staging(staging()).await;
    promote(&mock, M, PROD, V2).await;
    promote(&mock, M, "staging", V1).await;
    mock.advance(secs(10));
    assert_eq!(
        get_staging(&mock).await.unwrap(),
        view(Some(V3), Some(V1), Some(("RAMPING_UP", 50)))
    );
    assert_eq!(
        mock.deployment(V3).unwrap().environment.as_deref(),
        Some("staging")
    );

    mock.delete_environment(M, "staging")
        .expect("staging can be deleted");

    assert_gone(get_staging(&mock).await);
    assert_gone(try_promote(&mock, M, "staging", V2).await);
    assert_gone(
        mock.client()
            .cancel_promotion()
            .model_id(M)
            .env_name("staging")
            .send()
            .await,
    );
    assert_eq!(environment_names(&mock).await, ["preview", PROD]);
    assert!(mock.environment(M, "staging").is_none());
    // Canceled at the instant of the deletion; the deployments are left as they are.
    let end = mock.promotion_ended_at(M, "staging").expect("it ended");
    assert_eq!(
        (end.at, end.status, end.percent_traffic),
        (secs(10), PromotionStatus::Canceled, 0)
    );
    let v3 = mock.deployment(V3).unwrap();
    assert_eq!(v3.environment, None);
    assert_eq!(v3.status, baseten_mock::DeploymentStatus::Active);
    // The other environments go on: production's promotion still succeeds at 20 s.
    mock.advance(secs(10));
    assert_eq!(read(&mock, PROD).await, view(Some(V2), None, None));
}

#[tokio::test]
async fn production_cannot_be_deleted_nor_what_does_not_exist() {
    let mock = with_staging(staging()).await;
    match mock.delete_environment(M, PROD) {
        Err(baseten_mock::MockError::Validation(message)) => {
            assert_eq!(message, "The production environment cannot be deleted.");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(read(&mock, PROD).await, view(Some(V1), None, None));
    for (model, env) in [("nope", "staging"), (M, "qa")] {
        assert!(
            matches!(
                mock.delete_environment(model, env),
                Err(baseten_mock::MockError::NotFound(_))
            ),
            "{model}/{env}"
        );
    }
    mock.delete_environment(M, "staging").unwrap();
    assert!(matches!(
        mock.delete_environment(M, "staging"),
        Err(baseten_mock::MockError::NotFound(_))
    ));
}

#[tokio::test]
async fn deleted_after_seconds_deletes_the_environment_that_long_after_its_first_promotion() {
    // 10 % every 10 s: still rolling when it is deleted.
    let slow = RollingSettings {
        step_percent: 10,
        step_seconds: 10,
    };
    let mock = with_staging(staging().rolling(slow).deleted_after_seconds(35)).await;
    // Counted from the first promotion, not from start-up.
    mock.advance(secs(100));
    assert_eq!(
        get_staging(&mock).await.unwrap(),
        view(Some(V3), None, None)
    );
    let env = mock.environment(M, "staging").unwrap();
    assert_eq!((env.deleted_after, env.deletion_at), (Some(secs(35)), None));

    promote(&mock, M, "staging", V2).await;
    let env = mock.environment(M, "staging").unwrap();
    assert_eq!(env.deletion_at, Some(secs(135)));
    mock.advance(secs(34));
    assert_eq!(
        get_staging(&mock).await.unwrap(),
        view(Some(V3), Some(V2), Some(("RAMPING_UP", 30)))
    );

    // One jump past it: deleted at 135 s, its promotion canceled then, no step after that.
    mock.advance(secs(65));
    assert_gone(get_staging(&mock).await);
    assert_gone(try_promote(&mock, M, "staging", V1).await);
    assert_eq!(environment_names(&mock).await, ["preview", PROD]);
    let history: Vec<_> = mock
        .promotion_history(M, "staging")
        .into_iter()
        .map(|e| (e.at, e.status, e.percent_traffic))
        .collect();
    assert_eq!(
        history[history.len() - 2..],
        [
            (secs(130), PromotionStatus::RampingUp, 30),
            (secs(135), PromotionStatus::Canceled, 0),
        ]
    );
}

#[tokio::test]
async fn later_promotions_do_not_move_the_deletion() {
    // `qa` promotes at once: a second promotion can follow the first.
    let mock = with_staging(EnvironmentSeed::new("qa").deleted_after_seconds(30)).await;
    promote(&mock, M, "qa", V2).await;
    mock.advance(secs(10));
    promote(&mock, M, "qa", V3).await;
    mock.advance(secs(19));
    assert_eq!(
        get_env(&mock, "qa").await.unwrap(),
        view(Some(V3), None, None)
    );
    mock.advance(secs(1));
    let err = get_env(&mock, "qa").await.unwrap_err();
    assert_api_error(&err, 404, "Environment qa not found for model m.");
}

#[tokio::test]
async fn deleted_after_seconds_is_read_from_a_seed_file_and_refused_on_production() {
    let text = "models:\n  - id: x\n    environments:\n      - name: staging\n        deleted_after_seconds: 5\n";
    let seed = Seed::from_yaml_str(text, "seed.yaml").unwrap();
    assert_eq!(
        seed.models[0].environments[0].deleted_after_seconds,
        Some(5)
    );

    let mock = MockServer::start().await;
    let err = mock
        .seed(Seed::new().model(
            ModelSeed::new("x").environment(EnvironmentSeed::new(PROD).deleted_after_seconds(5)),
        ))
        .unwrap_err();
    match err {
        SeedError::Invalid { field, message, .. } => {
            assert_eq!(field, "models[0].environments[0].deleted_after_seconds");
            assert_eq!(message, "production cannot be deleted");
        }
        other => panic!("expected an Invalid error, got {other:?}"),
    }
    assert!(mock.model_ids().is_empty(), "a rejected seed adds nothing");
}

// --- bad input -----------------------------------------------------------------------------

#[tokio::test]
async fn the_longest_durations_show_the_in_between_states_for_ever_without_overflowing() {
    let forever = Duration::MAX;
    let mock = MockServer::builder()
        .seed(Seed::new().model(model().environment(staging().deleted_after_seconds(u64::MAX))))
        .timings(
            Timings::default()
                .ended_promotion_visible(forever)
                .candidate_lead(forever)
                .current_switch_delay(forever)
                .chain_promotion(forever),
        )
        .start()
        .await
        .unwrap();
    // Later than 0 s, so that every deadline would overflow.
    mock.advance(secs(1));
    promote(&mock, M, PROD, V2).await;
    promote(&mock, M, "staging", V2).await;
    assert_eq!(
        timeline(&mock, PROD, &[1, 21, 3600]).await,
        [
            (1, view(Some(V1), Some(V2), None)),
            (21, view(Some(V1), None, Some(("SUCCEEDED", 100)))),
            (3600, view(Some(V1), None, Some(("SUCCEEDED", 100)))),
        ]
    );
    assert_eq!(
        mock.environment(M, "staging").unwrap().deletion_at,
        Some(Duration::MAX)
    );
    assert!(get_staging(&mock).await.is_ok());
}
