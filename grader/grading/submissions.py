"""Finding the submissions of a chapter: nbgrader's ``submitted/<student>/<chapter>/``
layout (given the course folder, its ``submitted/`` folder, or that folder's parent),
or a plain folder of one sub-folder per student (a GitHub Classroom or LMS export)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import LabError

KERNEL_NAME = "python3"
SKIP = {".ipynb_checkpoints", "__pycache__", ".git"}
# a student id becomes a folder name and a label value: keep it to a safe alphabet
STUDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")


@dataclass
class Submission:
    """One student's work for one chapter.

    ``problems``: what is wrong with it as handed in, one line each; ``fatal`` when
    nothing of it can run (no notebook at all)."""

    student: str
    folder: Path
    problems: list[str] = field(default_factory=list)
    notebooks: list[Path] = field(default_factory=list)   # the ones that can run, in order
    fatal: bool = False


def _student_folders(path: Path, chapter: str) -> list[tuple[str, Path]]:
    """(student, folder with the chapter's files) for each student under ``path``."""
    for base in (path / "submitted", path):
        if not base.is_dir():
            continue
        nbgrader = [(d.name, d / chapter) for d in sorted(base.iterdir())
                    if d.is_dir() and (d / chapter).is_dir()]
        if nbgrader:
            return nbgrader
    # a plain folder of students, or a folder of chapters of them (examples/submissions)
    plain = path / chapter if (path / chapter).is_dir() else path
    return [(d.name, d) for d in sorted(plain.iterdir())
            if d.is_dir() and d.name not in SKIP and not d.name.startswith(".")]


def inspect_notebook(nb: Path) -> str | None:
    """Why ``nb`` cannot run as a chapter notebook, or None when it can."""
    try:
        doc = json.loads(nb.read_bytes())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return f"{nb.name} is not a notebook (not JSON: {type(err).__name__})"
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        return f"{nb.name} is not a notebook (no list of cells)"
    if doc.get("nbformat") != 4:
        return f"{nb.name} is not an nbformat 4 notebook"
    kernel = ((doc.get("metadata") or {}).get("kernelspec") or {}).get("name")
    if kernel not in (None, KERNEL_NAME):
        return f"{nb.name} asks for kernel {kernel!r}: run with {KERNEL_NAME!r}, the chapter's"
    return None


def inspect(student: str, folder: Path) -> Submission:
    """The submission in ``folder``: its notebooks in order and what is wrong with it."""
    sub = Submission(student, folder)
    found = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    if not found:
        sub.problems.append(f"no notebook in {folder.name}/")
        sub.fatal = True
        return sub
    for nb in found:
        why = inspect_notebook(nb)
        if why is None:
            sub.notebooks.append(nb)
        elif "asks for kernel" in why:
            sub.notebooks.append(nb)   # it runs, on the chapter's kernel; the report says so
            sub.problems.append(why)
        else:
            sub.problems.append(why)
    if not sub.notebooks:
        sub.fatal = True
    return sub


def discover(path: Path, chapter: str) -> list[Submission]:
    """Every submission of ``chapter`` under ``path``, sorted by student.

    LabError (one line) when ``path`` is not a folder or holds no student folder."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise LabError(f"no submissions folder at {path}")
    pairs = _student_folders(path, chapter)
    if not pairs:
        raise LabError(f"no student folder in {path}: expected submitted/<student>/{chapter}/ "
                       "or one folder per student")
    subs = []
    for student, folder in pairs:
        if not STUDENT_RE.match(student):
            raise LabError(f"{path}: {student!r} is not a usable student id "
                           "(letters, digits, . _ @ -)")
        subs.append(inspect(student, folder.resolve()))
    return subs
