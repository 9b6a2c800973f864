"""A student's feedback page and JUnit XML, written next to their result.json.

The page lists the answers (graded with the course's keys), then every check with its
points, what the grader saw and the hint, the cells that timed out or crashed, and the
locked cells that were put back. Everything a student could influence is escaped.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from grader.course.layout import Course
from grader.course.reports.items import Item, items, scored, text
from grader.course.reports.page import document, e, pts, status

FEEDBACK = "feedback.html"
JUNIT = "junit.xml"


def write(course: Course, chapter: str, result: dict) -> list[Path]:
    folder = course.student_dir(chapter, str(result.get("student") or ""))
    folder.mkdir(parents=True, exist_ok=True)
    graded = items(result)
    from grader.course.reports.nbgraderfeedback import write as write_nbgrader_feedback
    try:
        pages, trouble = write_nbgrader_feedback(course, chapter, result), ""
    except Exception as err:  # noqa: BLE001  our page and the exports come first
        pages, trouble = [], f"nbgrader's feedback could not be made ({type(err).__name__})"
    links = [(p.name, os.path.relpath(p, folder)) for p in pages]
    html_file = folder / FEEDBACK
    html_file.write_text(feedback_html(chapter, result, graded, links, trouble),
                         encoding="utf-8")
    junit_file = folder / JUNIT
    junit_file.write_text(junit_xml(chapter, graded), encoding="utf-8")
    return [html_file, junit_file, *pages]


def _row(i: Item) -> str:
    if i.counted:
        points = f"{pts(i.points)}/{pts(i.max_points)}" if i.status != "n/a" else \
            f"–/{pts(i.max_points)}"
    else:
        points = "<span class='dim'>counted as the answer cell above</span>"
    todo = e(i.hint) if i.status in ("fail", "error", "n/a") else ""
    todo += "".join(f"<br><span class='warn'>not restored: {e(x)}</span>"
                    for x in i.not_restored)
    first = f"<code>{e(i.id)}</code><br>{e(i.title)}"
    if i.where:
        first += f"<br><span class='dim'>{e(i.where)}</span>"
    return (f"<tr><td>{first}</td><td>{e(i.layer)}</td><td>{status(i.status)}</td>"
            f"<td class='num'>{points}</td><td class='seen'>{e(i.message)}</td>"
            f"<td>{todo}</td></tr>")


def _table(rows: list[Item]) -> str:
    if not rows:
        return "<p class='dim'>none</p>"
    return ("<table><thead><tr><th>item</th><th>layer</th><th>result</th><th>points</th>"
            "<th>what the grader saw</th><th>what to do</th></tr></thead><tbody>"
            + "".join(_row(i) for i in rows) + "</tbody></table>")


def _run_notes(result: dict) -> str:
    edited, broken = [], []
    for nb in result.get("notebooks") or []:
        if not isinstance(nb, dict):
            continue
        name = text(nb.get("name"), 200)
        edited += [(name, text(g, 200)) for g in nb.get("edited_locked_cells") or []]
        broken += [(name, c) for c in nb.get("cells") or [] if isinstance(c, dict)]
    out = ""
    if edited:
        out += ("<h2>Locked cells put back</h2><p>These cells are part of the assignment "
                "and may not be changed; you had edited or deleted them, so they were graded "
                "as released:</p><ul>"
                + "".join(f"<li>{e(n)}: <code>{e(g)}</code></li>" for n, g in edited)
                + "</ul>")
    if broken:
        out += ("<h2>Cells that did not finish</h2><table><thead><tr><th>notebook</th>"
                "<th>cell</th><th>what happened</th><th>message</th></tr></thead><tbody>"
                + "".join(f"<tr><td>{e(n)}</td><td>{e(text(c.get('index'), 20))} "
                          f"<code>{e(text(c.get('grade_id'), 200))}</code></td>"
                          f"<td>{e(text(c.get('status'), 40))}</td>"
                          f"<td class='seen'>{e(text(c.get('message')))}</td></tr>"
                          for n, c in broken)
                + "</tbody></table>")
    return out


def feedback_html(chapter: str, result: dict, graded: list[Item],
                  notebooks: list[tuple[str, str]] = (), trouble: str = "") -> str:
    s = scored(result)
    student = text(result.get("student"), 200)
    head = (f"<h1>{e(chapter)} · feedback for {e(student)}</h1>"
            f"<p><b>{pts(s['earned'])} / {pts(s['possible'])} points</b> "
            f"(answers {pts(s['answers']['earned'])}/{pts(s['answers']['possible'])}, checks "
            f"{pts(s['checks']['earned'])}/{pts(s['checks']['possible'])})"
            + (f" · graded {e(text(result.get('graded_at'), 40))}"
               if result.get("graded_at") else "") + "</p>")
    if result.get("status") != "graded":
        head += (f"<p class='warn'>This submission could not be graded: "
                 f"{e(text(result.get('reason')) or 'no reason given')}</p>")
    answers = [i for i in graded if i.kind == "answer"]
    checks = [i for i in graded if i.kind == "check"]
    if notebooks:
        head += ("<p>Your notebooks as they ran, with nbgrader's scores: "
                 + ", ".join(f"<a href='{e(quote(href))}'>{e(name)}</a>"
                             for name, href in notebooks) + "</p>")
    if trouble:
        head += f"<p class='dim'>{e(trouble)}</p>"
    body = (head + _run_notes(result)
            + "<h2>Answers</h2><p>Read from the cells you wrote (nothing of yours runs "
              "for this) and compared by meaning with the course's answer key.</p>"
            + _table(answers) + "<h2>Checks</h2><p>Run against the environment your "
              "notebooks left behind.</p>" + _table(checks))
    return document(f"{chapter} feedback: {student}", body)


def junit_xml(chapter: str, graded: list[Item]) -> str:
    """grader/report.py's JUnit shape, over the items that count."""
    from grader import report
    from grader.checks import Check, Result

    results = [Result(Check(i.id, i.title, int(i.max_points) if float(i.max_points).is_integer()
                            else i.max_points, i.hint, i.layer or "static"),
                      i.status, i.message, i.seconds, not_restored=list(i.not_restored))
               for i in graded if i.counted]
    return report.to_junit(results, chapter)
