"""One grade per student in nbgrader's gradebook, and the score without double counting.

What counts, once each (``score``):

* every answer test cell of the released notebooks, graded outside the kernel with the
  course's keys (``grader.course.answers``): its points when right, else 0;
* every check of the chapter, except an answer check whose id is the key of an answer
  cell (``ch14.questions.answers`` is the same questions as the test cell
  ``ch14-questions-tests``): the answer cell counts, the check is listed as
  ``superseded`` and reported but not scored. A check that is n/a counts in neither
  earned nor possible (as in ``lab check``); a check the chapter declares that the
  result has no outcome for (it could not run) counts as 0 of its points, so every
  student's total is out of the same number (also a submission that could not run).

In the gradebook (``record``) the answer cells are the assignment's own grade cells
(nbgrader made them when the chapter was released), their auto score set from the
answer results. The checks are graded items of a pseudo-notebook ``checks`` of the
same assignment: one grade cell per check, named by its id, worth its points. So
nbgrader's own totals (``SubmittedAssignment.score``, formgrader, ``nbgrader export``)
are the student's grade. A check that could not run (error) or a submission that could
not be graded at all is marked ``needs_manual_grade``; manual scores an instructor
typed in formgrader are never touched. Recording the same result again leaves the
gradebook identical.
"""

from __future__ import annotations

import warnings

from grader.course import catalog, keys, nbg
from grader.course.layout import Course, safe_name
from grader.course.release import CHECKS_NOTEBOOK, ensure_released

SCHEMA = "container-labs/grade-result/v1"


def _number(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return 0.0


def _tidy(x: float):
    return int(x) if float(x).is_integer() else round(x, 3)


def declared_missing(result: dict) -> list:
    """The checks the chapter declares that the result has no outcome for (the grader
    could not run them): counted as 0 of their points, never left out of the total."""
    from grader.chapters import CHAPTERS

    chapter = result.get("chapter")
    if chapter not in CHAPTERS:
        return []
    seen = {c.get("id") for c in result.get("checks") or [] if isinstance(c, dict)}
    seen |= {a.get("id") for a in result.get("answers") or [] if isinstance(a, dict)}
    return [d for d in catalog.declared(chapter) if d.id not in seen]


def score(result: dict) -> dict:
    """``{"earned", "possible", "answers": {...}, "checks": {...}, "superseded": [...],
    "not_run": [...]}`` for a result.json (see the module docstring for what counts)."""
    answers = [a for a in result.get("answers") or [] if isinstance(a, dict)]
    answer_ids = {a.get("id") for a in answers}
    checks = [c for c in result.get("checks") or [] if isinstance(c, dict)]
    counted = [c for c in checks if c.get("id") not in answer_ids and c.get("status") != "n/a"]
    missing = declared_missing(result)
    part = {
        "answers": {"earned": sum(_number(a.get("points")) for a in answers),
                    "possible": sum(_number(a.get("max_points")) for a in answers)},
        "checks": {"earned": sum(_number(c.get("points")) for c in counted),
                   "possible": sum(_number(c.get("max_points")) for c in counted)
                   + sum(d.points for d in missing)},
    }
    return {
        "earned": _tidy(part["answers"]["earned"] + part["checks"]["earned"]),
        "possible": _tidy(part["answers"]["possible"] + part["checks"]["possible"]),
        "answers": {k: _tidy(v) for k, v in part["answers"].items()},
        "checks": {k: _tidy(v) for k, v in part["checks"].items()},
        "superseded": sorted(c.get("id") for c in checks if c.get("id") in answer_ids),
        "not_run": [d.id for d in missing],
    }


def graded_checks(course: Course, chapter: str, result: dict | None = None) -> dict[str, float]:
    """``{check id: points}`` of the checks that are graded items: every check the
    chapter declares (and any other a result names), minus the answer checks an answer
    cell stands for."""
    answer_keys = {i.check_id for i in keys.items(course, chapter)}
    out = {d.id: float(d.points) for d in catalog.declared(chapter)}
    for c in (result or {}).get("checks") or []:
        if isinstance(c, dict) and isinstance(c.get("id"), str) and c["id"] not in out:
            out[c["id"]] = _number(c.get("max_points"))
    return {k: v for k, v in out.items() if k not in answer_keys}


def record(course: Course, chapter: str, result: dict) -> None:
    """Write (or rewrite) the gradebook entry of ``result["student"]``."""
    from nbgrader.api import Grade, MissingEntry

    student = safe_name(str(result.get("student") or ""), "student")
    ensure_released(course, chapter)  # the assignment's notebooks and cells
    checks = graded_checks(course, chapter, result)
    failed = result.get("status") != "graded"
    answer_by_cell = {(a.get("notebook", "").removesuffix(".ipynb"), a.get("grade_id")): a
                      for a in result.get("answers") or [] if isinstance(a, dict)}
    check_by_id = {c.get("id"): c for c in result.get("checks") or [] if isinstance(c, dict)}
    with course.lock("gradebook"), nbg.gradebook(course) as gb, warnings.catch_warnings():
        # nbgrader's add_submission builds rows before adding them: SQLAlchemy warns
        warnings.simplefilter("ignore")
        _ensure_check_cells(gb, chapter, checks)
        gb.update_or_create_student(student)
        try:
            submission = gb.find_submission(chapter, student)
        except MissingEntry:
            submission = gb.add_submission(chapter, student)
        for snb in submission.notebooks:
            is_checks = snb.notebook.name == CHECKS_NOTEBOOK
            have = {g.cell_id for g in snb.grades}
            for cell in snb.notebook.grade_cells:
                if cell.id not in have:  # a cell added after this submission
                    gb.db.add(Grade(cell_id=cell.id, notebook=snb))
            gb.db.flush()
            for grade in snb.grades:
                name = grade.cell.name
                item = check_by_id.get(name) if is_checks else \
                    answer_by_cell.get((snb.notebook.name, name))
                earned = _number(item.get("points")) if item and item.get("status") == "pass" \
                    else 0.0
                flag = failed or item is None or item.get("status") == "error"
                if grade.auto_score != earned:
                    grade.auto_score = earned
                if grade.needs_manual_grade != flag:
                    grade.needs_manual_grade = flag
        gb.db.commit()


def _ensure_check_cells(gb, chapter: str, checks: dict[str, float]) -> None:
    """The ``checks`` pseudo-notebook with one grade cell per graded check."""
    from nbgrader.api import GradeCell, MissingEntry, Notebook

    assignment = gb.find_assignment(chapter)
    try:
        notebook = gb.find_notebook(CHECKS_NOTEBOOK, chapter)
    except MissingEntry:
        notebook = Notebook(name=CHECKS_NOTEBOOK, assignment=assignment)
        gb.db.add(notebook)
    cells = {c.name: c for c in notebook.grade_cells}
    for name, points in checks.items():
        cell = cells.get(name)
        if cell is None:
            gb.db.add(GradeCell(name=name, max_score=points, cell_type="code",
                                notebook=notebook))
        elif cell.max_score != points:
            cell.max_score = points
    gb.db.commit()


def snapshot(course: Course, chapter: str) -> dict:
    """The gradebook's content for ``chapter`` without nbgrader's random row ids:
    ``{"cells": {notebook: {cell: max}}, "students": {student: {notebook: {cell:
    [auto, manual, needs_manual_grade]}}, "totals": {student: [score, max]}}``. Two
    gradebooks holding the same grades give the same snapshot."""
    from nbgrader.api import MissingEntry

    with nbg.gradebook(course) as gb:
        try:
            assignment = gb.find_assignment(chapter)
        except MissingEntry:
            return {"cells": {}, "students": {}, "totals": {}}
        cells = {nb.name: {c.name: c.max_score for c in sorted(nb.grade_cells,
                                                                 key=lambda c: c.name)}
                 for nb in sorted(assignment.notebooks, key=lambda n: n.name)}
        students, totals = {}, {}
        for sub in sorted(assignment.submissions, key=lambda s: s.student.id):
            students[sub.student.id] = {
                snb.notebook.name: {g.cell.name: [g.auto_score, g.manual_score,
                                                  g.needs_manual_grade]
                                    for g in sorted(snb.grades, key=lambda g: g.cell.name)}
                for snb in sorted(sub.notebooks, key=lambda n: n.notebook.name)}
            totals[sub.student.id] = [sub.score, sub.max_score]
    return {"cells": cells, "students": students, "totals": totals}
