#!/usr/bin/env bash
# Proves the crates build as published: packages baseten-api and baseten-mock, unpacks each
# .crate in a temporary directory outside the workspace and builds it there, offline, with its
# own Cargo.lock. If a build needed a file that `include` in its Cargo.toml leaves out (the spec,
# build/…, the mock's spec copy or demo seed), or a manifest still referred to the workspace,
# this fails.
#
# baseten-mock depends on baseten-api, which is not on crates.io yet: `cargo package` resolves
# it from a temporary local registry holding the baseten-api it just packaged, and the unpacked
# mock is built with `[patch.crates-io]` pointing at the unpacked client, so it compiles
# against what would be published, not against the workspace.
#
# `cargo check`, not `cargo build`: it runs each build script (which is what needs the packaged
# files) and compiles every item; code generation and linking would prove nothing more about the
# package, and cost minutes in CI. It checks into the workspace's own `target/`, where the clippy
# step has already checked some of the dependencies (checks produce no uplifted files, so nothing
# of the workspace's build is overwritten), with the workspace's `[profile]` tables: a packaged
# manifest other than the root's carries none, and under other profiles every dependency would be
# compiled again (the mock's check compiled 200 crates, aws-lc-sys among them, before they were
# passed on).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target="$root/target"

work=$(mktemp -d "${TMPDIR:-/tmp}/baseten-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --allow-dirty: CI also runs on working copies; --no-verify: the builds below are the
# verification. One command for both, so that the mock's dependency on the unpublished client
# resolves (cargo ≥ 1.83).
cargo package -p baseten-api -p baseten-mock --locked --no-verify --allow-dirty \
  --target-dir "$work/package" --quiet 2>"$work/package.log" || {
  cat "$work/package.log" >&2
  exit 1
}

mkdir "$work/unpacked"
# unpack <crate name>: lists the packaged .crate and unpacks it; sets $unpacked to its directory.
unpack() {
  local crate
  crate=$(ls "$work"/package/package/"$1"-[0-9]*.crate)
  echo "packaged $(basename "$crate") ($(du -k "$crate" | cut -f1) KiB):"
  tar -tzf "$crate" | sed 's/^/  /'
  tar -xzf "$crate" -C "$work/unpacked"
  unpacked=$(ls -d "$work"/unpacked/"$1"-[0-9]*)
  # `cargo package` stamps every file with the same fixed date (2006), and cargo decides
  # freshness by mtime: a changed package would look older than the previous run's artifacts in
  # target/ and not be rebuilt, so the check would pass on stale output. Files
  # dated now are always rebuilt (registry dependencies stay compiled).
  find "$unpacked" -type f -exec touch {} +
}
unpack baseten-api
client=$unpacked
unpack baseten-mock
mock=$unpacked

# A published manifest must stand alone: no path dependencies (cargo drops the path-only
# dev-dependency of baseten-api on baseten-mock, and keeps only the version of the mock's
# dependency on baseten-api), no workspace inheritance left.
python3 - "$client/Cargo.toml" "$mock/Cargo.toml" <<'PY'
import sys, tomllib
problems = []
for path in sys.argv[1:]:
    manifest = tomllib.load(open(path, "rb"))
    name = manifest["package"]["name"]
    def deps(table, where):
        for dep, spec in (table or {}).items():
            if isinstance(spec, dict) and ("path" in spec or spec.get("workspace")):
                problems.append(f"{name}: {where}.{dep}: {spec}")
    for kind in ("dependencies", "dev-dependencies", "build-dependencies"):
        deps(manifest.get(kind), kind)
    for target, table in manifest.get("target", {}).items():
        for kind in ("dependencies", "dev-dependencies", "build-dependencies"):
            deps(table.get(kind), f"target.{target}.{kind}")
    if any(isinstance(v, dict) and v.get("workspace") for v in manifest["package"].values()):
        problems.append(f"{name}: package fields still inherit from the workspace")
if problems:
    sys.exit("a packaged Cargo.toml is not standalone:\n  " + "\n  ".join(problems))
PY
for needed in build.rs build/postprocess.rs openapi/baseten-3.0.json README.md CHANGELOG.md; do
  [ -e "$client/$needed" ] || { echo "the baseten-api package lacks $needed" >&2; exit 1; }
done
for needed in spec/baseten.yaml seeds/demo.yaml README.md Cargo.lock; do
  [ -e "$mock/$needed" ] || { echo "the baseten-mock package lacks $needed" >&2; exit 1; }
done

# The workspace's profiles as `--config` arguments (profile.dev.package."*".debug=false, …).
mapfile -t profiles < <(python3 - "$root/Cargo.toml" <<'PY'
import sys, tomllib
def walk(prefix, table):
    for key, value in table.items():
        quoted = key if key.replace("-", "").replace("_", "").isalnum() else f'"{key}"'
        if isinstance(value, dict):
            yield from walk(f"{prefix}.{quoted}", value)
        else:
            literal = str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(value, (int, float)) else f'"{value}"'
            yield f"--config={prefix}.{quoted}={literal}"
for line in walk("profile", tomllib.load(open(sys.argv[1], "rb")).get("profile", {})):
    print(line)
PY
)

# Build each where it can only see itself (its own Cargo.lock, no parent workspace).
(cd "$client" && CARGO_TARGET_DIR="$target" cargo check --locked --offline --quiet "${profiles[@]}")
echo "the packaged baseten-api builds (cargo check) outside the workspace"

# The mock's Cargo.lock names baseten-api as a crates.io package; the patch makes cargo take it
# from the unpacked client instead, which rewrites that one entry (no source, no checksum), so
# `--locked` cannot be used. Instead the lock file is compared afterwards: any other change
# means the packaged lock file does not build as shipped.
cp "$mock/Cargo.lock" "$work/mock-Cargo.lock"
(cd "$mock" && CARGO_TARGET_DIR="$target" cargo check --offline --quiet "${profiles[@]}" \
  --config "patch.crates-io.baseten-api.path=\"$client\"")
python3 - "$work/mock-Cargo.lock" "$mock/Cargo.lock" <<'PY'
import sys, tomllib
shipped, used = (tomllib.load(open(p, "rb"))["package"] for p in sys.argv[1:])
for package in shipped:
    if package["name"] == "baseten-api":
        package.pop("source", None)
        package.pop("checksum", None)
key = lambda p: (p["name"], p["version"])
if sorted(shipped, key=key) != sorted(used, key=key):
    changed = sorted({key(p) for p in shipped} ^ {key(p) for p in used})
    sys.exit("building the packaged baseten-mock changed its Cargo.lock beyond baseten-api's "
             f"source: {changed or 'dependencies of a package'}")
PY
echo "the packaged baseten-mock (library and binary) builds (cargo check) outside the workspace against the packaged baseten-api"
