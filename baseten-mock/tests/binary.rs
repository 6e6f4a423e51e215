//! The `baseten-mock` binary: serves a seed file, and reports a bad one by file, field and line.

use std::io::{BufRead, BufReader};
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

/// Starts the binary on a free port and returns it with its URL, read from its first line.
fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("baseten-mock listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_owned();
    (running, url)
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

    let client = baseten_api::Client::builder()
        .api_key("k-1")
        .base_url(url)
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let d = client
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
fn the_printed_demo_seed_reads_back_as_the_demo() {
    let output = Command::new(BIN).arg("--print-demo-seed").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(Seed::from_yaml_str(&text, "printed").unwrap(), Seed::demo());
}
