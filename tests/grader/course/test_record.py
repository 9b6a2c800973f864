"""The gradebook: one grade per student, nbgrader's totals = our score, idempotent."""

import sqlite3

import pytest

from grader.course import answers, record
from grader.course.release import CHECKS_NOTEBOOK
from tests.grader.course.helpers import check, result, submission


def _dump(course) -> dict:
    """Every row of every table of gradebook.db, ids included."""
    with sqlite3.connect(course.gradebook_file) as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        return {t: sorted(map(repr, db.execute(f"select * from {t}"))) for t in tables}


@pytest.fixture
def alice(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "alice", solved=True)
    return result("alice", answers.grade(course, "ch14", nbs), [
        check("ch14.rolling.file", "pass", 2, layer="static"),
        check("ch14.rolling.batches", "fail", 3, layer="behaviour", message="3 down at once"),
        check("ch14.rollback.auto", "error", 3, layer="behaviour", message="timed out"),
        check("ch14.questions.answers", "pass", 4, layer="static"),  # = the answer cell
    ])


def test_score_counts_each_answer_once(alice):
    s = record.score(alice)
    assert s["answers"] == {"earned": 9, "possible": 9}
    # ch14.questions.answers is not counted again; the 21 checks not in the result count 0
    assert s["checks"] == {"earned": 2, "possible": 65 - 9}
    assert s["superseded"] == ["ch14.questions.answers"]
    assert len(s["not_run"]) == 27 - 3 - 3 and "ch14.rolling.spec" in s["not_run"]
    assert (s["earned"], s["possible"]) == (11, 65)


def test_score_of_na_and_of_a_submission_that_could_not_run():
    r = result("x", [], [check("ch14.rolling.traffic", "n/a", 3),
                         check("ch14.rolling.file", "pass", 2)])
    assert (record.score(r)["earned"], record.score(r)["possible"]) == (2, 65 - 3)
    failed = record.score(result("x", [], [], status="failed", reason="not JSON"))
    assert failed["earned"] == 0 and failed["possible"] == 65  # all of ch14's checks
    other = dict(result("x", [], [check("ch99.a.b", "pass", 1)]), chapter="ch99")
    assert (record.score(other)["earned"], record.score(other)["possible"]) == (1, 1)


def test_record_writes_one_grade_per_student(course, alice):
    record.record(course, "ch14", alice)
    snap = record.snapshot(course, "ch14")
    cells = snap["cells"]
    assert cells["04-secrets"] == {"ch14-questions-tests": 4.0}
    checks = cells[CHECKS_NOTEBOOK]
    assert "ch14.questions.answers" not in checks and "ch14.strategies.answers" not in checks
    assert checks["ch14.rolling.batches"] == 3.0 and len(checks) == 27 - 3
    grades = snap["students"]["alice"]
    assert grades["04-secrets"]["ch14-questions-tests"] == [4.0, None, False]
    assert grades[CHECKS_NOTEBOOK]["ch14.rolling.file"] == [2.0, None, False]
    assert grades[CHECKS_NOTEBOOK]["ch14.rolling.batches"] == [0.0, None, False]
    assert grades[CHECKS_NOTEBOOK]["ch14.rollback.auto"] == [0.0, None, True]  # error: look
    assert grades[CHECKS_NOTEBOOK]["ch14.rolling.spec"] == [0.0, None, True]  # not run
    # nbgrader's own total is the score
    total, possible = snap["totals"]["alice"]
    assert [total, possible] == [record.score(alice)["earned"], record.score(alice)["possible"]]
    assert possible == 9 + sum(checks.values())


def test_record_is_idempotent_and_keeps_manual_scores(course, alice):
    record.record(course, "ch14", alice)
    first = _dump(course)
    record.record(course, "ch14", alice)
    assert _dump(course) == first  # every row, ids included
    from grader.course import nbg
    with nbg.gradebook(course) as gb:  # an instructor's manual score in formgrader
        gb.find_grade("ch14.rolling.batches", CHECKS_NOTEBOOK, "ch14", "alice").manual_score = 1
        gb.db.commit()
    record.record(course, "ch14", alice)
    assert record.snapshot(course, "ch14")["students"]["alice"][CHECKS_NOTEBOOK][
        "ch14.rolling.batches"] == [0.0, 1.0, False]


def test_a_new_result_replaces_the_old_one(course, alice):
    record.record(course, "ch14", alice)
    worse = dict(alice, answers=[dict(a, status="fail", points=0) for a in alice["answers"]])
    record.record(course, "ch14", worse)
    assert record.snapshot(course, "ch14")["totals"]["alice"][0] == 2


def test_same_grades_same_snapshot_in_another_gradebook(course, course_template, alice,
                                                        tmp_path):
    import shutil

    from grader.course.layout import Course
    other = Course.open(shutil.copytree(course_template.root, tmp_path / "other"))
    bob = result("bob", [], [], status="failed", reason="the notebook is not JSON")
    for c, order in ((course, (alice, bob)), (other, (bob, alice))):
        for r in order:
            record.record(c, "ch14", r)
    assert record.snapshot(course, "ch14") == record.snapshot(other, "ch14")
    assert record.snapshot(course, "ch14")["totals"]["bob"][0] == 0
    bob_grades = record.snapshot(course, "ch14")["students"]["bob"]
    assert all(g[2] for nb in bob_grades.values() for g in nb.values())  # all to look at
