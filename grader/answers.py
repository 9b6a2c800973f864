"""Autograded answer cells: expected answers live in ``checks/chNN/answers.py`` and
are compared by meaning (commands parsed, numbers as numbers, words case-folded)."""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass, field
from pathlib import Path

from grader import commands
from grader.errors import LabError


@dataclass(frozen=True)
class CommandAnswer:
    """A shell command; flag order and long/short spelling do not matter."""

    expected: str
    hint: str
    allow_extra: frozenset = field(default_factory=frozenset)
    alternatives: tuple[str, ...] = ()

    def accepts(self, value) -> bool:
        if not isinstance(value, str):
            return False
        return any(commands.same(value, e, allow_extra=set(self.allow_extra))
                   for e in (self.expected, *self.alternatives))


@dataclass(frozen=True)
class ValueAnswer:
    """A number or a word; words compare case-insensitively, stripped."""

    expected: object
    hint: str

    def accepts(self, value) -> bool:
        if isinstance(self.expected, (int, float)) and not isinstance(self.expected, bool):
            try:
                return float(value) == float(self.expected)
            except (TypeError, ValueError):
                return False
        if isinstance(self.expected, str):
            return isinstance(value, str) and value.strip().lower() == self.expected.lower()
        return value == self.expected


def expected(check_id: str) -> dict:
    """The expected answers for ``check_id`` (``ch10.lifecycle.answers``)."""
    chapter = check_id.split(".", 1)[0]
    try:
        mod = importlib.import_module(f"checks.{chapter}.answers")
        return mod.EXPECTED[check_id]
    except (ModuleNotFoundError, KeyError):
        raise LabError(f"no answer key for {check_id}") from None


def wrong(check_id: str, given: dict) -> list[str]:
    """Lines naming each missing or wrong answer with its hint (never the answer)."""
    problems = []
    for name, answer in expected(check_id).items():
        if name not in given or given[name] is None or given[name] is Ellipsis:
            problems.append(f"{name}: no answer yet — {answer.hint}")
        elif not answer.accepts(given[name]):
            problems.append(f"{name}: not right yet — {answer.hint}")
    return problems


def grade(check_id: str, namespace: dict) -> None:
    """For the test cell after an answer cell: AssertionError listing what is wrong."""
    problems = wrong(check_id, namespace)
    assert not problems, "\n".join(problems)
    print(f"{check_id}: all {len(expected(check_id))} answers are right")


def read_cell(notebook: Path, grade_id: str) -> dict:
    """The literal assignments (``NAME = "..."``) of the answer cell ``grade_id``.

    Nothing is executed: only Python literals are read, so grading a notebook is safe.
    """
    import json

    # plain JSON, not nbformat: its schema validation costs most of a second per run
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells") or []
    except (ValueError, AttributeError):
        raise AssertionError(f"{Path(notebook).name} is not a valid notebook (not JSON)") from None
    for cell in cells:
        if (cell.get("metadata") or {}).get("nbgrader", {}).get("grade_id") == grade_id:
            src = cell.get("source") or ""
            return literal_assignments("".join(src) if isinstance(src, list) else src)
    raise AssertionError(f"answer cell {grade_id!r} not found in {notebook.name}")


def literal_assignments(source: str) -> dict:
    """``{"NAME": value}`` for each ``NAME = <literal>`` line; the rest is ignored."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise AssertionError(f"the answer cell is not valid Python (line {err.lineno})") from None
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found
