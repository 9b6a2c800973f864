"""The README's picture of a class report's chart: the pass-rate SVG of
``COURSE/grading/CH/report.html`` (what `lab grade` wrote), saved on its own.

    python examples/class_report_chart.py COURSE CH [OUT]

OUT defaults to docs/images/class-report-CH.svg. The picture is the report's own chart,
byte for byte: nothing is drawn here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    course, chapter = Path(argv[0]), argv[1]
    out = Path(argv[2]) if len(argv) == 3 else ROOT / "docs" / "images" / f"class-report-{chapter}.svg"
    report = course / "grading" / chapter / "report.html"
    try:
        html = report.read_text(encoding="utf-8")
    except OSError as err:
        print(f"no class report at {report}: {err.strerror} (run `lab grade` first)", file=sys.stderr)
        return 2
    found = re.search(r'<svg [^>]*class="pass-rates".*?</svg>', html, re.DOTALL)
    if not found:
        print(f"{report} has no pass-rate chart", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(found.group(0) + "\n", encoding="utf-8")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
