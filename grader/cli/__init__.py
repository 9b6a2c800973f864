"""The ``lab`` command: environments, images, notebooks, checks, class grading.

Exit codes everywhere: 0 success, 1 checks (or a notebook) failed, 2 usage or
environment error (one line on stderr saying what to do), 130 interrupted.
Heavy modules are imported inside commands so ``lab --help`` stays fast. The commands
live in three modules by who uses them (machine.py, student.py, course.py) and register
on the apps of apps.py; importing them here is what puts them on the command line.
"""

from __future__ import annotations

import sys

from grader.cli.apps import app
from grader.errors import LabError

# importing a command module registers its commands: this order is `lab --help`'s
# isort: off
from grader.cli import machine  # noqa: F401
from grader.cli import student  # noqa: F401
from grader.cli import course  # noqa: F401
# isort: on


def _explain(err: Exception) -> str:
    """One line for an unexpected error; engine trouble named as such."""
    mod = type(err).__module__ or ""
    text = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
    if mod.startswith(("docker", "requests", "urllib3")) or isinstance(err, ConnectionError):
        from grader import engine
        return (f"the Docker engine at {engine.endpoint()} failed: {type(err).__name__}: {text}"
                " — is it still running?")
    return f"unexpected {type(err).__name__}: {text} (set LAB_DEBUG=1 to see the traceback)"


def main() -> None:
    """Entry point: run the app, turning errors into one line and an exit code."""
    import click

    try:
        code = app(standalone_mode=False)
    except LabError as err:
        print(f"lab: {err}", file=sys.stderr)
        sys.exit(err.code)
    except click.exceptions.Abort:
        print("lab: interrupted", file=sys.stderr)
        sys.exit(130)
    except KeyboardInterrupt:
        print("lab: interrupted", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(2 if err.exit_code == 2 else err.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as err:  # never a traceback for a user; LAB_DEBUG=1 shows it
        import os
        if os.environ.get("LAB_DEBUG"):
            raise
        print(f"lab: {_explain(err)}", file=sys.stderr)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)

