"""A course made once per session (init + ch14 released: a few seconds of nbgrader),
copied for each test that changes it."""

from __future__ import annotations

import shutil

import pytest

from grader.course import release
from grader.course.layout import Course


@pytest.fixture(scope="session")
def course_template(tmp_path_factory):
    course = Course.init(tmp_path_factory.mktemp("template") / "course")
    release.release(course, "ch14")
    return course


@pytest.fixture
def course(course_template, tmp_path):
    """A fresh copy of a course with ch14 released, for this test alone."""
    root = tmp_path / "course"
    shutil.copytree(course_template.root, root, ignore=shutil.ignore_patterns("*.lock"))
    return Course.open(root)
