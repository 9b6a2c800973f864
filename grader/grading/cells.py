"""Reading an executed notebook back: which cells did not end well, and why.

The executed notebook was written inside the sandbox, where the student's code ran: it
is the student's data. It is read with a size cap, and only the cells' outcome is taken
from it (for the report); no grade depends on it (answers are read from the submitted
notebook, checks look at the engine).
"""

from __future__ import annotations

import json
from pathlib import Path

MAX_BYTES = 64_000_000
STATUSES = ("ok", "error", "timeout", "kernel-died", "not-run")
ADDED_TAGS = ("injected-parameters", "papermill-error-cell-tag")
PAPERMILL = {"completed": "ok", "failed": "error", "pending": "not-run", "running": "not-run"}


def _cell_status(cell: dict, killed: bool) -> tuple[str, str]:
    meta = cell.get("metadata") or {}
    mine = meta.get("clabs") if isinstance(meta.get("clabs"), dict) else None
    if mine and mine.get("status") in STATUSES:
        return mine["status"], str(mine.get("message", ""))[:500]
    pm = (meta.get("papermill") or {}).get("status", "pending")
    if pm == "running" and killed:
        return "timeout", "the submission's total time ran out during this cell"
    if pm == "running":
        return "kernel-died", ("the run stopped during this cell: the sandbox ran out of "
                               "processes or memory")
    status = PAPERMILL.get(pm, "not-run")
    return status, ("not run: the submission's total time ran out" if killed and status == "not-run"
                    else "not run" if status == "not-run" else "")


def outcomes(executed: Path, *, killed: bool, notebook: Path | None = None) -> list[dict]:
    """The code cells of ``executed`` that did not end "ok": index, grade_id, status,
    message. ``notebook`` (the submitted one) answers for a run that never started."""
    source = executed if executed.is_file() else notebook
    if source is None or not source.is_file():
        return [{"index": None, "grade_id": "", "status": "not-run", "message": "never executed"}]
    if source.stat().st_size > MAX_BYTES:
        return [{"index": None, "grade_id": "", "status": "error",
                 "message": f"the executed notebook is over {MAX_BYTES} bytes: not read"}]
    try:
        doc = json.loads(source.read_bytes())
        cells = doc["cells"]
    except (ValueError, KeyError, TypeError):
        return [{"index": None, "grade_id": "", "status": "error",
                 "message": "the executed notebook is not readable (the sandbox wrote it)"}]
    never = source is notebook
    found, index = [], -1
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        tags = (cell.get("metadata") or {}).get("tags") or []
        if not never and any(t in ADDED_TAGS for t in tags):
            continue    # cells papermill added: the index stays the submitted notebook's
        index += 1
        if cell.get("cell_type") != "code":
            continue
        if never:
            status, message = "not-run", "never executed"
        else:
            status, message = _cell_status(cell, killed)
        if status != "ok":
            grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id", "")
            found.append({"index": index, "grade_id": str(grade_id)[:100], "status": status,
                          "message": message})
    return found


def kernel_start(executed: Path) -> float | None:
    """Seconds from papermill's start to its first cell's start (the kernel starting),
    from the executed notebook's metadata; None when it is not there."""
    import datetime

    try:
        if executed.stat().st_size > MAX_BYTES:
            return None
        doc = json.loads(executed.read_bytes())
        begin = doc["metadata"]["papermill"]["start_time"]
        first = next(c["metadata"]["papermill"]["start_time"] for c in doc["cells"]
                     if c["metadata"].get("papermill", {}).get("start_time"))
        parse = datetime.datetime.fromisoformat
        return round((parse(first) - parse(begin)).total_seconds(), 2)
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return None
