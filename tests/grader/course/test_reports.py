"""Feedback and exports: complete, escaped, and what the chart shows."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from grader.course import answers, reports
from grader.course.reports import chart
from tests.grader.course.helpers import check, result, submission, write_result

HOSTILE = "<script>alert(1)</script>\"'&"


@pytest.fixture
def graded(course, tmp_path):
    """Three students: full answers, no answers, a hostile one; one failed submission."""
    full = answers.grade(course, "ch14", submission(course, "ch14", tmp_path / "a",
                                                    solved=True))
    none = answers.grade(course, "ch14", submission(course, "ch14", tmp_path / "b",
                                                    solved=False))
    checks_ok = [check("ch14.rolling.file", "pass", 2, layer="static"),
                 check("ch14.rolling.batches", "pass", 3, layer="behaviour"),
                 check("ch14.questions.answers", "pass", 4, layer="static")]
    checks_bad = [check("ch14.rolling.file", "fail", 2, layer="static",
                        message=f"stack.yaml says {HOSTILE}", hint="Write stack.yaml"),
                  check("ch14.rolling.batches", "pass", 3, layer="behaviour"),
                  check("ch14.questions.answers", "fail", 4, layer="static")]
    hostile_answers = [dict(a, message=f"{HOSTILE}\x00\x1b[31m") for a in none]
    results = [
        result("alice", full, checks_ok),
        result("bob", none, checks_bad, notebooks=[{
            "name": "01-rolling-updates.ipynb", "executed": "01-rolling-updates.ipynb",
            "edited_locked_cells": ["c14n1-check-rolling"],
            "cells": [{"index": 12, "grade_id": "ch14-rolling-update", "status": "timeout",
                       "message": "the cell ran for more than 600 s"}]}]),
        result("mallory", hostile_answers, checks_bad, reason='=HYPERLINK("http://x")'),
        result("=2+5|calc!A0", full, checks_ok),
        result("dave", [], [], status="failed", reason=f"not a notebook: {HOSTILE}"),
    ]
    for r in results:
        write_result(course, r)
    return results


def test_student_feedback_lists_every_item_escaped(course, graded):
    files = reports.write_student(course, "ch14", graded[1])
    assert [f.name for f in files] == ["feedback.html", "junit.xml"]
    page = files[0].read_text()
    for item in graded[1]["answers"] + graded[1]["checks"]:
        assert item["id"] in page
    assert "Write stack.yaml" in page and "0/2" in page  # the hint and the points
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&amp;" in page
    assert "<script" not in page.lower()
    assert "counted as the answer cell above" in page  # ch14.questions.answers, once
    assert "c14n1-check-rolling" in page and "timeout" in page and "600 s" in page
    assert "3 / 65 points" in page  # 0 answers, 3 of the checks' 56
    assert "ch14.rolling.spec" in page and "not run" in page  # no outcome: said so


def test_hostile_text_cannot_break_the_page_or_the_xml(course, graded):
    html_file, junit_file = reports.write_student(course, "ch14", graded[2])
    page = html_file.read_text()
    assert "<script" not in page.lower() and "\x00" not in page
    assert "default-src 'none'" in page  # and nothing runs even if something slipped
    suite = ET.fromstring(junit_file.read_text())  # parses: no control characters left
    assert suite.get("name") == "ch14"


def test_junit_has_each_counted_item_with_points(course, graded):
    junit = reports.write_student(course, "ch14", graded[0])[1]
    suite = ET.parse(junit).getroot()
    cases = list(suite.iter("testcase"))
    names = [c.get("name") for c in cases]
    assert names[:5] == ["ch14.strategies.answers [3/3 pts]", "ch14.configs.answers [2/2 pts]",
                         "ch14.questions.answers [4/4 pts]", "ch14.rolling.file [2/2 pts]",
                         "ch14.rolling.batches [3/3 pts]"]  # the answer check once
    assert len(names) == 3 + 24 and names.count("ch14.questions.answers [4/4 pts]") == 1
    spec = next(c for c in cases if c.get("name").startswith("ch14.rolling.spec"))
    assert "not run" in spec.find("error").get("message")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["points"] == "14/65"
    bob = ET.parse(reports.write_student(course, "ch14", graded[1])[1]).getroot()
    failure = next(c for c in bob.iter("testcase")
                   if c.get("name").startswith("ch14.rolling.file")).find("failure")
    assert HOSTILE in failure.get("message") and failure.text == "Write stack.yaml"


def test_class_exports(course, graded):
    files = reports.write_class(course, "ch14")
    assert [f.name for f in files] == ["class.csv", "class.json", "report.html"]
    rows = list(csv.DictReader(io.StringIO(files[0].read_text())))
    by = {r["student"]: r for r in rows}
    assert set(by) == {"alice", "bob", "mallory", "dave", "'=2+5|calc!A0"}  # text, no formula
    assert by["mallory"]["reason"] == "'=HYPERLINK(\"http://x\")"  # a formula is text
    assert (by["alice"]["earned"], by["alice"]["possible"], by["alice"]["percent"]) == \
        ("14", "65", "21.5")
    assert by["bob"]["earned"] == "3" and by["bob"]["edited_locked_cells"] == \
        "c14n1-check-rolling"
    assert by["dave"]["status"] == "failed" and by["dave"]["possible"] == "65"
    assert by["alice"]["ch14.questions.answers"] == "4" and by["bob"]["ch14.rolling.file"] == "0"
    assert "ch14.questions.answers" in rows[0]  # one column per counted item
    data = json.loads(files[1].read_text())
    rates = {i["id"]: (i["passed"], i["graded"]) for i in data["items"]}
    assert rates["ch14.rolling.batches"] == (4, 4) and rates["ch14.rolling.file"] == (2, 4)
    assert rates["ch14.questions.answers"] == (2, 4)  # the answer cell, counted once
    assert [s["student"] for s in data["students"]] == ["=2+5|calc!A0", "alice", "bob", "dave",
                                                         "mallory"]


def test_class_report_has_one_bar_per_item_and_escapes(course, graded):
    page = reports.write_class(course, "ch14")[2].read_text()
    data = json.loads((course.results_dir("ch14") / "class.json").read_text())
    bars = re.findall(r'<g class="bar" data-id="([^"]*)"', page)
    assert sorted(bars) == sorted(i["id"] for i in data["items"])
    assert len(bars) == 3 + 24  # the answer cells and every other check of ch14
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    assert "href='mallory/feedback.html'" in page
    assert "href='%3D2%2B5%7Ccalc%21A0/feedback.html'" in page
    assert "<svg" in page and "http-equiv='Content-Security-Policy'" in page


def test_chart_orders_by_pass_rate_and_sizes_bars():
    svg = chart.pass_rates([{"id": "a", "title": "", "passed": 3, "graded": 3},
                            {"id": "b<", "title": "", "passed": 1, "graded": 4},
                            {"id": "c", "title": "", "passed": 0, "graded": 0}])
    ET.fromstring(svg)  # well-formed
    assert re.findall(r'data-id="([^"]*)" data-rate="([^"]*)"', svg) == [
        ("b&lt;", "0.2500"), ("a", "1.0000"), ("c", "-1.0000")]
    widths = re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', svg)
    assert widths == [f"{0.25 * chart.BAR:.1f}", f"{1.0 * chart.BAR:.1f}"]
