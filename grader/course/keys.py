"""The course's answer keys and the answer test cells they grade.

The keys are ``DIR/keys/<chapter>/answers.py`` (copied from ``checks/<chapter>`` by
``lab course init``; the instructor may edit them). They are loaded by file path on
the host, never imported by module name, and never copied into a release or a sandbox.
Which answer cells exist, their points and the key each one uses come from the
course's *released* notebooks (the student's copy may have been edited).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from grader.course.layout import Course
from grader.errors import LabError


@dataclass(frozen=True)
class AnswerItem:
    """An autograded answer: the test cell ``test_id`` after the answer cell
    ``answer_id`` in ``notebook``, worth ``points``, graded with key ``check_id``."""

    notebook: str
    test_id: str
    answer_id: str
    check_id: str
    points: float


_loaded: dict[tuple, dict] = {}


def load(course: Course, chapter: str) -> dict:
    """``EXPECTED`` of the course's key file: ``{check_id: {name: answer}}``. Re-read
    whenever the file changes."""
    path = course.key_file(chapter)
    if not path.is_file():
        raise LabError(f"{chapter}: the course has no answer keys ({path}): run "
                       f"`lab course init {course.root}` to copy them in")
    stamp = (str(path), hashlib.sha256(path.read_bytes()).hexdigest())
    if stamp not in _loaded:
        spec = importlib.util.spec_from_file_location(f"_course_keys_{chapter}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            expected = module.EXPECTED
        except Exception as err:  # noqa: BLE001  the instructor's file: say what is wrong
            raise LabError(f"{path}: the answer keys do not load ({type(err).__name__}: "
                           f"{err})") from None
        if not isinstance(expected, dict):
            raise LabError(f"{path}: EXPECTED must be a dict of check id to answers")
        _loaded[stamp] = expected
    return _loaded[stamp]


def items(course: Course, chapter: str) -> list[AnswerItem]:
    """Every answer test cell of the chapter's released notebooks, in order."""
    from grader.course import release

    out = []
    for nb in sorted(release.ensure_released(course, chapter).glob("*.ipynb")):
        out += notebook_items(nb)
    return out


def notebook_items(notebook: Path) -> list[AnswerItem]:
    """The answer test cells of one (released) notebook."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells") or []
    out = []
    answer_id = ""
    for cell in cells:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if meta.get("solution"):
            answer_id = meta.get("grade_id", "")
        if not (meta.get("grade") and cell.get("cell_type") == "code"):
            continue
        source = cell.get("source") or ""
        check_id = graded_key("".join(source) if isinstance(source, list) else source)
        if check_id and answer_id:
            points = float(meta.get("points") or 0)
            out.append(AnswerItem(notebook.name, meta["grade_id"], answer_id, check_id,
                                  int(points) if points.is_integer() else points))
    return out


def graded_key(source: str) -> str | None:
    """The key a test cell grades with: ``"ch14.questions.answers"`` in
    ``grade("ch14.questions.answers", globals())``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                node.func, "attr", "")) == "grade" and node.args and \
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            return node.args[0].value
    return None
