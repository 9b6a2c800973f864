"""The course folder: an nbgrader course (``nbgrader_config.py``, ``source/``,
``release/``, ``gradebook.db``) plus what class grading keeps next to it.

::

    DIR/nbgrader_config.py         the course id; nbgrader reads it too
    DIR/source/<chapter>/          the chapter's notebooks (with solutions) + the lab's files
    DIR/release/<chapter>/         what students get (`lab release`): no solutions, no keys
    DIR/keys/<chapter>/answers.py  the answer keys; the instructor may edit them
    DIR/gradebook.db               nbgrader's gradebook: one grade per student
    DIR/grading/<chapter>/<student>/result.json, feedback.html, junit.xml
    DIR/grading/<chapter>/class.csv, class.json, report.html

Nothing under ``keys/``, ``source/`` or ``grading/`` ever reaches a sandbox: the
pipeline copies only a submission (and the released cells ``locked.restore`` puts back).
"""

from __future__ import annotations

import contextlib
import fcntl
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.errors import LabError

CONFIG = "nbgrader_config.py"
DEFAULT_COURSE_ID = "container-labs"
DEFAULT_FOLDER = "course"  # where `lab grade` makes a course when it is given none
# the lab folder's files that are not the student's: never copied into a course
SKIP = {"solutions", ".ipynb_checkpoints", "__pycache__", "runs", ".container-labs"}
# a student id as an LMS export spells it ("Smith, Jane"), but one folder name
_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f.][^/\\\x00-\x1f\x7f]{0,127}\Z")

CONFIG_TEXT = '''\
# nbgrader configuration of a container-labs course (made by `lab course init`).
# `lab release`, `lab grade` and `lab course report` read the course id from here.
c = get_config()  # noqa: F821  (nbgrader provides it)
c.CourseDirectory.course_id = {course_id!r}
'''


def safe_name(name: str, what: str) -> str:
    """``name`` when it can be one folder's name (a student id, a chapter id): no ``/``
    or ``\\``, no control character, no leading dot, at most 128 characters. LabError
    otherwise."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise LabError(f"{what} {name!r} is not a plain name (one folder name: no / or \\, "
                       "no leading dot, no control characters)")
    return name


@dataclass(frozen=True)
class Course:
    """A course folder; every path of the layout above comes from here."""

    root: Path

    @classmethod
    def open(cls, path: Path) -> Course:
        """The course at ``path``; LabError with one line when it is not one."""
        root = Path(path).expanduser().resolve()
        if not (root / CONFIG).is_file():
            raise LabError(f"{path} is not a course folder (no {CONFIG}): make one with "
                           f"`lab course init {path}`")
        return cls(root)

    @classmethod
    def init(cls, path: Path, course_id: str = DEFAULT_COURSE_ID) -> Course:
        """Make (or complete) a course at ``path``: the config, every chapter's source
        and answer keys, the gradebook. What exists already is kept as it is: source
        notebooks and keys the instructor edited are never overwritten."""
        from grader.chapters import CHAPTERS

        root = Path(path).expanduser().resolve()
        if root.exists() and not root.is_dir():
            raise LabError(f"{path} exists and is not a folder")
        root.mkdir(parents=True, exist_ok=True)
        config = root / CONFIG
        if not config.exists():
            config.write_text(CONFIG_TEXT.format(course_id=safe_name(course_id, "course id")))
        course = cls(root)
        for chapter in CHAPTERS.values():
            if chapter.notebooks():
                course.add_chapter(chapter)
        from grader.course import nbg
        nbg.create_gradebook(course)
        return course

    def add_chapter(self, chapter) -> list[str]:
        """Copy a chapter's source and answer key in, unless they are there already;
        returns what was added."""
        added = []
        source = self.source_dir(chapter.id)
        if not source.exists():
            tmp = source.with_name(f".{chapter.id}.tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(chapter.source_dir, tmp, ignore=shutil.ignore_patterns(*SKIP))
            tmp.rename(source)
            added.append(f"source/{chapter.id}")
        key = self.key_file(chapter.id)
        shipped = chapter.checks_dir / "answers.py"
        if not key.exists() and shipped.is_file():
            key.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(shipped, key)
            added.append(f"keys/{chapter.id}/answers.py")
        return added

    # the layout

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG

    @property
    def gradebook_file(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook_file}"

    @property
    def course_id(self) -> str:
        """The course id set in ``nbgrader_config.py`` (read, not executed)."""
        m = re.search(r"^c\.CourseDirectory\.course_id\s*=\s*['\"]([^'\"]+)['\"]",
                      self.config_file.read_text(encoding="utf-8"), re.MULTILINE)
        return m.group(1) if m else DEFAULT_COURSE_ID

    def source_dir(self, chapter: str) -> Path:
        return self.root / "source" / safe_name(chapter, "chapter")

    def released_dir(self, chapter: str) -> Path:
        return self.root / "release" / safe_name(chapter, "chapter")

    def keys_dir(self, chapter: str) -> Path:
        return self.root / "keys" / safe_name(chapter, "chapter")

    def key_file(self, chapter: str) -> Path:
        return self.keys_dir(chapter) / "answers.py"

    def results_dir(self, chapter: str) -> Path:
        return self.root / "grading" / safe_name(chapter, "chapter")

    def student_dir(self, chapter: str, student: str) -> Path:
        return self.results_dir(chapter) / safe_name(student, "student")

    def result_files(self, chapter: str) -> list[Path]:
        """Every student's ``result.json`` of ``chapter``, by student."""
        return sorted(self.results_dir(chapter).glob("*/result.json"))

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold ``name`` (``gradebook``, ``release-ch14``) across processes and threads
        of parallel grading workers."""
        folder = self.root / ".locks"
        folder.mkdir(exist_ok=True)
        with open(folder / f"{safe_name(name, 'lock')}.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def find(start: Path) -> Course | None:
    """The course folder that holds ``start`` (itself or a parent), if any."""
    here = Path(start).expanduser().resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return Course(folder)
    return None


def default_course(submissions: Path) -> Course:
    """The course ``lab grade`` uses without ``--course``: the course folder that
    contains SUBMISSIONS (nbgrader's ``DIR/submitted``), else ``./course`` (made with
    ``Course.init`` when it does not exist yet)."""
    found = find(submissions)
    if found is not None:
        return found
    here = Path.cwd() / DEFAULT_FOLDER
    if here.exists():
        return Course.open(here)
    return Course.init(here)


def course_option(path: Path | None) -> Course:
    """The course of ``--course PATH``; without it the course around the current
    folder, else ``./course``. LabError when there is none."""
    if path is not None:
        return Course.open(path)
    found = find(Path.cwd())
    if found is not None:
        return found
    return Course.open(Path(DEFAULT_FOLDER))
