"""Submissions and results for the course tests, built from the real chapter notebooks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

SCHEMA = "container-labs/grade-result/v1"


def submission(course, chapter: str, folder: Path, *, solved: bool) -> list[Path]:
    """A student's notebooks: the released ones (nothing answered) or, ``solved``, the
    course's source notebooks (the reference answers in the answer cells)."""
    folder.mkdir(parents=True, exist_ok=True)
    src = course.source_dir(chapter) if solved else course.released_dir(chapter)
    out = []
    for nb in sorted(src.glob("*.ipynb")):
        shutil.copy(nb, folder / nb.name)
        out.append(folder / nb.name)
    return out


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def set_cells(path: Path, cells_: list[dict]) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"] = cells_
    path.write_text(json.dumps(nb), encoding="utf-8")


def index_of(cells_: list[dict], grade_id: str) -> int:
    return next(i for i, c in enumerate(cells_)
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def set_answer_cell(path: Path, grade_id: str, source: str) -> None:
    cs = cells(path)
    cs[index_of(cs, grade_id)]["source"] = source
    set_cells(path, cs)


def check(id_: str, status: str, points: int, *, message: str = "", hint: str = "",
          layer: str = "live", title: str = "") -> dict:
    """A check result as ``Result.as_dict()`` writes it."""
    return {"id": id_, "step": ".".join(id_.split(".")[:2]), "title": title or id_,
            "layer": layer, "status": status, "points": points if status == "pass" else 0,
            "max_points": points, "hint": hint if status in ("fail", "error") else "",
            "message": message, "seconds": 0.5, "not_restored": []}


def result(student: str, answers: list[dict], checks: list[dict], *, status: str = "graded",
           reason: str = "", notebooks: list[dict] | None = None) -> dict:
    return {"schema": SCHEMA, "chapter": "ch14", "student": student,
            "input_digest": "sha256:test", "status": status, "reason": reason,
            "notebooks": notebooks or [], "answers": answers, "checks": checks,
            "score": {"earned": 0, "possible": 0},
            "timings": {"environment": 0.0, "run": 0.0, "checks": 0.0, "teardown": 0.0},
            "graded_at": "2026-12-01T12:00:00+00:00"}


def write_result(course, res: dict) -> Path:
    folder = course.student_dir(res["chapter"], res["student"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result.json").write_text(json.dumps(res), encoding="utf-8")
    return folder / "result.json"

