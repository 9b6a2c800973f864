"""Locked and test cells put back as they were released, before a submission runs.

nbgrader's autograde does this with ``OverwriteCells`` and the gradebook; the pipeline
restores a grading copy inside a worker, so this reads the released notebook instead
(no database) and uses nbgrader's own checksum (:func:`nbgrader.utils.compute_checksum`:
source, cell type, the grade/solution/locked flags, grade id and points). A locked or
test cell whose checksum differs from the released one is replaced by the released
cell; one the student deleted is put back after the cell that preceded it in the
release; a second cell claiming the same grade id is removed. Every such grade id is
returned, so the report can name the edit.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from grader.course.layout import Course
from grader.errors import LabError


def restore(course: Course, chapter: str, notebook: Path) -> list[str]:
    """Rewrite ``notebook`` (a grading copy) in place with the released version of
    every locked and test cell; return the grade ids the student edited or deleted,
    in the release's order. A notebook that is not part of the release is left as it
    is (``[]``); one that is not JSON is a LabError."""
    from grader.course import release

    released = release.ensure_released(course, chapter) / Path(notebook).name
    if not released.is_file():
        return []
    reference = json.loads(released.read_text(encoding="utf-8"))
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
        cells = nb["cells"]
        if not isinstance(cells, list):
            raise TypeError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise LabError(f"{Path(notebook).name} is not a valid notebook (not JSON with "
                       "cells)") from None
    fixed, edited = restore_cells(reference["cells"], cells)
    nb["cells"] = fixed
    if edited:
        Path(notebook).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    return edited


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
    return gid if isinstance(gid, str) else None


def _protected(cell) -> bool:
    nbg = cell["metadata"]["nbgrader"]
    return bool(nbg.get("locked") or (nbg.get("grade") and not nbg.get("solution")))


def _unchanged(cell, reference) -> bool:
    from nbformat import from_dict
    from nbgrader.utils import compute_checksum

    try:
        node = from_dict(copy.deepcopy(cell))
        if isinstance(node.get("source"), list):  # as nbformat.read joins it
            node["source"] = "".join(node["source"])
        return compute_checksum(node) == reference["metadata"]["nbgrader"]["checksum"]
    except (KeyError, AttributeError, TypeError, ValueError):
        return False  # nbgrader metadata damaged: that is an edit too


def restore_cells(reference: list[dict], cells: list) -> tuple[list, list[str]]:
    """``(cells with the released locked/test cells restored, grade ids edited)``."""
    wanted = {_grade_id(c): c for c in reference if _grade_id(c) and _protected(c)}
    order = [_grade_id(c) for c in reference if _grade_id(c)]
    out, seen, edited = [], set(), set()
    for cell in cells:
        gid = _grade_id(cell)
        if gid not in wanted:
            out.append(cell)
            continue
        if gid in seen:  # a copy of a locked cell: the released one is already there
            edited.add(gid)
            continue
        seen.add(gid)
        if _unchanged(cell, wanted[gid]) and cell.get("cell_type") == wanted[gid]["cell_type"]:
            out.append(cell)
        else:
            out.append(copy.deepcopy(wanted[gid]))
            edited.add(gid)
    for gid in order:  # deleted ones go back after what preceded them in the release
        if gid not in wanted or gid in seen:
            continue
        before = order[:order.index(gid)]
        at = 0
        for prev in reversed(before):
            pos = next((i for i, c in enumerate(out) if _grade_id(c) == prev), None)
            if pos is not None:
                at = pos + 1
                break
        out.insert(at, copy.deepcopy(wanted[gid]))
        seen.add(gid)
        edited.add(gid)
    _unique_ids(out, set(wanted))
    return out, [gid for gid in order if gid in edited]


def _unique_ids(cells: list, keep: set) -> None:
    """nbformat 4.5 cell ids must be unique: the released cells keep theirs, a student
    cell that took one of them gets another."""
    def cid(c):
        return c.get("id") if isinstance(c, dict) and isinstance(c.get("id"), str) else None

    taken = {cid(c) for c in cells if _grade_id(c) in keep and cid(c)}
    for cell in cells:
        if _grade_id(cell) in keep or cid(cell) is None:
            continue
        base, n = cell["id"], 1
        while cell["id"] in taken:
            n += 1
            cell["id"] = f"{base[:56]}-{n}"
        taken.add(cell["id"])
