"""Compares Tongban's provisional calendar with the `holidays` package's China calendar.

Both compute a year the State Council has not announced from the same law: the statutory
holidays of 全国年节及纪念日放假办法 (2024) and 第六条's 补假 on the next working day. The
`holidays` package is an independent implementation (its own lunar and solar-term code), so
agreement on every day off is evidence that neither got a lunar date or a make-up day wrong.

Input on stdin: `tongban calendar provisional --from A --to B` (lines `YYYY-MM-DD name`).
Exit status 1 on any difference, with each one listed.
"""

import re
import sys
from datetime import date

import holidays


def normalise_theirs(name: str) -> tuple[str, bool]:
    observed = "补假" in name
    base = re.sub(r"（.*?）", "", name).strip()
    if base == "农历除夕":
        base = "春节"
    return base, observed


def normalise_ours(name: str) -> tuple[str, bool]:
    base = name.replace("（推算）", "")
    observed = base.endswith("补假")
    return base.removesuffix("补假"), observed


def main() -> int:
    ours: dict[date, tuple[str, bool]] = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        day, name = line.split(" ", 1)
        ours[date.fromisoformat(day)] = normalise_ours(name)
    if not ours:
        print("no provisional days on stdin", file=sys.stderr)
        return 1
    years = sorted({d.year for d in ours})
    theirs: dict[date, tuple[str, bool]] = {}
    cn = holidays.country_holidays("CN", years=years, language="zh_CN")
    for day, name in cn.items():
        # Several names on one date are joined with "; ".
        first = name.split("; ")[0]
        theirs[day] = normalise_theirs(first)
    problems = []
    for day in sorted(set(ours) | set(theirs)):
        a, b = ours.get(day), theirs.get(day)
        if a is None:
            problems.append(f"{day}: holidays has {b}, Tongban has nothing")
        elif b is None:
            problems.append(f"{day}: Tongban has {a}, holidays has nothing")
        elif a != b:
            problems.append(f"{day}: Tongban {a} != holidays {b}")
    for p in problems:
        print(p)
    print(
        f"provisional calendar {years[0]}-{years[-1]}: {len(ours)} days off, "
        f"holidays {holidays.__version__}: {len(problems)} differences"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
