//! The `baseten-mock` binary: serves a seed file, lists what it serves and how to call it, and
//! reports a bad seed file by file, field and line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use baseten_mock::Seed;

const BIN: &str = env!("CARGO_BIN_EXE_baseten-mock");

/// Kills the child when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A started binary: the process, its URL (from the first line) and its start-up banner.
struct Started {
    /// Kept so that the process lives as long as this value.
    running: Running,
    url: String,
    banner: String,
}

/// Starts the binary on a free port, in `dir`, and reads its banner (up to `Ctrl-C stops it.`).
fn start_in(dir: &Path, args: &[&str]) -> Started {
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first
        .strip_prefix("baseten-mock listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_owned();
    let mut banner = format!("{first}\n");
    for line in lines {
        let line = line.unwrap();
        banner += &line;
        banner.push('\n');
        if line == "Ctrl-C stops it." {
            break;
        }
    }
    Started {
        running,
        url,
        banner,
    }
}

fn start(args: &[&str]) -> (Running, String) {
    let started = start_in(Path::new("."), args);
    (started.running, started.url)
}

fn client(url: &str, key: &str) -> baseten_api::Client {
    baseten_api::Client::builder()
        .api_key(key)
        .base_url(url)
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn it_serves_the_seed_file_with_the_given_key() {
    let dir = tempfile::tempdir().unwrap();
    let seed = write(
        &dir,
        "seed.yaml",
        "models:\n  - id: m-1\n    deployments:\n      - id: d-1\n      - id: d-2\n        instance_type_name: L4:1x16\n    environments:\n      - name: production\n        deployment_id: d-1\n      - name: staging\n",
    );
    let (_running, url) = start(&["--seed", seed.to_str().unwrap(), "--api-key", "k-1"]);

    let d = client(&url, "k-1")
        .promote_model_to_environment()
        .model_id("m-1")
        .env_name("staging")
        .body(baseten_api::types::PromoteToEnvironmentRequestV1::builder().deployment_id("d-2"))
        .send()
        .await
        .expect("the seeded deployment is promoted")
        .into_inner();
    assert_eq!(d.environment.as_deref(), Some("staging"));
    assert_eq!(d.instance_type_name.as_deref(), Some("L4:1x16"));
}

#[test]
fn a_malformed_seed_file_is_reported_by_file_field_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let seed = write(
        &dir,
        "bad.yaml",
        "models:\n  - id: m-1\n    deployments:\n      - id: d-1\n        status: RUNNING\n",
    );
    let output = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--seed", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.yaml"), "{stderr}");
    assert!(
        stderr.contains("models[0].deployments[0].status"),
        "{stderr}"
    );
    assert!(stderr.contains("RUNNING"), "{stderr}");
    assert!(stderr.contains("line 5"), "{stderr}");
}

#[test]
fn an_inconsistent_seed_file_is_reported_by_field_path() {
    let dir = tempfile::tempdir().unwrap();
    let seed = write(
        &dir,
        "seed.json",
        r#"{"models": [
            {"id": "a", "deployments": [{"id": "a-1"}]},
            {"id": "b", "environments": [{"name": "production", "deployment_id": "a-1"}]}
        ]}"#,
    );
    let output = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--seed", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "seed.json: models[1].environments[0].deployment_id: a-1 is not a deployment of model b"
        ),
        "{stderr}"
    );
}

#[test]
fn the_printed_demo_seed_is_the_demo_seed_file() {
    let output = Command::new(BIN).arg("--print-demo-seed").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/demo.yaml");
    assert_eq!(text, std::fs::read_to_string(file).unwrap());
    assert_eq!(Seed::from_yaml_str(&text, "printed").unwrap(), Seed::demo());
}

/// The README's command, run as written from the workspace root: it serves the demo seed file
/// and lists every id a user can call, with the key and a call that works.
#[tokio::test]
async fn the_banner_lists_the_demo_ids_the_key_and_a_call_that_works() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let started = start_in(&root, &["--seed", "baseten-mock/seeds/demo.yaml"]);
    let url = &started.url;
    assert_eq!(
        started.banner,
        format!(
            "baseten-mock listening on {url}
  API key:     mock-api-key (header `Authorization: Bearer <key>` or `Api-Key <key>`)
  seeded from: baseten-mock/seeds/demo.yaml
  model mdl-llama
    environments: production (serves dpl-llama-v1), staging (serves nothing)
    deployments:  dpl-llama-dev (development), dpl-llama-v1, dpl-llama-v2
  model mdl-whisper
    environments: production (serves dpl-whisper-v1, rolling)
    deployments:  dpl-whisper-v1, dpl-whisper-v2
  chain chn-rag
    environments: production (serves chd-rag-1)
    deployments:  chd-rag-1, chd-rag-2
  try:
    curl -X POST -H 'Authorization: Api-Key mock-api-key' \\
      {url}/v1/models/mdl-llama/environments/staging/promote \\
      -d '{{\"deployment_id\": \"dpl-llama-v2\"}}'
Ctrl-C stops it.
"
        )
    );

    // The suggested call, made with the client.
    let d = client(url, "mock-api-key")
        .promote_model_to_environment()
        .model_id("mdl-llama")
        .env_name("staging")
        .body(
            baseten_api::types::PromoteToEnvironmentRequestV1::builder()
                .deployment_id("dpl-llama-v2"),
        )
        .send()
        .await
        .expect("the banner's example call succeeds")
        .into_inner();
    assert_eq!(d.environment.as_deref(), Some("staging"));
}

#[test]
fn without_a_seed_file_the_banner_shows_the_demo_world() {
    let started = start_in(Path::new("."), &[]);
    assert!(
        started
            .banner
            .contains("  seeded from: the demo seed (seeds/demo.yaml)\n  model mdl-llama\n"),
        "{}",
        started.banner
    );
}

/// What seeding adds (`production`) is listed, statuses other than `ACTIVE` are shown, every key
/// is named, and with nothing to promote the example call keeps its placeholders.
#[test]
fn the_banner_shows_what_the_server_holds_and_every_key() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "seed.yaml",
        "models:\n  - id: m-1\n    deployments:\n      - id: d-1\n        status: BUILDING\nchains:\n  - id: c-1\n",
    );
    let started = start_in(
        dir.path(),
        &[
            "--seed",
            "seed.yaml",
            "--api-key",
            "k-1",
            "--api-key",
            "k-2",
        ],
    );
    let url = &started.url;
    assert_eq!(
        started.banner,
        format!(
            "baseten-mock listening on {url}
  API keys:    k-1, k-2 (header `Authorization: Bearer <key>` or `Api-Key <key>`)
  seeded from: seed.yaml
  model m-1
    environments: production (serves nothing)
    deployments:  d-1 (BUILDING)
  chain c-1
    environments: production (serves nothing)
    deployments:  none
  try:
    curl -X POST -H 'Authorization: Api-Key k-1' \\
      {url}/v1/models/<model_id>/environments/<env_name>/promote \\
      -d '{{\"deployment_id\": \"<deployment_id>\"}}'
Ctrl-C stops it.
"
        )
    );
}

#[test]
fn an_empty_seed_file_starts_an_empty_mock_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "empty.yaml", "");
    let started = start_in(dir.path(), &["--seed", "empty.yaml"]);
    assert!(
        started.banner.contains(
            "  seeded from: empty.yaml\n  (no models or chains: give them with --seed FILE)\n"
        ),
        "{}",
        started.banner
    );
}

#[test]
fn a_large_seed_is_listed_in_part_so_the_url_and_key_stay_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let models: String = (1..=12).map(|i| format!("  - id: m-{i:02}\n")).collect();
    write(&dir, "big.yaml", &format!("models:\n{models}"));
    let started = start_in(dir.path(), &["--seed", "big.yaml"]);
    let banner = &started.banner;
    assert!(banner.contains("  model m-10\n"), "{banner}");
    assert!(!banner.contains("  model m-11\n"), "{banner}");
    assert!(
        banner.contains("  ... and 2 more model(s)\n  try:\n"),
        "{banner}"
    );
}

/// Every adversarial-timing flag and the seed's `deleted_after_seconds` in one process: the
/// banner names them, and each takes effect (real clock; `production` rolls 100 % after 1 s,
/// the other windows are an hour, so nothing here races).
#[tokio::test]
async fn every_adversarial_flag_is_accepted_and_takes_effect() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "seed.yaml",
        "models:
  - id: m
    deployments: [{id: v1}, {id: v2}]
    environments:
      - name: production
        deployment_id: v1
        rolling: {step_percent: 100, step_seconds: 1}
      - name: staging
        deployment_id: v1
        deleted_after_seconds: 0
chains:
  - id: c
    deployments: [{id: c1}, {id: c2}]
    environments: [{name: production, deployment_id: c1}]
",
    );
    let started = start_in(
        dir.path(),
        &[
            "--seed",
            "seed.yaml",
            "--ended-promotion-seconds",
            "3600",
            "--ended-promotion-keeps-candidate",
            "--candidate-lead-seconds",
            "3600",
            "--current-switch-delay-seconds",
            "3600",
            "--chain-promotion-seconds",
            "3600",
        ],
    );
    let banner = &started.banner;
    assert!(
        banner.contains(
            "  seeded from: seed.yaml\n  timings:     ended promotions shown 3600 s, ended promotions keep their candidate, candidate lead 3600 s, current switch delay 3600 s, chain promotions 3600 s\n"
        ),
        "{banner}"
    );
    assert!(
        banner.contains(
            "environments: production (serves v1, rolling), staging (serves v1, deleted 0 s after its first promotion)\n"
        ),
        "{banner}"
    );

    let client = client(&started.url, "mock-api-key");
    let promote = |env: &'static str, deployment: &'static str| {
        client
            .promote_model_to_environment()
            .model_id("m")
            .env_name(env)
            .body(
                baseten_api::types::PromoteToEnvironmentRequestV1::builder()
                    .deployment_id(deployment),
            )
            .send()
    };
    let production = || {
        client
            .get_environment()
            .model_id("m")
            .env_name("production")
            .send()
    };
    let view = |env: &baseten_api::types::EnvironmentV1| {
        (
            env.current_deployment.as_ref().map(|d| d.id.clone()),
            env.candidate_deployment.as_ref().map(|d| d.id.clone()),
            env.in_progress_promotion
                .as_ref()
                .map(|p| p.status.to_string()),
        )
    };
    let some = |s: &str| Some(s.to_owned());

    // --candidate-lead-seconds: the candidate, without the promotion object.
    promote("production", "v2").await.unwrap();
    let env = production().await.unwrap().into_inner();
    assert_eq!(view(&env), (some("v1"), some("v2"), None));
    // Succeeded after 1 s. --ended-promotion-keeps-candidate: v2 stays the candidate beside
    // SUCCEEDED; --current-switch-delay-seconds: v1 stays current.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let ended = loop {
        let env = production().await.unwrap().into_inner();
        if env.in_progress_promotion.is_some() {
            break env;
        }
        assert!(std::time::Instant::now() < deadline, "never ended: {env:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(view(&ended), (some("v1"), some("v2"), some("SUCCEEDED")));

    // --chain-promotion-seconds: the chain's candidate beside its old current.
    client
        .promote_chain_to_environment()
        .chain_id("c")
        .env_name("production")
        .body(baseten_api::types::PromoteToChainEnvironmentRequestV1::builder().deployment_id("c2"))
        .send()
        .await
        .unwrap();
    let chain = client
        .get_chain_environment()
        .chain_id("c")
        .env_name("production")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            chain.current_deployment.map(|d| d.id),
            chain.candidate_deployment.map(|d| d.id)
        ),
        (some("c1"), some("c2"))
    );

    // deleted_after_seconds: 0: gone from the first request after its first promotion.
    promote("staging", "v2").await.unwrap();
    let err = client
        .get_environment()
        .model_id("m")
        .env_name("staging")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
}

#[tokio::test]
async fn it_serves_the_spec_file_given_with_bearer_auth() {
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/openapi-2026-08-22.json"
    );
    let (_running, url) = start(&["--spec", spec]);
    let http = reqwest::Client::new();
    let get = |path: &str| {
        http.get(format!("{url}{path}"))
            .header("authorization", "Bearer mock-api-key")
            .send()
    };
    // A generated answer, with the path's id echoed, and a stateful one of the demo data.
    let model: serde_json::Value = get("/v1/models/mdl-llama")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(model["id"], "mdl-llama");
    let env: serde_json::Value = get("/v1/models/mdl-llama/environments/production")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(env["current_deployment"]["id"], "dpl-llama-v1");
}

#[test]
fn a_spec_file_that_cannot_be_served_is_reported_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(&dir, "old.yaml", "openapi: 3.0.3\npaths: {}\n");
    let output = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--spec", spec.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("old.yaml: the OpenAPI document cannot be served: `openapi: 3.0.3`"),
        "{stderr}"
    );
    let output = Command::new(BIN)
        .args(["--spec", "no/such/spec.json"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read the spec no/such/spec.json"),
        "{stderr}"
    );
}
