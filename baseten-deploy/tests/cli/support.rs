//! The real `baseten-deploy` binary against the real `baseten-mock` binary, each test with its
//! own mock process on 127.0.0.1 (so that promotions of one test never meet another's).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

pub const DEPLOY: &str = env!("CARGO_BIN_EXE_baseten-deploy");
pub const KEY: &str = "ci-key-3f9a7c1e5b";

/// The mock binary, as cargo built it for this workspace. Asking cargo (instead of guessing
/// `target/debug/baseten-mock`) never runs a stale mock. The build is the workspace's bins and
/// examples, which resolves features as `cargo test --workspace` does: after that command it is
/// a no-op, where `-p baseten-mock` alone would rebuild tokio and everything above it with the
/// mock's own feature set. After `cargo test -p baseten-deploy` it builds what is missing.
fn mock_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("baseten-deploy is inside the workspace");
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "--locked",
                "--workspace",
                "--examples",
                "--bins",
            ])
            .arg("--message-format=json")
            .arg("--manifest-path")
            .arg(workspace.join("Cargo.toml"))
            .stderr(Stdio::inherit());
        // Without what cargo sets for a test process (CARGO_MANIFEST_DIR, CARGO_PKG_*, …): a
        // build script that reruns when one of them changes (ring's watches CARGO_MANIFEST_DIR)
        // would see this test's values, and the workspace would be rebuilt here and again by
        // the next plain `cargo build`.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            let set_for_tests = name == "OUT_DIR"
                || [
                    "CARGO_MANIFEST_",
                    "CARGO_PKG_",
                    "CARGO_CRATE_NAME",
                    "CARGO_BIN_",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                ]
                .iter()
                .any(|prefix| name.starts_with(prefix));
            if set_for_tests {
                build.env_remove(&*name);
            }
        }
        let output = build.output().expect("cargo runs");
        assert!(output.status.success(), "building baseten-mock failed");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| message["target"]["name"] == "baseten-mock")
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the baseten-mock executable")
    })
}

/// A running mock; killed when dropped.
pub struct Mock {
    child: Child,
    pub url: String,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The mock serving `tests/cli/seeds/ci.yaml`, with builds of a second a stage and ended
/// promotions visible for 3 s (as Baseten shows a terminal status for a while).
pub fn mock() -> Mock {
    mock_with(&[])
}

pub fn mock_with(extra: &[&str]) -> Mock {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/seeds/ci.yaml");
    let mut child = Command::new(mock_binary())
        .args([
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            KEY,
            "--rate-limit",
            "0",
        ])
        .args([
            "--build-seconds",
            "1",
            "--deploy-seconds",
            "1",
            "--load-model-seconds",
            "1",
        ])
        .args(["--new-deployment-404-seconds", "1"])
        // A test that sets its own keeps it (the flag may be given once).
        .args(if extra.contains(&"--ended-promotion-seconds") {
            &[][..]
        } else {
            &["--ended-promotion-seconds", "3"][..]
        })
        .arg("--seed")
        .arg(seed)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("baseten-mock starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("baseten-mock listening on ")
        .unwrap_or_else(|| panic!("unexpected first line from baseten-mock: {first:?}"))
        .to_owned();
    Mock { child, url }
}

/// The fastest polling the CLI allows (`--poll-interval` has a floor of 1 s).
pub const FAST: [&str; 2] = ["--poll-interval", "1s"];

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Fails the test, showing the whole run, unless stderr contains `text`.
    #[track_caller]
    pub fn assert_stderr(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}: {self:#?}"
        );
    }

    /// Fails the test, showing the whole run, unless stdout contains `text`.
    #[track_caller]
    pub fn assert_stdout(&self, text: &str) {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}: {self:#?}"
        );
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:#?}"))
    }
}

/// `baseten-deploy` with a clean environment: the key and URL of `mock`, nothing from the
/// machine running the tests (no BASETEN_*, no GITHUB_*).
pub fn deploy(url: &str) -> Command {
    let mut command = Command::new(DEPLOY);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BASETEN_API_KEY", KEY)
        .env("BASETEN_API_URL", url)
        .stdin(Stdio::null());
    command
}

/// Runs to the end. Every run is checked for what a CI log must never contain: escape codes
/// (stdout and stderr are pipes here, not terminals) and the API key.
pub fn run(command: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("baseten-deploy runs");
    checked(Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    })
}

pub fn checked(run: Run) -> Run {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(!text.contains('\u{1b}'), "escape code in {name}: {run:#?}");
        assert!(!text.contains(KEY), "the API key in {name}: {run:#?}");
    }
    run
}

/// A started run, for tests that act while it waits.
pub struct Running {
    pub child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    pub seen: String,
}

pub fn spawn(command: &mut Command) -> Running {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("baseten-deploy starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    Running {
        child,
        stdout,
        seen: String::new(),
    }
}

impl Running {
    /// Reads stdout until a line contains `text`.
    pub fn wait_for_line(&mut self, text: &str) {
        loop {
            let mut line = String::new();
            let read = self.stdout.read_line(&mut line).unwrap();
            assert!(
                read > 0,
                "stdout ended before {text:?}; seen:\n{}",
                self.seen
            );
            self.seen += &line;
            if line.contains(text) {
                return;
            }
        }
    }

    /// Sends SIGINT, as Ctrl-C in a terminal or a CI runner's cancel does.
    pub fn interrupt(&self) {
        self.signal("INT");
    }

    /// Sends a signal by name (`INT`, `TERM`).
    pub fn signal(&self, name: &str) {
        // The shell's builtin `kill`: /bin/kill is not on every minimal system.
        let status = Command::new("sh")
            .args(["-c", &format!("kill -{name} {}", self.child.id())])
            .status()
            .expect("sh runs");
        assert!(status.success());
    }

    pub fn finish(mut self) -> Run {
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = wait_with_deadline(&mut self.child, Duration::from_secs(60));
        checked(Run {
            code: status,
            stdout: self.seen + &rest,
            stderr,
        })
    }
}

fn wait_with_deadline(child: &mut Child, deadline: Duration) -> i32 {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("baseten-deploy did not exit within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The JSON document as printed (field order kept), with what changes from run to run (the
/// wait's duration) replaced.
pub fn stable_json(run: &Run) -> String {
    let seconds = &run.json()["waited_seconds"];
    assert!(
        seconds.is_null() || seconds.as_f64().is_some_and(|s| s >= 0.0),
        "{seconds}"
    );
    run.stdout
        .lines()
        .map(|line| match line.split_once("\"waited_seconds\": ") {
            Some((indent, _)) => format!("{indent}\"waited_seconds\": \"[seconds]\""),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
