"""Feedback and exports of class grading: per student (``write_student``: feedback.html,
junit.xml) and per class (``write_class``: class.csv, class.json, report.html)."""

from __future__ import annotations

from pathlib import Path

from grader.course.layout import Course


def write_student(course: Course, chapter: str, result: dict) -> list[Path]:
    """The student's feedback page and JUnit XML, in ``course.student_dir``."""
    from grader.course.reports import student
    return student.write(course, chapter, result)


def write_class(course: Course, chapter: str) -> list[Path]:
    """class.csv, class.json and report.html from every result.json of the chapter."""
    from grader.course.reports import classreport
    return classreport.write(course, chapter)
