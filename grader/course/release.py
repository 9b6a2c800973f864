"""``lab release CH``: nbgrader's generate step on the course's source of a chapter.

nbgrader's own ``GenerateAssignment`` does the work (solutions cleared, test and
locked cells locked, checksums, the assignment's cells saved in the gradebook); one
preprocessor is added after ``ClearSolutions``: the stub of a ``%%bash`` or
``%%writefile`` cell fits the cell (as in a student's workspace), and the checksums
are computed after it. Afterwards the release is searched for anything that must not
reach students (an answer key, a solution region, a ``solutions/`` folder); if one is
found the release is removed and the command fails.
"""

from __future__ import annotations

import functools
from pathlib import Path

from grader.course.layout import Course
from grader.errors import LabError

# the pseudo-notebook holding the checks in the gradebook (see grader.course.record)
CHECKS_NOTEBOOK = "checks"
FORBIDDEN_TEXT = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
                  "EXPECTED = {")


@functools.cache
def _classes():
    """nbgrader subclasses, made on first use (nbgrader is slow to import)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor

    from grader import workspace

    class FitStubs(NbGraderPreprocessor):
        """A cleared ``%%bash`` cell stops with a line saying the step is not done; a
        cleared ``%%writefile`` cell writes an empty file (not Python)."""

        def preprocess(self, nb, resources):
            workspace._fit_stubs(nb)
            return nb, resources

    class LabGenerateAssignment(GenerateAssignment):
        """nbgrader's generate step, which keeps the gradebook's ``checks``
        pseudo-notebook: it is not a file in source/, but it is part of the grade."""

        def _clean_old_notebooks(self, assignment_id, student_id):
            from nbgrader.api import Gradebook
            with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                assignment = gb.find_assignment(assignment_id)
                ours = [nb for nb in assignment.notebooks if nb.name == CHECKS_NOTEBOOK]
                if not ours:
                    return super()._clean_old_notebooks(assignment_id, student_id)
            # the checks are no source notebook: compare without them
            names = {nb.name for nb in assignment.notebooks} - {CHECKS_NOTEBOOK}
            new = {Path(p).stem for p in self.notebooks}
            if names != new:
                return super()._clean_old_notebooks(assignment_id, student_id)
            return None

    steps = list(GenerateAssignment.class_traits()["preprocessors"].default())
    steps.insert(steps.index(ClearSolutions) + 1, FitStubs)
    return LabGenerateAssignment, steps


def release(course: Course, chapter: str, *, if_missing: bool = False) -> Path:
    """Generate the student version of ``chapter`` into ``release/<chapter>/``; with
    ``if_missing``, only when there is none yet (decided under the lock: parallel
    workers release once, and no worker reads a release being rewritten)."""
    from nbgrader.utils import capture_log, temp_attrs

    from grader.course import nbg

    source = course.source_dir(chapter)
    if not any(source.glob("*.ipynb")):
        raise LabError(f"{chapter}: no notebooks in {source}: run `lab course init "
                       f"{course.root}` (it adds missing chapters)")
    generate, steps = _classes()
    with course.lock(f"release-{chapter}"), course.lock("gradebook"):
        out = course.released_dir(chapter)
        done = _done_marker(course, chapter)
        if if_missing and done.exists() and any(out.glob("*.ipynb")):
            return out
        done.unlink(missing_ok=True)
        api = nbg.api(course)
        with temp_attrs(api.coursedir, assignment_id=chapter):
            app = generate(coursedir=api.coursedir, parent=api)
            app.preprocessors = steps
            app.force = True
            app.create_assignment = True
            outcome = capture_log(app)
        if not outcome["success"]:
            why = (outcome.get("error") or outcome.get("log") or "").strip().splitlines()
            raise LabError(f"{chapter}: nbgrader could not generate the release: "
                           f"{why[-1] if why else 'no reason given'}")
        leaks = leaked(course, chapter)
        if leaks:
            import shutil
            shutil.rmtree(out, ignore_errors=True)
            raise LabError(f"{chapter}: the release would hold {leaks[0]}; removed it")
        done.write_text("complete\n")
    return out


def _done_marker(course: Course, chapter: str) -> Path:
    """Written once a release is complete: a reader never takes a half-written one."""
    folder = course.root / ".locks"
    folder.mkdir(exist_ok=True)
    return folder / f"released-{chapter}"


def ensure_released(course: Course, chapter: str) -> Path:
    """The chapter's release, generated first when there is none (a course made by
    ``lab grade`` itself)."""
    out = course.released_dir(chapter)
    if not (_done_marker(course, chapter).exists() and any(out.glob("*.ipynb"))):
        return release(course, chapter, if_missing=True)
    return out


def leaked(course: Course, chapter: str) -> list[str]:
    """What in ``release/<chapter>`` must not be there: answer keys, solution regions,
    solution folders, a file identical to the course's key."""
    out = course.released_dir(chapter)
    key = course.key_file(chapter)
    key_bytes = key.read_bytes() if key.is_file() else None
    found = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if {"solutions", "keys"} & set(rel.parts) or path.name == "answers.py":
            found.append(f"{rel} (a key or solutions folder)")
            continue
        if not path.is_file():
            continue
        data = path.read_bytes()
        if key_bytes is not None and data == key_bytes:
            found.append(f"{rel} (a copy of the answer key)")
        text = data.decode("utf-8", "replace")
        found += [f"{rel} (it contains {marker!r})" for marker in FORBIDDEN_TEXT
                  if marker in text]
    return found
