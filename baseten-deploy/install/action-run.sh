#!/usr/bin/env bash
# The action's second step (baseten-deploy/action.yml): turns its inputs, passed as INPUT_*
# environment variables, into one baseten-deploy command line, one input to one flag, and runs
# it (exec: the step's exit code is the command's). An empty input passes no flag, so the
# CLI's own default (or BASETEN_API_URL / BASETEN_AUTH_SCHEME from the job) applies.
#
# The API key is never a flag: the `api-key` input, when given, becomes BASETEN_API_KEY; when
# empty, a BASETEN_API_KEY set on the job or workflow is used as it is.
# The CLI writes the step's outputs (outcome, exit-code, …) to $GITHUB_OUTPUT itself.
set -euo pipefail

die() {
  echo "::error title=baseten-deploy action::$*"
  echo "baseten-deploy action: error: $*" >&2
  exit 2
}

command=${INPUT_COMMAND:-}
if [ -z "$command" ]; then
  echo "baseten-deploy action: no command given: installed only"
  exit 0
fi

args=("$command")
value() { # FLAG VALUE
  if [ -n "$2" ]; then args+=("$1" "$2"); fi
}
switch() { # FLAG VALUE INPUT-NAME
  case "$2" in
    true) args+=("$1") ;;
    false | '') ;;
    *) die "input '$3' must be true or false, not '$2'" ;;
  esac
}

value --model "${INPUT_MODEL:-}"
value --chain "${INPUT_CHAIN:-}"
value --env "${INPUT_ENV:-}"
value --deployment "${INPUT_DEPLOYMENT:-}"
switch --wait "${INPUT_WAIT:-}" wait
value --timeout "${INPUT_TIMEOUT:-}"
value --poll-interval "${INPUT_POLL_INTERVAL:-}"
value --settle "${INPUT_SETTLE:-}"
value --until "${INPUT_UNTIL:-}"
value --check "${INPUT_CHECK:-}"
value --check-at "${INPUT_CHECK_AT:-}"
value --check-every "${INPUT_CHECK_EVERY:-}"
value --hold-at "${INPUT_HOLD_AT:-}"
value --check-timeout "${INPUT_CHECK_TIMEOUT:-}"
value --on-check-failure "${INPUT_ON_CHECK_FAILURE:-}"
value --check-retries "${INPUT_CHECK_RETRIES:-}"
switch --no-scale-down "${INPUT_NO_SCALE_DOWN:-}" no-scale-down
switch --no-preserve-instance-type "${INPUT_NO_PRESERVE_INSTANCE_TYPE:-}" no-preserve-instance-type
value --output "${INPUT_OUTPUT:-}"
value --api-url "${INPUT_API_URL:-}"
value --auth-scheme "${INPUT_AUTH_SCHEME:-}"
value --connect-timeout "${INPUT_CONNECT_TIMEOUT:-}"
case "${INPUT_VERBOSE:-}" in
  '' | 0) ;;
  1) args+=(-v) ;;
  2) args+=(-vv) ;;
  3) args+=(-vvv) ;;
  *) die "input 'verbose' must be 0, 1, 2 or 3, not '${INPUT_VERBOSE}'" ;;
esac

if [ -n "${INPUT_API_KEY:-}" ]; then
  export BASETEN_API_KEY="$INPUT_API_KEY"
fi

exec "${BASETEN_DEPLOY_BIN:-baseten-deploy}" "${args[@]}"
