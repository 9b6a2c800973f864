"""Answer cells graded outside the student's kernel, with the course's keys.

In the sandbox the test cells run with ``LAB_ANSWERS_DEFERRED=1`` and grade nothing
(no key is there to read, and what a student cell does to ``grader.answers`` in the
kernel changes nothing here). On the host, each answer is read from the cells the
student wrote with :func:`grader.answers.read_cell` (nothing of theirs runs) and
compared with ``DIR/keys/<chapter>/answers.py``. Which answer cells count, and for
how many points, comes from the released notebooks, not from the student's copy.
Each item is all-or-nothing, like the nbgrader test cell it stands for.
"""

from __future__ import annotations

from pathlib import Path

from grader import answers as lab_answers
from grader.course import catalog, keys
from grader.course.layout import Course


def grade(course: Course, chapter: str, notebooks: list[Path]) -> list[dict]:
    """One result per answer test cell of the chapter, shaped like a check result of
    ``lab check --json`` (``Result.as_dict()``), plus ``kind: "answer"``, the
    ``notebook``, the test cell's ``grade_id`` and the ``answer_cell``."""
    key = keys.load(course, chapter)
    declared = catalog.by_id(chapter)
    given = {Path(p).name: Path(p) for p in notebooks}
    return [_grade_item(item, given.get(item.notebook), key.get(item.check_id),
                        declared.get(item.check_id))
            for item in keys.items(course, chapter)]


def _grade_item(item: keys.AnswerItem, notebook: Path | None, key: dict | None,
                declared) -> dict:
    status, message = "fail", ""
    if key is None:
        status, message = "error", f"the course's keys have no entry {item.check_id}"
    elif notebook is None or not notebook.is_file():
        message = f"{item.notebook} is not in the submission"
    else:
        try:
            problems = lab_answers.wrong(item.check_id,
                                         lab_answers.read_cell(notebook, item.answer_id), key)
        except AssertionError as err:  # not JSON, the answer cell missing, not Python
            problems = [str(err)]
        except (RecursionError, MemoryError, ValueError, TypeError) as err:
            problems = [f"the answer cell could not be read ({type(err).__name__})"]
        if problems:
            message = "; ".join(problems)
        else:
            status, message = "pass", f"all {len(key)} answers are right"
    title = declared.title if declared and declared.title else \
        f"Answers in {item.notebook} ({item.answer_id})"
    hint = (declared.hint if declared and declared.hint else
            f"Answer the questions in the cell {item.answer_id} of {item.notebook}.")
    return {
        "id": item.check_id, "step": ".".join(item.check_id.split(".")[:2]),
        "title": title, "layer": "static", "kind": "answer",
        "status": status, "points": item.points if status == "pass" else 0,
        "max_points": item.points, "hint": hint if status in ("fail", "error") else "",
        "message": message, "seconds": 0.0, "not_restored": [],
        "notebook": item.notebook, "grade_id": item.test_id, "answer_cell": item.answer_id,
    }
