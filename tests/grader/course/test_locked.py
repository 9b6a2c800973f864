import copy
import json

import pytest

from grader.course import locked
from grader.errors import LabError
from tests.grader.course.helpers import cells, index_of, set_cells, submission


@pytest.fixture
def secrets_nb(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "alice", solved=False)
    return next(p for p in nbs if p.name == "04-secrets.ipynb")


def _released(course):
    return cells(course.released_dir("ch14") / "04-secrets.ipynb")


def test_an_untouched_notebook_is_left_alone(course, secrets_nb):
    before = secrets_nb.read_bytes()
    assert locked.restore(course, "ch14", secrets_nb) == []
    assert secrets_nb.read_bytes() == before


def test_answers_the_student_wrote_are_kept(course, secrets_nb):
    cs = cells(secrets_nb)
    cs[index_of(cs, "ch14-questions-answers")]["source"] = "WEB_BATCHES = 5\n"
    set_cells(secrets_nb, cs)
    assert locked.restore(course, "ch14", secrets_nb) == []
    assert cells(secrets_nb)[index_of(cs, "ch14-questions-answers")]["source"] == \
        "WEB_BATCHES = 5\n"


def test_edited_test_and_locked_cells_are_restored_and_named(course, secrets_nb):
    cs = cells(secrets_nb)
    test = index_of(cs, "ch14-questions-tests")
    cs[test]["source"] = "import grader.answers\ngrader.answers.wrong = lambda *a: []\n"
    cs[test]["metadata"]["nbgrader"]["points"] = 400  # more points for the same cell
    env = index_of(cs, "c14n4-environment")
    cs[env]["metadata"]["nbgrader"]["locked"] = False  # unlocked, then edited
    cs[env]["source"] = "print('mine now')"
    md = index_of(cs, "c14n4-02")
    cs[md]["cell_type"] = "code"  # a locked markdown cell turned into code
    cs[md]["outputs"], cs[md]["execution_count"] = [], None
    set_cells(secrets_nb, cs)
    assert locked.restore(course, "ch14", secrets_nb) == [
        "c14n4-02", "c14n4-environment", "ch14-questions-tests"]
    assert cells(secrets_nb) == _released(course)
    assert locked.restore(course, "ch14", secrets_nb) == []  # now as released


def test_deleted_cells_go_back_where_they_were(course, secrets_nb):
    cs = cells(secrets_nb)
    gone = [c for c in cs if c["metadata"]["nbgrader"]["grade_id"] in
            ("c14n4-01", "ch14-questions-tests", "c14n4-check-questions")]
    set_cells(secrets_nb, [c for c in cs if c not in gone])
    assert locked.restore(course, "ch14", secrets_nb) == [
        "c14n4-01", "ch14-questions-tests", "c14n4-check-questions"]
    assert cells(secrets_nb) == _released(course)


def test_a_copy_of_a_locked_cell_is_removed(course, secrets_nb):
    cs = cells(secrets_nb)
    fake = copy.deepcopy(cs[index_of(cs, "ch14-questions-tests")])
    fake["source"] = "print('all right')"
    fake["id"] = "my-own"
    cs.insert(index_of(cs, "ch14-questions-answers"), fake)  # before the real one
    set_cells(secrets_nb, cs)
    assert locked.restore(course, "ch14", secrets_nb) == ["ch14-questions-tests"]
    after = cells(secrets_nb)
    assert [c for c in after if c["metadata"]["nbgrader"]["grade_id"] ==
            "ch14-questions-tests"] == [c for c in _released(course) if
                                        c["metadata"]["nbgrader"]["grade_id"] ==
                                        "ch14-questions-tests"]


def test_cell_ids_stay_unique(course, secrets_nb):
    cs = cells(secrets_nb)
    mine = {"cell_type": "code", "id": "ch14-questions-tests", "metadata": {},
            "source": "x = 1", "outputs": [], "execution_count": None}
    cs = [c for c in cs if c["metadata"]["nbgrader"]["grade_id"] != "ch14-questions-tests"]
    cs.insert(3, mine)  # a student cell took the deleted test cell's id
    set_cells(secrets_nb, cs)
    assert locked.restore(course, "ch14", secrets_nb) == ["ch14-questions-tests"]
    ids = [c["id"] for c in cells(secrets_nb)]
    assert len(ids) == len(set(ids))
    assert cells(secrets_nb)[3]["source"] == "x = 1" and cells(secrets_nb)[3]["id"] != \
        "ch14-questions-tests"


def test_not_json_is_one_clear_error_and_other_notebooks_are_left(course, tmp_path):
    bad = tmp_path / "04-secrets.ipynb"
    bad.write_text("this is not a notebook")
    with pytest.raises(LabError, match="not a valid notebook"):
        locked.restore(course, "ch14", bad)
    extra = tmp_path / "99-mine.ipynb"
    extra.write_text(json.dumps({"cells": []}))
    assert locked.restore(course, "ch14", extra) == []
