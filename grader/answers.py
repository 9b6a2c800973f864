"""Autograded answer cells: expected answers live in ``checks/chNN/answers.py`` and
are compared by meaning (commands parsed, numbers as numbers, words case-folded).

Two paths grade the same cell and must agree. In the notebook, the nbgrader test cell
runs ``grade(check_id, globals())`` after the kernel has executed every cell before
it. ``lab check`` reads the notebook without running anything (:func:`read_cell`): it
follows the cells before the test cell statement by statement, working out what the
kernel would hold (plain values, string concatenation and formatting, annotations,
chained and tuple assignments, names set earlier, IPython ``!``/``%`` lines).
Where it cannot know a value without running code, the answer is :class:`Unreadable`
and the message says so, never "no answer yet".

Class grading (``lab grade``) trusts neither path inside the student's kernel: the
sandbox sets ``LAB_ANSWERS_DEFERRED=1``, so :func:`grade` runs no key there (the keys
are not in the sandbox at all), and ``grader.course.answers`` reads the same cells on
the host with :func:`read_cell` and compares them with the course's own keys.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader import commands
from grader.cellreader import Reader, Unreadable
from grader.errors import LabError


@dataclass(frozen=True)
class CommandAnswer:
    """A shell command; flag order and long/short spelling do not matter.

    ``allow_extra`` names flags the answer may add; ``extra_ok`` gives, for some of
    them, a test each value must pass (``docker stop -t 0`` is no graceful stop)."""

    expected: str
    hint: str
    allow_extra: frozenset = field(default_factory=frozenset)
    alternatives: tuple[str, ...] = ()
    extra_ok: tuple[tuple[str, Callable[[str], bool]], ...] = ()

    def accepts(self, value) -> bool:
        if not isinstance(value, str):
            return False
        return any(commands.same(value, e, allow_extra=set(self.allow_extra),
                                 extra_ok=dict(self.extra_ok))
                   for e in (self.expected, *self.alternatives))


@dataclass(frozen=True)
class ValueAnswer:
    """A number, a truth value or a word.

    Numbers compare as numbers (``8`` = ``8.0`` = ``"8"``, never ``True``); True/False
    only as Python's ``True``/``False`` (not ``0`` or ``"False"``); words stripped and
    case-insensitively, unless ``exact`` (base64, paths: case matters there).
    ``alternatives`` are other accepted spellings of the same value."""

    expected: object
    hint: str
    exact: bool = False
    alternatives: tuple = ()

    def accepts(self, value) -> bool:
        return any(_same_value(value, e, self.exact) for e in (self.expected, *self.alternatives))


def _same_value(value, expected, exact: bool) -> bool:
    if isinstance(expected, bool):
        return isinstance(value, bool) and value is expected
    if isinstance(expected, (int, float)):
        if isinstance(value, bool):
            return False
        try:
            return float(value) == float(expected)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, str):
        if not isinstance(value, str):
            return False
        if exact:
            return value.strip() == expected
        return value.strip().lower() == expected.lower()
    return value == expected


def expected(check_id: str) -> dict:
    """The expected answers for ``check_id`` (``ch10.lifecycle.answers``)."""
    chapter = check_id.split(".", 1)[0]
    try:
        mod = importlib.import_module(f"checks.{chapter}.answers")
        return mod.EXPECTED[check_id]
    except (ModuleNotFoundError, KeyError):
        raise LabError(f"no answer key for {check_id}") from None


def wrong(check_id: str, given: dict, key: dict | None = None) -> list[str]:
    """Lines naming each missing, unreadable or wrong answer with its hint (never the
    answer). ``key`` is ``{name: answer}`` (default: :func:`expected`, the key shipped
    with the labs; class grading passes the course's)."""
    problems = []
    for name, answer in (expected(check_id) if key is None else key).items():
        value = given.get(name)
        if isinstance(value, Unreadable):
            problems.append(f"{name}: lab check reads answers without running code and "
                            f"cannot read this one (it comes from {value.why}): write it as "
                            f"{name} = <the value itself> — {answer.hint}")
        elif name not in given or value is None or value is Ellipsis:
            problems.append(f"{name}: no answer yet — {answer.hint}")
        elif not answer.accepts(value):
            problems.append(f"{name}: not right yet — {answer.hint}")
    return problems


DEFERRED_ENV = "LAB_ANSWERS_DEFERRED"
DEFERRED_LINE = "answers are graded by the course grader after the run"


def deferred() -> bool:
    """True inside a class-grading sandbox: answers are graded on the host, later."""
    return os.environ.get(DEFERRED_ENV, "").strip() == "1"


def grade(check_id: str, namespace: dict) -> None:
    """For the test cell after an answer cell: AssertionError listing what is wrong.

    In a class-grading sandbox (``LAB_ANSWERS_DEFERRED=1``) no key is read or run: one
    line says the course grader grades the answers after the run."""
    if deferred():
        print(f"{check_id}: {DEFERRED_LINE}")
        return
    problems = wrong(check_id, namespace)
    assert not problems, "\n".join(problems)
    print(f"{check_id}: all {len(expected(check_id))} answers are right")


def require_right(notebook: Path, grade_id: str, check_id: str) -> None:
    """What an answer check asserts: every answer of ``check_id`` in the answer cell
    ``grade_id`` of ``notebook`` is right (an AssertionError listing each one that is
    missing, unreadable or wrong, with its hint)."""
    problems = wrong(check_id, read_cell(notebook, grade_id))
    assert not problems, "\n".join(problems)  # one line per question in every report


def read_cell(notebook: Path, grade_id: str) -> dict:
    """What the kernel would hold when the test cell of answer cell ``grade_id`` runs:
    the cells before it read in order, nothing executed (grading a notebook is safe).

    Returns ``{name: value}`` for names the cells assign; a value that cannot be known
    without running code is :class:`Unreadable`. An answer cell that is not Python
    (after IPython's ``!``/``%`` lines are taken into account) is an AssertionError.
    """
    # plain JSON, not nbformat: its schema validation costs most of a second per run
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells") or []
    except (ValueError, AttributeError):
        raise AssertionError(f"{Path(notebook).name} is not a valid notebook (not JSON)") from None
    meta = [(c.get("metadata") or {}).get("nbgrader") or {} for c in cells]
    at = next((i for i, m in enumerate(meta) if m.get("grade_id") == grade_id), None)
    if at is None:
        raise AssertionError(f"answer cell {grade_id!r} not found in {Path(notebook).name}")
    reader = Reader()
    for i, cell in enumerate(cells[:at + 1]):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source") or ""
        reader.run("".join(src) if isinstance(src, list) else src, strict=i == at)
    # cells between the answer cell and its test cell run before the test cell too
    for cell, m in zip(cells[at + 1:], meta[at + 1:], strict=True):
        if m.get("grade"):
            break
        if cell.get("cell_type") == "code":
            src = cell.get("source") or ""
            reader.run("".join(src) if isinstance(src, list) else src, strict=False)
    return reader.answers()


def literal_assignments(source: str) -> dict:
    """``{"NAME": value}`` for what one cell's source assigns (see :func:`read_cell`)."""
    reader = Reader()
    reader.run(source, strict=True)
    return reader.answers()
