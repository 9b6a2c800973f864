"""Reading an executed notebook back (written by the sandbox: untrusted)."""

import json

from grader.grading import cells


def _cell(status=None, pm="completed", tags=(), grade_id="g", ctype="code"):
    meta = {"papermill": {"status": pm}, "tags": list(tags), "nbgrader": {"grade_id": grade_id}}
    if status:
        meta["clabs"] = {"status": status, "message": f"why {status}"}
    return {"cell_type": ctype, "metadata": meta, "source": "", "outputs": []}


def test_indexes_are_the_submitted_notebooks_and_papermill_cells_are_skipped(tmp_path):
    doc = {"cells": [_cell(ctype="markdown", tags=["papermill-error-cell-tag"]),
                     _cell("ok", grade_id="p"), _cell("ok", tags=["injected-parameters"]),
                     _cell("error", grade_id="a"), _cell("timeout", grade_id="b"),
                     _cell(pm="running", grade_id="c"), _cell(pm="pending", grade_id="d")]}
    f = tmp_path / "x.ipynb"
    f.write_text(json.dumps(doc))
    got = cells.outcomes(f, killed=True)
    assert [(c["index"], c["grade_id"], c["status"]) for c in got] == [
        (1, "a", "error"), (2, "b", "timeout"), (3, "c", "timeout"), (4, "d", "not-run")]
    assert "total time" in got[2]["message"]


def test_a_run_that_stopped_by_itself_names_the_cell(tmp_path):
    f = tmp_path / "x.ipynb"
    f.write_text(json.dumps({"cells": [_cell(pm="running", grade_id="bomb"), _cell(pm="pending")]}))
    got = cells.outcomes(f, killed=False)
    assert [(c["grade_id"], c["status"]) for c in got] == [("bomb", "kernel-died"), ("g", "not-run")]
    assert "ran out of processes or memory" in got[0]["message"]


def test_unreadable_or_missing_output(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{nope")
    assert cells.outcomes(bad, killed=False)[0]["status"] == "error"
    src = tmp_path / "src.ipynb"
    src.write_text(json.dumps({"cells": [_cell(grade_id="a"), _cell(grade_id="b")]}))
    got = cells.outcomes(tmp_path / "never.ipynb", killed=False, notebook=src)
    assert [(c["index"], c["status"]) for c in got] == [(0, "not-run"), (1, "not-run")]


def test_a_status_the_sandbox_made_up_is_not_taken(tmp_path):
    doc = {"cells": [{"cell_type": "code", "source": "", "outputs": [],
                      "metadata": {"clabs": {"status": "excellent"}, "papermill": {"status": "failed"}}}]}
    f = tmp_path / "x.ipynb"
    f.write_text(json.dumps(doc))
    assert cells.outcomes(f, killed=False)[0]["status"] == "error"
