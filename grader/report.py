"""Results for people (a rich table, HTML) and for machines (JSON, JUnit XML)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from grader.checks import Check, Result, summary

STYLE = {"pass": "green", "fail": "red", "error": "yellow", "n/a": "dim"}
MARK = {"pass": "✔ pass", "fail": "✘ fail", "error": "! error", "n/a": "– n/a"}
ORDER = {"fail": 0, "error": 1, "pass": 2, "n/a": 3}  # what needs doing first


def headline(results: list[Result], declared: list[Check] | None = None) -> list[str]:
    """The points totals a report starts with: each step checked (up to three), and
    the chapter. ``declared``: every check the chapter declares (``RunResults.declared``),
    so a run of some checks can say what the whole chapter is worth."""
    lines = []
    counted = [r for r in results if r.status != "n/a"]
    ran = {r.check.id for r in counted}
    whole = bool(declared) and {c.id for c in declared} <= ran
    steps = list(dict.fromkeys(r.check.step for r in counted))
    if not whole and 0 < len(steps) <= 3:
        for step in steps:
            s = summary([r for r in counted if r.check.step == step])
            lines.append(f"step {step}: {s['earned']}/{s['possible']} points")
    s = summary(results)
    chapter = (declared[0].chapter if declared else
               results[0].check.chapter if results else "")
    if whole:
        lines.append(f"chapter {chapter}: {s['earned']}/{s['possible']} points")
    elif declared:
        lines.append(f"chapter {chapter}: {s['earned']}/{s['possible']} points in the checks "
                     f"run, of {sum(c.points for c in declared)} in all")
    else:
        lines.append(f"total {s['earned']}/{s['possible']} points")
    return lines


def counts_line(s: dict) -> str:
    """``3 passed, 1 failed, 0 errors, 2 n/a`` from :func:`summary`."""
    c = s["counts"]
    return (f"{c['pass']} passed, {c['fail']} failed, {c['error']} errors, "
            f"{c['n/a']} n/a"
            + (f" · {len(s['not_restored'])} not restored" if s["not_restored"] else ""))


def table(results: list[Result], title: str, declared: list[Check] | None = None):
    """A rich renderable: the points totals, one table row per check, then what to do
    for each failure (what was seen, what to do, each on lines of their own)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    t = Table(expand=False)
    t.add_column("check", style="bold", no_wrap=True)
    t.add_column("result", no_wrap=True)
    t.add_column("points", justify="right", no_wrap=True)
    t.add_column("title")
    todo = Text()
    for r in results:
        pts = f"{r.earned}/{r.check.points}" if r.status != "n/a" else f"–/{r.check.points}"
        t.add_row(r.check.id, Text(MARK[r.status], style=STYLE[r.status]), pts,
                  inline_rich(r.check.title))
    for r in sorted(results, key=lambda r: ORDER[r.status]):
        if r.status not in ("fail", "error"):
            continue
        todo.append(f"\n{MARK[r.status]} {r.check.id}", style=STYLE[r.status] + " bold")
        todo.append(f"  {r.check.title}")
        for i, line in enumerate([ln for ln in r.message.splitlines() if ln.strip()]):
            todo.append("\n    seen: " if i == 0 else "\n          ")
            todo.append_text(inline_rich(line, "italic"))
        for i, line in enumerate(r.check.hint.splitlines() or [""]):
            todo.append("\n    do:   " if i == 0 else "\n          ")
            todo.append_text(inline_rich(line))
        todo.append("\n")
    measured = [r for r in results if r.status == "pass" and r.details.get("summary")]
    s = summary(results)
    left = Text()
    for r in results:
        for line in r.not_restored:
            left.append(f"\n! {r.check.id}: ", style="red bold")
            left.append(line)
    # why each n/a check did not run (no cluster, a dump, not written yet), once each
    pending = sorted({r.message or r.check.hint for r in results if r.status == "n/a"})
    tops = [inline_rich(line, "bold") for line in headline(results, declared)]
    foot = Text(f"total {s['earned']}/{s['possible']} points · {counts_line(s)}", style="bold")
    parts = [Text(title, style="italic"), *tops, t]
    if measured:
        seen = Text()
        for r in measured:
            seen.append(f"\n{r.check.id}: ", style="bold")
            seen.append(str(r.details["summary"]))
        parts += [Text("Measured", style="bold underline"), seen]
    if left:
        parts += [Text("Not restored: the grader changed these and could not put them back",
                       style="red bold underline"), left,
                  Text("Put them back by hand (or run the notebook cells of the step again) "
                       "before you check again.\n", style="red")]
    if todo:
        parts += [Text("What to do", style="bold underline"), todo]
    if pending:
        parts.append(Text("n/a: " + "; ".join(pending), style="dim"))
    parts.append(foot)
    return Group(*parts)


def to_json(results: list[Result], chapter: str, lab_dir: Path) -> str:
    """The JSON document ``lab check --json`` prints."""
    return json.dumps({"chapter": chapter, "lab_dir": str(lab_dir), **summary(results),
                       "checks": [r.as_dict() for r in results]}, indent=2)


def to_junit(results: list[Result], chapter: str) -> str:
    """JUnit XML in the shape autograders read: one testcase per check, points in
    the name (``[2/2 pts]``) and in properties."""
    import xml.etree.ElementTree as ET

    s = summary(results)
    suite = ET.Element("testsuite", name=chapter, tests=str(len(results)),
                       failures=str(s["counts"]["fail"]), errors=str(s["counts"]["error"]),
                       skipped=str(s["counts"]["n/a"]),
                       time=f"{sum(r.seconds for r in results):.3f}")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="points", value=f"{s['earned']}/{s['possible']}")
    for line in s["not_restored"]:
        ET.SubElement(props, "property", name="not_restored", value=line)
    for r in results:
        c = r.check
        case = ET.SubElement(suite, "testcase", classname=f"{chapter}.{c.layer}",
                             name=f"{c.id} [{r.earned}/{c.points} pts]", time=f"{r.seconds:.3f}")
        cprops = ET.SubElement(case, "properties")
        for k, v in (("id", c.id), ("points", str(r.earned)), ("max_points", str(c.points)),
                     ("layer", c.layer)):
            ET.SubElement(cprops, "property", name=k, value=v)
        for line in r.not_restored:
            ET.SubElement(cprops, "property", name="not_restored", value=line)
        if r.status == "fail":
            ET.SubElement(case, "failure", message=r.message).text = c.hint
        elif r.status == "error":
            ET.SubElement(case, "error", message=r.message).text = c.hint
        elif r.status == "n/a":
            ET.SubElement(case, "skipped", message=c.hint)
        if r.not_restored:  # what feedback readers (GitHub Classroom, CI) show as output
            ET.SubElement(case, "system-err").text = "".join(
                f"NOT RESTORED: {line}\n" for line in r.not_restored)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


# JupyterLab's theme variables (light and dark), each after a plain colour readable on
# both: JupyterLab's sanitizer drops var() from the HTML of an untrusted notebook (one
# reopened from disk), and the plain declaration stays. No background of our own.
_THEME = {"pass": ("--jp-success-color1", "#2da44e"), "fail": ("--jp-error-color1", "#e5534b"),
          "error": ("--jp-warn-color1", "#c69026"), "n/a": ("--jp-content-font-color3", "#8c959f"),
          "text": ("--jp-content-font-color1", "inherit"),
          "dim": ("--jp-content-font-color2", "#8c959f")}


def theme_colour(which: str, prop: str = "color", before: str = "") -> str:
    """``prop`` set to a theme colour, with its plain fallback first."""
    var, plain = _THEME[which]
    return f"{prop}:{before}{plain};{prop}:{before}var({var}, {plain})"


_TEXT = theme_colour("text")
_DIM = theme_colour("dim")
# JupyterLab right-aligns table cells: every cell says left (and top) itself
_CELL = "text-align:left;vertical-align:top;padding:0.15em 0.6em 0.15em 0;border:none"
_CODE = ("font-family:monospace;font-family:var(--jp-code-font-family, monospace);"
         "font-size:0.95em;padding:0 0.25em;border-radius:3px;"
         "background:rgba(127,127,127,0.15);background:var(--jp-layout-color2, rgba(127,127,127,0.15))")


def inline_html(text: str) -> str:
    """Text for HTML: escaped first, then Markdown code spans (`...`) as <code>."""
    parts = html.escape(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: leave the last one as it is
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    return "".join(f"<code style='{_CODE}'>{p}</code>" if i % 2 else p
                   for i, p in enumerate(parts))


def inline_rich(text: str, style: str = ""):
    """Text for the terminal: Markdown code spans (`...`) in the code style."""
    from rich.text import Text
    out = Text(style=style)
    parts = text.split("`")
    if len(parts) % 2 == 0:
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    for i, p in enumerate(parts):
        out.append(p, style="bold cyan" if i % 2 else "")
    return out


def _lines_html(label: str, text: str, style: str = "") -> str:
    """``seen: ...`` / ``do: ...``: a labelled block, one div per line of ``text``."""
    lines = [ln for ln in text.splitlines() if ln.strip()] or [""]
    body = "".join(f"<div style='{style}'>{inline_html(ln)}</div>" for ln in lines)
    return (f"<div style='display:flex;gap:0.5em'><span style='{_DIM};min-width:2.5em'>"
            f"{label}</span><div>{body}</div></div>")


def to_html(results: list[Result], title: str, declared: list[Check] | None = None) -> str:
    """The same report as :func:`table`, as HTML for notebooks: the points totals at
    the top, failures first with what was seen and what to do on lines of their own,
    passing checks one compact row each."""
    s = summary(results)
    rows = []
    for r in sorted(results, key=lambda r: ORDER[r.status]):  # stable: declaration order
        c = r.check
        pts = f"{r.earned}/{c.points}" if r.status != "n/a" else f"–/{c.points}"
        bold = "font-weight:bold" if r.status in ("fail", "error") else ""
        what = f"<div style='{bold}'>{inline_html(c.title)}</div>"
        if r.status in ("fail", "error"):
            if r.message:
                what += _lines_html("seen", r.message, "font-style:italic")
            what += _lines_html("do", c.hint)
        elif r.status == "n/a":
            what += f"<div style='{_DIM}'>{inline_html(r.message or c.hint)}</div>"
        what += "".join(
            f"<div style='{theme_colour('fail')};font-weight:bold'>not restored: "
            f"{inline_html(line)}</div>" for line in r.not_restored)
        if r.status == "pass" and r.details.get("summary"):
            what += f"<div style='{_DIM}'>measured: {inline_html(str(r.details['summary']))}</div>"
        edge = (theme_colour(r.status, "border-left", "3px solid ") + ";"
                if r.status in ("fail", "error") else "border-left:3px solid transparent;")
        rows.append(
            f"<tr class='clabs-{r.status.replace('/', '')}' style='border:none'>"
            f"<td style='{_CELL};{edge}padding-left:0.4em;white-space:nowrap;"
            f"{theme_colour(r.status)};font-weight:bold'>{MARK[r.status]}</td>"
            f"<td style='{_CELL};white-space:nowrap'>{pts}</td>"
            f"<td style='{_CELL};white-space:nowrap'><code style='{_CODE}'>"
            f"{html.escape(c.id)}</code></td>"
            f"<td style='{_CELL}'>{what}</td></tr>")
    head = "".join(f"<th style='{_CELL};{_DIM};font-weight:normal'>{h}</th>"
                   for h in ("result", "points", "check", "what it checks"))
    tops = "".join(f"<div style='font-weight:bold'>{inline_html(line)}</div>"
                   for line in headline(results, declared))
    left = ""
    if s["not_restored"]:
        left = (f"<div style='{theme_colour('fail')};font-weight:bold'>Not restored: the "
                "grader changed these and could not put them back. Put them back by hand "
                "(or run the notebook cells of the step again) before you check again.</div>")
    return (f"<div class='container-labs-report' style='text-align:left;{_TEXT}'>"
            f"<div style='{_DIM}'>{html.escape(title)}</div>{tops}"
            f"<div style='{_DIM}'>{html.escape(counts_line(s))}</div>{left}"
            "<table style='border-collapse:collapse;margin:0.4em 0 0 0;text-align:left;"
            "border:none;width:auto'>"
            f"<thead><tr style='border:none'>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")
