#!/usr/bin/env bash
# Run both peer benchmarks and print one JSON line per engine on stdout.
#
#   bench/peers/run.sh [INSTANCES]        (default 200; 6 transitions per instance)
#
# Installs the engines first if needed (setup.sh, into ${PEERS_DIR:-$HOME/.cache/tongban-peers}).
# The SQLite files live in a temporary directory (under ${TMPDIR:-/tmp}) removed at exit.
# Exits non-zero, naming the engine, if an engine cannot be installed or its benchmark fails;
# the other engine still runs and prints its line.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PEERS_DIR="${PEERS_DIR:-$HOME/.cache/tongban-peers}"
INSTANCES="${1:-200}"
case "$INSTANCES" in ''|*[!0-9]*|0) echo "usage: $0 [INSTANCES>0]" >&2; exit 2 ;; esac

TMP="$(mktemp -d "${TMPDIR:-/tmp}/tongban-peers.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

failed=()

if "$HERE/setup.sh" spiff; then
  "$PEERS_DIR/venv/bin/python" "$HERE/spiff_bench.py" --instances "$INSTANCES" --db "$TMP/spiff.sqlite" \
    || failed+=("SpiffWorkflow benchmark failed")
else
  failed+=("SpiffWorkflow could not be installed")
fi

if "$HERE/setup.sh" node; then
  PEERS_NODE_DIR="$PEERS_DIR/node" node "$HERE/bpmn_engine_bench.mjs" --instances "$INSTANCES" --db "$TMP/bpmn-engine.sqlite" \
    || failed+=("bpmn-engine benchmark failed")
else
  failed+=("bpmn-engine could not be installed")
fi

if [ ${#failed[@]} -gt 0 ]; then
  for f in "${failed[@]}"; do echo "run.sh: ERROR: $f" >&2; done
  exit 1
fi
