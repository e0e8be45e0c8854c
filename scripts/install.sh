#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: Java for Spark, uv, and the locked environment.
# Idempotent and quick when nothing changed (the lock's hash is stamped into the venv).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;36m>>\033[0m %s\n' "$*"; }

apt_install() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    log "apt-get install $*"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "please install: $*" >&2; return 1
  fi
}

command -v java >/dev/null || apt_install openjdk-17-jre-headless
# The storefront's browser tests drive Debian's Chromium; Playwright never downloads one.
command -v chromium >/dev/null || apt_install chromium

if ! command -v uv >/dev/null; then
  log "installing uv"
  python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv
  export PATH="$HOME/.local/bin:$PATH"
fi

# torch comes from the CPU wheel folder of this machine (PIP_FIND_LINKS); the lock records no path.
export UV_FIND_LINKS="${UV_FIND_LINKS:-${PIP_FIND_LINKS:-/opt/wheels}}"

[ -x .venv/bin/python ] || { log "creating .venv"; uv venv .venv --python 3.11 --quiet; }
stamp=".venv/.requirements.sha"
want="$(sha256sum requirements.lock | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if [ -z "${UV_EXTRA_INDEX_URL:-}" ] && ! ls "$UV_FIND_LINKS"/torch-2.13.0+cpu-*.whl >/dev/null 2>&1; then
    echo "torch 2.13.0+cpu not found in $UV_FIND_LINKS: point UV_FIND_LINKS at a folder holding" \
         "that wheel, or UV_EXTRA_INDEX_URL at PyTorch's CPU wheel index" >&2
    exit 1
  fi
  log "syncing .venv with requirements.lock"
  uv pip sync requirements.lock --python .venv/bin/python --quiet
  echo "$want" > "$stamp"
fi
