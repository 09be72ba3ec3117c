#!/usr/bin/env bash
# Remakes crates/documents/fonts/NotoSerifSC-GB2312.otf: Noto Serif CJK SC (SIL OFL 1.1) from
# Debian's fonts-noto-cjk, reduced to GB 2312, ASCII, Latin-1 and the CJK and full-width
# punctuation with fontTools (PyPI). Run once when the character set changes; the result is
# committed and carried in the binary, so nothing is fetched at build or run time.
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
[[ -f $src ]] || { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; }
venv="$(mktemp -d)"; trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv" && "$venv/bin/pip" install -q fonttools
"$venv/bin/python" - <<'PY' > "$venv/chars.txt"
chars = set()
for b1 in range(0xA1, 0xF8):
    for b2 in range(0xA1, 0xFF):
        try:
            chars.add(bytes([b1, b2]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for lo, hi in [(0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x3000, 0x3040),
               (0xFF00, 0xFFF0), (0x2460, 0x24A0), (0x2150, 0x2190)]:
    chars.update(chr(c) for c in range(lo, hi))
print("".join(sorted(chars)), end="")
PY
# Face 2 of the collection is the simplified-Chinese one.
"$venv/bin/pyftsubset" "$src" --font-number=2 --text-file="$venv/chars.txt" \
  --output-file=crates/documents/fonts/NotoSerifSC-GB2312.otf \
  --layout-features='' --name-IDs='*' --notdef-outline --no-hinting
