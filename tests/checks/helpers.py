"""Helpers for proving checks both ways: run chosen checks on a lab folder."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from grader import chapters, runner

SOLUTIONS = chapters.LABS


def run_checks(lab_dir: Path, *only: str) -> dict:
    """Run checks (ids or prefixes) of the chapter named by the first id; id → Result."""
    chapter = chapters.get(only[0].split(".")[0])
    results = runner.run(chapter, lab_dir, only=list(only))
    return {r.check.id: r for r in results}


def grade_dump(chapter: str, lab_dir: Path, where: Path, doc: dict, *, namespace: str,
               layers: list[str], only: list[str] | None = None) -> dict:
    """Write ``doc`` (a `lab dump` document) to ``where`` and run ``chapter``'s checks of
    ``layers`` on it, as `lab check --from-dump` does; id → Result."""
    where.write_text(json.dumps(doc))
    results = runner.run(chapters.CHAPTERS[chapter], lab_dir, dump=where, namespace=namespace,
                         layers=layers, only=only)
    return {r.check.id: r for r in results}


def run_static(chapter: str, lab_dir: Path, *only: str) -> dict:
    """The static checks ``only`` of ``chapter`` on a lab folder; id → Result."""
    results = runner.run(chapters.CHAPTERS[chapter], lab_dir, only=list(only), layers=["static"])
    return {r.check.id: r for r in results}


def static_fails(chapter: str, lab_dir: Path, check_id: str, *seen: str):
    """The static check fails, its message shows each of ``seen``, its hint is given."""
    r = run_static(chapter, lab_dir, check_id)[check_id]
    assert r.status == "fail", (r.status, r.message)
    for s in seen:
        assert s in r.message, r.message
    assert r.as_dict()["hint"] == r.check.hint != ""
    return r


def static_passes(chapter: str, lab_dir: Path, check_id: str) -> None:
    r = run_static(chapter, lab_dir, check_id)[check_id]
    assert r.status == "pass", r.message


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` (which must be there) by ``new`` in a student's file."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def fails_only(results: dict, expected: dict, solved: dict) -> None:
    """A broken state: each check in ``expected`` fails, its message shows the text given
    for it and its hint is there; every other check has the outcome it has on the solved
    state (the variant breaks what it is named after, nothing else)."""
    for check_id, seen in expected.items():
        r = results[check_id]
        assert r.status == "fail", (check_id, r.status, r.message)
        assert seen in r.message, (check_id, r.message)
        assert r.as_dict()["hint"] == r.check.hint != ""
    changed = {i: (solved[i].status, r.status, r.message) for i, r in results.items()
               if i not in expected and r.status != solved[i].status}
    assert not changed


def release_with_solutions(chapter: str, dest: Path) -> Path:
    """A lab folder as a student who solved everything would have it: the lab's
    material, the reference files from solutions/, and the source notebooks (their
    answer cells hold the solutions)."""
    src = SOLUTIONS / chapter
    dest.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.name == "solutions":
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name, dirs_exist_ok=True)
        else:
            shutil.copy2(item, dest / item.name)
    shutil.copytree(src / "solutions", dest, dirs_exist_ok=True)
    return dest


@pytest.fixture
def solved_ch10(tmp_path) -> Path:
    return release_with_solutions("ch10", tmp_path / "ch10")


def set_answer_cell(notebook: Path, grade_id: str, source: str) -> None:
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
    nbformat.write(nb, notebook)


@pytest.fixture
def grader_image_labels():
    """Labels for images a test builds, so `lab env down ch10` could find them too."""
    from grader.labels import lab_labels
    return lab_labels("ch10", "grader")
