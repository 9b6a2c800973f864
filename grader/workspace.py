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
from grader.magics import NOT_DONE

SKIP = {"solutions", ".ipynb_checkpoints", "__pycache__", "runs"}
MARKER = ".container-labs"


def home() -> Path:
    """Where workspaces live: ``$LAB_HOME`` or ``~/container-labs``."""
    return Path(os.environ.get("LAB_HOME") or Path.home() / "container-labs").expanduser()


def path(chapter: str) -> Path:
    """The workspace folder of ``chapter`` (it may not exist yet)."""
    return home() / chapter


# nbgrader's stub is Python; in a cell that starts with a cell magic it would be shell
# or file content. A shell step that is not done yet should stop a run with a clear
# line (grader.magics shows that line alone, as the cell's error); a file step should
# leave a file that is visibly unwritten, not Python in it.
PYTHON_STUB = "raise NotImplementedError()"
SHELL_STUB = f'echo "{NOT_DONE}: write its commands in this cell" >&2; exit 1'
CELL_MAGIC_STUBS = {"%%bash": SHELL_STUB, "%%sh": SHELL_STUB, "%%writefile": ""}


def _fit_stubs(nb) -> None:
    """Swap nbgrader's Python stub for one that suits the cell's magic."""
    for cell in nb.cells:
        if cell.cell_type != "code" or PYTHON_STUB not in cell.source:
            continue
        magic = cell.source.split(None, 1)[0] if cell.source.strip() else ""
        if magic in CELL_MAGIC_STUBS:
            stub = CELL_MAGIC_STUBS[magic]
            lines = [ln for ln in cell.source.split("\n") if ln.strip() != PYTHON_STUB or stub]
            cell.source = "\n".join(stub if ln.strip() == PYTHON_STUB else ln for ln in lines)


def _release(nb_path: Path, dest: Path, *, keep_solutions: bool = False) -> None:
    """Write the student version of a source notebook (solutions and outputs cleared);
    with ``keep_solutions``, only the outputs are cleared (a solution run's workspace)."""
    import nbformat
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception as err:
        raise LabError(f"{nb_path} is not a valid notebook ({type(err).__name__}: "
                       f"{str(err).splitlines()[0] if str(err) else ''})") from None
    resources: dict = {}
    steps = (ClearOutput(),) if keep_solutions else (ClearSolutions(), ClearOutput())
    for pre in steps:
        nb, resources = pre.preprocess(nb, resources)
    if not keep_solutions:
        _fit_stubs(nb)
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
                _release(item, tmp / item.name, keep_solutions=solution_run)
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
