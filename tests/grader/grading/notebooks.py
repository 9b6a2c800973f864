"""Small made-up notebooks for the grading tests (the point is the pipeline, not a
chapter): a parameters cell, a locked set-up cell, then the cells a test needs."""

from __future__ import annotations

from pathlib import Path


def notebook(*sources: str, kernel: str = "python3", setup: str = "import os, subprocess"):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": kernel, "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('LAB = "ch14"\nLAB_NETWORK = "ch14-lab"\nDOCKER_HOST = ""')
    params.metadata.tags = ["parameters"]
    params.metadata.nbgrader = {"grade_id": "t-parameters", "locked": False, "solution": False,
                                "grade": False}
    nb.cells.append(params)
    cell = nbformat.v4.new_code_cell(setup)
    cell.metadata.nbgrader = {"grade_id": "t-setup", "locked": True, "solution": False,
                              "grade": False}
    nb.cells.append(cell)
    for i, src in enumerate(sources):
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata.nbgrader = {"grade_id": f"t-cell-{i}", "locked": False, "solution": True,
                                  "grade": False}
        nb.cells.append(cell)
    return nb


def write(folder: Path, name: str, nb) -> Path:
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name
