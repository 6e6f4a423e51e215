//! Every ending is the truth, also on the states Baseten may show between transitions: one test
//! per case that once ended wrong (issue 18), on the mock (with its adversarial timings where
//! they matter, and clean), or on a scripted server where the mock cannot show the state.

use std::time::{Duration, Instant};

use serde_json::json;

#[path = "../../../tests/shared/blackhole.rs"]
mod blackhole;

use blackhole::Blackhole;

use crate::scripted::{Answer, Scripted, environment};
use crate::support::{FAST, Run, deploy, mock, mock_with, run, spawn};

const SETTLE: [&str; 2] = ["--settle", "2s"];

/// The mock with the adversarial timings that bear on a promotion's ending, or none of them.
pub(crate) fn adversarial(on: bool) -> crate::support::Mock {
    if on {
        mock_with(&[
            "--ended-promotion-keeps-candidate",
            "--candidate-lead-seconds",
            "2",
            "--current-switch-delay-seconds",
            "1",
        ])
    } else {
        mock()
    }
}

/// Re-promoting the known-good deployment while the failed promotion's FAILED still shows (3 s
/// here): the rollback succeeded, and the earlier FAILED is not blamed on it.
#[test]
fn re_promoting_the_current_deployment_after_a_failure_is_a_success() {
    each_at_once(&[false, true], |&on| {
        let mock = adversarial(on);
        let failed = run(deploy(&mock.url)
            .args(["promote", "--model", "mdl-broken", "--env", "production"])
            .args(["--deployment", "dpl-broken-v2", "--wait"])
            .args(FAST)
            .args(SETTLE));
        assert_eq!(failed.code, 8, "adversarial {on}: {failed:#?}");
        let rolled_back = run(deploy(&mock.url)
            .args(["promote", "--model", "mdl-broken", "--env", "production"])
            .args(["--deployment", "dpl-broken-v1", "--wait"])
            .args(FAST)
            .args(SETTLE));
        assert_eq!(rolled_back.code, 0, "adversarial {on}: {rolled_back:#?}");
        rolled_back
            .assert_stdout("dpl-broken-v1 is the current deployment of mdl-broken/production");
    });
}

/// Runs `case` for every item at once, each on its own thread and mock (the cases mostly wait).
pub(crate) fn each_at_once<T: Sync>(items: &[T], case: impl Fn(&T) + Sync) {
    std::thread::scope(|scope| {
        for item in items {
            scope.spawn(|| case(item));
        }
    });
}

/// Reads `status` until `deployment` is the current deployment of mdl-race/production.
fn until_current(url: &str, deployment: &str) {
    let started = Instant::now();
    loop {
        let status = run(deploy(url).args([
            "--output",
            "json",
            "status",
            "--model",
            "mdl-race",
            "--env",
            "production",
        ]));
        if status.json()["environments"][0]["current_deployment"]["id"] == deployment {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{status:#?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Ours goes live, and another pipeline promotes a third deployment before the next read: the
/// wait ends on the truth (ours went live), not "another deployment is current".
#[test]
fn ours_live_then_another_promotion_within_one_poll_is_a_success() {
    let mock = mock();
    let promoted = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-race", "--env", "production"])
        .args(["--deployment", "dpl-race-v2"]));
    assert_eq!(promoted.code, 0, "{promoted:#?}");
    // Reads every 3 s; ours takes two 2 s steps, the other pipeline's as long.
    let waiting = spawn(
        deploy(&mock.url)
            .args(["wait", "--model", "mdl-race", "--env", "production"])
            .args(["--deployment", "dpl-race-v2", "--poll-interval", "3s"]),
    );
    until_current(&mock.url, "dpl-race-v2");
    let other = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-race", "--env", "production"])
        .args(["--deployment", "dpl-race-v3"]));
    assert_eq!(other.code, 0, "{other:#?}");
    let waited = waiting.finish();
    assert_eq!(waited.code, 0, "{waited:#?}");
    waited.assert_stdout("dpl-race-v2 is the current deployment of mdl-race/production");
}

const ENV: &str = "GET /v1/models/mdl-s/environments/production";

/// `cancel --wait` sent while ours ramps, and the next read shows ours current with a third
/// deployment already being promoted: too late (exit 8), not a timeout.
#[test]
fn a_cancel_overtaken_by_success_and_another_promotion_is_too_late() {
    let server = Scripted::start(vec![
        (
            ENV,
            vec![
                Answer::json(200, environment("v1", Some("v2"), Some(("RAMPING_UP", 50)))),
                Answer::json(200, environment("v2", Some("v3"), Some(("RELEASING", 0)))),
            ],
        ),
        (
            "POST /v1/models/mdl-s/environments/production/cancel_promotion",
            vec![Answer::json(
                200,
                json!({"status": "RAMPING_DOWN", "message": "Rolling back."}),
            )],
        ),
    ]);
    let canceled = run(deploy(&server.url)
        .args([
            "cancel",
            "--model",
            "mdl-s",
            "--env",
            "production",
            "--wait",
        ])
        .args(FAST)
        .args(["--timeout", "20s"]));
    assert_eq!(canceled.code, 8, "{canceled:#?}");
    canceled.assert_stderr("too late: the promotion finished before the cancel took effect; v2 is the current deployment");
}

/// A chain promotion that takes time: the environment shows ours as the candidate for 3 s; the
/// wait goes on until it is current.
#[test]
fn a_chain_promotion_that_takes_time_is_waited_for() {
    let mock = mock_with(&["--chain-promotion-seconds", "3"]);
    let started = Instant::now();
    let promoted = run(deploy(&mock.url)
        .args(["promote-chain", "--chain", "chn-rag", "--env", "production"])
        .args(["--deployment", "chd-rag-2", "--wait"])
        .args(FAST)
        .args(SETTLE));
    assert_eq!(promoted.code, 0, "{promoted:#?}");
    promoted.assert_stdout("chd-rag-2 is the current deployment of chn-rag/production");
    assert!(started.elapsed() >= Duration::from_secs(3), "{promoted:#?}");
}

/// `wait --deployment D` where D's build already failed: exit 8 at once, not a poll of the
/// environment until the start grace or the deadline.
#[test]
fn waiting_for_a_deployment_whose_build_failed_ends_at_once() {
    let mock = mock();
    let created = run(deploy(&mock.url).args([
        "--output",
        "json",
        "promote-development",
        "--model",
        "mdl-devfail",
    ]));
    assert_eq!(created.code, 0, "{created:#?}");
    let id = created.json()["deployment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The mock's build stage takes 1 s here, then fails; a new deployment answers 404 for 1 s.
    std::thread::sleep(Duration::from_millis(2_500));
    let started = Instant::now();
    let waited = run(deploy(&mock.url)
        .args(["wait", "--model", "mdl-devfail", "--env", "production"])
        .args(["--deployment", &id, "--timeout", "60s"])
        .args(FAST));
    assert_eq!(waited.code, 8, "{waited:#?}");
    waited.assert_stderr("BUILD_FAILED");
    assert!(started.elapsed() < Duration::from_secs(5), "{waited:#?}");
}

/// A promotion that slows down: 10 % every 30 s, so nothing moves while a signal is sent.
fn promote_slowly(url: &str) {
    let promoted = run(deploy(url)
        .args(["promote", "--model", "mdl-slow", "--env", "production"])
        .args(["--deployment", "dpl-slow-v2"]));
    assert_eq!(promoted.code, 0, "{promoted:#?}");
}

/// `force-cancel --wait` and `cancel --wait` when the promotion is gone by the first read (the
/// mock shows no terminal status): the command saw it in progress before it signalled, so it
/// ends after `--settle`, not after the 60 s "never started" grace.
#[test]
fn a_signal_whose_promotion_is_gone_by_the_first_read_ends_after_the_settle_interval() {
    each_at_once(&["force-cancel", "cancel"], |&signal| {
        let mock = mock_with(&["--ended-promotion-seconds", "0"]);
        promote_slowly(&mock.url);
        let started = Instant::now();
        let signalled = run(deploy(&mock.url)
            .args([
                signal,
                "--model",
                "mdl-slow",
                "--env",
                "production",
                "--wait",
            ])
            .args(FAST)
            .args(SETTLE));
        assert_eq!(signalled.code, 0, "{signal}: {signalled:#?}");
        signalled.assert_stdout("dpl-slow-v1 is current");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{signal} took {:?}: {signalled:#?}",
            started.elapsed()
        );
    });
    // Rolled forward: the candidate is current by the time the promotion object is gone.
    let mock = mock_with(&["--ended-promotion-seconds", "0"]);
    let promoted = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-step", "--env", "production"])
        .args(["--deployment", "dpl-step-v2"]));
    assert_eq!(promoted.code, 0, "{promoted:#?}");
    let rolled = run(deploy(&mock.url)
        .args([
            "roll-forward",
            "--model",
            "mdl-step",
            "--env",
            "production",
            "--wait",
        ])
        .args(FAST)
        .args(SETTLE));
    assert_eq!(rolled.code, 0, "{rolled:#?}");
    rolled.assert_stdout("dpl-step-v2 is the current deployment of mdl-step/production");
}

/// The candidate shown before its promotion object, and the object cleared before `current`
/// switches (and the ended promotion keeping its candidate): still in progress, then success.
#[test]
fn a_promotion_shown_out_of_order_is_followed_to_success() {
    let variants: [&[&str]; 3] = [
        &["--candidate-lead-seconds", "2"][..],
        &[
            "--ended-promotion-seconds",
            "0",
            "--current-switch-delay-seconds",
            "1",
        ][..],
        &[
            "--ended-promotion-keeps-candidate",
            "--current-switch-delay-seconds",
            "1",
        ][..],
    ];
    each_at_once(&variants, |extra| {
        let mock = mock_with(extra);
        let promoted = run(deploy(&mock.url)
            .args(["promote", "--model", "mdl-roll", "--env", "production"])
            .args(["--deployment", "dpl-roll-v2", "--wait"])
            .args(FAST)
            .args(SETTLE));
        assert_eq!(promoted.code, 0, "{extra:?}: {promoted:#?}");
        promoted.assert_stdout("dpl-roll-v2 is the current deployment of mdl-roll/production");
    });
}

/// A server that stops answering mid-wait: the command ends within a second of `--timeout`,
/// with its JSON document, instead of running a read's whole retry policy.
#[test]
fn a_deadline_is_a_deadline_when_the_server_stops_answering() {
    let in_progress = environment("v1", Some("v2"), Some(("RAMPING_UP", 50)));
    let server = Scripted::start(vec![(
        ENV,
        vec![
            Answer::json(200, in_progress.clone()).times(2),
            Answer::json(200, in_progress).delayed(Duration::from_secs(120)),
        ],
    )]);
    let started = Instant::now();
    let waited = run(deploy(&server.url)
        .args([
            "--output",
            "json",
            "wait",
            "--model",
            "mdl-s",
            "--env",
            "production",
        ])
        .args(["--timeout", "3s", "--poll-interval", "1s"]));
    let took = started.elapsed();
    assert_eq!(waited.code, 7, "{waited:#?}");
    assert!(took < Duration::from_secs(4), "took {took:?}: {waited:#?}");
    assert_eq!(waited.json()["outcome"], "timed_out", "{waited:#?}");
    assert!(server.count(ENV) >= 3, "{waited:#?}");
}

/// Deleting the environment cancels its promotion, and it then answers 404: exit 10.
#[test]
fn an_environment_deleted_during_the_wait_is_exit_10() {
    let mock = mock();
    let promoted: Run = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-doomed", "--env", "staging"])
        .args(["--deployment", "dpl-doomed-v2", "--wait"])
        .args(FAST));
    assert_eq!(promoted.code, 10, "{promoted:#?}");
    promoted.assert_stderr("environment staging of model mdl-doomed was deleted during the wait");
}

/// An environment whose rolling-deploy strategy is newer than the crate (`SURGE`): `status` and
/// a wait read it, keep the value, and end on the truth instead of a decode error.
#[test]
fn an_environment_with_a_newer_rolling_deploy_strategy_is_read_and_waited_on() {
    let with_surge = |mut env: serde_json::Value| {
        env["promotion_settings"]["rolling_deploy_config"] = json!({
            "rolling_deploy_strategy": "SURGE", "max_surge_percent": 25,
            "max_unavailable_percent": 0, "stabilization_time_seconds": 300,
            "replica_overhead_percent": 10
        });
        env
    };
    let server = Scripted::start(vec![(
        ENV,
        vec![
            Answer::json(
                200,
                with_surge(environment("v1", Some("v2"), Some(("RAMPING_UP", 50)))),
            )
            .times(2),
            Answer::json(200, with_surge(environment("v2", None, None))),
        ],
    )]);
    let status =
        run(deploy(&server.url).args(["status", "--model", "mdl-s", "--env", "production"]));
    assert_eq!(status.code, 0, "{status:#?}");
    let waited = run(deploy(&server.url)
        .args(["wait", "--model", "mdl-s", "--env", "production"])
        .args(FAST));
    assert_eq!(waited.code, 0, "{waited:#?}");
    waited.assert_stdout("v2 is the current deployment of mdl-s/production");
}

/// A host that never answers the TCP handshake (a full accept queue on 127.0.0.1 drops further
/// SYNs): a connection never made, exit 6 with what to check, not "did not answer in time
/// (may have been executed)".
#[test]
fn a_connect_timeout_is_a_connection_never_made() {
    let blackhole = Blackhole::start();
    let address = blackhole.address;
    let started = Instant::now();
    let status = run(deploy(&format!("http://{address}"))
        .args(["--connect-timeout", "300ms"])
        .args(["status", "--model", "mdl-s", "--env", "production"]));
    assert_eq!(status.code, 6, "{status:#?}");
    status.assert_stderr("cannot connect to the Baseten API");
    assert!(
        !status.stderr.contains("did not answer in time"),
        "{status:#?}"
    );
    // Connect attempts are retried, each bounded by --connect-timeout.
    assert!(started.elapsed() < Duration::from_secs(10), "{status:#?}");
}
