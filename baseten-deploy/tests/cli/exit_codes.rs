//! Every exit code of `--help`, each from a real scenario against the mock.

use std::time::Duration;

use crate::support::{FAST, deploy, mock, mock_with, run, spawn};

#[test]
fn two_usage_and_configuration() {
    let mock = mock();
    let bad_flag = run(deploy(&mock.url).args(["promote", "--model", "m"]));
    assert_eq!(bad_flag.code, 2, "{bad_flag:#?}");
    bad_flag.assert_stderr("--env <NAME>");

    let no_key = run(deploy(&mock.url)
        .env_remove("BASETEN_API_KEY")
        .args(["status", "--model", "mdl-roll"]));
    assert_eq!(no_key.code, 2, "{no_key:#?}");
    no_key.assert_stderr("set BASETEN_API_KEY (in CI, from a secret) or pass --api-key-file FILE");

    let no_scheme = run(deploy("localhost:8080").args(["status", "--model", "mdl-roll"]));
    assert_eq!(no_scheme.code, 2, "{no_scheme:#?}");
    no_scheme.assert_stderr("add http:// or https://");
    no_scheme.assert_stderr("use http://localhost:8080");

    let empty_key_file = tempfile::NamedTempFile::new().unwrap();
    let empty = run(deploy(&mock.url)
        .arg("--api-key-file")
        .arg(empty_key_file.path())
        .args(["status", "--model", "mdl-roll"]));
    assert_eq!(empty.code, 2, "{empty:#?}");
    assert!(
        empty
            .stderr
            .contains("the file is empty; put the API key on its first line"),
        "{empty:#?}"
    );
}

#[test]
fn the_key_from_a_file_and_the_auth_scheme_flag() {
    let mock = mock();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), format!("{}\n", crate::support::KEY)).unwrap();
    let from_file = |scheme: &str| {
        run(deploy(&mock.url)
            .env_remove("BASETEN_API_KEY")
            .arg("--api-key-file")
            .arg(file.path())
            .args(["--auth-scheme", scheme, "status", "--model", "mdl-roll"]))
    };
    let ok = from_file("api-key");
    assert_eq!(ok.code, 0, "{ok:#?}");
    // The mock takes both schemes, as the live API does.
    let bearer = from_file("bearer");
    assert_eq!(bearer.code, 0, "{bearer:#?}");
    // And the flag decides what goes on the wire (a server that records each scheme).
    let server = crate::scripted::Scripted::start(vec![]);
    for (flag, sent) in [("api-key", "Api-Key"), ("bearer", "Bearer")] {
        let seen_before = server.schemes().len();
        run(deploy(&server.url)
            .env_remove("BASETEN_API_KEY")
            .arg("--api-key-file")
            .arg(file.path())
            .args(["--auth-scheme", flag, "status", "--model", "mdl-roll"]));
        let schemes = server.schemes();
        assert!(schemes.len() > seen_before, "no request reached the server");
        assert!(
            schemes[seen_before..].iter().all(|s| s == sent),
            "--auth-scheme {flag}: {schemes:?}"
        );
    }
    let unknown = from_file("basic");
    assert_eq!(unknown.code, 2, "{unknown:#?}");
    unknown.assert_stderr("--auth-scheme: unknown auth scheme `basic`: use `Api-Key` or `Bearer`");
}

#[test]
fn three_wrong_key() {
    let mock = mock();
    let refused = run(deploy(&mock.url)
        .env("BASETEN_API_KEY", "not-the-key")
        .args(["status", "--model", "mdl-roll"]));
    assert_eq!(refused.code, 3, "{refused:#?}");
    refused.assert_stderr("401 Unauthorized");
    refused.assert_stderr("hint: check BASETEN_API_KEY");
}

#[test]
fn four_unknown_model() {
    let mock = mock();
    let missing = run(deploy(&mock.url).args([
        "promote",
        "--model",
        "mdl-nope",
        "--env",
        "production",
        "--deployment",
        "d",
    ]));
    assert_eq!(missing.code, 4, "{missing:#?}");
    missing.assert_stderr("reading environment production of model mdl-nope");
    missing.assert_stderr("Model mdl-nope not found");
}

#[test]
fn five_promotion_already_in_progress() {
    let mock = mock();
    let promote = [
        "promote",
        "--model",
        "mdl-slow",
        "--env",
        "production",
        "--deployment",
        "dpl-slow-v2",
    ];
    assert_eq!(run(deploy(&mock.url).args(promote)).code, 0);
    let again = run(deploy(&mock.url).args(["--output", "json"]).args(promote));
    assert_eq!(again.code, 5, "{again:#?}");
    let error = &again.json()["error"];
    assert_eq!(error["api"]["status"], 400);
    assert_eq!(error["api"]["code"], "VALIDATION_ERROR");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("already has a promotion in progress")
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("baseten-deploy cancel")
    );
}

#[test]
fn six_server_errors_after_retries_and_nothing_listening() {
    let failing = mock_with(&["--error-rate", "1.0"]);
    let failed = run(deploy(&failing.url).args(["status", "--model", "mdl-roll"]));
    assert_eq!(failed.code, 6, "{failed:#?}");
    assert!(
        ["500", "502", "503"]
            .iter()
            .any(|status| failed.stderr.contains(status)),
        "{failed:#?}"
    );

    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = run(deploy(&format!("http://127.0.0.1:{port}")).args(["status", "--model", "m"]));
    assert_eq!(refused.code, 6, "{refused:#?}");
    refused.assert_stderr("cannot connect to the Baseten API");

    // https to the plain-http mock: named, with the fix.
    let mock = mock();
    let https = mock.url.replacen("http://", "https://", 1);
    let tls = run(deploy(&https).args(["status", "--model", "mdl-roll"]));
    assert_eq!(tls.code, 6, "{tls:#?}");
    tls.assert_stderr("does not speak TLS");
    tls.assert_stderr(&format!("use {}", mock.url));
}

#[test]
fn seven_wait_timed_out_and_the_promotion_goes_on() {
    let mock = mock();
    let timed_out = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-slow", "--env", "production"])
        .args(["--deployment", "dpl-slow-v2", "--wait", "--timeout", "1s"])
        .args(FAST));
    assert_eq!(timed_out.code, 7, "{timed_out:#?}");
    timed_out.assert_stderr("gave up waiting");
    timed_out.assert_stderr("nothing was canceled");
    let status =
        run(deploy(&mock.url).args(["status", "--model", "mdl-slow", "--env", "production"]));
    assert!(
        status.stdout.contains("candidate dpl-slow-v2"),
        "still promoting: {status:#?}"
    );
}

#[test]
fn eight_failed_promotion() {
    let mock = mock();
    let failed = run(deploy(&mock.url)
        .args(["promote", "--model", "mdl-broken", "--env", "production"])
        .args(["--deployment", "dpl-broken-v2", "--wait"])
        .args(FAST));
    assert_eq!(failed.code, 8, "{failed:#?}");
    assert!(
        failed
            .stderr
            .contains("failed: Replicas crashed.; dpl-broken-v1 stays current"),
        "{failed:#?}"
    );
}

/// `promote --wait` of a promotion that takes minutes, once it has reported the promotion.
fn promoting_slowly(mock: &crate::support::Mock) -> crate::support::Running {
    let mut waiting = spawn(
        deploy(&mock.url)
            .args(["promote", "--model", "mdl-slow", "--env", "production"])
            .args(["--deployment", "dpl-slow-v2", "--wait"])
            .args(FAST),
    );
    waiting.wait_for_line("to the candidate");
    waiting
}

#[test]
fn nine_canceled() {
    let mock = mock();
    let waiting = promoting_slowly(&mock);
    let canceled =
        run(deploy(&mock.url).args(["cancel", "--model", "mdl-slow", "--env", "production"]));
    assert_eq!(canceled.code, 0, "{canceled:#?}");
    let promoted = waiting.finish();
    assert_eq!(promoted.code, 9, "{promoted:#?}");
    assert!(
        promoted
            .stderr
            .contains("was canceled; dpl-slow-v1 stays current"),
        "{promoted:#?}"
    );
}

#[test]
fn one_thirty_interrupted_waiting_stops_and_nothing_is_canceled() {
    let mock = mock();
    let waiting = promoting_slowly(&mock);
    waiting.interrupt();
    let interrupted = waiting.finish();
    assert_eq!(interrupted.code, 130, "{interrupted:#?}");
    assert!(
        interrupted
            .stderr
            .contains("interrupted: stopped waiting; last seen: mdl-slow/production: "),
        "{interrupted:#?}"
    );
    interrupted.assert_stderr("nothing was canceled");

    std::thread::sleep(Duration::from_millis(300));
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
    assert_eq!(
        env["candidate_deployment"]["id"], "dpl-slow-v2",
        "still promoting: {env:#}"
    );
    assert_ne!(env["promotion"]["status"], "CANCELED", "{env:#}");
}
