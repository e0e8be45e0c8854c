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

# Three pytest processes: the end-to-end loop (its own servers on free ports, a SQLite store and a
# data dir of its own) and the same loop on the cluster profile (a cluster of its own on ports
# moved by an offset: PostgreSQL, Redis, Spark, MLflow, Ray, Airflow) beside every other test,
# because the loops' servers leave the cores idle much of the time. The other tests share the
# PostgreSQL and Redis above, so they run one at a time. The slowest tests are printed at the
# end: where the 20-minute budget goes. The embedded loop runs at a lower priority: the rest is the
# longest of the three, and the loop's servers can wait for a core where the rest's tests cannot.
# The cluster's cannot: Ray's head gives up when its raylet has not registered within a fixed
# 30 s, which a starved head misses on a loaded machine.
e2e_log="$(mktemp)"
cluster_log="$(mktemp)"
"${pytest[@]}" tests/e2e/test_cluster_loop.py --durations=3 >"$cluster_log" 2>&1 &
cluster_pid=$!
nice -n 5 "${pytest[@]}" tests/e2e/test_loop.py --durations=5 >"$e2e_log" 2>&1 &
e2e_pid=$!
rest=0
"${pytest[@]}" tests --ignore=tests/e2e --durations=20 || rest=$?
e2e=0
wait "$e2e_pid" || e2e=$?
cluster=0
wait "$cluster_pid" || cluster=$?
echo "== tests/e2e/test_loop.py (the whole loop), run beside the rest =="
cat "$e2e_log"
echo "== tests/e2e/test_cluster_loop.py (the loop on the cluster profile), run beside the rest =="
cat "$cluster_log"
rm -f "$e2e_log" "$cluster_log"
[ "$rest" = 0 ] && [ "$e2e" = 0 ] && [ "$cluster" = 0 ]
