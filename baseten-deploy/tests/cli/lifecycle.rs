//! Every subcommand doing its job, checked by what it prints and by the mock's state after it.

use crate::support::{FAST, deploy, mock, run, spawn};

fn status_json(url: &str, model: &str, env: &str) -> serde_json::Value {
    let status =
        run(deploy(url).args(["--output", "json", "status", "--model", model, "--env", env]));
    assert_eq!(status.code, 0, "{status:#?}");
    status.json()["environments"][0].clone()
}

#[test]
fn promote_with_wait_ends_when_the_deployment_is_current() {
    let mock = mock();
    let done = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-roll", "--env", "production"])
        .args(["--deployment", "dpl-roll-v2", "--wait"])
        .args(FAST));
    assert_eq!(done.code, 0, "{done:#?}");
    let lines: Vec<&str> = done.stdout.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"promoting dpl-roll-v2 to mdl-roll/production (current: dpl-roll-v1)")
    );
    assert!(
        done.stdout.contains("RAMPING_UP 50% to the candidate"),
        "a line per step: {done:#?}"
    );
    assert_eq!(
        lines.last(),
        Some(&"dpl-roll-v2 is the current deployment of mdl-roll/production")
    );
    let env = status_json(&mock.url, "mdl-roll", "production");
    assert_eq!(env["current_deployment"]["id"], "dpl-roll-v2");
}

#[test]
fn promote_without_wait_returns_at_once_and_wait_picks_up_the_candidate() {
    let mock = mock();
    let started = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-roll", "--env", "production"])
        .args(["--deployment", "dpl-roll-v3", "--no-scale-down"]));
    assert_eq!(started.code, 0, "{started:#?}");
    assert!(started.stdout.contains("`baseten-deploy wait --model mdl-roll --env production --deployment dpl-roll-v3` waits for it"));
    let env = status_json(&mock.url, "mdl-roll", "production");
    assert_eq!(env["candidate_deployment"]["id"], "dpl-roll-v3", "{env:#}");

    // No --deployment: the environment's candidate.
    let waited = run(deploy(&mock.url)
        .args(["wait", "--model", "mdl-roll", "--env", "production"])
        .args(FAST));
    assert_eq!(waited.code, 0, "{waited:#?}");
    assert!(
        waited
            .stdout
            .contains("waiting for the promotion of dpl-roll-v3 to mdl-roll/production")
    );
    assert_eq!(
        status_json(&mock.url, "mdl-roll", "production")["current_deployment"]["id"],
        "dpl-roll-v3"
    );

    // Nothing in progress: says so, exit 0.
    let idle = run(deploy(&mock.url).args(["wait", "--model", "mdl-roll", "--env", "production"]));
    assert_eq!(idle.code, 0, "{idle:#?}");
    assert_eq!(
        idle.stdout.trim(),
        "no promotion in progress in mdl-roll/production; dpl-roll-v3 is current"
    );
}

#[test]
fn promote_chain_waits_for_the_chain_deployment_and_the_environment() {
    let mock = mock();
    let done = run(deploy(&mock.url)
        .args([
            "--output",
            "json",
            "promote-chain",
            "--chain",
            "chn-rag",
            "--env",
            "production",
        ])
        .args(["--deployment", "chd-rag-2", "--wait"])
        .args(FAST));
    assert_eq!(done.code, 0, "{done:#?}");
    let report = done.json();
    assert_eq!(report["outcome"], "succeeded");
    assert_eq!(report["previous_deployment"]["id"], "chd-rag-1");
    assert_eq!(report["current_deployment"]["id"], "chd-rag-2");
}

#[test]
fn promote_development_waits_until_the_new_deployment_is_active_and_production() {
    let mock = mock();
    let done = run(deploy(&mock.url)
        .args(["promote-development", "--model", "mdl-dev", "--wait"])
        .args(FAST));
    assert_eq!(done.code, 0, "{done:#?}");
    for status in ["BUILDING", "DEPLOYING", "LOADING_MODEL", "ACTIVE"] {
        assert!(done.stdout.contains(status), "{status} reported: {done:#?}");
    }
    let env = status_json(&mock.url, "mdl-dev", "production");
    let current = env["current_deployment"]["id"].as_str().unwrap();
    assert_ne!(current, "dpl-dev-v1");
    assert!(
        done.stdout.trim_end().ends_with(&format!(
            "{current} is ACTIVE and the production deployment of mdl-dev"
        )),
        "{done:#?}"
    );
}

#[test]
fn pause_resume_and_roll_forward_steer_a_rolling_promotion() {
    let mock = mock();
    let promote = ["--model", "mdl-step", "--env", "production"];
    let started = run(deploy(&mock.url)
        .arg("promote")
        .args(promote)
        .args(["--deployment", "dpl-step-v2"]));
    assert_eq!(started.code, 0, "{started:#?}");

    let paused = run(deploy(&mock.url).arg("pause").args(promote));
    assert_eq!(paused.code, 0, "{paused:#?}");
    assert_eq!(
        paused.stdout.trim(),
        "mdl-step/production: pause accepted (it takes effect at the next step)"
    );
    // The pause settles at the next step boundary (2 s).
    let mut status = String::new();
    for _ in 0..50 {
        let env = status_json(&mock.url, "mdl-step", "production");
        status = env["promotion"]["status"].as_str().unwrap_or("").to_owned();
        if status == "PAUSED" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(status, "PAUSED");

    let resumed = run(deploy(&mock.url).arg("resume").args(promote));
    assert_eq!(resumed.code, 0, "{resumed:#?}");
    let env = status_json(&mock.url, "mdl-step", "production");
    assert_ne!(env["promotion"]["status"], "PAUSED", "{env:#}");

    // 10 % every 2 s would take 20 s; rolled forward, it ends at the next step.
    let rolled = run(deploy(&mock.url)
        .arg("roll-forward")
        .args(promote)
        .arg("--wait")
        .args(FAST));
    assert_eq!(rolled.code, 0, "{rolled:#?}");
    assert!(
        rolled
            .stdout
            .trim_end()
            .ends_with("dpl-step-v2 is the current deployment of mdl-step/production"),
        "{rolled:#?}"
    );
}

#[test]
fn cancel_and_force_cancel_end_the_promotion_and_the_waiting_promote_says_how() {
    let mock = mock();
    // Canceled before any traffic moved, both end CANCELED at once.
    for signal in ["cancel", "force-cancel"] {
        let mut waiting = spawn(
            deploy(&mock.url)
                .args([
                    "--output",
                    "json",
                    "promote",
                    "--model",
                    "mdl-slow",
                    "--env",
                    "production",
                ])
                .args(["--deployment", "dpl-slow-v2", "--wait"])
                .args(FAST),
        );
        // The promotion is in progress once the candidate shows.
        for _ in 0..100 {
            let env = status_json(&mock.url, "mdl-slow", "production");
            if env["candidate_deployment"]["id"] == "dpl-slow-v2" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let stopped = run(deploy(&mock.url)
            .args([
                signal,
                "--model",
                "mdl-slow",
                "--env",
                "production",
                "--wait",
            ])
            .args(FAST));
        assert_eq!(stopped.code, 0, "{signal}: {stopped:#?}");
        let env = status_json(&mock.url, "mdl-slow", "production");
        assert_eq!(
            env["current_deployment"]["id"], "dpl-slow-v1",
            "{signal}: {env:#}"
        );

        waiting.wait_for_line("}");
        let promoted = waiting.finish();
        assert_eq!(promoted.code, 9, "{signal}: {promoted:#?}");
        assert_eq!(
            promoted.json()["outcome"],
            "canceled",
            "{signal}: {promoted:#?}"
        );
        // Let the ended promotion's status expire before the next round.
        std::thread::sleep(std::time::Duration::from_millis(3100));
    }
}

#[test]
fn status_lists_every_environment_or_one() {
    let mock = mock();
    let all = run(deploy(&mock.url).args(["status", "--model", "mdl-roll"]));
    assert_eq!(all.code, 0, "{all:#?}");
    assert_eq!(
        all.stdout,
        "mdl-roll/production: dpl-roll-v1 (ACTIVE); no promotion in progress\n\
         mdl-roll/staging: no deployment; no promotion in progress\n\
         mdl-roll: 2 environment(s), 0 with a promotion in progress\n"
    );
    let one = run(deploy(&mock.url).args(["status", "--model", "mdl-roll", "--env", "staging"]));
    assert_eq!(one.code, 0, "{one:#?}");
    assert!(
        one.stdout.starts_with("mdl-roll/staging: no deployment"),
        "{one:#?}"
    );
}

#[test]
fn wait_for_a_deployment_still_building_ends_when_it_is_production() {
    let mock = mock();
    let started = run(deploy(&mock.url).args([
        "--output",
        "json",
        "promote-development",
        "--model",
        "mdl-dev",
    ]));
    assert_eq!(started.code, 0, "{started:#?}");
    let report = started.json();
    let id = report["deployment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(report["deployment"]["status"], "BUILDING", "{report:#}");

    let waited = run(deploy(&mock.url)
        .args([
            "wait",
            "--model",
            "mdl-dev",
            "--env",
            "production",
            "--deployment",
            &id,
        ])
        .args(FAST));
    assert_eq!(waited.code, 0, "{waited:#?}");
    // The mock makes a building deployment the candidate at once; if Baseten does not, `wait`
    // first waits for the build (a path the mock cannot show).
    waited.assert_stdout(&format!(
        "waiting for the promotion of {id} to mdl-dev/production"
    ));
    assert_eq!(
        status_json(&mock.url, "mdl-dev", "production")["current_deployment"]["id"],
        id.as_str()
    );
}
