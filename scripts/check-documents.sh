#!/usr/bin/env bash
# Independent checks of the sealed PDF and OFD (see scripts/independent/check_documents.py):
# poppler and qpdf from Debian, gmssl, asn1crypto and easyofd from PyPI, installed here for
# the tests only. The documents crate's own test writes the sample files.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v qpdf >/dev/null || need+=(qpdf)
if ((${#need[@]})); then
  SUDO=""; [[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

venv="${TONGBAN_DOC_VENV:-$HOME/.cache/tongban-doc-venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import gmssl, asn1crypto, easyofd' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check gmssl==3.2.2 asn1crypto==1.5.1 easyofd==20260427
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# --workspace, so the build is the one the whole suite already made (no second feature set).
TONGBAN_SAMPLE_DIR="$out" cargo nextest run --workspace \
  -E 'package(tongban-documents) & (test(a_sealed_decision_reads_back_intact_and_small) | test(an_ofd_is_signed_over_every_file_it_holds))'
"$venv/bin/python" scripts/independent/check_documents.py "$out"
