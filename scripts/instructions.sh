#!/usr/bin/env bash
# Instructions per request of the three request-path clients (benches/benches/request_ratios.rs),
# counted by valgrind's callgrind, compared against benches/instructions-baseline.json.
#
#   floor_hyper           raw hyper: the least an HTTP/1.1 client can do
#   hand_written_reqwest  reqwest + serde, what a careful user writes without this crate
#   baseten_api           this crate, as shipped
#
# Each client runs `promote_model_to_environment` sequentially against the in-process server
# (client + server on one thread), once with N1 and once with N2 requests after the same
# warm-up; (total(N2) - total(N1)) / (N2 - N1) is the cost of one request, client and server,
# with start-up, connection set-up and warm-up cancelled out. Instruction counts do not drift
# with the machine's load, unlike requests/s, so a change of a few percent is visible.
#
# It fails (exit 1) when a client costs more than the baseline by over the tolerance (5 %),
# naming the client and both figures. Run it before a release and after touching the request
# path (src/client.rs, src/runtime.rs, src/retry.rs, src/response.rs, src/decode.rs,
# src/path.rs, build/postprocess.rs). Not part of .ci/run: it needs a release build of the
# benches (about 5 minutes from scratch on 2 cores) and valgrind.
#
# Usage: scripts/instructions.sh [--update] [--tolerance PERCENT] [--counts N1,N2]
#   --update        measure, then rewrite the baseline with the figures measured (and pass)
#   --tolerance P   allowed increase over the baseline, in percent (default 5)
#   --counts N1,N2  request counts of the two runs (default: the baseline's)
#
# valgrind is installed from Debian's packages when missing (apt-get, with sudo when not root).
set -euo pipefail
cd "$(dirname "$0")/.."

baseline=benches/instructions-baseline.json
clients=(floor_hyper hand_written_reqwest baseten_api)
update=false
tolerance=5
counts=""
while [ $# -gt 0 ]; do
  case $1 in
    --update) update=true ;;
    --tolerance) tolerance=$2; shift ;;
    --counts) counts=$2; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The figure for `client` in the baseline file (one `"name": number` per line).
baseline_value() {
  sed -n "s/^ *\"$1\": *\([0-9][0-9]*\),\{0,1\}$/\1/p" "$baseline"
}

if [ -z "$counts" ]; then
  if [ -f "$baseline" ]; then
    counts="$(baseline_value n1),$(baseline_value n2)"
  else
    counts=1000,3000
  fi
fi
n1=${counts%,*}
n2=${counts#*,}
if ! [[ $n1 =~ ^[0-9]+$ && $n2 =~ ^[0-9]+$ ]] || [ "$n2" -le "$n1" ]; then
  echo "--counts must be N1,N2 with N1 < N2, got '$counts'" >&2
  exit 2
fi

if ! command -v valgrind >/dev/null; then
  echo "valgrind not found: installing it from Debian's packages" >&2
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "valgrind is missing and this user can neither apt-get nor sudo: install valgrind" >&2
    exit 1
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq valgrind
fi

echo "building the request_ratios bench (release)" >&2
build_log=$(mktemp)
work=$(mktemp -d "${TMPDIR:-/tmp}/baseten-instructions.XXXXXX")
trap 'rm -rf "$work" "$build_log"' EXIT
if ! cargo bench -p baseten-api-benches --bench request_ratios --no-run --locked \
  --message-format=json >"$build_log"; then
  echo "cargo build of the bench failed" >&2
  exit 1
fi
bench=$(grep -o '"executable":"[^"]*request_ratios[^"]*"' "$build_log" | tail -1 | cut -d'"' -f4)
if [ -z "$bench" ] || [ ! -x "$bench" ]; then
  echo "could not find the request_ratios executable in cargo's output" >&2
  exit 1
fi

# Instructions executed by a run of `client` with `count` sequential requests.
total() {
  local client=$1 count=$2 out="$work/callgrind.$1.$2"
  if ! BENCH_ONLY=$client BENCH_COUNT=$count valgrind --tool=callgrind \
    --callgrind-out-file="$out" "$bench" >"$out.stdout" 2>"$out.log"; then
    echo "valgrind run of $client ($count requests) failed:" >&2
    tail -20 "$out.log" >&2
    exit 1
  fi
  local summary
  summary=$(sed -n 's/^summary: *\([0-9][0-9]*\)$/\1/p' "$out")
  if [ -z "$summary" ]; then
    echo "no instruction total in $out" >&2
    exit 1
  fi
  echo "$summary"
}

declare -A measured
for client in "${clients[@]}"; do
  t1=$(total "$client" "$n1")
  t2=$(total "$client" "$n2")
  # Rounded to the nearest instruction.
  measured[$client]=$(((t2 - t1 + (n2 - n1) / 2) / (n2 - n1)))
  echo "  $client: ${measured[$client]} instructions per request" >&2
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo
echo "instructions per request (callgrind; (total($n2) - total($n1)) / $((n2 - n1)), sequential)"
printf '  %-22s %12s %12s %9s\n' client measured baseline change
failed=()
for client in "${clients[@]}"; do
  now=${measured[$client]}
  before=""
  [ -f "$baseline" ] && before=$(baseline_value "$client")
  if [ -z "$before" ]; then
    printf '  %-22s %12d %12s %9s\n' "$client" "$now" "-" "-"
    continue
  fi
  change=$(awk -v a="$now" -v b="$before" 'BEGIN { printf "%+.1f %%", (a / b - 1) * 100 }')
  printf '  %-22s %12d %12d %9s\n' "$client" "$now" "$before" "$change"
  if awk -v a="$now" -v b="$before" -v t="$tolerance" 'BEGIN { exit !(a > b * (1 + t / 100)) }'; then
    failed+=("$client: $now instructions per request, baseline $before ($change, over the $tolerance % allowed)")
  fi
done
echo "  baseten_api / hand_written_reqwest: $(ratio "${measured[baseten_api]}" "${measured[hand_written_reqwest]}")"
echo "  hand_written_reqwest / floor_hyper: $(ratio "${measured[hand_written_reqwest]}" "${measured[floor_hyper]}")"

if $update; then
  {
    echo "{"
    echo "  \"what\": \"instructions per request (client and server), callgrind, sequential; scripts/instructions.sh\","
    echo "  \"n1\": $n1,"
    echo "  \"n2\": $n2,"
    echo "  \"floor_hyper\": ${measured[floor_hyper]},"
    echo "  \"hand_written_reqwest\": ${measured[hand_written_reqwest]},"
    echo "  \"baseten_api\": ${measured[baseten_api]}"
    echo "}"
  } >"$baseline"
  echo "baseline rewritten: $baseline"
  exit 0
fi

if [ ! -f "$baseline" ]; then
  echo "no baseline ($baseline): run with --update to write one" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo >&2
  echo "REGRESSION in instructions per request:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  echo "(if the increase is intended, or comes from a dependency or toolchain update, rewrite the baseline with --update and say why in the commit)" >&2
  exit 1
fi
echo "ok: no client over its baseline by more than $tolerance %"
