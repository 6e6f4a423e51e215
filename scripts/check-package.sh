#!/usr/bin/env bash
# Proves the crate builds as published: packages baseten-api, unpacks the .crate in a temporary
# directory outside the workspace and builds it there, offline, with its own Cargo.lock. If
# build.rs needed a file that `include` in Cargo.toml leaves out (the spec, build/…), or the
# manifest still referred to the workspace, this fails.
#
# Dependencies compile into target/package-check (kept between runs; a separate directory,
# because the unpacked crate's artifacts would otherwise overwrite the workspace's own).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/baseten-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --allow-dirty: CI also runs on working copies; --no-verify: the build below is the verification.
cargo package -p baseten-api --locked --no-verify --allow-dirty --target-dir "$work/package" --quiet 2>"$work/package.log" || {
  cat "$work/package.log" >&2
  exit 1
}
crate=$(ls "$work"/package/package/baseten-api-*.crate)
echo "packaged $(basename "$crate") ($(du -k "$crate" | cut -f1) KiB):"
tar -tzf "$crate" | sed 's/^/  /'

mkdir "$work/unpacked"
tar -xzf "$crate" -C "$work/unpacked"
dir=$(ls -d "$work"/unpacked/baseten-api-*)

# The published manifest must stand alone: no path dependencies (the path-only dev-dependency on
# baseten-mock is dropped by cargo), no workspace inheritance left.
python3 - "$dir/Cargo.toml" <<'PY'
import sys, tomllib
manifest = tomllib.load(open(sys.argv[1], "rb"))
problems = []
def deps(table, where):
    for name, spec in (table or {}).items():
        if isinstance(spec, dict) and ("path" in spec or spec.get("workspace")):
            problems.append(f"{where}.{name}: {spec}")
for kind in ("dependencies", "dev-dependencies", "build-dependencies"):
    deps(manifest.get(kind), kind)
for target, table in manifest.get("target", {}).items():
    for kind in ("dependencies", "dev-dependencies", "build-dependencies"):
        deps(table.get(kind), f"target.{target}.{kind}")
if any(isinstance(v, dict) and v.get("workspace") for v in manifest["package"].values()):
    problems.append("package fields still inherit from the workspace")
if problems:
    sys.exit("the packaged Cargo.toml is not standalone:\n  " + "\n  ".join(problems))
PY
for needed in build.rs build/postprocess.rs openapi/baseten-3.0.json README.md CHANGELOG.md; do
  [ -e "$dir/$needed" ] || { echo "the package lacks $needed" >&2; exit 1; }
done

# Build it where it can only see itself (its own Cargo.lock, no parent workspace).
(cd "$dir" && CARGO_TARGET_DIR="$root/target/package-check" cargo build --locked --offline --quiet)
echo "the packaged crate builds outside the workspace"
