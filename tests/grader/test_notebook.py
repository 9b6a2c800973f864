import textwrap
import xml.etree.ElementTree as ET

import pytest

from grader import notebook
from grader.notebook import Report, check
from tests.checks.helpers import release_with_solutions, set_answer_cell


def test_check_from_a_notebook_renders_html(tmp_path):
    lab_dir = release_with_solutions("ch10", tmp_path / "ch10")
    rep = check("ch10.multistage.stages", lab_dir)
    assert isinstance(rep, Report) and rep.passed
    html = rep._repr_html_()
    assert "ch10.multistage.stages" in html and "pass" in html
    (lab_dir / "user" / "Dockerfile").write_text("FROM clabs/golang:1.19\nRUN go build .\n")
    rep = check("ch10.multistage.stages", lab_dir)
    assert not rep.passed and "multi-stage" in rep._repr_html_()
    assert "fail" in repr(rep)


def test_unanswered_questions_are_one_line_each(tmp_path):
    lab_dir = release_with_solutions("ch10", tmp_path / "ch10")
    set_answer_cell(lab_dir / "01-images-and-containers.ipynb", "ch10-lifecycle-answers",
                    "STOP_COMMAND = ...\nKILL_COMMAND = ...\n")
    rep = check("ch10.lifecycle.answers", lab_dir)
    (result,) = rep.results
    lines = result.message.splitlines()
    assert len(lines) >= 6 and all("no answer yet" in ln for ln in lines)
    assert lines[0].startswith("STOP_COMMAND:") and lines[1].startswith("KILL_COMMAND:")
    root = ET.fromstring(rep._repr_html_())
    seen = next(d for d in root.iter("div") if d.find("span") is not None
                and d.find("span").text == "seen")
    assert ["".join(d.itertext()).split(":")[0] for d in seen[1]] == \
        [ln.split(":")[0] for ln in lines]
    text = repr(rep)  # outside Jupyter too: one line per question
    assert "seen: STOP_COMMAND: no answer yet" in text
    assert "\n              KILL_COMMAND: no answer yet" in text
    # the step's and the chapter's totals come first
    in_all = sum(c.points for c in rep.results.declared)  # every check ch10 declares
    assert in_all > 3 and "ch10.pull-run.container" in {c.id for c in rep.results.declared}
    assert text.splitlines()[1:3] == [
        "step ch10.lifecycle: 0/3 points",
        f"chapter ch10: 0/3 points in the checks run, of {in_all} in all"]


def test_deferred_checks_run_nothing(monkeypatch, capsys, tmp_path):
    from grader import runner

    def must_not_run(*a, **kw):
        raise AssertionError("a deferred check ran")

    monkeypatch.setattr(runner, "run", must_not_run)
    monkeypatch.setenv("LAB_CHECKS_DEFERRED", "1")
    assert check("ch10.pull-run", tmp_path) is None
    out = capsys.readouterr()
    assert out.out.strip() == f"ch10.pull-run: {notebook.DEFERRED_LINE}" and not out.err
    monkeypatch.setenv("LAB_CHECKS_DEFERRED", "0")
    with pytest.raises(AssertionError, match="a deferred check ran"):
        check("ch10.pull-run", tmp_path)


def test_bad_input_is_one_line_not_a_traceback(capsys, tmp_path):
    assert check("ch10.no-such-step", tmp_path) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lab check: no ch10 check matches")


def _run_in_kernel(code: str, cwd) -> list[dict]:
    """Run ``code`` in a fresh IPython kernel; every iopub message of that execution."""
    jupyter_client = pytest.importorskip("jupyter_client")
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", cwd=str(cwd))
    try:
        msg_id = kc.execute(code)
        got = []
        while True:
            m = kc.get_iopub_msg(timeout=120)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            got.append(m)
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return got
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _html(m: dict) -> str:
    return m["content"].get("data", {}).get("text/html", "")


def test_a_long_check_shows_what_runs_now_updated_in_place(tmp_path):
    """In a real kernel: one progress output, updated in place (display_id) from the
    runner's events and, during a long check, once a second; then the report."""
    code = textwrap.dedent("""
        import time
        from grader import notebook, runner
        from grader.checks import Check, Result
        from grader.runner import Event, RunResults

        SLOW = Check("ch14.rolling.zero-downtime", "No request fails during the update", 3,
                     "h", "behaviour")
        QUICK = Check("ch14.rolling.file", "stack.yaml declares `web`", 1, "h", "static")

        def fake_run(chapter, lab_dir, *, on_event=None, **kw):
            now = time.perf_counter
            on_event(Event("collected", now(), total=2))
            on_event(Event("start", now(), total=2, index=1, check=QUICK))
            on_event(Event("done", now(), total=2, index=1, check=QUICK,
                           result=Result(QUICK, "pass")))
            on_event(Event("start", now(), total=2, index=2, check=SLOW))
            time.sleep(3.5)   # the grader acts for a while: the ticker keeps the line fresh
            on_event(Event("done", now(), total=2, index=2, check=SLOW,
                           result=Result(SLOW, "fail", "2 of 300 requests failed")))
            on_event(Event("finished", now(), total=2))
            return RunResults([Result(QUICK, "pass"),
                               Result(SLOW, "fail", "2 of 300 requests failed")], [QUICK, SLOW])

        runner.run = fake_run
        notebook.check("ch14.rolling")
    """)
    msgs = _run_in_kernel(code, tmp_path)
    kinds = [m["msg_type"] for m in msgs]
    first = next(m for m in msgs if m["msg_type"] == "display_data")
    display_id = first["content"]["transient"]["display_id"]
    updates = [m for m in msgs if m["msg_type"] == "update_display_data"]
    assert updates and all(m["content"]["transient"]["display_id"] == display_id for m in updates)
    slow = [_html(m) for m in updates if "ch14.rolling.zero-downtime" in _html(m)]
    # what runs now, by id and title, with its time, refreshed while it runs
    assert "2/2" in slow[0] and "No request fails during the update" in slow[0]
    ticks = {s.split(" s on this check")[0].rsplit(" ", 1)[-1] for s in slow}
    assert {"1", "2", "3"} <= ticks, ticks
    assert "checked ch14.rolling: 2 check(s)" in _html(updates[-1])
    # then the report, after the progress line, failures first
    result = next(m for m in msgs if m["msg_type"] == "execute_result")
    assert kinds.index("execute_result") > kinds.index("display_data")
    page = _html(result)
    assert page.index("ch14.rolling.zero-downtime") < page.index("ch14.rolling.file")
    assert "2 of 300 requests failed" in page and "`" not in page
    assert "error" not in kinds


def test_a_real_check_reports_each_check_as_it_starts(tmp_path):
    lab_dir = release_with_solutions("ch10", tmp_path / "ch10")
    msgs = _run_in_kernel("from grader.notebook import check\n"
                          "check('ch10.multistage', lab_dir='.')\n", lab_dir)
    assert "error" not in [m["msg_type"] for m in msgs]
    running = [_html(m) for m in msgs if m["msg_type"] == "update_display_data"]
    order = []
    for page in running:
        for cid in ("ch10.multistage.stages", "ch10.multistage.pinned", "ch10.multistage.lint"):
            if f"<code>{cid}</code>" in page and cid not in order:
                order.append(cid)
    assert order == ["ch10.multistage.stages", "ch10.multistage.pinned",
                     "ch10.multistage.lint"]
    report = _html(next(m for m in msgs if m["msg_type"] == "execute_result"))
    assert "step ch10.multistage:" in report
