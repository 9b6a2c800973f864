"""``lab grade``: the command's work, behind the CLI's option parsing."""

from __future__ import annotations

from pathlib import Path

from grader.errors import LabError


def parse_params(param: list[str] | None) -> dict:
    bad = [p for p in param or [] if "=" not in p or not p.split("=", 1)[0]]
    if bad:
        raise LabError(f"--param {bad[0]!r}: write it as KEY=VALUE, e.g. update_delay=1")
    return dict(p.split("=", 1) for p in param or [])


def command(chapter: str, submissions: Path, *, course: Path | None, workers: int,
            student: str | None, force: bool, param: list[str] | None, cell_timeout: int,
            timeout: int) -> int:
    """Grade, show progress and the summary; the exit code: 0 every submission graded,
    1 some could not be graded (the table says why), 2 raised as LabError."""
    from rich.console import Console

    from grader import chapters
    from grader.course import layout
    from grader.grading import batch, display, kernel

    ch = chapters.get(chapter)
    if ch.id not in batch.GRADEABLE:
        raise LabError(f"{ch.id}: {batch.NOT_GRADEABLE.get(ch.id, 'not gradeable')}")
    params = parse_params(param)
    if workers < 1:
        raise LabError("--workers must be 1 or more")
    submissions = Path(submissions).expanduser()
    if not submissions.is_dir():
        raise LabError(f"no submissions folder at {submissions}")
    the_course = layout.Course.open(course) if course is not None else layout.default_course(submissions)
    limits = kernel.Limits(cell_timeout=cell_timeout, total_timeout=timeout)
    err = Console(stderr=True, highlight=False)
    with display.Board(err) as board:
        outcomes = batch.run(ch, submissions, the_course, workers=workers, student=student,
                             force=force, params=params, limits=limits, on_event=board.event,
                             progress=True)
    Console(highlight=False).print(display.summary(outcomes, ch.id, the_course.root))
    return 0 if all(o.result["status"] == "graded" for o in outcomes) else 1
