"""A result.json read defensively into the graded items every report shows.

result.json is written by trusted code, but the messages in it quote what a
student's cells printed or assigned: every text is a plain string here, cut to a
readable length and stripped of characters XML cannot carry; escaping is the job of
each writer (HTML, CSV, XML).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.record import declared_missing, score

STATUSES = ("pass", "fail", "error", "n/a")
MAX_TEXT = 2000
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value, limit: int = MAX_TEXT) -> str:
    """A printable, bounded string of any value."""
    s = _NOT_XML.sub("\ufffd", value if isinstance(value, str) else
                     "" if value is None else str(value))
    return s if len(s) <= limit else s[:limit] + f"… ({len(s) - limit} more characters)"


def number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


@dataclass(frozen=True)
class Item:
    """One answer cell or check as the reports show it."""

    id: str
    kind: str                 # "answer" or "check"
    title: str
    layer: str
    status: str
    points: float
    max_points: float
    message: str
    hint: str
    seconds: float = 0.0
    where: str = ""           # answer: "04-secrets.ipynb, cell ch14-questions-answers"
    counted: bool = True      # False: an answer cell with the same id counts instead
    not_restored: tuple[str, ...] = field(default_factory=tuple)


def _item(d: dict, kind: str, counted: bool) -> Item:
    status = d.get("status") if d.get("status") in STATUSES else "error"
    where = ""
    if kind == "answer":
        where = f"{text(d.get('notebook'), 200)}, cell {text(d.get('answer_cell'), 200)}"
    return Item(
        id=text(d.get("id"), 200), kind=kind, title=text(d.get("title"), 300),
        layer=text(d.get("layer"), 20), status=status, points=number(d.get("points")),
        max_points=number(d.get("max_points")), message=text(d.get("message")),
        hint=text(d.get("hint")), seconds=number(d.get("seconds")), where=where,
        counted=counted,
        not_restored=tuple(text(x, 500) for x in d.get("not_restored") or []
                           if isinstance(x, str)))


def items(result: dict) -> list[Item]:
    """The answers, then the checks (a check an answer cell stands for: not counted),
    then the chapter's checks the result has no outcome for (errors: not run)."""
    answers = [a for a in result.get("answers") or [] if isinstance(a, dict)]
    answer_ids = {a.get("id") for a in answers}
    not_run = [Item(d.id, "check", d.title, d.layer, "error", 0.0, float(d.points),
                    "not run: the grader has no result for this check", d.hint)
               for d in declared_missing(result)]
    return [_item(a, "answer", True) for a in answers] + \
        [_item(c, "check", c.get("id") not in answer_ids)
         for c in result.get("checks") or [] if isinstance(c, dict)] + not_run


def load(path: Path) -> dict:
    """A result.json; a file that is not one becomes a ``failed`` result saying so."""
    student = path.parent.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError("not an object")
    except (OSError, ValueError, TypeError) as err:
        return {"student": student, "status": "failed", "answers": [], "checks": [],
                "reason": f"result.json unreadable ({type(err).__name__})"}
    data["student"] = student  # the folder names the student, whatever the file says
    return data


def scored(result: dict) -> dict:
    """The result's score: recomputed, so reports never trust a stale total."""
    return score(result)
