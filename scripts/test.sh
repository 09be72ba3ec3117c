#!/usr/bin/env bash
# Runs every test: the Rust suites (store tests on SQLite, and on PostgreSQL too when
# TONGBAN_TEST_DATABASE_URL is set) and the browser journeys against a real server.
set -euo pipefail
cd "$(dirname "$0")/.."

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi

# The sealed files checked by tools that share no code with Tongban (poppler, qpdf, gmssl,
# easyofd), installed by the script itself.
bash scripts/check-documents.sh

# The browser journeys drive the binary built from this tree.
cargo build -p tongban
target_dir="${CARGO_TARGET_DIR:-target}"
export TONGBAN_BIN="$target_dir/debug/tongban"
# The provisional calendar against the `holidays` package (installed by the script itself).
bash scripts/check-provisional.sh
# The API fuzzed against its own OpenAPI document by schemathesis (installed by the script
# itself), for a bounded time: no 5xx, every answer as the document declares it.
bash scripts/check-api-fuzz.sh
bash e2e/run.sh
