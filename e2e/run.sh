#!/usr/bin/env bash
# Browser journeys for Tongban: starts the server on a fresh data dir with the
# demo city and a simulated clock, runs e2e/tests/*.test.mjs with node's test
# runner against Debian's Chromium, stops the server, exits with the tests' code.
#
#   bash e2e/run.sh                 # all journeys
#   bash e2e/run.sh tests/x.test.mjs  # some (paths relative to e2e/)
#
# Env: TONGBAN_BIN (server binary), CARGO_TARGET_DIR, CHROMIUM (browser path),
#      E2E_KEEP_DATA=1 (keep the temp data dir).
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$E2E_DIR/.." && pwd)"
ARTIFACTS="$E2E_DIR/artifacts"
mkdir -p "$ARTIFACTS"

log() { printf '[e2e] %s\n' "$*" >&2; }

# --- browser -----------------------------------------------------------------
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  if [[ "$CHROMIUM" != /usr/bin/chromium ]]; then
    log "CHROMIUM=$CHROMIUM is not executable"; exit 2
  fi
  log "installing chromium and fonts-noto-cjk"
  SUDO=""
  if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-cjk >/dev/null
fi
export CHROMIUM

# --- node dependencies -------------------------------------------------------
if [[ ! -d "$E2E_DIR/node_modules/playwright-core" ]]; then
  log "npm ci"
  (cd "$E2E_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# --- server binary -----------------------------------------------------------
if [[ -n "${TONGBAN_BIN:-}" ]]; then
  BIN="$TONGBAN_BIN"
else
  TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_DIR/target}"
  case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$REPO_DIR/$TARGET_DIR" ;; esac
  BIN="$TARGET_DIR/debug/tongban"
  if [[ ! -x "$BIN" ]]; then
    log "building $BIN"
    (cd "$REPO_DIR" && cargo build -p tongban)
  fi
fi
if [[ ! -x "$BIN" ]]; then log "server binary not found: $BIN"; exit 2; fi

# --- server ------------------------------------------------------------------
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/tongban-e2e.XXXXXX")"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE_URL="http://127.0.0.1:$PORT"
SERVER_LOG="$ARTIFACTS/server.log"
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ "${E2E_KEEP_DATA:-0}" != 1 ]]; then rm -rf "$DATA_DIR"; else log "data kept in $DATA_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "server $BIN on $BASE_URL (data $DATA_DIR, log $SERVER_LOG)"
# QR codes and printed verify addresses lead to the deployment's public address.
TONGBAN_PUBLIC_URL="$BASE_URL" NO_COLOR=1 "$BIN" serve --data "$DATA_DIR" --listen "127.0.0.1:$PORT" --demo --simulated-clock \
  >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

# Poll /healthz for up to 60 s.
deadline=$((SECONDS + 60))
until curl -fsS -o /dev/null --max-time 2 "$BASE_URL/healthz" 2>/dev/null; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "server exited before it became healthy; last log lines:"
    tail -n 30 "$SERVER_LOG" >&2 || true
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    log "server not healthy after 60 s; last log lines:"
    tail -n 30 "$SERVER_LOG" >&2 || true
    exit 1
  fi
  sleep 0.2
done
log "server healthy"

# --- tests -------------------------------------------------------------------
export BASE_URL ARTIFACTS_DIR="$ARTIFACTS"
# The server's data directory, for journeys that read what it sent (the outbox's SMS codes).
export TONGBAN_DATA_DIR="$DATA_DIR"
# The server binary, for journeys that ask it what the law gives (e.g. a provisional year).
TONGBAN_BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
export TONGBAN_BIN
cd "$E2E_DIR"
if [[ $# -gt 0 ]]; then TESTS=("$@"); else TESTS=(tests/); fi
status=0
node --test --test-concurrency=1 "${TESTS[@]}" || status=$?
if [[ $status -ne 0 ]]; then
  log "tests failed (exit $status); server log: $SERVER_LOG, screenshots: $ARTIFACTS"
fi
exit "$status"
