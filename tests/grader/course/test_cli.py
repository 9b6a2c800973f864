"""`lab course init`, `lab release`, `lab course report`: files, exit codes, one line."""

import json
import os
import subprocess
import sys

from tests.grader.course.helpers import check, result, write_result

LAB = [sys.executable, "-m", "grader.cli"]


def lab(*args, cwd=None):
    return subprocess.run(LAB + list(args), capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200"}, timeout=300, check=False)


def one_line(p) -> str:
    lines = [ln for ln in p.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    return lines[0]


def test_init_release_report(tmp_path):
    folder = tmp_path / "course"
    p = lab("course", "init", str(folder), "--id", "docker-101")
    assert p.returncode == 0, p.stderr
    assert "lab release CH" in p.stdout
    assert "docker-101" in (folder / "nbgrader_config.py").read_text()
    p = lab("release", "ch14", cwd=folder)  # the course around the current folder
    assert p.returncode == 0, p.stderr
    assert len(list((folder / "release" / "ch14").glob("*.ipynb"))) == 4
    assert not list((folder / "release").rglob("answers.py"))

    from grader.course.layout import Course
    course = Course.open(folder)
    write_result(course, result("alice", [], [check("ch14.rolling.file", "pass", 2)]))
    p = lab("course", "report", "ch14", "--course", str(folder))
    assert p.returncode == 0, p.stderr
    out = folder / "grading" / "ch14"
    for name in ("class.csv", "class.json", "report.html", "alice/feedback.html",
                 "alice/junit.xml"):
        assert (out / name).is_file(), name
    assert json.loads((out / "class.json").read_text())["students"][0]["score"]["earned"] == 2
    from grader.course import record
    assert record.snapshot(course, "ch14")["totals"]["alice"] == [2.0, 65.0]  # all of ch14


def test_errors_are_one_line(tmp_path):
    p = lab("release", "ch14", "--course", str(tmp_path))
    assert p.returncode == 2 and "not a course folder" in one_line(p)
    p = lab("course", "report", "ch14", cwd=tmp_path)  # no course here, no ./course
    assert p.returncode == 2 and "lab course init" in one_line(p)
    (tmp_path / "file").write_text("x")
    p = lab("course", "init", str(tmp_path / "file"))
    assert p.returncode == 2 and "not a folder" in one_line(p)


def test_the_check_path_and_help_do_not_import_nbgrader():
    code = ("import sys, grader.cli, grader.answers, grader.course.layout, "
            "grader.course.answers, grader.course.record, grader.course.reports; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('nbgrader', 'jsonschema')))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, check=True)
    assert p.stdout.strip() == "[]"
