#!/usr/bin/env bash
# Install the peer engines for bench/peers, outside the repository and idempotently.
#
#   bench/peers/setup.sh [spiff|node|all]      (default: all)
#
#   ${PEERS_DIR:-$HOME/.cache/tongban-peers}/venv   SpiffWorkflow (requirements.txt), from PyPI
#   ${PEERS_DIR:-$HOME/.cache/tongban-peers}/node   bpmn-engine + better-sqlite3 (package-lock.json), from npm
#
# Nothing is fetched from anywhere but PyPI and the npm registry: better-sqlite3 is built
# from its npm tarball (build_from_source, so prebuild-install never tries to download a
# prebuilt binary) against the headers of the installed node (nodedir, so node-gyp never
# tries to download headers). That build needs gcc, make and python3 and takes a few minutes
# on 2 cores; it is done once, then skipped while package-lock.json and the node ABI match.
# Exit status: 0 when every requested engine is installed, 1 otherwise (with a message).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS_DIR="${PEERS_DIR:-$HOME/.cache/tongban-peers}"
WHAT="${1:-all}"
PYTHON="${PYTHON:-}"

log() { echo "setup: $*" >&2; }

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

setup_spiff() {
  local venv="$PEERS_DIR/venv" stamp="$PEERS_DIR/venv/.tongban-installed" want
  if [ -z "$PYTHON" ]; then
    for p in python3.11 python3; do
      if command -v "$p" >/dev/null 2>&1; then PYTHON="$p"; break; fi
    done
  fi
  if [ -z "$PYTHON" ]; then log "ERROR: no python3 found; cannot install SpiffWorkflow"; return 1; fi
  want="$(hash_of "$HERE/requirements.txt")-$("$PYTHON" -c 'import sys;print("%d.%d"%sys.version_info[:2])')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
     && "$venv/bin/python" -c 'import SpiffWorkflow' >/dev/null 2>&1; then
    log "SpiffWorkflow already installed in $venv"
    return 0
  fi
  log "installing SpiffWorkflow into $venv (PyPI) ..."
  mkdir -p "$PEERS_DIR"
  if [ ! -x "$venv/bin/python" ]; then
    "$PYTHON" -m venv "$venv" || { log "ERROR: could not create venv $venv with $PYTHON"; return 1; }
  fi
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$HERE/requirements.txt"; then
    log "ERROR: pip could not install SpiffWorkflow (requirements.txt) into $venv"
    return 1
  fi
  "$venv/bin/python" -c 'import SpiffWorkflow' || { log "ERROR: SpiffWorkflow does not import"; return 1; }
  echo "$want" > "$stamp"
  log "SpiffWorkflow installed"
}

setup_node() {
  local dir="$PEERS_DIR/node" stamp="$PEERS_DIR/node/.tongban-installed" want nodedir
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "ERROR: node/npm not found; cannot install bpmn-engine"
    return 1
  fi
  want="$(hash_of "$HERE/package.json" "$HERE/package-lock.json")-$(node -p 'process.versions.modules')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
     && (cd "$dir" && node -e 'require("better-sqlite3")(":memory:"); require("bpmn-engine")') >/dev/null 2>&1; then
    log "bpmn-engine + better-sqlite3 already installed in $dir"
    return 0
  fi
  # Headers of the running node, so node-gyp does not download them.
  nodedir="$(node -p 'require("path").dirname(require("path").dirname(process.execPath))')"
  if [ ! -f "$nodedir/include/node/node.h" ]; then
    log "ERROR: node headers not found at $nodedir/include/node (node-gyp would have to download them);"
    log "       install them (e.g. Debian: apt-get install libnode-dev / nodejs headers) and retry"
    return 1
  fi
  log "installing bpmn-engine + better-sqlite3 into $dir (npm; compiles better-sqlite3, a few minutes) ..."
  mkdir -p "$dir"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$dir/"
  rm -f "$stamp"
  if ! (cd "$dir" && \
        npm_config_build_from_source=true npm_config_update_notifier=false npm_config_nodedir="$nodedir" JOBS="${JOBS:-max}" \
        npm ci --no-audit --no-fund --loglevel=error >&2); then
    log "ERROR: npm ci failed in $dir (bpmn-engine / better-sqlite3 could not be installed)"
    return 1
  fi
  if ! (cd "$dir" && node -e 'require("better-sqlite3")(":memory:"); require("bpmn-engine")') >&2; then
    log "ERROR: better-sqlite3 or bpmn-engine does not load after install in $dir"
    return 1
  fi
  echo "$want" > "$stamp"
  log "bpmn-engine + better-sqlite3 installed"
}

rc=0
case "$WHAT" in
  spiff) setup_spiff || rc=1 ;;
  node) setup_node || rc=1 ;;
  all) setup_spiff || rc=1; setup_node || rc=1 ;;
  *) echo "usage: $0 [spiff|node|all]" >&2; exit 2 ;;
esac
exit $rc
