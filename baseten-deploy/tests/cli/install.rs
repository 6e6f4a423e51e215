//! Installing baseten-deploy without building it: the release archives
//! (`.github/workflows/release.yml`, packed by `baseten-deploy/install/package.sh`), the
//! `[package.metadata.binstall]` templates that `cargo binstall` expands, `install.sh` (what the
//! action runs) against a local HTTP server, and the action's inputs against the CLI's flags.
//! Nothing here talks to GitHub: the workflow and the action can only run there, so these tests
//! check that their names agree, and run the scripts they call.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::support::DEPLOY;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn repo_dir() -> &'static Path {
    crate_dir()
        .parent()
        .expect("baseten-deploy is inside the workspace")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml(path: &Path) -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn release_workflow() -> serde_yaml_ng::Value {
    yaml(&repo_dir().join(".github/workflows/release.yml"))
}

/// The targets the release workflow builds an archive for.
fn release_targets() -> Vec<String> {
    let workflow = release_workflow();
    let include = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("release.yml: jobs.build.strategy.matrix.include is a list");
    let targets: Vec<String> = include
        .iter()
        .map(|entry| {
            entry["target"]
                .as_str()
                .expect("every matrix entry has a target")
                .to_owned()
        })
        .collect();
    assert!(!targets.is_empty(), "release.yml builds no target");
    targets
}

/// A shell script from the repository, run by bash with a clean environment: nothing of the
/// machine's GITHUB_* or RUNNER_* (these tests may run inside GitHub Actions) or BASETEN_*.
fn script(path: &str) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(repo_dir().join(path))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null());
    command
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn run_to_end(command: &mut Command) -> Ran {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("bash runs");
    Ran {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

#[track_caller]
fn ok(command: &mut Command) -> Ran {
    let ran = run_to_end(command);
    assert_eq!(ran.code, 0, "{ran:?}");
    ran
}

/// Packs `binary` as the release workflow does; returns the archive's path.
fn package(binary: &Path, version: &str, target: &str, out_dir: &Path) -> PathBuf {
    let ran = ok(script("baseten-deploy/install/package.sh")
        .args(["--version", version, "--target", target, "--binary"])
        .arg(binary)
        .arg("--out-dir")
        .arg(out_dir));
    PathBuf::from(ran.stdout.trim())
}

fn archive_entries(archive: &Path) -> Vec<String> {
    let name = archive.file_name().unwrap().to_str().unwrap();
    let mut command = if name.ends_with(".zip") {
        let mut unzip = Command::new("unzip");
        unzip.arg("-Z1");
        unzip
    } else {
        let mut tar = Command::new("tar");
        tar.arg("-tzf");
        tar
    };
    let ran = ok(command.arg(archive));
    ran.stdout.lines().map(str::to_owned).collect()
}

fn sha256(path: &Path) -> String {
    let ran = ok(Command::new("sha256sum").arg(path));
    ran.stdout.split_whitespace().next().unwrap().to_owned()
}

/// `[package.metadata.binstall]` for one target, overrides applied, as cargo-binstall reads it.
struct Binstall {
    pkg_url: String,
    bin_dir: String,
    pkg_fmt: String,
}

fn binstall(target: &str) -> Binstall {
    let manifest: toml_edit::DocumentMut = read(&crate_dir().join("Cargo.toml")).parse().unwrap();
    let meta = manifest["package"]["metadata"]["binstall"]
        .as_table_like()
        .expect("baseten-deploy/Cargo.toml has [package.metadata.binstall]");
    let field = |name: &str| -> String {
        let overridden = meta
            .get("overrides")
            .and_then(|o| o.as_table_like())
            .and_then(|o| o.get(target))
            .and_then(|t| t.as_table_like())
            .and_then(|t| t.get(name))
            .and_then(|v| v.as_str());
        overridden
            .or_else(|| meta.get(name).and_then(|v| v.as_str()))
            .unwrap_or_else(|| panic!("binstall metadata has no {name} for {target}"))
            .to_owned()
    };
    Binstall {
        pkg_url: field("pkg-url"),
        bin_dir: field("bin-dir"),
        pkg_fmt: field("pkg-fmt"),
    }
}

/// cargo-binstall's template expansion: `{ key }` (spaces optional) from `values`; a key it
/// does not know is an error here, as a typo would be a URL that never resolves there.
fn expand(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out += &rest[..open];
        let close = rest[open..]
            .find('}')
            .unwrap_or_else(|| panic!("unclosed {{ in {template:?}"));
        let key = rest[open + 1..open + close].trim();
        let value = values.get(key).unwrap_or_else(|| {
            panic!("{template:?} uses {{ {key} }}, which binstall does not set")
        });
        out += value;
        rest = &rest[open + close + 1..];
    }
    out + rest
}

/// The suffixes binstall tries for `{ archive-suffix }` with a pkg-fmt (binstalk-types'
/// `PkgFmt::extensions`), in its order.
fn archive_suffixes(pkg_fmt: &str) -> &'static [&'static str] {
    match pkg_fmt {
        "tgz" => &[".tgz", ".tar.gz"],
        "zip" => &[".zip"],
        other => panic!("pkg-fmt {other:?}: the release workflow makes only tar.gz and zip"),
    }
}

fn workspace_repository() -> String {
    let root: toml_edit::DocumentMut = read(&repo_dir().join("Cargo.toml")).parse().unwrap();
    root["workspace"]["package"]["repository"]
        .as_str()
        .expect("the workspace sets package.repository")
        .trim_end_matches('/')
        .to_owned()
}

/// For every target the release workflow builds: the URL `cargo binstall` tries is the archive
/// `package.sh` makes in the release of the tag the workflow runs on, that archive holds the
/// binary where `bin-dir` says, and `install.sh` downloads the same URL.
#[test]
fn binstall_urls_are_the_archives_the_release_uploads() {
    let workflow = release_workflow();
    // The tag the workflow runs on, and the release it uploads to.
    let tags = workflow["on"]["push"]["tags"]
        .as_sequence()
        .expect("release.yml runs on pushed tags");
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(tags[0].as_str(), Some("baseten-deploy-v*"));
    let build_steps = workflow["jobs"]["build"]["steps"].as_sequence().unwrap();
    let packs = build_steps.iter().any(|step| {
        step["run"].as_str().is_some_and(|run| {
            run.contains("bash baseten-deploy/install/package.sh")
                && run.contains("--target \"$TARGET\"")
                && run.contains("--out-dir dist")
        })
    });
    assert!(
        packs,
        "the build job no longer packs with package.sh into dist/"
    );
    let uploads_dist = build_steps
        .iter()
        .any(|step| step["with"]["path"].as_str() == Some("dist/*"));
    assert!(uploads_dist, "the build job no longer uploads dist/*");
    let publish = serde_yaml_ng::to_string(&workflow["jobs"]["publish"]).unwrap();
    assert!(
        publish.contains("gh release upload \"$TAG\" dist/*")
            && publish.contains("gh release create \"$TAG\" dist/*"),
        "the publish job no longer uploads dist/* to the tag's release:\n{publish}"
    );
    // The tag the publish job uploads to, for the version in Cargo.toml.
    let plan = serde_yaml_ng::to_string(&workflow["jobs"]["plan"]).unwrap();
    assert!(
        plan.contains("echo \"tag=baseten-deploy-v$version\""),
        "{plan}"
    );
    let tag = format!("baseten-deploy-v{VERSION}");

    let repo = workspace_repository();
    assert_eq!(repo, "https://github.com/baseten-api-rs/baseten-api");
    let temp = tempfile::tempdir().unwrap();
    // Any file will do as the binary: only names are compared here.
    let binary = temp.path().join("built");
    std::fs::write(&binary, b"not a real binary").unwrap();

    for target in release_targets() {
        let out = temp.path().join(&target);
        let archive = package(&binary, VERSION, &target, &out);
        let archive_name = archive.file_name().unwrap().to_str().unwrap().to_owned();
        let uploaded = format!("{repo}/releases/download/{tag}/{archive_name}");

        let meta = binstall(&target);
        let binary_ext = if target.contains("windows") {
            ".exe"
        } else {
            ""
        };
        let mut values = BTreeMap::from([
            ("name", "baseten-deploy".to_owned()),
            ("bin", "baseten-deploy".to_owned()),
            ("version", VERSION.to_owned()),
            ("repo", repo.clone()),
            ("target", target.clone()),
            ("binary-ext", binary_ext.to_owned()),
        ]);
        let candidates: Vec<String> = archive_suffixes(&meta.pkg_fmt)
            .iter()
            .map(|suffix| {
                values.insert("archive-suffix", (*suffix).to_owned());
                expand(&meta.pkg_url, &values)
            })
            .collect();
        assert_eq!(
            candidates.iter().filter(|url| **url == uploaded).count(),
            1,
            "{target}: binstall tries {candidates:#?}, the workflow uploads {uploaded}"
        );

        let bin_path = expand(&meta.bin_dir, &values);
        let entries = archive_entries(&archive);
        assert!(
            entries.contains(&bin_path),
            "{target}: binstall looks for {bin_path} in {archive_name}, which holds {entries:#?}"
        );
        let stem = archive_name
            .trim_end_matches(".tar.gz")
            .trim_end_matches(".zip");
        assert!(
            entries.contains(&format!("{stem}/README.md")),
            "{target}: no README.md in {entries:#?}"
        );

        let sums = read(&out.join(format!("{archive_name}.sha256")));
        assert_eq!(sums, format!("{}  {archive_name}\n", sha256(&archive)));

        let url = ok(script("baseten-deploy/install/install.sh").args([
            "--print-url",
            "--version",
            VERSION,
            "--target",
            &target,
        ]));
        assert_eq!(url.stdout.trim(), uploaded, "install.sh for {target}");
    }
}

/// Every runner the action can run on picks an archive the workflow builds, and every archive
/// has a runner that picks it.
#[test]
fn install_sh_picks_a_built_target_for_every_runner() {
    let targets: BTreeSet<String> = release_targets().into_iter().collect();
    let mut picked = BTreeSet::new();
    // GitHub's runner.os / runner.arch, and what uname says elsewhere.
    for (os, arch) in [
        ("Linux", "X64"),
        ("Linux", "ARM64"),
        ("macOS", "X64"),
        ("macOS", "ARM64"),
        ("Windows", "X64"),
        ("Windows", "ARM64"),
        ("Linux", "x86_64"),
        ("Linux", "aarch64"),
        ("Darwin", "arm64"),
        ("Darwin", "x86_64"),
        ("MINGW64_NT-10.0-20348", "x86_64"),
    ] {
        let ran = ok(script("baseten-deploy/install/install.sh")
            .arg("--print-target")
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch));
        let target = ran.stdout.trim().to_owned();
        assert!(
            targets.contains(&target),
            "{os}/{arch}: install.sh picks {target}, not built by release.yml ({targets:?})"
        );
        picked.insert(target);
    }
    assert_eq!(picked, targets, "an archive no runner downloads");

    let unknown = run_to_end(
        script("baseten-deploy/install/install.sh")
            .arg("--print-target")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "riscv64"),
    );
    assert_eq!(unknown.code, 1, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("no release archive for linux/riscv64")
            && unknown.stderr.contains("cargo install"),
        "{unknown:?}"
    );
}

/// `baseten-deploy/install/checksums.txt`: comments, or `sha256sum` lines for archives of
/// targets the workflow builds.
#[test]
fn committed_checksum_table_is_well_formed() {
    let targets = release_targets();
    let table = read(&crate_dir().join("install/checksums.txt"));
    assert!(
        table.contains("How a release fills it"),
        "the table lost its documentation"
    );
    let mut seen = BTreeSet::new();
    for line in table.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (sum, name) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("not `<sha256>  <archive>`: {line:?}"));
        assert!(
            sum.len() == 64
                && sum
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "not a lowercase SHA-256: {line:?}"
        );
        let known = targets.iter().any(|target| {
            let ext = if target.contains("windows") {
                "zip"
            } else {
                "tar.gz"
            };
            name.strip_prefix("baseten-deploy-")
                .and_then(|rest| rest.strip_suffix(&format!("-{target}.{ext}")))
                .is_some_and(|version| !version.is_empty())
        });
        assert!(known, "not an archive the release workflow makes: {line:?}");
        assert!(seen.insert(name.to_owned()), "{name} twice");
    }
}

/// A tiny HTTP/1.1 file server on 127.0.0.1 for install.sh: GET of a file in `dir`, 404 else.
struct Server {
    url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    address: std::net::SocketAddr,
}

impl Server {
    fn serve(dir: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let dir = dir.to_owned();
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    // One request per connection, answered before the next is accepted.
                    let _ = answer(stream, &dir);
                }
            }
        });
        Server {
            url: format!("http://{address}"),
            stop,
            thread: Some(thread),
            address,
        }
    }
}

fn answer(mut stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let name = path.trim_start_matches('/');
    let file = (!name.is_empty() && !name.contains('/') && !name.contains(".."))
        .then(|| std::fs::read(dir.join(name)).ok())
        .flatten();
    match file {
        Some(body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        None => write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
    }
    stream.flush()
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees `stop`.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The real binary packed for this machine's target as `version`, once per test run (packing
/// the debug binary takes seconds), in cargo's temporary folder for integration tests.
fn packed(version: &str) -> PathBuf {
    static PACKED: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let mut packed = PACKED.lock().unwrap_or_else(|e| e.into_inner());
    packed
        .entry(version.to_owned())
        .or_insert_with(|| {
            let host = ok(script("baseten-deploy/install/install.sh").arg("--print-target"));
            let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("install-{version}"));
            package(Path::new(DEPLOY), version, host.stdout.trim(), &out)
        })
        .clone()
}

/// A release of the real binary for this machine's target, served on 127.0.0.1.
struct Release {
    dir: tempfile::TempDir,
    archive: PathBuf,
    server: Server,
}

impl Release {
    /// The real binary as this crate's version.
    fn new() -> Release {
        let dir = tempfile::tempdir().unwrap();
        let packed = packed(VERSION);
        let served = dir.path().join("served");
        std::fs::create_dir(&served).unwrap();
        let archive = served.join(packed.file_name().unwrap());
        std::fs::copy(&packed, &archive).unwrap();
        let sums = format!("{}.sha256", archive.file_name().unwrap().to_str().unwrap());
        std::fs::copy(packed.with_file_name(&sums), served.join(&sums)).unwrap();
        Self::serving(dir, archive)
    }

    /// `binary` packed as `version`.
    fn of(binary: &Path, version: &str) -> Release {
        let dir = tempfile::tempdir().unwrap();
        let host = ok(script("baseten-deploy/install/install.sh").arg("--print-target"));
        let archive = package(
            binary,
            version,
            host.stdout.trim(),
            &dir.path().join("served"),
        );
        Self::serving(dir, archive)
    }

    fn serving(dir: tempfile::TempDir, archive: PathBuf) -> Release {
        let server = Server::serve(archive.parent().unwrap());
        Release {
            dir,
            archive,
            server,
        }
    }

    fn name(&self) -> String {
        self.archive
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    }

    fn sha256_file(&self) -> PathBuf {
        self.archive
            .with_file_name(format!("{}.sha256", self.name()))
    }

    fn install_dir(&self) -> PathBuf {
        self.dir.path().join("install dir") // a space: the scripts quote their paths
    }

    /// A checksum table holding `lines`.
    fn table(&self, lines: &str) -> PathBuf {
        let path = self.dir.path().join("checksums.txt");
        std::fs::write(&path, format!("# a table for this test\n{lines}")).unwrap();
        path
    }

    /// install.sh of this release's version into `install_dir()` with the table `table`.
    fn install(&self, version: &str, table: &Path) -> Command {
        let mut command = script("baseten-deploy/install/install.sh");
        command
            .args(["--version", version, "--base-url", &self.server.url])
            .arg("--install-dir")
            .arg(self.install_dir())
            .arg("--checksums")
            .arg(table)
            .env("TMPDIR", self.dir.path());
        command
    }

    #[track_caller]
    fn assert_nothing_installed(&self, ran: &Ran) {
        assert_eq!(ran.code, 1, "{ran:?}");
        assert!(ran.stderr.contains("nothing installed"), "{ran:?}");
        let dir = self.install_dir();
        let left: Vec<_> = std::fs::read_dir(&dir)
            .map(|entries| entries.map(|e| e.unwrap().file_name()).collect())
            .unwrap_or_default();
        assert!(
            left.is_empty(),
            "{} holds {left:?} after: {ran:?}",
            dir.display()
        );
        // And no download or unpacked archive left in the temporary folder.
        let temp: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("baseten-deploy-install."))
            .collect();
        assert!(temp.is_empty(), "left behind: {temp:?}");
    }
}

#[test]
fn install_verifies_and_installs_a_binary_that_runs() {
    let release = Release::new();
    let pinned = release.table(&format!(
        "{}  {}\n",
        sha256(&release.archive),
        release.name()
    ));
    let github_path = release.dir.path().join("github_path");
    let github_output = release.dir.path().join("github_output");
    let ran = ok(release
        .install(VERSION, &pinned)
        .arg("--github")
        .env("GITHUB_PATH", &github_path)
        .env("GITHUB_OUTPUT", &github_output));
    assert!(
        ran.stderr
            .contains("matches the release's .sha256 and the committed table"),
        "{ran:?}"
    );
    let installed = release.install_dir().join("baseten-deploy");
    let version = ok(Command::new(&installed).arg("--version"));
    assert_eq!(version.stdout, format!("baseten-deploy {VERSION}\n"));
    let entries: Vec<_> = std::fs::read_dir(release.install_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["baseten-deploy"], "only the binary is installed");
    // What the action's later steps read.
    assert_eq!(
        read(&github_path),
        format!("{}\n", release.install_dir().display())
    );
    assert_eq!(
        read(&github_output),
        format!(
            "dir={}\npath={}\nversion={VERSION}\n",
            release.install_dir().display(),
            installed.display()
        )
    );

    // No line in the table (a release not recorded yet): installed, with a warning.
    std::fs::remove_dir_all(release.install_dir()).unwrap();
    let ran = ok(&mut release.install(VERSION, &release.table("")));
    assert!(
        ran.stderr
            .contains(&format!("warning: {} has no line in", release.name()))
            && ran
                .stderr
                .contains("checked against the release's .sha256 only"),
        "{ran:?}"
    );
    ok(Command::new(&installed).arg("--version"));
}

#[test]
fn install_refuses_an_archive_that_does_not_match_its_sha256_file() {
    let release = Release::new();
    let wrong = "0".repeat(64);
    std::fs::write(
        release.sha256_file(),
        format!("{wrong}  {}\n", release.name()),
    )
    .unwrap();
    let ran = run_to_end(&mut release.install(VERSION, &release.table("")));
    release.assert_nothing_installed(&ran);
    assert!(
        ran.stderr.contains(&format!(
            "checksum mismatch for {}: the release's .sha256 says {wrong}, the download is {}",
            release.name(),
            sha256(&release.archive)
        )),
        "{ran:?}"
    );

    // A .sha256 that is not one.
    std::fs::write(release.sha256_file(), "<html>rate limited</html>\n").unwrap();
    let ran = run_to_end(&mut release.install(VERSION, &release.table("")));
    release.assert_nothing_installed(&ran);
    assert!(
        ran.stderr.contains("is not a SHA-256 checksum file"),
        "{ran:?}"
    );

    // No .sha256 at all.
    std::fs::remove_file(release.sha256_file()).unwrap();
    let ran = run_to_end(&mut release.install(VERSION, &release.table("")));
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.stderr.contains("could not download"), "{ran:?}");
    assert!(!release.install_dir().exists());
}

#[test]
fn install_refuses_an_archive_that_does_not_match_the_committed_table() {
    let release = Release::new();
    // The release's archive and .sha256 agree, but not with what was recorded at release time:
    // the asset was replaced.
    let recorded = "ab".repeat(32);
    let table = release.table(&format!("{recorded}  {}\n", release.name()));
    let ran = run_to_end(&mut release.install(VERSION, &table));
    release.assert_nothing_installed(&ran);
    assert!(
        ran.stderr.contains(&format!(
            "pins {recorded}, the download (and its .sha256) is"
        )),
        "{ran:?}"
    );

    // No table where one was named: refused, not skipped.
    let ran = run_to_end(&mut release.install(VERSION, &release.dir.path().join("missing.txt")));
    release.assert_nothing_installed(&ran);
    assert!(ran.stderr.contains("no checksum table at"), "{ran:?}");

    // A pinned checksum required, and the table has none for this archive.
    let ran = run_to_end(
        release
            .install(VERSION, &release.table(""))
            .arg("--require-pinned"),
    );
    release.assert_nothing_installed(&ran);
    assert!(
        ran.stderr.contains("has no line in")
            && ran.stderr.contains("a pinned checksum is required"),
        "{ran:?}"
    );
}

#[test]
fn install_refuses_an_archive_holding_another_version() {
    // An archive for 9.9.9 that holds a program which says it is VERSION.
    let temp = tempfile::tempdir().unwrap();
    let impostor = temp.path().join("impostor");
    std::fs::write(
        &impostor,
        format!("#!/bin/sh\necho 'baseten-deploy {VERSION}'\n"),
    )
    .unwrap();
    make_executable(&impostor);
    let release = Release::of(&impostor, "9.9.9");
    let ran = run_to_end(&mut release.install("9.9.9", &release.table("")));
    release.assert_nothing_installed(&ran);
    assert!(
        ran.stderr.contains(&format!(
            "the archive for 9.9.9 holds 'baseten-deploy {VERSION}'"
        )),
        "{ran:?}"
    );
}

/// The action's inputs are the CLI's flags, one to one, and its `version` is this crate's.
#[test]
fn action_inputs_are_the_cli_flags() {
    let action = yaml(&crate_dir().join("action.yml"));
    let inputs: BTreeMap<String, serde_yaml_ng::Value> = action["inputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.clone()))
        .collect();
    assert_eq!(
        inputs["version"]["default"].as_str(),
        Some(VERSION),
        "action.yml's default version is not the crate's: bump it with Cargo.toml"
    );

    // Every long flag of every subcommand, from --help.
    let help = |args: &[&str]| ok(Command::new(DEPLOY).args(args).arg("--help")).stdout;
    let top = help(&[]);
    let commands: Vec<String> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(
        commands.contains(&"promote-chain".to_owned()),
        "{commands:?}"
    );
    let mut flags = BTreeSet::new();
    let helps = std::iter::once(top.clone()).chain(commands.iter().map(|c| help(&[c.as_str()])));
    for text in helps {
        for line in text.lines() {
            let line = line.trim_start();
            // `-v, --verbose`, `-h, --help`
            let line = match line.as_bytes() {
                [b'-', short, b',', b' ', ..] if short.is_ascii_alphabetic() => &line[4..],
                _ => line,
            };
            if let Some(flag) = line.strip_prefix("--") {
                let name: String = flag
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                    .collect();
                flags.insert(name);
            }
        }
    }
    // Not inputs: help and version; the key only as `api-key` → BASETEN_API_KEY; verbose is the
    // `verbose` input's 0–3.
    for not_an_input in ["help", "version", "api-key-file"] {
        assert!(flags.remove(not_an_input), "{not_an_input} in {flags:?}");
    }
    let action_only: BTreeSet<String> =
        ["command", "api-key", "version", "require-pinned-checksum"]
            .into_iter()
            .map(str::to_owned)
            .collect();
    let input_flags: BTreeSet<String> = inputs
        .keys()
        .filter(|name| !action_only.contains(*name))
        .cloned()
        .collect();
    assert_eq!(input_flags, flags, "action.yml inputs vs the CLI's flags");

    // The command input names the subcommands.
    let described = inputs["command"]["description"].as_str().unwrap();
    for command in &commands {
        assert!(
            described.contains(command.as_str()),
            "{command} in {described:?}"
        );
    }

    // Each input reaches the step that runs the CLI as INPUT_<NAME> (the install step takes
    // `version` and `require-pinned-checksum`).
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let run_step = steps
        .iter()
        .find(|s| s["id"].as_str() == Some("run"))
        .unwrap();
    let env: BTreeSet<String> = run_step["env"]
        .as_mapping()
        .unwrap()
        .keys()
        .filter_map(|k| k.as_str()?.strip_prefix("INPUT_").map(str::to_owned))
        .collect();
    let expected: BTreeSet<String> = inputs
        .keys()
        .filter(|name| !["version", "require-pinned-checksum"].contains(&name.as_str()))
        .map(|name| name.to_uppercase().replace('-', "_"))
        .collect();
    assert_eq!(env, expected);
    for (name, value) in run_step["env"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        if let Some(input) = name.strip_prefix("INPUT_") {
            let input = input.to_lowercase().replace('_', "-");
            assert_eq!(
                value.as_str(),
                Some(format!("${{{{ inputs.{input} }}}}").as_str()),
                "{name}"
            );
        }
    }

    // The outputs the CLI writes to $GITHUB_OUTPUT, from the step that runs it.
    let outputs = action["outputs"].as_mapping().unwrap();
    for name in [
        "outcome",
        "exit-code",
        "deployment-id",
        "previous-deployment-id",
        "current-deployment-id",
        "percent-traffic",
        "waited-seconds",
        "message",
    ] {
        assert_eq!(
            outputs[name]["value"].as_str(),
            Some(format!("${{{{ steps.run.outputs.{name} }}}}").as_str()),
            "output {name}"
        );
    }
}

/// A stand-in for baseten-deploy that prints its arguments and the key it was given.
fn fake_deploy(dir: &Path) -> PathBuf {
    let fake = dir.join("fake-baseten-deploy");
    std::fs::write(
        &fake,
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\necho \"key=${BASETEN_API_KEY-unset}\"\n",
    )
    .unwrap();
    make_executable(&fake);
    fake
}

fn make_executable(path: &Path) {
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(path, permissions).unwrap();
}

#[test]
fn action_passes_each_input_as_its_flag() {
    let temp = tempfile::tempdir().unwrap();
    let fake = fake_deploy(temp.path());
    let action = || {
        let mut command = script("baseten-deploy/install/action-run.sh");
        command.env("BASETEN_DEPLOY_BIN", &fake);
        command
    };
    let every_input = [
        ("COMMAND", "promote"),
        ("MODEL", "mdl"),
        ("CHAIN", "chn"),
        ("ENV", "production"),
        ("DEPLOYMENT", "dpl 2"),
        ("WAIT", "true"),
        ("TIMEOUT", "1h 30m"),
        ("POLL_INTERVAL", "5s"),
        ("SETTLE", "20s"),
        ("CHECK", "curl -fsS \"$URL/health\" | grep ok"),
        ("CHECK_AT", "10,50"),
        ("CHECK_EVERY", "30s"),
        ("HOLD_AT", "50"),
        ("CHECK_TIMEOUT", "2m"),
        ("ON_CHECK_FAILURE", "force-cancel"),
        ("CHECK_RETRIES", "1"),
        ("NO_SCALE_DOWN", "true"),
        ("NO_PRESERVE_INSTANCE_TYPE", "true"),
        ("OUTPUT", "json"),
        ("API_URL", "http://127.0.0.1:9"),
        ("AUTH_SCHEME", "Bearer"),
        ("CONNECT_TIMEOUT", "3s"),
        ("VERBOSE", "2"),
        ("API_KEY", "secret-key"),
    ];
    let mut all = action();
    for (name, value) in every_input {
        all.env(format!("INPUT_{name}"), value);
    }
    let ran = ok(&mut all);
    let expected = [
        "promote",
        "--model",
        "mdl",
        "--chain",
        "chn",
        "--env",
        "production",
        "--deployment",
        "dpl 2",
        "--wait",
        "--timeout",
        "1h 30m",
        "--poll-interval",
        "5s",
        "--settle",
        "20s",
        "--check",
        "curl -fsS \"$URL/health\" | grep ok",
        "--check-at",
        "10,50",
        "--check-every",
        "30s",
        "--hold-at",
        "50",
        "--check-timeout",
        "2m",
        "--on-check-failure",
        "force-cancel",
        "--check-retries",
        "1",
        "--no-scale-down",
        "--no-preserve-instance-type",
        "--output",
        "json",
        "--api-url",
        "http://127.0.0.1:9",
        "--auth-scheme",
        "Bearer",
        "--connect-timeout",
        "3s",
        "-vv",
        "key=secret-key",
    ];
    assert_eq!(ran.stdout.lines().collect::<Vec<_>>(), expected, "{ran:?}");

    // Defaults (empty, "false", "0"): no flag; the job's BASETEN_API_KEY is kept.
    let ran = ok(action()
        .env("INPUT_COMMAND", "status")
        .env("INPUT_MODEL", "mdl")
        .env("INPUT_WAIT", "false")
        .env("INPUT_NO_SCALE_DOWN", "false")
        .env("INPUT_VERBOSE", "0")
        .env("INPUT_API_KEY", "")
        .env("BASETEN_API_KEY", "from-the-job"));
    assert_eq!(
        ran.stdout.lines().collect::<Vec<_>>(),
        ["status", "--model", "mdl", "key=from-the-job"]
    );

    // No command: install only, nothing run.
    let ran = ok(&mut action());
    assert!(ran.stdout.contains("installed only"), "{ran:?}");

    // A boolean that is not one is refused, not guessed.
    let ran = run_to_end(
        action()
            .env("INPUT_COMMAND", "promote")
            .env("INPUT_WAIT", "yes"),
    );
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.stderr
            .contains("input 'wait' must be true or false, not 'yes'"),
        "{ran:?}"
    );
}
