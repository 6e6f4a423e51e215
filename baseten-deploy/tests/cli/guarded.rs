//! `promote --wait --check`: guarded promotions on the mock (mdl-guard rolls 25 % a second), with
//! check scripts that pass until a percentage and then fail, or hang. Each test checks the
//! mock's state afterwards with `status`, not only what the command said.

use std::path::Path;
use std::process::Command;

use crate::outcomes::{adversarial, each_at_once};
use crate::support::{DEPLOY, FAST, Run, deploy, mock, run, spawn};

const GUARD: [&str; 6] = [
    "promote",
    "--model",
    "mdl-guard",
    "--env",
    "production",
    "--wait",
];

/// Prints the facts it was given, then fails from `BASETEN_PERCENT_TRAFFIC` ≥ 50 with a last line
/// that says why.
const FAILS_FROM_50: &str = r#"echo "model=$BASETEN_MODEL_ID env=$BASETEN_ENVIRONMENT candidate=$BASETEN_CANDIDATE_DEPLOYMENT_ID current=$BASETEN_CURRENT_DEPLOYMENT_ID percent=$BASETEN_PERCENT_TRAFFIC"
if [ "$BASETEN_PERCENT_TRAFFIC" -ge 50 ]; then echo "error rate 12% > 1%"; exit 3; fi"#;

/// The environment's current deployment and promotion status, as `status` reads them.
fn current_and_status(url: &str) -> (String, String) {
    let status = run(deploy(url).args([
        "status",
        "--model",
        "mdl-guard",
        "--env",
        "production",
        "--output",
        "json",
    ]));
    let env = &status.json()["environments"][0];
    (
        env["current_deployment"]["id"].as_str().unwrap().to_owned(),
        env["promotion"]["status"]
            .as_str()
            .unwrap_or("none")
            .to_owned(),
    )
}

fn check_percents(run: &Run) -> Vec<i64> {
    run.json()["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks: {run:#?}"))
        .iter()
        .map(|c| c["percent_traffic"].as_i64().unwrap())
        .collect()
}

/// Whether a process is still running (a zombie waiting to be reaped is not).
fn alive(pid: &str) -> bool {
    let ps = Command::new("ps")
        .args(["-o", "stat=", "-p", pid.trim()])
        .output()
        .expect("ps runs");
    let stat = String::from_utf8_lossy(&ps.stdout);
    ps.status.success() && !stat.trim().is_empty() && !stat.trim().starts_with('Z')
}

fn read_pids(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The check fails at 50 %: cancel (clean mock) and force cancel (the mock's adversarial
/// in-between states) both roll back, and the command says which deployment is current as the
/// waiter read it, which the mock confirms.
#[test]
fn a_check_failing_at_50_rolls_back_and_says_which_deployment_is_current() {
    each_at_once(&[false, true], |&on| {
        let mock = adversarial(on);
        let (action, said) = if on {
            ("force-cancel", "force-canceled")
        } else {
            ("cancel", "rolled back")
        };
        let failed = run(deploy(&mock.url)
            .args(GUARD)
            .args(["--deployment", "dpl-guard-v2", "--output", "json"])
            .args(["--check", FAILS_FROM_50, "--check-at", "10,50,100"])
            .args(["--on-check-failure", action, "--settle", "2s"])
            .args(FAST));
        assert_eq!(failed.code, 8, "adversarial {on}: {failed:#?}");
        let document = failed.json();
        assert_eq!(
            document["message"],
            format!("check failed at 50 %: error rate 12% > 1%; {said}, dpl-guard-v1 is current"),
            "adversarial {on}"
        );
        assert_eq!(document["outcome"], "check_failed");
        assert_eq!(document["current_deployment"]["id"], "dpl-guard-v1");
        // The adversarial mock shows the promotion object 2 s after its candidate: its first
        // reading may already be at 50 %, which passes 10 and 50 at once (one check).
        let percents = check_percents(&failed);
        assert!(
            percents == [25, 50] || (on && percents == [50]),
            "adversarial {on}: {percents:?}"
        );
        let last = &document["checks"][percents.len() - 1];
        assert_eq!(last["exit_code"], 3);
        assert_eq!(last["result"], "failed");
        assert_eq!(last["output_tail"][1], "error rate 12% > 1%");
        let (current, status) = current_and_status(&mock.url);
        assert_eq!(current, "dpl-guard-v1", "adversarial {on}");
        assert_ne!(status, "SUCCEEDED", "adversarial {on}");
    });
}

/// A check that hangs is killed at --check-timeout with what it started in the background, and
/// counts as failed.
#[test]
fn a_hanging_check_is_killed_with_its_process_group_at_its_timeout() {
    let mock = mock();
    let temp = tempfile::tempdir().unwrap();
    let pids = temp.path().join("pids");
    let failed = run(deploy(&mock.url)
        .env("PIDS", &pids)
        .args(GUARD)
        .args(["--deployment", "dpl-guard-v2", "--output", "json"])
        .args([
            "--check",
            r#"sleep 120 & echo "$$ $!" > "$PIDS"; echo "smoke test started"; sleep 120"#,
        ])
        .args(["--check-at", "25", "--check-timeout", "1s"])
        .args(FAST));
    assert_eq!(failed.code, 8, "{failed:#?}");
    let document = failed.json();
    assert_eq!(
        document["message"],
        "check failed at 25 %: timed out after 1s (last output: smoke test started); rolled \
         back, dpl-guard-v1 is current"
    );
    assert_eq!(document["checks"][0]["result"], "timed_out");
    assert_eq!(document["checks"][0]["exit_code"], serde_json::Value::Null);
    let pids = read_pids(&pids);
    assert_eq!(pids.len(), 2, "{pids:?}");
    for pid in &pids {
        assert!(!alive(pid), "process {pid} of the check outlived it");
    }
    assert_eq!(current_and_status(&mock.url).0, "dpl-guard-v1");
}

/// Checks at 10 % and 100 % and a hold at 50 %, in one promotion (each test costs CI seconds):
/// the check gets the promotion's facts; at 50 % the promotion is really PAUSED while it runs
/// (the check reads it with `baseten-deploy status`), then it is resumed to success; 100 runs
/// after the success. The pause for 50 is asked for one step ahead, before any step was seen,
/// so the promotion pauses at 25 % too, and the check for 10 runs held there. In GitHub Actions
/// each run's output is in a group of its own, and the step summary lists the runs.
#[test]
fn the_check_runs_at_each_checkpoint_and_holds_at_50_then_it_succeeds() {
    let mock = mock();
    let temp = tempfile::tempdir().unwrap();
    let summary = temp.path().join("summary.md");
    let facts = FAILS_FROM_50.split('\n').next().unwrap();
    let done = run(deploy(&mock.url)
        .env("DEPLOY", DEPLOY)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(GUARD)
        .args(["--deployment", "dpl-guard-v2", "--output", "json"])
        .args([
            "--check",
            &format!(
                r#"{facts}; "$DEPLOY" status --model "$BASETEN_MODEL_ID" --env "$BASETEN_ENVIRONMENT""#
            ),
        ])
        .args(["--check-at", "10,100", "--hold-at", "50"])
        .args(FAST));
    assert_eq!(done.code, 0, "{done:#?}");
    assert_eq!(check_percents(&done), [25, 50, 100]);
    let checks = &done.json()["checks"];
    let field = |name: &str| -> Vec<serde_json::Value> {
        (0..3).map(|i| checks[i][name].clone()).collect()
    };
    assert_eq!(field("trigger"), ["10%", "50%", "100%"]);
    assert_eq!(field("held"), [true, true, false]);
    assert_eq!(field("exit_code"), [0, 0, 0]);
    assert_eq!(field("result"), ["passed", "passed", "passed"]);
    assert_eq!(
        checks[0]["output_tail"][0],
        "model=mdl-guard env=production candidate=dpl-guard-v2 current=dpl-guard-v1 percent=25"
    );
    assert_eq!(
        checks[2]["output_tail"][0],
        "model=mdl-guard env=production candidate=dpl-guard-v2 current=dpl-guard-v2 percent=100"
    );
    // With --output json, the events and the check's output are on stderr.
    done.assert_stderr(
        "::group::check at 50% (checkpoint 50%, attempt 1, promotion paused)\n\
         check 50%: model=mdl-guard env=production candidate=dpl-guard-v2 current=dpl-guard-v1 \
         percent=50\n\
         check 50%: mdl-guard/production: dpl-guard-v1 (ACTIVE); candidate dpl-guard-v2 \
         (ACTIVE); promotion PAUSED 50% to the candidate\n",
    );
    done.assert_stderr("::endgroup::\ncheck at 50% passed\n");
    assert_eq!(done.json()["current_deployment"]["id"], "dpl-guard-v2");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("| 50% | 50%, held | passed | 0 | "),
        "{summary}"
    );
    assert_eq!(current_and_status(&mock.url).0, "dpl-guard-v2");
}

/// Ctrl-C during a check kills its process group and ends as an interrupt does: exit 130, the
/// last state, and the promotion goes on (nothing canceled).
#[test]
fn an_interrupt_during_a_check_kills_it_and_cancels_nothing() {
    let mock = mock();
    let temp = tempfile::tempdir().unwrap();
    let pids = temp.path().join("pids");
    let mut running = spawn(
        deploy(&mock.url)
            .env("PIDS", &pids)
            .args(["promote", "--model", "mdl-slow", "--env", "production"])
            .args(["--deployment", "dpl-slow-v2", "--wait"])
            .args([
                "--check",
                r#"sleep 120 & echo "$$ $!" > "$PIDS"; echo "check started"; sleep 120"#,
            ])
            .args(["--check-every", "1s"])
            .args(FAST),
    );
    running.wait_for_line("check started");
    running.interrupt();
    let interrupted = running.finish();
    assert_eq!(interrupted.code, 130, "{interrupted:#?}");
    interrupted.assert_stderr("interrupted: stopped waiting; last seen: mdl-slow/production:");
    interrupted.assert_stderr(
        "hint: the check running was stopped (its process group killed); nothing was canceled: \
         the promotion goes on",
    );
    for pid in read_pids(&pids) {
        assert!(
            !alive(&pid),
            "process {pid} of the check outlived the interrupt"
        );
    }
    let status = run(deploy(&mock.url).args(["status", "--model", "mdl-slow", "--output", "json"]));
    let promotion = &status.json()["environments"][0]["promotion"]["status"];
    assert!(
        promotion == "RELEASING" || promotion == "RAMPING_UP",
        "{status:#?}"
    );
}

/// A check that could not work is refused before anything is sent (exit 2).
#[test]
fn a_check_without_wait_or_without_checkpoints_is_a_usage_error() {
    let mock = mock();
    let promote = || {
        let mut command = deploy(&mock.url);
        command.args(["promote", "--model", "mdl-guard", "--env", "production"]);
        command.args(["--deployment", "dpl-guard-v2"]);
        command
    };
    let no_wait = run(promote().args(["--check", "true", "--check-at", "50"]));
    assert_eq!(no_wait.code, 2, "{no_wait:#?}");
    no_wait.assert_stderr("--wait");
    let no_point = run(promote().args(["--wait", "--check", "true"]));
    assert_eq!(no_point.code, 2, "{no_point:#?}");
    no_point.assert_stderr("--check needs at least one of --check-at, --hold-at or --check-every");
    let not_a_percent = run(promote().args(["--wait", "--check", "true", "--check-at", "0,50"]));
    assert_eq!(not_a_percent.code, 2, "{not_a_percent:#?}");
    not_a_percent.assert_stderr("--check-at");
    let no_check = run(promote().args(["--wait", "--check-at", "50"]));
    assert_eq!(no_check.code, 2, "{no_check:#?}");
    // Nothing was promoted.
    assert_eq!(
        current_and_status(&mock.url),
        ("dpl-guard-v1".into(), "none".into())
    );
}
