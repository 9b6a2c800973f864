"""Discovery: both layouts, and what is wrong with a submission as handed in."""

import pytest

from grader.errors import LabError
from grader.grading import submissions
from tests.grader.grading.notebooks import notebook, write


def test_plain_folder_of_students(tmp_path):
    write(tmp_path / "bob", "01-a.ipynb", notebook("x = 1"))
    write(tmp_path / "alice", "02-b.ipynb", notebook())
    write(tmp_path / "alice", "01-a.ipynb", notebook())
    subs = submissions.discover(tmp_path, "ch14")
    assert [s.student for s in subs] == ["alice", "bob"]
    assert [p.name for p in subs[0].notebooks] == ["01-a.ipynb", "02-b.ipynb"]
    assert not subs[0].problems and not subs[0].fatal


def test_folder_of_chapters_of_students(tmp_path):
    write(tmp_path / "ch14" / "carol", "01-a.ipynb", notebook())
    write(tmp_path / "ch10" / "dave", "01-a.ipynb", notebook())
    assert [s.student for s in submissions.discover(tmp_path, "ch14")] == ["carol"]


@pytest.mark.parametrize("given", ["course", "submitted"])
def test_nbgrader_layout_from_the_course_or_its_submitted_folder(tmp_path, given):
    write(tmp_path / "submitted" / "alice" / "ch14", "01-a.ipynb", notebook())
    write(tmp_path / "submitted" / "alice" / "ch10", "01-a.ipynb", notebook())
    (tmp_path / "submitted" / "bob" / "ch10").mkdir(parents=True)   # nothing for ch14
    path = tmp_path if given == "course" else tmp_path / "submitted"
    subs = submissions.discover(path, "ch14")
    assert [(s.student, s.folder.name) for s in subs] == [("alice", "ch14")]


def test_no_notebook_is_fatal(tmp_path):
    (tmp_path / "eve").mkdir()
    (tmp_path / "eve" / "notes.txt").write_text("hello")
    [sub] = submissions.discover(tmp_path, "ch14")
    assert sub.fatal and sub.problems == ["no notebook in eve/"]


def test_a_notebook_that_is_not_json_is_reported_and_the_others_run(tmp_path):
    write(tmp_path / "eve", "02-ok.ipynb", notebook())
    (tmp_path / "eve" / "01-broken.ipynb").write_text("{ this is not json")
    [sub] = submissions.discover(tmp_path, "ch14")
    assert not sub.fatal
    assert [p.name for p in sub.notebooks] == ["02-ok.ipynb"]
    assert sub.problems == ["01-broken.ipynb is not a notebook (not JSON: JSONDecodeError)"]


def test_only_broken_notebooks_is_fatal(tmp_path):
    (tmp_path / "eve").mkdir()
    (tmp_path / "eve" / "01.ipynb").write_bytes(b"\xff\xfe binary")
    [sub] = submissions.discover(tmp_path, "ch14")
    assert sub.fatal and "not JSON" in sub.problems[0]


def test_wrong_kernel_name_runs_on_the_chapter_kernel_and_says_so(tmp_path):
    write(tmp_path / "frank", "01-a.ipynb", notebook(kernel="ir"))
    [sub] = submissions.discover(tmp_path, "ch14")
    assert not sub.fatal and [p.name for p in sub.notebooks] == ["01-a.ipynb"]
    assert sub.problems == ["01-a.ipynb asks for kernel 'ir': run with 'python3', the chapter's"]


def test_bad_input_is_one_line(tmp_path):
    with pytest.raises(LabError, match="no submissions folder"):
        submissions.discover(tmp_path / "missing", "ch14")
    with pytest.raises(LabError, match="no student folder"):
        submissions.discover(tmp_path, "ch14")
    write(tmp_path / "bad name", "01.ipynb", notebook())
    with pytest.raises(LabError, match="not a usable student id"):
        submissions.discover(tmp_path, "ch14")
