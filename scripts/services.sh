#!/usr/bin/env bash
# PostgreSQL and Redis for the tests: installs them (Debian packages) when absent, starts a cluster
# of our own on 55432 and a Redis on 56379, and exports STORE_TEST_DATABASE_URL,
# STORE_TEST_MARTS_URL and STORE_TEST_REDIS_URL. Idempotent. Source it (`source
# scripts/services.sh`) to get the exports; `scripts/services.sh stop` stops both. Runs as root
# (CI does); the database server itself runs as the `postgres` user.
# Written to be sourced: no `set -e`, every step checks its own result and returns non-zero.

STORE_PG_PORT="${STORE_PG_PORT:-55432}"
STORE_REDIS_PORT="${STORE_REDIS_PORT:-56379}"
STORE_PG_CLUSTER=storeloop
STORE_PG_DB=storeloop_test
STORE_PG_MARTS_DB=storeloop_marts_test  # the analysts' marts (dbt-postgres)
STORE_PG_USER=storeloop
STORE_PG_PASSWORD=storeloop

_svc_log() { printf '\033[1;36m>>\033[0m %s\n' "$*" >&2; }
_svc_fail() { printf '\033[1;31m!!\033[0m services.sh: %s\n' "$*" >&2; return 1; }

_svc_apt() {
  [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null || _svc_fail "please install: $*" || return 1
  if [ -z "${_SVC_APT_UPDATED:-}" ]; then
    _svc_log "apt-get update"
    apt-get update -qq >/dev/null || _svc_fail "apt-get update failed" || return 1
    _SVC_APT_UPDATED=1
  fi
  _svc_log "apt-get install $*"
  # policy-rc.d 101: the packages must not start their own default servers (ours use other ports).
  local policy=/usr/sbin/policy-rc.d created=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"; created=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  local rc=$?
  [ -n "$created" ] && rm -f "$policy"
  [ $rc = 0 ] || _svc_fail "apt-get install $* failed"
}

_svc_pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1; }

_svc_postgres() {
  if [ -z "$(_svc_pg_version)" ] || ! command -v pg_createcluster >/dev/null; then
    _svc_apt postgresql || return 1
  fi
  local version; version="$(_svc_pg_version)"
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$version/$STORE_PG_CLUSTER"; then
    _svc_log "creating PostgreSQL $version cluster '$STORE_PG_CLUSTER' on port $STORE_PG_PORT"
    # Test cluster: durability traded for speed (fsync off); nothing here must survive a crash.
    pg_createcluster "$version" "$STORE_PG_CLUSTER" -p "$STORE_PG_PORT" -- --auth-local=peer \
      --auth-host=scram-sha-256 >/dev/null || _svc_fail "pg_createcluster failed" || return 1
    local conf="/etc/postgresql/$version/$STORE_PG_CLUSTER/conf.d/storeloop.conf"
    printf '%s\n' "listen_addresses = '127.0.0.1'" "max_connections = 300" "fsync = off" \
      "synchronous_commit = off" "full_page_writes = off" "shared_buffers = 128MB" >"$conf"
  fi
  if ! pg_lsclusters -h | awk -v v="$version" -v c="$STORE_PG_CLUSTER" \
    '$1==v && $2==c {print $4}' | grep -qx online; then
    _svc_log "starting PostgreSQL cluster '$STORE_PG_CLUSTER'"
    pg_ctlcluster "$version" "$STORE_PG_CLUSTER" start || _svc_fail "pg_ctlcluster start failed" ||
      return 1
  fi
  local psql=(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$STORE_PG_PORT" -d postgres)
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$STORE_PG_USER'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE $STORE_PG_USER LOGIN PASSWORD '$STORE_PG_PASSWORD'" ||
      _svc_fail "CREATE ROLE failed" || return 1
  fi
  # The backup drill (`make backup-drill`) restores into a scratch database of its own.
  if [ "$("${psql[@]}" -tAc "SELECT rolcreatedb FROM pg_roles WHERE rolname='$STORE_PG_USER'")" != t ]; then
    "${psql[@]}" -c "ALTER ROLE $STORE_PG_USER CREATEDB" || _svc_fail "ALTER ROLE CREATEDB failed" ||
      return 1
  fi
  local db
  for db in "$STORE_PG_DB" "$STORE_PG_MARTS_DB"; do
    if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'")" != 1 ]; then
      "${psql[@]}" -c "CREATE DATABASE $db OWNER $STORE_PG_USER" ||
        _svc_fail "CREATE DATABASE $db failed" || return 1
    fi
  done
  local server="postgresql+psycopg://$STORE_PG_USER:$STORE_PG_PASSWORD@127.0.0.1:$STORE_PG_PORT"
  export STORE_TEST_DATABASE_URL="$server/$STORE_PG_DB"
  export STORE_TEST_MARTS_URL="$server/$STORE_PG_MARTS_DB"
}

_svc_redis() {
  command -v redis-server >/dev/null || _svc_apt redis-server || return 1
  if [ "$(redis-cli -p "$STORE_REDIS_PORT" ping 2>/dev/null)" != PONG ]; then
    _svc_log "starting redis-server on port $STORE_REDIS_PORT"
    # A cache: no snapshots, no append-only file.
    redis-server --port "$STORE_REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" \
      --appendonly no --pidfile "/tmp/storeloop-redis-$STORE_REDIS_PORT.pid" \
      --logfile "/tmp/storeloop-redis-$STORE_REDIS_PORT.log" || _svc_fail "redis-server failed" ||
      return 1
    local _
    for _ in $(seq 50); do
      [ "$(redis-cli -p "$STORE_REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
      sleep 0.1
    done
    [ "$(redis-cli -p "$STORE_REDIS_PORT" ping 2>/dev/null)" = PONG ] ||
      _svc_fail "redis-server did not answer on $STORE_REDIS_PORT" || return 1
  fi
  export STORE_TEST_REDIS_URL="redis://127.0.0.1:$STORE_REDIS_PORT/0"
}

_svc_stop() {
  local version; version="$(_svc_pg_version)"
  [ -n "$version" ] && pg_ctlcluster "$version" "$STORE_PG_CLUSTER" stop 2>/dev/null
  command -v redis-cli >/dev/null && redis-cli -p "$STORE_REDIS_PORT" shutdown nosave 2>/dev/null
  return 0
}

# "stop" only when run, not sourced: a sourcing script's own arguments are in $1.
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = stop ]; then
  _svc_stop
else
  _svc_postgres && _svc_redis
fi
