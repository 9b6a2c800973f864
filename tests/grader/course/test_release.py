import json

import pytest

from grader.course import release
from grader.errors import LabError


def _cells(nb):
    return json.loads(nb.read_text())["cells"]


def test_release_has_no_solutions_and_no_keys(course_template):
    out = course_template.released_dir("ch14")
    names = sorted(p.name for p in out.glob("*.ipynb"))
    assert names == sorted(p.name for p in course_template.source_dir("ch14").glob("*.ipynb"))
    assert (out / "legacy" / "whoami.conf").is_file()
    files = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in files if p.name == "answers.py" or "solutions" in p.parts]
    key = course_template.key_file("ch14").read_text()
    for p in files:
        text = p.read_text(errors="replace")
        assert "BEGIN SOLUTION" not in text and "EXPECTED = {" not in text and text != key
    # the reference answers themselves are gone from the answer cells
    secrets = (out / "04-secrets.ipynb").read_text()
    assert "--update-delay 1m inventory" not in secrets
    assert 'SECRETS_FILESYSTEM = \\"tmpfs\\"' not in secrets
    assert release.leaked(course_template, "ch14") == []


def test_release_locks_test_cells_with_checksums_and_fits_stubs(course_template):
    cells = _cells(course_template.released_dir("ch14") / "04-secrets.ipynb")
    meta = {c["metadata"]["nbgrader"]["grade_id"]: c for c in cells}
    test = meta["ch14-questions-tests"]
    assert test["metadata"]["nbgrader"]["locked"] and test["metadata"]["nbgrader"]["checksum"]
    assert test["metadata"]["editable"] is False
    rotate = "".join(meta["ch14-rotate-v2"]["source"])
    assert rotate.startswith("%%bash") and "NotImplementedError" not in rotate
    assert "not done yet" in rotate
    answers = "".join(meta["ch14-questions-answers"]["source"])
    assert "raise NotImplementedError()" in answers  # a Python cell keeps nbgrader's stub


def test_leaks_are_found(course):
    out = course.released_dir("ch14")
    (out / "answers.py").write_text(course.key_file("ch14").read_text())
    (out / "notes.txt").write_text("### BEGIN SOLUTION\nx\n")
    found = release.leaked(course, "ch14")
    assert any(f.startswith("answers.py") for f in found)
    assert any(f.startswith("notes.txt") for f in found)


def test_another_chapter_releases_too(course):
    out = release.release(course, "ch10")
    assert sorted(p.name for p in out.glob("*.ipynb")) == \
        sorted(p.name for p in course.source_dir("ch10").glob("*.ipynb"))
    assert (out / "mysql" / "init.sql").is_file()
    assert release.leaked(course, "ch10") == []


def test_release_again_after_grading_keeps_the_gradebook(course):
    from grader.course import record
    from tests.grader.course.helpers import result
    record.record(course, "ch14", result("alice", [], []))
    before = record.snapshot(course, "ch14")
    release.release(course, "ch14")  # the checks pseudo-notebook is no source notebook
    assert record.snapshot(course, "ch14") == before


def test_a_chapter_without_source_is_one_clear_error(course):
    import shutil
    shutil.rmtree(course.source_dir("ch10"))
    with pytest.raises(LabError, match="no notebooks.*lab course init"):
        release.release(course, "ch10")


def test_parallel_workers_release_once(course, monkeypatch):
    """ensure_released from several grading threads: one release, none half-read."""
    from concurrent.futures import ThreadPoolExecutor

    import nbgrader.utils
    calls = []
    real = nbgrader.utils.capture_log

    def counting(app, *a, **k):
        calls.append(app)
        return real(app, *a, **k)

    monkeypatch.setattr(nbgrader.utils, "capture_log", counting)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: release.ensure_released(course, "ch10"), range(4)))
    assert len(calls) == 1 and len(set(outs)) == 1
    assert sorted(p.name for p in outs[0].glob("*.ipynb")) == \
        sorted(p.name for p in course.source_dir("ch10").glob("*.ipynb"))
