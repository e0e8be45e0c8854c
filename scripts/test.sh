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
pytest=(.venv/bin/python -m pytest -q --timeout=1200)
# Arguments (paths, -k): one pytest run of just those.
[ $# -gt 0 ] && exec "${pytest[@]}" "$@"

# The end-to-end loops, embedded and on the cluster profile, each in a pytest process of its own
# (own servers on their own ports, own data dirs) beside every other test, because the loops'
# processes leave a core idle much of the time. The other tests share the PostgreSQL and Redis
# above, so they run one at a time. The slowest tests are printed at the end: where the 20-minute
# budget goes.
modules=(tests/e2e/test_*.py) logs=() pids=()
for module in "${modules[@]}"; do
  logs+=("$(mktemp)")
  "${pytest[@]}" "$module" --durations=5 >"${logs[-1]}" 2>&1 &
  pids+=($!)
done
failed=0
"${pytest[@]}" tests --ignore=tests/e2e --durations=20 || failed=1
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed=1
  echo "== ${modules[$i]} (run beside the rest) =="
  cat "${logs[$i]}"
  rm -f "${logs[$i]}"
done
[ "$failed" = 0 ]
