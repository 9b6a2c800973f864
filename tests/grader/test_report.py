import json
import xml.etree.ElementTree as ET

from grader import report
from grader.checks import Check, Result

A = Check("ch10.a.x", "First", 2, "fix a", "static")
B = Check("ch10.b.x", "Second", 3, "fix b", "live")
P = Check("ch10.k.x", "Later", 1, "not available yet", "live")
RESULTS = [Result(A, "pass", seconds=0.1), Result(B, "fail", "saw nothing"), Result(P, "n/a")]


def test_junit_has_points_in_names_and_properties():
    root = ET.fromstring(report.to_junit(RESULTS, "ch10"))
    assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("skipped") == "1"
    names = [tc.get("name") for tc in root.iter("testcase")]
    assert names == ["ch10.a.x [2/2 pts]", "ch10.b.x [0/3 pts]", "ch10.k.x [0/1 pts]"]
    fail = root.findall("testcase")[1].find("failure")
    assert fail.get("message") == "saw nothing" and fail.text == "fix b"
    assert root.find("properties/property").get("value") == "2/5"


def test_json_document():
    doc = json.loads(report.to_json(RESULTS, "ch10", "/tmp/x"))
    assert doc["earned"] == 2 and doc["possible"] == 5 and doc["exit_code"] == 1
    assert [c["status"] for c in doc["checks"]] == ["pass", "fail", "n/a"]


def test_table_and_html_show_hints_for_failures_only():
    from rich.console import Console
    console = Console(width=120, record=True)
    console.print(report.table(RESULTS, "t"))
    text = console.export_text()
    assert "fix b" in text and "saw nothing" in text and "fix a" not in text
    assert "total 2/5 points" in text
    page = report.to_html(RESULTS, "t")
    assert "fix b" in page and "fix a" not in page and "<table>" in page


def test_what_the_grader_could_not_restore_shows_in_every_report():
    line = "could not restore shop_web: putting its spec back ended 'paused' (update paused)"
    results = [Result(A, "pass", not_restored=[line]), Result(B, "fail", "saw nothing")]
    doc = json.loads(report.to_json(results, "ch14", "/tmp/x"))
    assert doc["not_restored"] == [line] and doc["checks"][0]["not_restored"] == [line]
    assert doc["checks"][1]["not_restored"] == []
    assert doc["exit_code"] == 2  # the environment is not as the student left it
    root = ET.fromstring(report.to_junit(results, "ch14"))
    assert ("not_restored", line) in [(p.get("name"), p.get("value"))
                                      for p in root.find("properties")]
    case = root.findall("testcase")[0]
    assert line in case.find("system-err").text
    from rich.console import Console
    console = Console(width=200, record=True)
    console.print(report.table(results, "t"))
    text = console.export_text()
    assert "Not restored" in text and line in text and "1 not restored" in text
    assert "not restored: could not restore shop_web" in report.to_html(results, "t")
    clean = json.loads(report.to_json([Result(A, "pass")], "ch14", "/tmp/x"))
    assert clean["not_restored"] == [] and clean["exit_code"] == 0
