//! `baseten-deploy` in a pipeline (issue 19): one document on every exit path, outputs the next
//! step can use, and the cases that surprised unattended users. On the mock, or on a scripted
//! server where the mock cannot show the case.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::scripted::{Answer, Scripted, environment};
use crate::support::{FAST, KEY, deploy, mock, run, spawn};

const ENV: &str = "GET /v1/models/mdl-s/environments/production";

/// Whatever went wrong on the command line, `--output json` prints one usage document.
#[test]
fn a_usage_error_with_json_output_is_one_document() {
    let mock = mock();
    for args in [
        &[
            "--output",
            "json",
            "promote",
            "--model",
            "m",
            "--env",
            "production",
        ][..],
        &[
            "--output=json",
            "wait",
            "--model",
            "m",
            "--env",
            "e",
            "--timeout",
            "5x",
        ][..],
        &[
            "promote",
            "--output",
            "json",
            "--poll-interval",
            "0s",
            "--model",
            "m",
        ][..],
        &["--output", "json", "no-such-command"][..],
    ] {
        let refused = run(deploy(&mock.url).args(args));
        assert_eq!(refused.code, 2, "{args:?}: {refused:#?}");
        let document = refused.json();
        assert_eq!(document["exit_code"], 2, "{document:#}");
        assert_eq!(document["result"], "usage", "{document:#}");
        assert_eq!(document["schema_version"], 1, "{document:#}");
        let message = document["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{document:#}");
        // clap's own explanation stays on stderr for people.
        assert!(refused.stderr.contains("error:"), "{refused:#?}");
    }
    let refused = run(deploy(&mock.url).args([
        "--output",
        "json",
        "promote",
        "--model",
        "m",
        "--env",
        "production",
    ]));
    assert_eq!(refused.json()["command"], "promote");
    refused.assert_stdout("--deployment");
    // Text output is clap's, unchanged.
    let text = run(deploy(&mock.url).args(["promote", "--model", "m"]));
    assert_eq!(text.code, 2, "{text:#?}");
    assert!(text.stdout.is_empty(), "{text:#?}");
}

/// A bug (a panic, forced here in the debug build) still ends with the document and a code from
/// the table.
#[test]
fn a_panic_still_writes_the_document_and_exits_11() {
    let mock = mock();
    let panicked = run(deploy(&mock.url)
        .env("BASETEN_DEPLOY_TEST_PANIC", "1")
        .args(["--output", "json", "status", "--model", "mdl-roll"]));
    assert_eq!(panicked.code, 11, "{panicked:#?}");
    let document = panicked.json();
    assert_eq!(document["result"], "internal", "{document:#}");
    assert!(
        document["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("internal error")),
        "{document:#}"
    );
}

/// A runner stopping the job with SIGTERM: handled as SIGINT (last state, document, summary,
/// nothing canceled), exit 143.
#[test]
fn sigterm_is_handled_like_sigint() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let waiting = spawn(
        deploy(&mock.url)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(["--output", "json", "promote", "--model", "mdl-slow"])
            .args([
                "--env",
                "production",
                "--deployment",
                "dpl-slow-v2",
                "--wait",
            ])
            .args(FAST),
    );
    // Events go to stderr with JSON output: wait for the first progress there.
    std::thread::sleep(Duration::from_millis(1_500));
    waiting.signal("TERM");
    let terminated = waiting.finish();
    assert_eq!(terminated.code, 143, "{terminated:#?}");
    let document = terminated.json();
    assert_eq!(document["result"], "terminated", "{document:#}");
    assert_eq!(document["outcome"], "interrupted", "{document:#}");
    assert_eq!(
        document["error"]["hint"], "nothing was canceled: the promotion goes on",
        "{document:#}"
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.contains("interrupted (exit 143)"), "{written}");
    let status = run(deploy(&mock.url).args([
        "--output",
        "json",
        "status",
        "--model",
        "mdl-slow",
        "--env",
        "production",
    ]));
    let env = &status.json()["environments"][0];
    assert_eq!(env["candidate_deployment"]["id"], "dpl-slow-v2", "{env:#}");
}

/// The document's `promotion` is the promotion as last seen, not as read before the command.
#[test]
fn roll_forward_reports_the_promotion_as_last_seen() {
    let mock = mock();
    let promoted = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-step", "--env", "production"])
        .args(["--deployment", "dpl-step-v2"]));
    assert_eq!(promoted.code, 0, "{promoted:#?}");
    let rolled = run(deploy(&mock.url)
        .args(["--output", "json", "roll-forward", "--model", "mdl-step"])
        .args(["--env", "production", "--wait"])
        .args(FAST));
    assert_eq!(rolled.code, 0, "{rolled:#?}");
    let document = rolled.json();
    assert_eq!(document["outcome"], "succeeded", "{document:#}");
    let promotion = &document["promotion"];
    // The last read showed no promotion (null) or its SUCCEEDED, never the RELEASING of before.
    assert!(
        promotion.is_null() || promotion["status"] == "SUCCEEDED",
        "{document:#}"
    );
}

/// A cancel that arrives just after the promotion finished is refused (400); the candidate went
/// live: too late, exit 8.
#[test]
fn a_cancel_refused_because_the_promotion_finished_is_too_late() {
    let server = Scripted::start(vec![
        (
            ENV,
            vec![
                Answer::json(200, environment("v1", Some("v2"), Some(("RAMPING_UP", 90)))),
                Answer::json(200, environment("v2", None, None)),
            ],
        ),
        (
            "POST /v1/models/mdl-s/environments/production/cancel_promotion",
            vec![Answer::json(
                400,
                json!({"code": "VALIDATION_ERROR",
                       "message": "Environment production has no in progress promotion."}),
            )],
        ),
    ]);
    let canceled =
        run(deploy(&server.url).args(["cancel", "--model", "mdl-s", "--env", "production"]));
    assert_eq!(canceled.code, 8, "{canceled:#?}");
    canceled.assert_stderr(
        "too late: the promotion ended before the cancel arrived; v2 is the current deployment",
    );
    // Nothing was in progress and nothing went live: the refusal stands.
    let server = Scripted::start(vec![
        (ENV, vec![Answer::json(200, environment("v1", None, None))]),
        (
            "POST /v1/models/mdl-s/environments/production/cancel_promotion",
            vec![Answer::json(
                400,
                json!({"code": "VALIDATION_ERROR", "message": "none"}),
            )],
        ),
    ]);
    let refused =
        run(deploy(&server.url).args(["cancel", "--model", "mdl-s", "--env", "production"]));
    assert_eq!(refused.code, 5, "{refused:#?}");
}

/// A key pasted with a newline or saved with a BOM is still the key; a blank first line is
/// named as such.
#[test]
fn the_key_is_cleaned_alike_from_the_variable_and_the_file() {
    let mock = mock();
    let status = |command: &mut std::process::Command| {
        run(command.args(["status", "--model", "mdl-roll", "--env", "production"]))
    };
    let pasted = status(deploy(&mock.url).env("BASETEN_API_KEY", format!("{KEY}\n")));
    assert_eq!(pasted.code, 0, "{pasted:#?}");
    let with_bom = status(deploy(&mock.url).env("BASETEN_API_KEY", format!("\u{feff}{KEY} ")));
    assert_eq!(with_bom.code, 0, "{with_bom:#?}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key");
    std::fs::write(&file, format!("\u{feff}{KEY}\r\n")).unwrap();
    let from_file = status(
        deploy(&mock.url)
            .env_remove("BASETEN_API_KEY")
            .arg("--api-key-file")
            .arg(&file),
    );
    assert_eq!(from_file.code, 0, "{from_file:#?}");
    std::fs::write(&file, format!("\n{KEY}\n")).unwrap();
    let blank = status(
        deploy(&mock.url)
            .env_remove("BASETEN_API_KEY")
            .arg("--api-key-file")
            .arg(&file),
    );
    assert_eq!(blank.code, 2, "{blank:#?}");
    blank.assert_stderr("its first line is blank");
}

/// `--poll-interval 0s` (a templated empty value) is refused below the floor instead of
/// reading as fast as the network allows.
#[test]
fn a_poll_interval_below_the_floor_is_refused() {
    let mock = mock();
    let refused = run(deploy(&mock.url).args([
        "wait",
        "--model",
        "mdl-roll",
        "--env",
        "production",
        "--poll-interval",
        "0s",
    ]));
    assert_eq!(refused.code, 2, "{refused:#?}");
    refused.assert_stderr("below the floor of 1s");
}

/// A wait that once saw an unknown status and then only PAUSED times out naming what it last
/// saw, not the old status.
#[test]
fn a_timeout_names_the_last_state_seen() {
    let server = Scripted::start(vec![(
        ENV,
        vec![
            Answer::json(200, environment("v1", Some("v2"), Some(("HALTED", 40)))).times(2),
            Answer::json(200, environment("v1", Some("v2"), Some(("PAUSED", 40)))),
        ],
    )]);
    let waited = run(deploy(&server.url)
        .args([
            "wait",
            "--model",
            "mdl-s",
            "--env",
            "production",
            "--timeout",
            "3s",
        ])
        .args(FAST));
    assert_eq!(waited.code, 7, "{waited:#?}");
    waited.assert_stderr("last seen: PAUSED 40% to the candidate");
    assert!(!waited.stderr.contains("HALTED"), "{waited:#?}");
}

/// `pause --wait` ends when the promotion is really PAUSED (at the next step boundary);
/// `wait --until paused` then ends at once.
#[test]
fn pause_wait_and_wait_until_paused_end_when_traffic_stops_moving() {
    let mock = mock();
    let promoted = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-step", "--env", "production"])
        .args(["--deployment", "dpl-step-v2"]));
    assert_eq!(promoted.code, 0, "{promoted:#?}");
    let paused = run(deploy(&mock.url)
        .args([
            "--output",
            "json",
            "pause",
            "--model",
            "mdl-step",
            "--env",
            "production",
        ])
        .args(["--wait", "--timeout", "30s"])
        .args(FAST));
    assert_eq!(paused.code, 0, "{paused:#?}");
    let document = paused.json();
    assert_eq!(document["outcome"], "paused", "{document:#}");
    assert_eq!(document["promotion"]["status"], "PAUSED", "{document:#}");
    let until = run(deploy(&mock.url)
        .args([
            "wait",
            "--model",
            "mdl-step",
            "--env",
            "production",
            "--until",
            "paused",
        ])
        .args(FAST));
    assert_eq!(until.code, 0, "{until:#?}");
    until.assert_stdout("is paused at");
}

/// In GitHub Actions: the step outputs in GITHUB_OUTPUT, the wait's lines in one group, and
/// exactly one `::error` for a failure.
#[test]
fn github_actions_gets_outputs_a_group_and_one_error() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("outputs");
    let promoted = run(deploy(&mock.url)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .args(["promote", "--model", "mdl-roll", "--env", "production"])
        .args(["--deployment", "dpl-roll-v2", "--wait"])
        .args(FAST));
    assert_eq!(promoted.code, 0, "{promoted:#?}");
    let written = std::fs::read_to_string(&outputs).unwrap();
    for line in [
        "outcome=succeeded",
        "exit-code=0",
        "deployment-id=dpl-roll-v2",
        "previous-deployment-id=dpl-roll-v1",
        "current-deployment-id=dpl-roll-v2",
    ] {
        assert!(written.lines().any(|l| l == line), "{line} in {written}");
    }
    assert!(
        written.lines().any(|l| l.starts_with("waited-seconds=")),
        "{written}"
    );
    assert!(
        written.lines().any(|l| l.starts_with("percent-traffic=")),
        "{written}"
    );
    let group = promoted.stdout.find("::group::").expect("a group");
    let end = promoted.stdout.find("::endgroup::").expect("its end");
    let progress = promoted.stdout.find("to the candidate").expect("progress");
    assert!(group < progress && progress < end, "{promoted:#?}");

    let failed = run(deploy(&mock.url)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .args(["promote", "--model", "mdl-broken", "--env", "production"])
        .args(["--deployment", "dpl-broken-v2", "--wait"])
        .args(FAST));
    assert_eq!(failed.code, 8, "{failed:#?}");
    let errors =
        failed.stdout.matches("::error").count() + failed.stderr.matches("::error").count();
    assert_eq!(errors, 1, "{failed:#?}");
    let written = std::fs::read_to_string(&outputs).unwrap();
    assert!(written.lines().any(|l| l == "exit-code=8"), "{written}");
}

/// `--output jsonl`: a JSON object per line as the wait goes (requests, progress), the final
/// document last; all stamped with the schema version.
#[test]
fn jsonl_streams_events_and_ends_with_the_document() {
    let mock = mock();
    let started = Instant::now();
    let promoted = run(deploy(&mock.url)
        .args(["--output", "jsonl", "promote", "--model", "mdl-roll"])
        .args([
            "--env",
            "production",
            "--deployment",
            "dpl-roll-v2",
            "--wait",
        ])
        .args(FAST));
    assert_eq!(promoted.code, 0, "{promoted:#?}");
    let lines: Vec<Value> = promoted
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert!(lines.iter().all(|l| l["schema_version"] == 1), "{lines:#?}");
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"request"), "{kinds:?}");
    assert!(kinds.contains(&"progress"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"result"), "{kinds:?}");
    let last = lines.last().unwrap();
    assert_eq!(last["outcome"], "succeeded", "{last:#}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A 429 whose `Retry-After` is an HTTP date is waited out (not retried at once), and one whose
/// body says `"retry_after": "1"` (a string) keeps Baseten's code and message.
#[test]
fn a_429_is_understood_in_both_forms() {
    // Two seconds from now, as an HTTP date (whole seconds: at least one second away).
    let at = std::time::SystemTime::now() + Duration::from_secs(2);
    let date = httpdate::fmt_http_date(at);
    let limited = json!({"error": "Rate limit exceeded. Please try again later."});
    let server = Scripted::start(vec![(
        ENV,
        vec![
            Answer::json(429, limited).header("retry-after", &date),
            Answer::json(200, environment("v1", None, None)),
        ],
    )]);
    let started = Instant::now();
    let status =
        run(deploy(&server.url).args(["status", "--model", "mdl-s", "--env", "production"]));
    assert_eq!(status.code, 0, "{status:#?}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "retried after {:?}, before the date {date}",
        started.elapsed()
    );
    assert_eq!(server.count(ENV), 2, "{status:#?}");

    let server = Scripted::start(vec![(
        ENV,
        vec![Answer::json(
            429,
            json!({"code": "RATE_LIMITED", "message": "slow down", "retry_after": "1"}),
        )],
    )]);
    let limited =
        run(deploy(&server.url).args(["status", "--model", "mdl-s", "--env", "production"]));
    assert_eq!(limited.code, 6, "{limited:#?}");
    limited.assert_stderr("RATE_LIMITED: slow down");
}
