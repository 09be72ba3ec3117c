#!/usr/bin/env bash
# The JSON API against its own OpenAPI document, fuzzed by schemathesis (issue 16 item 11): the
# demo city on a fresh data directory, signed in as the administrator (who reaches the most
# operations), every operation given generated requests for a bounded time. Fails on any 5xx
# (`not_a_server_error`) and on any answer whose body does not match the schema the document
# declares for its status (`response_schema_conformance`).
#
# schemathesis is installed here from PyPI into a virtual environment under ~/.cache (never at
# build time); nothing else is downloaded.
#
# Usage: TONGBAN_BIN=path/to/tongban bash scripts/check-api-fuzz.sh
# Env:   FUZZ_SECONDS (default 120): the time budget of the generated requests;
#        FUZZ_SEED (default 16): the seed, so a failure can be reproduced.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${TONGBAN_BIN:?set TONGBAN_BIN to the tongban binary}"
seconds="${FUZZ_SECONDS:-120}"
seed="${FUZZ_SEED:-16}"
log() { printf '[api-fuzz] %s\n' "$*" >&2; }

venv="${HOME}/.cache/tongban-schemathesis-venv"
if ! "$venv/bin/st" --version >/dev/null 2>&1; then
  log "installing schemathesis into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'schemathesis>=4.3,<5'
fi

data="$(mktemp -d "${TMPDIR:-/tmp}/tongban-fuzz.XXXXXX")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
server_log="$data/server.log"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

NO_COLOR=1 "$bin" serve --data "$data/db" --listen "127.0.0.1:$port" --demo >"$server_log" 2>&1 &
pid=$!
deadline=$((SECONDS + 120))
until curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
    log "server not ready; last log lines:"
    tail -n 30 "$server_log" >&2 || true
    exit 1
  fi
  sleep 0.2
done

# Sign in as the administrator: the session cookie and the anti-forgery token go on every
# request. (Sign-in and sign-out themselves are left out, so the session lasts the run.)
answer="$(curl -fsS -D "$data/headers" -H 'content-type: application/json' \
  -d '{"login":"admin","password":"Tongban@2026"}' "$base/api/v1/session")"
csrf="$(printf '%s' "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')"
cookie="$(grep -i '^set-cookie: tb_session=' "$data/headers" | head -1 | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r')"
[[ -n "$csrf" && -n "$cookie" ]] || { log "could not sign in"; exit 1; }

log "fuzzing $base for ${seconds}s (seed $seed)"
status=0
# From the data directory, so schemathesis's own cache stays out of the tree. One worker: two
# made Python 3.11's parser fail inside schemathesis itself ("AST constructor recursion depth
# mismatch"), and the machine has two cores for the server and the fuzzer together.
(cd "$data" && "$venv/bin/st" run "$base/api/v1/openapi.json" \
  --url "$base" \
  --checks not_a_server_error,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples 20 \
  --max-time "$seconds" \
  --workers 1 \
  --seed "$seed" \
  --request-timeout 20 \
  --exclude-path /api/v1/session \
  --suppress-health-check all \
  --warnings off \
  -H "Cookie: $cookie" \
  -H "X-CSRF-Token: $csrf") || status=$?
if ! kill -0 "$pid" 2>/dev/null; then
  log "the server died during the run; last log lines:"
  tail -n 30 "$server_log" >&2 || true
  status=1
fi
if [[ $status -ne 0 ]]; then
  log "failed (exit $status); server log tail:"
  grep -E 'ERROR|panicked' "$server_log" | tail -n 20 >&2 || true
fi
exit "$status"
