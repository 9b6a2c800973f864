"""Execute a chapter's notebooks with papermill, parameters injected from the env."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from grader import magics, workspace
from grader.chapters import Chapter
from grader.errors import LabError


@dataclass
class NotebookRun:
    """The outcome of executing one notebook."""

    notebook: Path
    output: Path
    seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def validate(path: Path) -> None:
    """LabError with one line if ``path`` is missing or not a readable notebook."""
    import nbformat

    if not path.is_file():
        raise LabError(f"notebook not found: {path}")
    try:
        nbformat.read(path, as_version=4)
    except Exception as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise LabError(f"{path} is not a valid notebook: {type(err).__name__} {first}"[:300]) \
            from None


def plan(chapter: Chapter, *, solution: bool, notebook: Path | None) -> tuple[list[Path], Path, str]:
    """Which notebooks run, in which folder, and a line saying what was prepared."""
    if notebook is not None:
        nb = Path(notebook).expanduser().resolve()
        validate(nb)
        return [nb], nb.parent, ""
    if solution:
        ws, moved = workspace.create(chapter, solution_run=True)
        note = f"your earlier work in {ws} was moved to {moved}" if moved else ""
        notebooks = chapter.notebooks()
    else:
        ws, _ = workspace.create(chapter)
        note = ""
        notebooks = sorted(ws.glob("[0-9][0-9]-*.ipynb"))
    if not notebooks:
        raise LabError(f"{chapter.id}: no notebooks to run in {ws if not solution else chapter.source_dir}")
    for nb in notebooks:
        validate(nb)
    return notebooks, ws, note


def run(notebooks: list[Path], cwd: Path, params: dict, *, on_start=None,
        timeout: int = 900) -> list[NotebookRun]:
    """Execute ``notebooks`` in order in ``cwd``; stop at the first one that fails.

    Executed copies go to ``cwd/runs/`` so the originals keep the student's text.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out_dir = cwd / "runs"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for nb in notebooks:
        if on_start:
            on_start(nb)
        out = out_dir / nb.name
        t0 = time.perf_counter()
        error = ""
        try:
            pm.execute_notebook(str(nb), str(out), parameters=params, cwd=str(cwd),
                                kernel_name="python3", progress_bar=False, log_output=False,
                                execution_timeout=timeout, report_mode=False,
                                # nbclient passes it to the kernel: our one-line %%bash
                                extra_arguments=magics.KERNEL_ARGS)
        except PapermillExecutionError as err:
            error = f"cell {err.exec_count}: {err.ename}: {str(err.evalue).strip()[:300]}"
        except Exception as err:  # kernel died, timeouts, missing kernel: say which
            error = f"{type(err).__name__}: {str(err).strip().splitlines()[0][:300] if str(err).strip() else ''}"
        results.append(NotebookRun(nb, out, time.perf_counter() - t0, error))
        if error:
            break
    return results
