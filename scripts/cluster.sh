#!/usr/bin/env bash
# The cluster profile on this one machine: each part as the server its users would run.
#   scripts/cluster.sh up [--fresh]   start PostgreSQL, Redis, a Spark master and two workers, an
#                              MLflow tracking server, a Ray head and Airflow (api-server,
#                              scheduler, dag-processor); write $STORE_CLUSTER_DIR/cluster.env
#   scripts/cluster.sh down    stop all of them (also what a failed `up` left)
#   scripts/cluster.sh start PART   start one part again after it died (redis, spark, mlflow, ...)
#   scripts/cluster.sh status  one line per part
# Secrets come from the environment and must not be the development defaults:
#   STORE_CLUSTER_PASSWORD (PostgreSQL role and Redis), STORE_JWT_SECRET (the gateway's tokens).
# The webhook and analytics signing secrets are taken from the environment too, or made once per
# cluster (files under $STORE_CLUSTER_DIR, readable by its owner only).
# Ports: PostgreSQL 55442, Redis 56390, Spark 7177 (UI 8190), MLflow 5055, Ray 6390 (client
# 6391, dashboard 8266, Serve 8000), Airflow 8095, the gateway 8080. Logs and state under
# $STORE_CLUSTER_DIR (default ./var-cluster). A second cluster beside the first (the test suite's) sets
# STORE_CLUSTER_PORT_OFFSET: every port moves by it and the PostgreSQL cluster is its own.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$(mkdir -p "${STORE_CLUSTER_DIR:-$ROOT/var-cluster}" && cd "${STORE_CLUSTER_DIR:-$ROOT/var-cluster}" && pwd)"
PY="$ROOT/.venv/bin"
OFFSET=${STORE_CLUSTER_PORT_OFFSET:-0}
PG_PORT=$((55442 + OFFSET))
PG_CLUSTER=storeloop_cluster${OFFSET#0}
PG_USER=storeloop
REDIS_PORT=$((56390 + OFFSET))
SPARK_PORT=$((7177 + OFFSET))
SPARK_UI_PORT=$((8190 + OFFSET))
MLFLOW_PORT=$((5055 + OFFSET))
RAY_PORT=$((6390 + OFFSET))
RAY_DASHBOARD_PORT=$((8266 + OFFSET))
RAY_CLIENT_PORT=$((RAY_PORT + 1))
RAY_AGENT_PORT=$((52365 + OFFSET))
SERVE_PORT=$((8000 + OFFSET))
GATEWAY_PORT=$((8080 + OFFSET))
AIRFLOW_PORT=$((8095 + OFFSET))
AIRFLOW_LOG_PORT=$((8793 + OFFSET))
AIRFLOW_PARTS=(api-server scheduler dag-processor)
DATABASES=(store airflow mlflow marts)
DEV_DEFAULTS=(storeloop sandbox-jwt-secret-change-me-in-production "")

log() { printf '\033[1;36m>>\033[0m %s\n' "$*" >&2; }
# Each part's start-up time, for the figures.
timed() {
  local part=$1 began=$SECONDS; shift
  "$@" || return 1
  printf '%s %s\n' "$part" $((SECONDS - began)) >>"$STATE/startup_seconds"
}
fail() { printf '\033[1;31m!!\033[0m %s\n' "$*" >&2; }

# A part that does not answer in time: one line naming it and its log, then everything stops.
# The limits are sized for two cores that make test shares with two other suites, where
# MLflow's server took just over two minutes to answer: generous, since a healthy part costs
# nothing more for them.
wait_for() {
  local name=$1 logfile=$2 seconds=$3; shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      fail "$name did not come up within ${seconds}s; its log: $logfile"
      return 1
    fi
    sleep 0.5
  done
}

refuse_dev_secrets() {
  local name value default
  for name in STORE_CLUSTER_PASSWORD STORE_JWT_SECRET; do
    value="${!name:-}"
    for default in "${DEV_DEFAULTS[@]}"; do
      if [ "$value" = "$default" ]; then
        fail "set $name to a secret of your own: the cluster profile refuses ${value:+the development default}${value:-an empty one}"
        return 1
      fi
    done
  done
}

pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1; }
psql_admin() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"; }
pg_log() { echo "/var/log/postgresql/postgresql-$(pg_version)-$PG_CLUSTER.log"; }

start_postgres() {
  source "$ROOT/scripts/services.sh" >/dev/null 2>&1 || true # installs PostgreSQL when absent
  local version; version="$(pg_version)"
  [ -n "$version" ] || { fail "PostgreSQL is not installed (apt-get install postgresql)"; return 1; }
  if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$PG_CLUSTER"; then
    log "PostgreSQL $version: creating cluster '$PG_CLUSTER' on port $PG_PORT"
    pg_createcluster "$version" "$PG_CLUSTER" -p "$PG_PORT" -- --auth-local=peer \
      --auth-host=scram-sha-256 >/dev/null || { fail "pg_createcluster failed"; return 1; }
    # Durable (fsync on, unlike the test cluster); room for the gateway, Airflow and MLflow pools.
    printf '%s\n' "listen_addresses = '127.0.0.1'" "max_connections = 300" \
      "shared_buffers = 256MB" >"/etc/postgresql/$version/$PG_CLUSTER/conf.d/storeloop.conf"
  fi
  log "PostgreSQL: starting on port $PG_PORT"
  local attempt
  for attempt in 1 2 3; do
    pg_ctlcluster "$version" "$PG_CLUSTER" status >/dev/null 2>&1 && break
    pg_ctlcluster "$version" "$PG_CLUSTER" start 2>/dev/null && break
    # The port can lie in the kernel's range for outgoing connections, and one held it for a
    # moment in a make test run ("could not bind ... Address already in use").
    log "PostgreSQL: not started (try $attempt of 3)"
    sleep 5
  done
  wait_for PostgreSQL "$(pg_log)" 120 psql_admin -tAc "SELECT 1" || return 1
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'")" != 1 ]; then
    psql_admin -c "CREATE ROLE $PG_USER LOGIN" || return 1
  fi
  # The password follows the environment on every start, so rotating it is a restart.
  psql_admin -c "ALTER ROLE $PG_USER PASSWORD '${STORE_CLUSTER_PASSWORD//\'/\'\'}'" >/dev/null || return 1
  local db
  for db in "${DATABASES[@]}"; do
    if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname='$db'")" != 1 ]; then
      psql_admin -c "CREATE DATABASE $db OWNER $PG_USER" || return 1
    fi
  done
}

start_redis() {
  command -v redis-server >/dev/null || source "$ROOT/scripts/services.sh" >/dev/null 2>&1
  command -v redis-server >/dev/null || { fail "redis-server is not installed"; return 1; }
  log "Redis: starting on port $REDIS_PORT"
  # The password goes through stdin, not the command line `ps` shows.
  printf 'port %s\nbind 127.0.0.1\ndaemonize yes\npidfile %s\nlogfile %s\ndir %s\nrequirepass %s\n' \
    "$REDIS_PORT" "$STATE/redis.pid" "$STATE/redis.log" "$STATE" "$STORE_CLUSTER_PASSWORD" |
    redis-server - >/dev/null || { fail "redis-server did not start; its log: $STATE/redis.log"; return 1; }
  wait_for Redis "$STATE/redis.log" 60 \
    bash -c "REDISCLI_AUTH='$STORE_CLUSTER_PASSWORD' redis-cli -p $REDIS_PORT ping | grep -qx PONG"
}

spark_env() {
  export SPARK_HOME="$ROOT/.venv/lib/python3.11/site-packages/pyspark"
  export SPARK_LOG_DIR="$STATE/spark/logs" SPARK_PID_DIR="$STATE/spark/pids"
  export SPARK_WORKER_DIR="$STATE/spark/work" SPARK_IDENT_STRING=storeloop
  export PYSPARK_PYTHON="$PY/python"
  mkdir -p "$SPARK_LOG_DIR" "$SPARK_PID_DIR" "$SPARK_WORKER_DIR"
}

start_spark() {
  spark_env
  local master="spark://127.0.0.1:$SPARK_PORT" daemon="$SPARK_HOME/sbin/spark-daemon.sh"
  log "Spark: master on $master, two workers (1 core, 2 GiB each)"
  "$daemon" start org.apache.spark.deploy.master.Master 1 --host 127.0.0.1 --port "$SPARK_PORT" \
    --webui-port "$SPARK_UI_PORT" >/dev/null || { fail "Spark master did not start; logs: $SPARK_LOG_DIR"; return 1; }
  wait_for "Spark master" "$SPARK_LOG_DIR" 180 bash -c "echo >/dev/tcp/127.0.0.1/$SPARK_PORT" || return 1
  local n
  for n in 1 2; do
    "$daemon" start org.apache.spark.deploy.worker.Worker "$n" --cores 1 --memory 2g \
      --webui-port $((SPARK_UI_PORT + n)) "$master" >/dev/null ||
      { fail "Spark worker $n did not start; logs: $SPARK_LOG_DIR"; return 1; }
  done
  wait_for "Spark workers" "$SPARK_LOG_DIR" 180 bash -c \
    "curl -s http://127.0.0.1:$SPARK_UI_PORT/json/ | grep -o '\"aliveworkers\" : 2'"
}

start_mlflow() {
  log "MLflow: tracking server on port $MLFLOW_PORT (backend PostgreSQL, artifacts $STATE/mlartifacts)"
  mkdir -p "$STATE/mlartifacts"
  # The backend URI holds the password: through the environment, not the command line.
  # No job runners: they serve GenAI scoring jobs the store does not use, and poll all the time.
  MLFLOW_BACKEND_STORE_URI="postgresql+psycopg://$PG_USER:$STORE_CLUSTER_PASSWORD@127.0.0.1:$PG_PORT/mlflow" \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid nohup "$PY/mlflow" server \
    --artifacts-destination "$STATE/mlartifacts" --serve-artifacts --host 127.0.0.1 --port "$MLFLOW_PORT" --workers 2 >"$STATE/mlflow.log" 2>&1 &
  echo $! >"$STATE/mlflow.pid"
  wait_for MLflow "$STATE/mlflow.log" 300 curl -sf "http://127.0.0.1:$MLFLOW_PORT/health"
}

start_ray() {
  log "Ray: head node on port $RAY_PORT (dashboard $RAY_DASHBOARD_PORT)"
  # Serve's replicas are this node's workers: they build Settings() from the environment the
  # head started in, and import the project from the repo root.
  source "$STATE/cluster.env"
  # On a loaded machine the dashboard can miss Ray's own 60 s start-up limit, and `ray start`
  # then gives up: a longer limit, and what a failed try left is stopped before the next one.
  # Serve's controller, one of this head's workers, kills an HTTP proxy that is not ready after
  # three checks of 5 s each: a loaded machine can take longer to start the proxy's process.
  # Serve's direct ingress and throughput preset as the settings say (serving/direct_ingress.py).
  local attempt serve_flags
  serve_flags=$(cd "$ROOT" && "$PY/python" -m serving.direct_ingress)
  : >"$STATE/ray.log"
  for attempt in 1 2 3; do
    # shellcheck disable=SC2086  # the flags are NAME=value words
    env PYTHONPATH="$ROOT" RAY_USAGE_STATS_ENABLED=0 RAY_DASHBOARD_STARTUP_TIMEOUT_S=180 \
      RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S=60 $serve_flags \
      "$PY/ray" start --head --node-ip-address 127.0.0.1 --port "$RAY_PORT" \
      --dashboard-host 127.0.0.1 --dashboard-port "$RAY_DASHBOARD_PORT" \
      --ray-client-server-port "$RAY_CLIENT_PORT" --dashboard-agent-listen-port "$RAY_AGENT_PORT" \
      --num-cpus "$(nproc)" --temp-dir "$STATE/ray" --disable-usage-stats >>"$STATE/ray.log" 2>&1 && break
    stop_ray
    if ((attempt == 3)); then
      fail "Ray head did not start in $attempt tries; the end of its log ($STATE/ray.log):"
      tail -n 15 "$STATE/ray.log" >&2
      return 1
    fi
    log "Ray: the head did not start (try $attempt of 3); starting it again"
    sleep 5
  done
  wait_for "Ray dashboard" "$STATE/ray/session_latest/logs/dashboard.log" 180 \
    curl -sf -H "Authorization: Bearer $(cat "$STATE/ray_auth_token")" \
    "http://127.0.0.1:$RAY_DASHBOARD_PORT/api/version"
}

write_env() {
  [ -s "$STATE/airflow_jwt_secret" ] ||
    (umask 077 && "$PY/python" -c "import secrets; print(secrets.token_hex(32))" >"$STATE/airflow_jwt_secret")
  [ -s "$STATE/ray_auth_token" ] ||
    (umask 077 && "$PY/python" -c "import secrets; print(secrets.token_hex(32))" >"$STATE/ray_auth_token")
  local name secret
  for name in payment_webhook_secret shipping_webhook_secret analytics_secret; do
    [ -s "$STATE/$name" ] ||
      (umask 077 && "$PY/python" -c "import secrets; print(secrets.token_hex(32))" >"$STATE/$name")
  done
  local pg="postgresql+psycopg://$PG_USER:$STORE_CLUSTER_PASSWORD@127.0.0.1:$PG_PORT"
  umask 077 # it holds the password
  cat >"$STATE/cluster.env" <<EOF
export STORE_PROFILE=cluster STORE_DATA_DIR='$STATE/data'
export STORE_DATABASE_URL='$pg/store' STORE_MARTS_URL='$pg/marts'
export STORE_CACHE_BACKEND=redis STORE_CART_BACKEND=redis STORE_FEAST_ONLINE_STORE=redis
export STORE_REDIS_URL='redis://:$STORE_CLUSTER_PASSWORD@127.0.0.1:$REDIS_PORT/0'
export STORE_SPARK_MASTER='spark://127.0.0.1:$SPARK_PORT'
export STORE_MLFLOW_TRACKING_URI='http://127.0.0.1:$MLFLOW_PORT'
export STORE_RAY_DASHBOARD_URL='http://127.0.0.1:$RAY_DASHBOARD_PORT'
export STORE_SERVING_PORT=$SERVE_PORT STORE_GATEWAY_PORT=$GATEWAY_PORT
# Signing secrets of the payment and shipping webhooks and of the analytics delivery.
export STORE_PAYMENT_WEBHOOK_SECRET='${STORE_PAYMENT_WEBHOOK_SECRET:-$(cat "$STATE/payment_webhook_secret")}'
export STORE_SHIPPING_WEBHOOK_SECRET='${STORE_SHIPPING_WEBHOOK_SECRET:-$(cat "$STATE/shipping_webhook_secret")}'
export STORE_ANALYTICS_SECRET='${STORE_ANALYTICS_SECRET:-$(cat "$STATE/analytics_secret")}'
# Ray's token authentication: the dashboard, serve deploy and drivers present this token.
export RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH='$STATE/ray_auth_token'
# Airflow 3 with the LocalExecutor on PostgreSQL; tasks reach the API server's execution API.
export AIRFLOW_HOME='$STATE/airflow' AIRFLOW__CORE__DAGS_FOLDER='$ROOT/dags'
export AIRFLOW__CORE__LOAD_EXAMPLES=False AIRFLOW__CORE__EXECUTOR=LocalExecutor
# psycopg 3 serves both the sync and the async engine (Airflow's default async driver is asyncpg).
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN='$pg/airflow' AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC='$pg/airflow'
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL='http://127.0.0.1:$AIRFLOW_PORT/execution/'
export AIRFLOW__API__PORT=$AIRFLOW_PORT AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$AIRFLOW_LOG_PORT
export AIRFLOW__API_AUTH__JWT_SECRET='$(cat "$STATE/airflow_jwt_secret")'
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=storeloop:admin
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING HF_HUB_OFFLINE=1
export STORE_AIRFLOW_URL='http://127.0.0.1:$AIRFLOW_PORT'
EOF
}

start_airflow() {
  source "$STATE/cluster.env"
  mkdir -p "$AIRFLOW_HOME"
  log "Airflow: db migrate, then ${AIRFLOW_PARTS[*]} (LocalExecutor, API on port $AIRFLOW_PORT)"
  "$PY/airflow" db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1 ||
    { fail "airflow db migrate failed; its log: $AIRFLOW_HOME/migrate.log"; return 1; }
  local part
  for part in "${AIRFLOW_PARTS[@]}"; do
    PYTHONPATH="$ROOT" setsid nohup "$PY/airflow" "$part" >"$AIRFLOW_HOME/$part.log" 2>&1 &
    echo $! >"$STATE/airflow-$part.pid"
  done
  wait_for "Airflow API server" "$AIRFLOW_HOME/api-server.log" 400 \
    curl -sf "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health"
  for part in scheduler dag-processor; do
    kill -0 "$(cat "$STATE/airflow-$part.pid")" 2>/dev/null ||
      { fail "Airflow $part exited; its log: $AIRFLOW_HOME/$part.log"; return 1; }
  done
}

# --fresh: empty databases and data dir, as `make up` starts from an empty data dir.
fresh_databases() {
  [ "${1:-}" = --fresh ] || return 0
  log "PostgreSQL: fresh databases ${DATABASES[*]}; fresh $STATE/data"
  local db
  for db in "${DATABASES[@]}"; do
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER $PG_USER" || return 1
  done
  rm -rf "$STATE/data" "$STATE/mlartifacts" "$STATE/dump.rdb"
}

up() {
  refuse_dev_secrets || return 1
  [ -x "$PY/python" ] || { fail "no .venv: run make install"; return 1; }
  local started=$SECONDS
  rm -f "$STATE/startup_seconds"
  # Ray's head before the JVMs and MLflow's workers: its raylet has a fixed 30 s to register.
  timed postgres start_postgres && fresh_databases "$@" && timed redis start_redis && write_env &&
    timed ray start_ray && timed spark start_spark && timed mlflow start_mlflow &&
    timed airflow start_airflow || {
    down >/dev/null 2>&1
    return 1
  }
  log "cluster up in $((SECONDS - started)) s ($(tr '\n' ' ' <"$STATE/startup_seconds")); its settings: $STATE/cluster.env"
}

stop_pidfile() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid; pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null # gunicorn-style children too
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

# `ray stop` would stop every Ray on the machine (a test's, another cluster's): only this head's
# processes, which name its temp dir or its port, and their children (the agents and workers,
# whose names Ray rewrites).
descendants() {
  local pid child
  for pid in "$@"; do
    for child in $(pgrep -P "$pid"); do echo "$child"; descendants "$child"; done
  done
}

stop_ray() {
  local heads pids
  heads="$(pgrep -f -- "$STATE/ray/|--address=[0-9.]*:$RAY_PORT ")"
  [ -n "$heads" ] || return 0
  pids="$(echo $heads $(descendants $heads))"
  kill $pids 2>/dev/null
  for _ in $(seq 40); do any_alive $pids || return 0; sleep 0.25; done
  kill -9 $pids 2>/dev/null
}

any_alive() {
  local pid
  for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done
  return 1
}

down() {
  log "stopping the cluster profile"
  local part
  for part in "${AIRFLOW_PARTS[@]}"; do stop_pidfile "$STATE/airflow-$part.pid"; done
  stop_ray
  stop_pidfile "$STATE/mlflow.pid"
  pkill -f "mlflow.server.*--port $MLFLOW_PORT" 2>/dev/null # its gunicorn/uvicorn workers
  if [ -d "$ROOT/.venv" ]; then
    spark_env
    local n
    for n in 1 2; do "$SPARK_HOME/sbin/spark-daemon.sh" stop org.apache.spark.deploy.worker.Worker "$n" >/dev/null 2>&1; done
    "$SPARK_HOME/sbin/spark-daemon.sh" stop org.apache.spark.deploy.master.Master 1 >/dev/null 2>&1
  fi
  stop_pidfile "$STATE/redis.pid"
  local version; version="$(pg_version)"
  [ -n "$version" ] && pg_ctlcluster "$version" "$PG_CLUSTER" stop 2>/dev/null
  rm -f "$STATE/cluster.env"
  return 0
}

status() {
  printf '%-12s %s\n' PostgreSQL "$(pg_lsclusters -h 2>/dev/null | awk -v c="$PG_CLUSTER" '$2==c {print $4" port "$3}')"
  printf '%-12s %s\n' Redis "$( [ -f "$STATE/redis.pid" ] && kill -0 "$(cat "$STATE/redis.pid")" 2>/dev/null && echo "online port $REDIS_PORT" || echo down)"
  printf '%-12s %s\n' Spark "$(curl -s "http://127.0.0.1:$SPARK_UI_PORT/json/" | grep -o '"aliveworkers" : [0-9]*' || echo down)"
  printf '%-12s %s\n' MLflow "$(curl -sf "http://127.0.0.1:$MLFLOW_PORT/health" || echo down)"
  printf '%-12s %s\n' Airflow "$(curl -sf "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" | tr -d '\n' | cut -c1-120 || echo down)"
  printf '%-12s %s\n' Ray "$(curl -sf -H "Authorization: Bearer $(cat "$STATE/ray_auth_token" 2>/dev/null)" "http://127.0.0.1:$RAY_DASHBOARD_PORT/api/version" >/dev/null && echo "online port $RAY_PORT" || echo down)"
}

# One part again, as `up` started it (an operator after a crash; the fault tests).
start_part() {
  local part=${1:-}
  case "$part" in
    postgres | redis | spark | mlflow | ray | airflow) ;;
    *) fail "usage: scripts/cluster.sh start postgres|redis|spark|mlflow|ray|airflow"; return 2 ;;
  esac
  refuse_dev_secrets || return 1
  [ -f "$STATE/cluster.env" ] || { fail "no cluster is up here ($STATE/cluster.env): scripts/cluster.sh up"; return 1; }
  "start_$part"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  start) shift; start_part "$@" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: scripts/cluster.sh up [--fresh]|down|status|start PART" >&2; exit 2 ;;
esac
