"""The class report's chart: the pass rate of every graded item, as inline SVG.

Written by hand rather than with matplotlib (not a dependency) or a JavaScript library
(labs work offline, and a report opened from disk must not fetch anything): one
horizontal bar per item, lowest pass rate first, because what instructors look for
first is which steps the class got wrong.
"""

from __future__ import annotations

from html import escape

ROW = 22
LABEL = 300
BAR = 360


def _colour(rate: float) -> str:
    return "#cf222e" if rate < 0.5 else "#bf8700" if rate < 0.8 else "#1a7f37"


def pass_rates(rows: list[dict]) -> str:
    """``rows``: ``{"id", "title", "passed", "graded"}`` per item. An SVG element with
    one ``<g class="bar">`` per item; an item nobody was graded on shows "no data"."""
    order = sorted(rows, key=lambda r: (r["passed"] / r["graded"] if r["graded"] else 2.0))
    height = ROW * len(order) + 30
    width = LABEL + BAR + 90
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="pass-rates" role="img" '
              f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
              f'font-family="sans-serif" font-size="12">'),
             "<title>Pass rate of each check across the class</title>",
             # its own background: the same picture on a dark page (or in a README)
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    for x in (0, 0.5, 1):
        gx = LABEL + x * BAR
        parts.append(f'<line x1="{gx:.1f}" y1="0" x2="{gx:.1f}" y2="{height - 20}" '
                     'stroke="#d0d7de"/>'
                     f'<text x="{gx:.1f}" y="{height - 6}" text-anchor="middle" '
                     f'fill="#57606a">{int(x * 100)}%</text>')
    for i, r in enumerate(order):
        y = i * ROW + 4
        label = escape(r["id"], quote=True)
        tip = escape(f'{r["id"]}: {r.get("title", "")}', quote=True)
        if r["graded"]:
            rate = r["passed"] / r["graded"]
            bar = (f'<rect x="{LABEL}" y="{y}" width="{rate * BAR:.1f}" height="{ROW - 6}" '
                   f'fill="{_colour(rate)}"/>'
                   f'<text x="{LABEL + rate * BAR + 4:.1f}" y="{y + ROW - 10}" '
                   f'fill="#24292f">{rate:.0%} ({r["passed"]}/{r["graded"]})</text>')
        else:
            rate = -1
            bar = f'<text x="{LABEL + 4}" y="{y + ROW - 10}" fill="#57606a">no data</text>'
        parts.append(f'<g class="bar" data-id="{label}" data-rate="{rate:.4f}">'
                     f"<title>{tip}</title>"
                     f'<text x="{LABEL - 6}" y="{y + ROW - 10}" text-anchor="end" '
                     f'fill="#24292f">{label}</text>{bar}</g>')
    parts.append("</svg>")
    return "".join(parts)
