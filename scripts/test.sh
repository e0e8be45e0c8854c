#!/usr/bin/env bash
# Runs the whole test suite. Services that tests need are started here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$(mktemp -d)/airflow}"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest tests -q --timeout=1200 "$@"
