#!/usr/bin/env bash
# Cross-checks the generated specs with an independent validator (Python's openapi-spec-validator):
# openapi/baseten.yaml as OpenAPI 3.1 and openapi/baseten-3.0.json as OpenAPI 3.0.
# `cargo xtask generate` runs our own checks; this catches what they do not look for.
# Installs the validator into target/openapi-venv on first use (PyPI only).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/openapi-venv
if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==0.7.2"
fi
"$venv/bin/openapi-spec-validator" openapi/baseten.yaml openapi/baseten-3.0.json
