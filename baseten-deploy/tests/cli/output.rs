//! What the tool prints: `--help`, the JSON documents (a stable schema, snapshot-tested), the
//! logs at the highest verbosity (no key), and the GitHub Actions summary and annotation.

use crate::support::{FAST, KEY, deploy, mock, run, stable_json};

#[test]
fn help() {
    let help = run(deploy("http://127.0.0.1:9").arg("--help"));
    assert_eq!(help.code, 0, "{help:#?}");
    insta::assert_snapshot!("help", help.stdout);
    let promote = run(deploy("http://127.0.0.1:9").args(["promote", "--help"]));
    insta::assert_snapshot!("help_promote", promote.stdout);
}

#[test]
fn json_documents() {
    let mock = mock();
    let json = |args: &[&str]| {
        let run = run(deploy(&mock.url).args(["--output", "json"]).args(args));
        // Exactly one document on stdout; events went to stderr.
        assert_eq!(run.json()["exit_code"], run.code, "{run:#?}");
        (stable_json(&run), run.stderr)
    };
    let (succeeded, events) = json(&[
        "promote",
        "--model",
        "mdl-roll",
        "--env",
        "production",
        "--deployment",
        "dpl-roll-v2",
        "--wait",
        FAST[0],
        FAST[1],
    ]);
    insta::assert_snapshot!("json_promote_succeeded", succeeded);
    assert!(
        // The first read comes before the first 1 s step, at the 1 s polling floor.
        events.contains("RELEASING 0% to the candidate"),
        "{events}"
    );

    let (failed, _) = json(&[
        "promote",
        "--model",
        "mdl-broken",
        "--env",
        "production",
        "--deployment",
        "dpl-broken-v2",
        "--wait",
        FAST[0],
        FAST[1],
    ]);
    insta::assert_snapshot!("json_promote_failed", failed);

    // Models no other step of this test touches: an ended promotion stays visible for a while.
    let (refused, _) = json(&["cancel", "--model", "mdl-step", "--env", "production"]);
    insta::assert_snapshot!("json_cancel_refused", refused);

    let (status, _) = json(&["status", "--model", "mdl-step"]);
    insta::assert_snapshot!("json_status", status);
}

#[test]
fn the_key_is_in_no_output_even_at_the_highest_verbosity() {
    let mock = mock();
    // `run` checks stdout and stderr of every run for the key; these are the noisiest runs.
    let verbose = run(deploy(&mock.url)
        .args([
            "-vvv",
            "promote",
            "--model",
            "mdl-roll",
            "--env",
            "production",
        ])
        .args(["--deployment", "dpl-roll-v2", "--wait"])
        .args(FAST));
    assert_eq!(verbose.code, 0, "{verbose:#?}");
    assert!(
        verbose.stderr.contains("TRACE") || verbose.stderr.contains("DEBUG"),
        "logs were on: {verbose:#?}"
    );
    let refused = run(deploy(&mock.url)
        .env("BASETEN_API_KEY", format!("{KEY}-wrong"))
        .args(["-vvv", "--output", "json", "status", "--model", "mdl-roll"]));
    assert_eq!(refused.code, 3, "{refused:#?}");
    assert!(!refused.stdout.contains(&format!("{KEY}-wrong")) && !refused.stderr.contains(KEY));
}

#[test]
fn github_actions_summary_and_error_annotation() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let github = |args: &[&str]| {
        run(deploy(&mock.url)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(args)
            .args(FAST))
    };
    let ok = github(&[
        "promote",
        "--model",
        "mdl-roll",
        "--env",
        "production",
        "--deployment",
        "dpl-roll-v2",
        "--wait",
    ]);
    assert_eq!(ok.code, 0, "{ok:#?}");
    assert!(!ok.stdout.contains("::error"), "{ok:#?}");
    let failed = github(&[
        "promote",
        "--model",
        "mdl-broken",
        "--env",
        "production",
        "--deployment",
        "dpl-broken-v2",
        "--wait",
    ]);
    assert_eq!(failed.code, 8, "{failed:#?}");
    let annotation = failed.stdout.lines().last().unwrap();
    assert!(
        annotation.starts_with("::error title=baseten-deploy promote::the promotion of dpl-broken-v2 to mdl-broken/production failed: Replicas crashed."),
        "{failed:#?}"
    );

    // Two runs, two summaries, appended; durations vary.
    let text = std::fs::read_to_string(&summary).unwrap();
    let stable: String = text
        .lines()
        .map(|line| {
            if line.starts_with("| Duration |") {
                "| Duration | [duration] |".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("github_step_summary", stable);
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), the traffic bar is drawn; the
/// same run in a pipe (every other test) has no escape code at all.
#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_a_traffic_bar_is_drawn() {
    let mock = mock();
    let command = format!(
        "{} promote --model mdl-roll --env production --deployment dpl-roll-v2 --wait \
         --poll-interval 1s",
        crate::support::DEPLOY
    );
    let mut script = std::process::Command::new("script");
    script
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("BASETEN_API_KEY", KEY)
        .env("BASETEN_API_URL", &mock.url)
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null());
    let output = script.output().expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("% of traffic on the candidate"), "{text}");
    assert!(
        text.contains('\u{1b}'),
        "the bar redraws with escape codes: {text}"
    );
    assert!(
        text.contains("dpl-roll-v2 is the current deployment of mdl-roll/production"),
        "{text}"
    );
    assert!(!text.contains(KEY));
}
