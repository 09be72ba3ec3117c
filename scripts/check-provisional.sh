#!/usr/bin/env bash
# The provisional calendar (years not yet announced, computed by law) against an independent
# implementation: the PyPI `holidays` package's China calendar, 2027–2030. The package is
# installed here, into a virtual environment under ~/.cache, never at build time.
# Usage: TONGBAN_BIN=path/to/tongban bash scripts/check-provisional.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${TONGBAN_BIN:?set TONGBAN_BIN to the tongban binary}"
venv="${HOME}/.cache/tongban-holidays-venv"
if ! "$venv/bin/python" -c 'import holidays' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'holidays>=0.60'
fi
"$bin" calendar provisional --from 2027 --to 2030 | "$venv/bin/python" scripts/holidays_oracle.py
