"""nbgrader's objects for a course: its configuration, course directory, API and
gradebook. Every nbgrader import happens in here, inside functions (jsonschema alone
costs about two seconds): ``lab check`` and ``lab --help`` never pay for it. ``course`` is
a :class:`grader.course.layout.Course` (not imported: layout makes the gradebook through
this module, and the dependency points one way)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


def config(course):
    """nbgrader's configuration of the course: ``nbgrader_config.py`` (the instructor's
    file, trusted like the keys), with the course's root."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = Config()
    cfg.merge(PyFileConfigLoader(course.config_file.name,
                                 path=str(course.root)).load_config())
    cfg.CourseDirectory.root = str(course.root)
    cfg.CourseDirectory.course_id = course.course_id
    cfg.CourseDirectory.db_url = course.db_url
    return cfg


def api(course):
    """nbgrader's ``NbGraderAPI`` on the course, quiet (its log goes into results)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    cfg = config(course)
    coursedir = CourseDirectory(config=cfg)
    nbapi = NbGraderAPI(coursedir=coursedir, config=cfg)
    nbapi.log.setLevel(logging.WARNING)
    return nbapi


@contextlib.contextmanager
def gradebook(course) -> Iterator:
    """nbgrader's ``Gradebook`` on the course's database, closed afterwards."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course.course_id) as gb:
        yield gb


def create_gradebook(course) -> None:
    """Make ``gradebook.db`` with nbgrader's tables (and the course row)."""
    with gradebook(course):
        pass
