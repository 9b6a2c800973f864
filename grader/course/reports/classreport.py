"""The class's exports from every student's result.json: ``class.csv`` (one row per
student, a column per graded item), ``class.json`` and ``report.html`` (the pass-rate
chart, then every student's score with a link to their feedback)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import quote

from grader.course.layout import Course
from grader.course.reports.chart import pass_rates
from grader.course.reports.items import items, load, scored, text
from grader.course.reports.page import document, e, pts

CSV, JSON, HTML = "class.csv", "class.json", "report.html"


def write(course: Course, chapter: str) -> list[Path]:
    folder = course.results_dir(chapter)
    folder.mkdir(parents=True, exist_ok=True)
    data = summarise(course, chapter)
    out = [folder / CSV, folder / JSON, folder / HTML]
    out[0].write_text(to_csv(data), encoding="utf-8", newline="")
    out[1].write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    out[2].write_text(to_html(data), encoding="utf-8")
    return out


def summarise(course: Course, chapter: str) -> dict:
    """The class as plain data: the items with their pass rates, and the students."""
    catalogue: dict[str, dict] = {}
    students = []
    for path in course.result_files(chapter):
        result = load(path)
        s = scored(result)
        row = {"student": result["student"], "status": text(result.get("status"), 40),
               "reason": text(result.get("reason"), 500), "score": s,
               "edited_locked_cells": sorted({text(g, 200) for nb in result.get("notebooks") or []
                                              if isinstance(nb, dict)
                                              for g in nb.get("edited_locked_cells") or []}),
               "items": {}}
        for i in items(result):
            if not i.counted:
                continue
            entry = catalogue.setdefault(i.id, {"id": i.id, "title": i.title, "kind": i.kind,
                                                "max_points": i.max_points, "passed": 0,
                                                "graded": 0})
            row["items"][i.id] = {"status": i.status, "points": i.points}
            # rates over graded submissions: one that could not run says nothing of a step
            if i.status != "n/a" and row["status"] == "graded":
                entry["graded"] += 1
                entry["passed"] += i.status == "pass"
        students.append(row)
    for entry in catalogue.values():
        entry["pass_rate"] = round(entry["passed"] / entry["graded"], 4) if entry["graded"] \
            else None
    return {"chapter": chapter, "course": course.course_id, "items": list(catalogue.values()),
            "students": students}


def _cell(value) -> str:
    """A CSV field a spreadsheet shows as text, never runs as a formula."""
    s = str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def to_csv(data: dict) -> str:
    ids = [i["id"] for i in data["items"]]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "status", "earned", "possible", "percent", "answers", "checks",
                "edited_locked_cells", "reason", *ids])
    for s in data["students"]:
        sc = s["score"]
        pct = f"{100 * sc['earned'] / sc['possible']:.1f}" if sc["possible"] else ""
        w.writerow([_cell(s["student"]), _cell(s["status"]), pts(sc["earned"]),
                    pts(sc["possible"]), pct, pts(sc["answers"]["earned"]),
                    pts(sc["checks"]["earned"]), _cell(" ".join(s["edited_locked_cells"])),
                    _cell(s["reason"]),
                    *(pts(s["items"][i]["points"]) if i in s["items"] else "" for i in ids)])
    return buf.getvalue()


def _rate(item: dict) -> str:
    rate = "" if item["pass_rate"] is None else f"{item['pass_rate']:.0%} "
    return f"{rate}({item['passed']}/{item['graded']})"


def to_html(data: dict) -> str:
    rows = []
    for s in data["students"]:
        sc = s["score"]
        link = f"{quote(s['student'])}/feedback.html"
        note = e(s["reason"]) if s["status"] != "graded" else ""
        if s["edited_locked_cells"]:
            note += (" " if note else "") + "locked cells put back: " + \
                e(", ".join(s["edited_locked_cells"]))
        rows.append(f"<tr><td><a href='{e(link)}'>{e(s['student'])}</a></td>"
                    f"<td>{e(s['status'])}</td><td class='num'>{pts(sc['earned'])} / "
                    f"{pts(sc['possible'])}</td><td>{note}</td></tr>")
    graded = sum(1 for s in data["students"] if s["status"] == "graded")
    items_rows = "".join(
        f"<tr><td><code>{e(i['id'])}</code></td><td>{e(i['title'])}</td><td>{e(i['kind'])}</td>"
        f"<td class='num'>{pts(i['max_points'])}</td><td class='num'>{_rate(i)}</td></tr>"
        for i in data["items"])
    body = (f"<h1>{e(data['chapter'])} · class report</h1>"
            f"<p>{len(data['students'])} submissions, {graded} graded.</p>"
            "<h2>Pass rate of each check</h2>"
            f"{pass_rates(data['items'])}"
            "<h2>Students</h2><table><thead><tr><th>student</th><th>status</th>"
            f"<th>points</th><th>notes</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "<h2>Items</h2><table><thead><tr><th>id</th><th>title</th><th>kind</th>"
            f"<th>points</th><th>pass rate</th></tr></thead><tbody>{items_rows}</tbody></table>")
    return document(f"{data['chapter']} class report", body)
