#!/usr/bin/env bash
# Runs the whole test suite. Services that tests need are started here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$(mktemp -d)/airflow}"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export HF_HUB_OFFLINE=1
# PostgreSQL and Redis for the tests marked postgres/redis; exports STORE_TEST_*_URL.
source scripts/services.sh
# The slowest tests at the end: where the 20-minute budget goes. Two workers: the end-to-end
# loop on one, every other test on the other (tests/conftest.py groups them).
exec .venv/bin/python -m pytest tests -q --timeout=1200 --durations=20 -n 2 --dist loadgroup "$@"
