"""The student's copy of a lab: notebooks without solutions, plus the lab's material.

A workspace lives in ``$LAB_HOME/<chapter>`` (default ``~/container-labs``). It is made
from ``labs/<chapter>`` with nbgrader's preprocessors, the way nbgrader's
``generate_assignment`` makes a release: solutions cleared, outputs cleared. The
``solutions/`` folder never reaches it. Nothing a student wrote is ever overwritten:
a workspace in the way is moved aside to a dated backup first.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from grader.chapters import Chapter
from grader.errors import LabError

SKIP = {"solutions", ".ipynb_checkpoints", "__pycache__", "runs"}
MARKER = ".container-labs"


def home() -> Path:
    """Where workspaces live: ``$LAB_HOME`` or ``~/container-labs``."""
    return Path(os.environ.get("LAB_HOME") or Path.home() / "container-labs").expanduser()


def path(chapter: str) -> Path:
    """The workspace folder of ``chapter`` (it may not exist yet)."""
    return home() / chapter


def _release(nb_path: Path, dest: Path) -> None:
    """Write the student version of a source notebook (solutions and outputs cleared)."""
    import nbformat
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception as err:
        raise LabError(f"{nb_path} is not a valid notebook ({type(err).__name__}: "
                       f"{str(err).splitlines()[0] if str(err) else ''})") from None
    resources: dict = {}
    for pre in (ClearSolutions(), ClearOutput()):
        nb, resources = pre.preprocess(nb, resources)
    nbformat.write(nb, dest)


def backup(folder: Path) -> Path:
    """Move ``folder`` aside to ``<folder>.backup-YYYYmmdd-HHMMSS`` and return the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder.with_name(f"{folder.name}.backup-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = folder.with_name(f"{folder.name}.backup-{stamp}-{n}")
    folder.rename(target)
    return target


def create(chapter: Chapter, *, solution_run: bool = False) -> tuple[Path, Path | None]:
    """Make the chapter's workspace; returns (workspace, backup or None).

    An existing workspace is kept as it is for a student (``solution_run=False``): it
    holds their work. For a solution run it is moved to a backup first, so the
    reference answers run on a clean copy and nothing of the student's is lost.
    """
    dest = path(chapter.id)
    moved = None
    if dest.exists():
        marker = (dest / MARKER).read_text() if (dest / MARKER).exists() else ""
        if not solution_run and marker:
            return dest, None
        if "kind=solution" in marker:
            shutil.rmtree(dest)  # made by an earlier solution run: nothing of a student's
        elif any(dest.iterdir()):
            moved = backup(dest)
        else:
            dest.rmdir()
    src = chapter.source_dir
    if not src.is_dir():
        raise LabError(f"{chapter.id}: lab folder {src} is missing from this checkout")
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for item in sorted(src.iterdir()):
            if item.name in SKIP:
                continue
            if item.suffix == ".ipynb":
                _release(item, tmp / item.name)
            elif item.is_dir():
                shutil.copytree(item, tmp / item.name,
                                ignore=shutil.ignore_patterns(*SKIP))
            else:
                shutil.copy2(item, tmp / item.name)
        kind = "solution" if solution_run else "student"
        (tmp / MARKER).write_text(f"chapter={chapter.id}\nkind={kind}\n")
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest, moved
