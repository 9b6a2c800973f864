"""A course for the pipeline's own tests (the real one is grader.course, tested with it):
the folders of the contract and a gradebook that is one JSON file per student."""

from __future__ import annotations

import json
from pathlib import Path

from grader.grading.pipeline import CourseOps


class Course:
    def __init__(self, root: Path):
        self.root = Path(root)

    def results_dir(self, ch):
        return self.root / "grading" / ch

    def student_dir(self, ch, student):
        return self.results_dir(ch) / student

    def keys_dir(self, ch):
        return self.root / "keys" / ch

    def released_dir(self, ch):
        return self.root / "release" / ch


def score(result: dict) -> dict:
    checks = result.get("checks", [])
    return {"earned": sum(c.get("points", 0) for c in checks),
            "possible": sum(c.get("max_points", 0) for c in checks)}


def record(course, ch, result) -> None:
    book = course.root / "gradebook"
    book.mkdir(parents=True, exist_ok=True)
    entry = {"status": result["status"], "score": result["score"],
             "checks": {c["id"]: c["status"] for c in result.get("checks", [])}}
    (book / f"{result['student']}.json").write_text(json.dumps(entry, sort_keys=True))


def ops() -> CourseOps:
    return CourseOps(restore=lambda course, ch, nb: [], answers=lambda course, ch, nbs: [],
                     score=score, record=record, write_student=lambda course, ch, r: [],
                     write_class=lambda course, ch: [])


def gradebook(course) -> dict:
    return {p.stem: json.loads(p.read_text()) for p in sorted((course.root / "gradebook").glob("*.json"))}


def comparable(result: dict) -> dict:
    """A result without what differs between two runs of the same input: when and how
    long (of the whole and of each check)."""
    out = {k: v for k, v in result.items() if k not in ("graded_at", "timings")}
    out["checks"] = [{k: v for k, v in c.items() if k != "seconds"} for c in result["checks"]]
    return out
