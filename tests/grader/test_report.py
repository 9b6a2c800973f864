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
    assert "fix b" in page and "fix a" not in page and "<table" in page


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


def _rows(page: str) -> list:
    """The body rows of a report's HTML table, as ElementTree elements."""
    root = ET.fromstring(page)  # the report is well-formed XML: parse it, do not grep it
    return root.findall(".//tbody/tr")


C = Check("ch10.c.x", "Third with `docker ps`", 1, "run `docker ps -a`", "static")
HOSTILE = Check("ch10.h.x", "Hostile", 1, "type `<script>alert(1)</script>` & <b>bold</b>",
                "static")


def test_html_puts_failures_first_then_passes_then_na():
    results = [Result(A, "pass"), Result(P, "n/a"), Result(B, "fail", "saw nothing"),
               Result(C, "error", "engine down")]
    rows = _rows(report.to_html(results, "t"))
    order = [tr.get("class") for tr in rows]
    assert order == ["clabs-fail", "clabs-error", "clabs-pass", "clabs-na"]
    ids = ["".join(tr.findall("td")[2].itertext()) for tr in rows]
    assert ids == ["ch10.b.x", "ch10.c.x", "ch10.a.x", "ch10.k.x"]


def test_html_cells_are_left_aligned_and_use_theme_colours():
    page = report.to_html(RESULTS, "t")
    root = ET.fromstring(page)
    cells = root.findall(".//td") + root.findall(".//th")
    assert cells and all("text-align:left" in c.get("style", "") for c in cells)
    assert "text-align:left" in root.find(".//table").get("style")
    # JupyterLab's theme variables (light and dark), never a background colour of our own
    assert "var(--jp-content-font-color1" in page and "var(--jp-error-color1" in page
    assert "background:white" not in page.replace(" ", "").lower()
    assert "background:#fff" not in page.replace(" ", "").lower()
    assert "background:black" not in page.replace(" ", "").lower()
    # JupyterLab's sanitizer drops var() in an untrusted notebook: a plain value comes first
    for el in root.iter():
        decls = [d.split(":", 1) for d in (el.get("style") or "").split(";") if ":" in d]
        for i, (prop, value) in enumerate(decls):
            if "var(" in value:
                assert any(p == prop and "var(" not in v for p, v in decls[:i]), (prop, el.tag)


def test_html_failure_shows_seen_and_do_on_lines_of_their_own_pass_is_one_line():
    results = [Result(B, "fail", "first problem\nsecond problem"), Result(A, "pass")]
    fail, ok = _rows(report.to_html(results, "t"))
    what = fail.findall("td")[3]
    blocks = [list(div) for div in what.findall("div") if div.find("span") is not None]
    labels = [b[0].text for b in blocks]
    assert labels == ["seen", "do"]
    seen_lines = ["".join(d.itertext()) for d in blocks[0][1].findall("div")]
    assert seen_lines == ["first problem", "second problem"]  # one line per problem
    assert "".join(blocks[1][1].itertext()) == "fix b"
    assert [d for d in ok.findall("td")[3].findall("div")] == ok.findall("td")[3][:1]
    assert "fix a" not in ET.tostring(ok, encoding="unicode")


def test_html_renders_code_spans_and_escapes_hostile_text():
    results = [Result(HOSTILE, "fail", "saw <script>steal()</script> and `<img src=x>`"),
               Result(C, "fail", "")]
    page = report.to_html(results, "t")
    assert "<script>" not in page and "<img" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp;" in page
    root = ET.fromstring(page)  # still well-formed: nothing the text held became markup
    codes = ["".join(c.itertext()) for c in root.iter("code")]
    assert "<script>alert(1)</script>" in codes and "<img src=x>" in codes
    assert "docker ps -a" in codes and "docker ps" in codes  # hint and title
    assert "`" not in "".join(root.itertext()).replace("`<", "")


def test_an_unpaired_backtick_stays_text():
    assert report.inline_html("a `b") == "a `b"
    assert report.inline_html("`a` and `b") == \
        report.inline_html("`a`").replace("</code>", "</code> and `b")


def test_totals_at_the_top_step_and_chapter():
    declared = [A, B, C, Check("ch10.b.y", "More b", 4, "h", "live")]
    results = [Result(B, "fail", "x"), Result(Check("ch10.b.y", "More b", 4, "h", "live"), "pass")]
    lines = report.headline(results, declared)
    assert lines == ["step ch10.b: 4/7 points",
                     "chapter ch10: 4/7 points in the checks run, of 10 in all"]
    whole = [Result(c, "pass") for c in declared]
    assert report.headline(whole, declared) == ["chapter ch10: 10/10 points"]
    assert report.headline(RESULTS) == ["step ch10.a: 2/2 points", "step ch10.b: 0/3 points",
                                        "total 2/5 points"]
    page = report.to_html(results, "t", declared)
    root = ET.fromstring(page)
    text = "".join(root.itertext())
    # the totals come before the table
    assert text.index("step ch10.b: 4/7 points") < text.index("ch10.b.x")
    assert text.index("of 10 in all") < text.index("ch10.b.x")
    from rich.console import Console
    console = Console(width=120, record=True)
    console.print(report.table(results, "t", declared))
    term = console.export_text()
    assert term.index("step ch10.b: 4/7 points") < term.index("ch10.b.x")


def test_terminal_shows_every_line_of_a_message_and_code_spans_without_backticks():
    from rich.console import Console
    console = Console(width=160, record=True)
    console.print(report.table([Result(C, "fail", "q1: no answer yet\nq2: no answer yet")],
                               "t"))
    text = console.export_text()
    assert "seen: q1: no answer yet\n" in text and "\n          q2: no answer yet" in text
    assert "do:   run docker ps -a" in text
