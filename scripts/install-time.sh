#!/usr/bin/env bash
# How long baseten-deploy/install/install.sh takes (what the action runs), against a release
# served from 127.0.0.1: packs BINARY with package.sh as the release workflow does, serves it
# with Python's http.server, and times RUNS installs into fresh folders (download, both checksum
# checks, extraction, `--version`, install). No network: the download from GitHub that a real
# runner makes is not in these figures.
#
#   scripts/install-time.sh [BINARY]    default target/release/baseten-deploy; RUNS (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/release/baseten-deploy}
runs=${RUNS:-20}
[ -x "$binary" ] || { echo "no $binary: cargo build --release -p baseten-deploy" >&2; exit 1; }

work=$(mktemp -d)
server=''
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

version=$("$binary" --version | cut -d ' ' -f 2)
target=$(bash baseten-deploy/install/install.sh --print-target)
archive=$(bash baseten-deploy/install/package.sh --version "$version" --target "$target" \
  --binary "$binary" --out-dir "$work/served")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work/served" && exec python3 -m http.server --bind 127.0.0.1 "$port") > /dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do
  if curl --silent --output /dev/null "http://127.0.0.1:$port/"; then break; fi
  sleep 0.1
done

times=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  bash baseten-deploy/install/install.sh --version "$version" --base-url "http://127.0.0.1:$port" \
    --install-dir "$work/bin-$i" 2> /dev/null
  times+=($((($(date +%s%N) - start) / 1000000)))
  "$work/bin-$i/baseten-deploy" --version > /dev/null
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "archive: $(basename "$archive"), $(wc -c < "$archive") bytes (binary $(wc -c < "$binary") bytes)"
echo "install.sh over $runs runs: median $(echo "$sorted" | sed -n "$(((runs + 1) / 2))p") ms," \
  "min $(echo "$sorted" | head -n 1) ms, max $(echo "$sorted" | tail -n 1) ms"
