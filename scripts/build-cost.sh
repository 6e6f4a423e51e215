#!/usr/bin/env bash
# What a user's clean build pays for baseten-api, measured in one run on this machine:
#
#   1. consumer: a clean build of a crate whose only dependency is baseten-api (the packaged
#      .crate, unpacked; default features) — what `cargo build` costs a project that adds
#      `baseten-api = "0.1"`;
#   2. floor:    a clean build of a crate with exactly baseten-api's runtime [dependencies]
#      (same versions from Cargo.lock, same features, including the default `rustls`) and no
#      build.rs — what any reqwest + serde client of this API costs;
#   3. no-op:    `cargo build` again in the consumer's target dir; fails if baseten-api's build
#      script is compiled or run again.
#
# It prints the three times and consumer/floor. Both crates live in temporary directories
# outside the workspace (so the workspace's own [profile] settings do not apply, as they would
# not for a user), use the workspace's Cargo.lock, build with the same profile and -j, each in
# a fresh CARGO_TARGET_DIR. With --repeat N the pair is built N times, alternating which goes
# first, so that load drift on a shared machine shows up as spread instead of bias.
#
# Usage: scripts/build-cost.sh [--release] [--jobs N] [--repeat N] [--features "native-tls" --no-default-features]
#        (network: none once the dependencies are in ~/.cargo/registry; add --online otherwise)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

profile_flag=()
profile_name=dev
jobs=$(nproc)
repeat=1
features=()
offline=(--offline)
while [ $# -gt 0 ]; do
  case $1 in
    --release) profile_flag=(--release); profile_name=release ;;
    --jobs) jobs=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --no-default-features) features+=(--no-default-features) ;;
    --features) features+=(--features "$2"); shift ;;
    --online) offline=() ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

work=$(mktemp -d "${TMPDIR:-/tmp}/baseten-build-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The floor's manifest: baseten-api's normal dependencies as `cargo metadata` reports them,
# plus the dependency features its enabled features turn on (default: rustls → reqwest/rustls).
cargo metadata --format-version 1 --no-deps --locked "${offline[@]}" >"$work/metadata.json"
python3 - "$work" "${features[*]:-}" <<'PY'
import json, sys
work, feature_args = sys.argv[1], sys.argv[2].split()
meta = json.load(open(f"{work}/metadata.json"))
pkg = next(p for p in meta["packages"] if p["name"] == "baseten-api")

enabled = set()
if "--no-default-features" not in feature_args:
    enabled.add("default")
if "--features" in feature_args:
    enabled.update(feature_args[feature_args.index("--features") + 1].replace(",", " ").split())
# Close over features enabling features, collect `dep/feature` entries.
extra, todo = {}, list(enabled)
while todo:
    for entry in pkg["features"].get(todo.pop(), []):
        if "/" in entry:
            dep, feat = entry.split("/", 1)
            extra.setdefault(dep.rstrip("?"), set()).add(feat)
        elif entry not in enabled and entry in pkg["features"]:
            enabled.add(entry)
            todo.append(entry)

lines = []
for dep in pkg["dependencies"]:
    if dep["kind"] is not None or dep["optional"]:
        continue
    feats = sorted(set(dep["features"]) | extra.get(dep["name"], set()))
    spec = f'version = "{dep["req"]}"'
    if not dep["uses_default_features"]:
        spec += ", default-features = false"
    if feats:
        spec += ", features = [" + ", ".join(f'"{f}"' for f in feats) + "]"
    lines.append(f'{dep["name"]} = {{ {spec} }}')

def crate(name, deps):
    import os
    os.makedirs(f"{work}/{name}/src", exist_ok=True)
    with open(f"{work}/{name}/Cargo.toml", "w") as f:
        f.write(f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
                f"[dependencies]\n{deps}\n\n[workspace]\n")
    with open(f"{work}/{name}/src/lib.rs", "w") as f:
        f.write("//! Build-cost probe.\n")

crate("floor", "\n".join(lines))
api_features = ""
if "--no-default-features" in feature_args:
    api_features += ", default-features = false"
if "--features" in feature_args:
    fs = feature_args[feature_args.index("--features") + 1].replace(",", " ").split()
    api_features += ", features = [" + ", ".join(f'"{f}"' for f in fs) + "]"
crate("consumer", f'baseten-api = {{ path = "{work}/baseten-api-{pkg["version"]}"{api_features} }}')
PY
# The consumer builds baseten-api as users get it: the packaged .crate, unpacked. (It is also a
# snapshot, so edits in the workspace during the run cannot disturb the no-op rebuild.)
version=$(python3 -c 'import json,sys; print(next(p["version"] for p in json.load(open(sys.argv[1]))["packages"] if p["name"]=="baseten-api"))' "$work/metadata.json")
cargo package -p baseten-api --no-verify --allow-dirty --locked "${offline[@]}" --target-dir "$work/package" --quiet
tar -xzf "$work/package/package/baseten-api-$version.crate" -C "$work"
cp Cargo.lock "$work/floor/Cargo.lock"
cp Cargo.lock "$work/consumer/Cargo.lock"

echo "build-cost: profile $profile_name, -j $jobs, $(rustc --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "floor dependencies:"
sed -n '/^\[dependencies\]/,/^\[workspace\]/p' "$work/floor/Cargo.toml" | grep -v '^\[' | grep . | sed 's/^/  /'

now() { date +%s.%N; }

# Builds crate $1 clean in target dir $2; prints the seconds taken.
clean_build() {
  local crate=$1 target=$2 t0 t1
  rm -rf "$target"
  t0=$(now)
  if ! (cd "$work/$crate" && CARGO_TARGET_DIR="$target" cargo build "${offline[@]}" "${profile_flag[@]}" \
      -j "$jobs" --timings --quiet >"$work/$crate.log" 2>&1); then
    cat "$work/$crate.log" >&2
    echo "build-cost: the clean build of $crate failed" >&2
    exit 1
  fi
  t1=$(now)
  cp "$target/cargo-timings/cargo-timing.html" "$work/$crate-timing.html"
  echo "$t1 - $t0" | bc
}

consumer_times=()
floor_times=()
for i in $(seq 1 "$repeat"); do
  if [ $((i % 2)) -eq 1 ]; then order="consumer floor"; else order="floor consumer"; fi
  for crate in $order; do
    t=$(clean_build "$crate" "$work/target-$crate")
    printf '  run %d: clean build of %-8s %7.1f s\n' "$i" "$crate" "$t"
    if [ "$crate" = consumer ]; then consumer_times+=("$t"); else floor_times+=("$t"); fi
  done
done

# No-op rebuild: nothing may be compiled, and baseten-api's build script must not run.
t0=$(now)
(cd "$work/consumer" && CARGO_TARGET_DIR="$work/target-consumer" cargo build "${offline[@]}" \
  "${profile_flag[@]}" -j "$jobs" -vv >"$work/noop.log" 2>&1)
noop=$(echo "$(now) - $t0" | bc)
if grep -E '^\s*(Compiling|Running .*build-script-build)' "$work/noop.log" >/dev/null; then
  grep -E '^\s*(Compiling|Running)' "$work/noop.log" >&2
  echo "build-cost: FAIL: the no-op rebuild compiled or ran something" >&2
  exit 1
fi
grep -q 'Fresh baseten-api' "$work/noop.log" || {
  echo "build-cost: FAIL: no 'Fresh baseten-api' in the no-op rebuild" >&2
  exit 1
}

# Where the difference comes from (cargo --timings of the last clean builds): the units the
# consumer compiles that the floor does not, with their durations (they overlap with -j > 1).
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def units(crate):
    html = open(f"{work}/{crate}-timing.html").read()
    start = html.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
    data, _ = json.JSONDecoder().raw_decode(html[start:])
    return data
def key(u):
    return (u["name"], u["version"], u["mode"], u["target"], tuple(u.get("features", [])))
consumer, floor = units("consumer"), units("floor")
floor_keys = {key(u) for u in floor}
extra = [u for u in consumer if key(u) not in floor_keys]
def label(u):
    what = {"run-custom-build": "build script run"}.get(u["mode"], (u["target"].strip() or "lib"))
    return f'{u["name"]} {u["version"]} ({what})'
print()
print(f"units the consumer builds and the floor does not: {len(extra)} "
      f"(of {len(consumer)} vs {len(floor)}), {sum(u['duration'] for u in extra):.1f} s of unit time:")
for u in sorted(extra, key=lambda u: -u["duration"])[:12]:
    print(f'  {u["duration"]:6.1f} s  {label(u)}')
gone = [u for u in floor if key(u) not in {key(v) for v in consumer}]
if gone:
    print(f"units the floor builds and the consumer does not (other features): {len(gone)}, "
          f"{sum(u['duration'] for u in gone):.1f} s: " + ", ".join(label(u) for u in gone))
print("baseten-api's own units:")
for u in consumer:
    if u["name"] == "baseten-api":
        print(f'  {u["duration"]:6.1f} s  {label(u)}')
PY

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
c=$(median "${consumer_times[@]}")
f=$(median "${floor_times[@]}")
echo
printf 'clean build, baseten-api (consumer)   %7.1f s   (median of %d)\n' "$c" "$repeat"
printf 'clean build, floor (runtime deps)     %7.1f s   (median of %d)\n' "$f" "$repeat"
printf 'ratio consumer / floor                %7.2f\n' "$(echo "$c / $f" | bc -l)"
printf 'what baseten-api adds                 %7.1f s   (build deps, build.rs run, the crate)\n' "$(echo "$c - $f" | bc -l)"
printf 'no-op rebuild                         %7.2f s   (build.rs not rerun: ok)\n' "$noop"
