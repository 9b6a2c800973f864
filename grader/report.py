"""Results for people (a rich table, HTML) and for machines (JSON, JUnit XML)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from grader.checks import Result, summary

STYLE = {"pass": "green", "fail": "red", "error": "yellow", "n/a": "dim"}
MARK = {"pass": "✔ pass", "fail": "✘ fail", "error": "! error", "n/a": "– n/a"}


def table(results: list[Result], title: str):
    """A rich renderable: one table row per check, then what to do for each failure."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, title_justify="left", expand=False)
    t.add_column("check", style="bold", no_wrap=True)
    t.add_column("result", no_wrap=True)
    t.add_column("points", justify="right", no_wrap=True)
    t.add_column("title")
    todo = Text()
    for r in results:
        pts = f"{r.earned}/{r.check.points}" if r.status != "n/a" else f"–/{r.check.points}"
        t.add_row(r.check.id, Text(MARK[r.status], style=STYLE[r.status]), pts, r.check.title)
        if r.status in ("fail", "error"):
            todo.append(f"\n{MARK[r.status]} {r.check.id}", style=STYLE[r.status] + " bold")
            if r.message:
                todo.append(f"\n    seen: {r.message}", style="italic")
            todo.append(f"\n    do:   {r.check.hint}\n")
    measured = [r for r in results if r.status == "pass" and r.details.get("summary")]
    s = summary(results)
    left = Text()
    for r in results:
        for line in r.not_restored:
            left.append(f"\n! {r.check.id}: ", style="red bold")
            left.append(line)
    c = s["counts"]
    pending = sorted({r.check.hint for r in results if r.status == "n/a"})
    foot = Text(f"total {s['earned']}/{s['possible']} points · {c['pass']} passed, "
                f"{c['fail']} failed, {c['error']} errors, {c['n/a']} not available yet"
                + (f" · {len(s['not_restored'])} not restored" if s["not_restored"] else ""),
                style="bold")
    parts = [t]
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


def to_html(results: list[Result], title: str) -> str:
    """The same table as HTML, for notebooks."""
    colour = {"pass": "#1a7f37", "fail": "#cf222e", "error": "#9a6700", "n/a": "#6e7781"}
    rows = []
    for r in results:
        todo = ""
        if r.status in ("fail", "error"):
            todo = (f"<em>{html.escape(r.message)}</em><br>" if r.message else "") + \
                html.escape(r.check.hint)
        elif r.status == "n/a":
            todo = f"<span style='color:#6e7781'>{html.escape(r.check.hint)}</span>"
        todo += "".join(f"<br><b style='color:#cf222e'>not restored: {html.escape(line)}</b>"
                        for line in r.not_restored)
        pts = f"{r.earned}/{r.check.points}" if r.status != "n/a" else f"–/{r.check.points}"
        rows.append(
            f"<tr><td><code>{html.escape(r.check.id)}</code></td>"
            f"<td>{html.escape(r.check.title)}</td>"
            f"<td style='color:{colour[r.status]};font-weight:bold'>{MARK[r.status]}</td>"
            f"<td style='text-align:right'>{pts}</td><td>{todo}</td></tr>")
    s = summary(results)
    return (f"<div class='container-labs-report'><b>{html.escape(title)}</b>"
            "<table><thead><tr><th>check</th><th>title</th><th>result</th><th>points</th>"
            f"<th>what to do</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p>total {s['earned']}/{s['possible']} points</p></div>")
