"""The ``lab`` command's Typer apps, its chapter argument and its consoles: what every
command module of this package shares."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(
    help="Hands-on Docker, Swarm and Kubernetes labs, and their grader.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
env_app = typer.Typer(help="Prepare, inspect and tear down a chapter's environment.",
                      no_args_is_help=True)
images_app = typer.Typer(help="Build, save and load the lab images (no registry needed).",
                         no_args_is_help=True)
course_app = typer.Typer(help="An nbgrader course for class grading: make it, export its "
                                "grades.", no_args_is_help=True)
app.add_typer(env_app, name="env")
app.add_typer(images_app, name="images")
app.add_typer(course_app, name="course")

Chapter = Annotated[str, typer.Argument(help="chapter: ch10, ch14, ch15 or ch16")]


def _out():
    from rich.console import Console
    return Console(highlight=False)


def _err():
    from rich.console import Console
    return Console(stderr=True, highlight=False)


def _progress(transient: bool = True):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=_err(),
                    transient=transient, disable=not sys.stderr.isatty())
