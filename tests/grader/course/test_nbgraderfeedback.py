"""nbgrader's feedback pages from executed notebooks: produced, scored, defused."""

import json
import re

from grader.course import answers, record, reports
from grader.course.reports import nbgraderfeedback
from tests.grader.course.helpers import check, index_of, result, submission

HOSTILE_MD = "<img src=x onerror=alert(2)> and <script>alert(3)</script>"


def _executed(course, student: str, tmp_path) -> dict:
    """A student's result with executed notebooks holding hostile outputs and cells."""
    nbs = submission(course, "ch14", tmp_path / student, solved=True)
    folder = course.student_dir("ch14", student) / "executed"
    folder.mkdir(parents=True)
    for nb in nbs:
        d = json.loads(nb.read_text())
        env = index_of(d["cells"], d["cells"][3]["metadata"]["nbgrader"]["grade_id"])
        d["cells"][env]["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {
            "text/html": "<script>alert(1)</script><b>bold</b>", "text/plain": "x"}}]
        d["cells"][0]["source"] = "<script>alert(5)</script>"  # a locked cell, rewritten
        d["cells"].append({"cell_type": "markdown", "metadata": {}, "source": HOSTILE_MD,
                           "id": "mine-1"})
        d["cells"].append({"cell_type": "raw", "metadata": {"raw_mimetype": "text/html"},
                           "source": "<script>alert(4)</script>", "id": "mine-2"})
        (folder / nb.name).write_text(json.dumps(d))
    res = result(student, answers.grade(course, "ch14", nbs),
                 [check("ch14.rolling.file", "pass", 2, layer="static")],
                 notebooks=[{"name": nb.name, "executed": f"executed/{nb.name}",
                             "edited_locked_cells": [], "cells": []} for nb in nbs])
    record.record(course, "ch14", res)
    return res


def test_nbgrader_feedback_pages_are_written_scored_and_linked(course, tmp_path):
    res = _executed(course, "alice", tmp_path)
    files = reports.write_student(course, "ch14", res)
    pages = files[2:]
    assert [p.name for p in pages] == ["01-rolling-updates.html", "02-health-and-rollback.html",
                                       "03-configs.html", "04-secrets.html"]
    assert all(p.parent == course.root / "feedback" / "alice" / "ch14" for p in pages)
    secrets = pages[3].read_text()
    assert "ch14-questions-tests" in secrets and "4.0 / 4.0" in secrets  # nbgrader's score
    own = files[0].read_text()
    assert "../../../feedback/alice/ch14/04-secrets.html" in own


def test_nbgrader_feedback_runs_no_script(course, tmp_path):
    res = _executed(course, "mallory", tmp_path)
    for page in nbgraderfeedback.write(course, "ch14", res):
        html = page.read_text()
        assert not re.search(r"<script", html, re.IGNORECASE), page.name  # none, ours or theirs
        assert "onerror=" not in html.replace("onerror=alert(2)&gt;", "")
        assert "default-src 'none'" in html[:300]
        assert "cdnjs" not in html and "<b>bold</b>" in html  # sanitized, not dropped


def test_only_notebooks_inside_the_student_folder(course, tmp_path):
    res = _executed(course, "alice", tmp_path)
    res["notebooks"] = [{"name": "x.ipynb", "executed": "../../../../source/ch14/04-secrets.ipynb"},
                        {"name": "y.ipynb", "executed": "/etc/passwd"}]
    assert nbgraderfeedback.executed_notebooks(course, "ch14", res) == []
    assert nbgraderfeedback.write(course, "ch14", res) == []


def test_a_broken_executed_notebook_stops_no_feedback(course, tmp_path):
    res = _executed(course, "alice", tmp_path)
    folder = course.student_dir("ch14", "alice") / "executed"
    (folder / "03-configs.ipynb").write_text("{half a notebook")
    (folder / "04-secrets.ipynb").write_text('{"cells": 5}')
    files = reports.write_student(course, "ch14", res)
    names = [p.name for p in files]
    assert names[:2] == ["feedback.html", "junit.xml"]
    assert "01-rolling-updates.html" in names and "03-configs.html" not in names
