"""The HTML page every course report uses: self-contained (no script, no external
stylesheet, a Content-Security-Policy that forbids both) and escaping helpers."""

from __future__ import annotations

from html import escape

COLOUR = {"pass": "#1a7f37", "fail": "#cf222e", "error": "#9a6700", "n/a": "#6e7781"}
MARK = {"pass": "✔ pass", "fail": "✘ fail", "error": "! error", "n/a": "– n/a"}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#24292f;max-width:1100px}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} td.num{text-align:right;white-space:nowrap}
.seen{font-style:italic;white-space:pre-wrap;word-break:break-word}
.warn{color:#cf222e;font-weight:bold} .dim{color:#6e7781}
"""


def e(value) -> str:
    """HTML-escaped text (quotes too: safe in attributes)."""
    return escape("" if value is None else str(value), quote=True)


def pts(value: float) -> str:
    return f"{value:g}"


def status(s: str) -> str:
    return (f"<span style='color:{COLOUR.get(s, '#9a6700')};font-weight:bold'>"
            f"{e(MARK.get(s, s))}</span>")


def document(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">"
            f"<title>{e(title)}</title><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>\n")
