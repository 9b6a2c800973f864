"""``lab course ...``, ``lab release`` and ``lab grade``: grading a class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli.apps import Chapter, _out, app, course_app
from grader.errors import LabError

CourseDir = Annotated[Path | None, typer.Option(
    "--course", help="the course folder (default: the one around the current folder, "
                     "else ./course)")]


@course_app.command("init")
def course_init(folder: Annotated[Path, typer.Argument(help="the course folder to make")],
                course_id: Annotated[str, typer.Option(
                    "--id", help="nbgrader's course id")] = "container-labs"):
    """Make an nbgrader course: every chapter's source, answer keys (yours to edit),
    a gradebook. Run again to add chapters; nothing you changed is overwritten."""
    from grader.course.layout import Course
    course = Course.init(folder, course_id)
    _out().print(f"course {course.course_id} at {course.root}: source/, keys/ (the answer "
                 "keys: edit them there), gradebook.db; next: lab release CH --course "
                 f"{folder}")


@app.command()
def release(chapter: Chapter, course: CourseDir = None):
    """nbgrader's generate step for a chapter: release/CH without solutions or keys."""
    from grader import chapters
    from grader.course import layout
    from grader.course import release as rel
    ch = chapters.get(chapter, need_ready=False)
    c = layout.course_option(course)
    out = rel.release(c, ch.id)
    _out().print(f"{ch.id}: released to {out} ({len(list(out.glob('*.ipynb')))} notebooks; "
                 "no solutions, no answer keys)")


@course_app.command("report")
def course_report(chapter: Chapter, course: CourseDir = None):
    """Write every student's feedback and the class's CSV, JSON and HTML report again
    from the results of `lab grade`."""
    from grader import chapters
    from grader.course import layout, record, reports
    from grader.course.reports.items import load
    ch = chapters.get(chapter, need_ready=False)
    c = layout.course_option(course)
    files = c.result_files(ch.id)
    if not files:
        raise LabError(f"{ch.id}: no results in {c.results_dir(ch.id)}: run `lab grade "
                       f"{ch.id} SUBMISSIONS --course {c.root}` first")
    for f in files:  # the gradebook first: nbgrader's feedback reads its scores
        result = load(f)
        if result.get("schema") == record.SCHEMA:  # not one the grader could not read
            record.record(c, ch.id, result)
        reports.write_student(c, ch.id, result)
    written = reports.write_class(c, ch.id)
    import json

    from rich.table import Table
    from rich.text import Text
    data = json.loads(next(p for p in written if p.suffix == ".json").read_text())
    t = Table("student", "status", "points", title=f"{ch.id} · {c.root}", title_justify="left")
    for s in data["students"]:  # Text: a student id is no rich markup
        t.add_row(Text(s["student"]), Text(s["status"]),
                  f"{s['score']['earned']}/{s['score']['possible']}",
                  style=None if s["status"] == "graded" else "yellow")
    _out().print(t)
    for out in written:
        _out().print(f"{ch.id}: wrote {out}")


@app.command()
def grade(chapter: Chapter,
          submissions: Annotated[Path, typer.Argument(
              help="nbgrader's submitted/ folder (or its course), or one folder per student")],
          course: Annotated[Path | None, typer.Option(
              "--course", help="the course folder (default: the one holding SUBMISSIONS, "
                               "else ./course)")] = None,
          workers: Annotated[int, typer.Option(help="submissions graded at once")] = 1,
          student: Annotated[str | None, typer.Option(help="grade only this student")] = None,
          force: Annotated[bool, typer.Option(
              "--force", help="grade again submissions already graded")] = False,
          param: Annotated[list[str] | None, typer.Option(
              "--param", help="KEY=VALUE for behaviour checks (repeatable)")] = None,
          cell_timeout: Annotated[int, typer.Option(help="seconds for one cell")] = 600,
          timeout: Annotated[int, typer.Option(
              help="seconds for all of one submission's notebooks")] = 3600):
    """Grade a class: each submission run in a sandbox of its own, checked, recorded.
    Exit 0 when every submission was graded, 1 when some could not be."""
    from grader.grading import command
    raise typer.Exit(command.command(chapter, submissions, course=course, workers=workers,
                                     student=student, force=force, param=param,
                                     cell_timeout=cell_timeout, timeout=timeout))
