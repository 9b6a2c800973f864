"""Answers graded outside the kernel with the course's keys: the trust fixes of #10 0b."""

import pytest

from grader.course import answers
from grader.errors import LabError
from tests.grader.course.helpers import set_answer_cell, submission

RIGHT_QUESTIONS = '''
INVENTORY_UPDATE = "docker service update --update-delay 1m --update-parallelism 2 --image acme/inventory:2.1 inventory"
INVENTORY_ROTATION = "docker service update --secret-rm MYSQL_PASSWORD --secret-add source=MYSQL_PASSWORD_V2,target=MYSQL_PASSWORD inventory"
DEFAULT_UPDATE_ORDER = "stop-first"
SECONDS_TO_UNHEALTHY = 8
WEB_BATCHES = 5
SECRETS_DIRECTORY = "/run/secrets"
SECRETS_FILESYSTEM = "tmpfs"
'''


def _by_id(results):
    return {r["id"]: r for r in results}


def test_solved_notebooks_get_every_answer_point(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "alice", solved=True)
    got = answers.grade(course, "ch14", nbs)
    assert [r["id"] for r in got] == ["ch14.strategies.answers", "ch14.configs.answers",
                                      "ch14.questions.answers"]
    assert all(r["status"] == "pass" and r["points"] == r["max_points"] for r in got)
    assert [r["max_points"] for r in got] == [3, 2, 4]  # the released test cells' points
    q = _by_id(got)["ch14.questions.answers"]
    assert q["kind"] == "answer" and q["grade_id"] == "ch14-questions-tests"
    assert q["answer_cell"] == "ch14-questions-answers" and q["title"]
    for key in ("id", "title", "points", "max_points", "status", "message", "hint", "layer"):
        assert key in q  # shaped like Result.as_dict()


def test_unanswered_and_missing_notebooks_fail_with_hints(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "bob", solved=False)
    got = _by_id(answers.grade(course, "ch14", [p for p in nbs if p.name != "03-configs.ipynb"]))
    assert got["ch14.configs.answers"]["status"] == "fail"
    assert "not in the submission" in got["ch14.configs.answers"]["message"]
    q = got["ch14.questions.answers"]
    assert q["status"] == "fail" and q["points"] == 0 and q["hint"]
    assert "INVENTORY_UPDATE: no answer yet" in q["message"]


def test_an_edited_course_key_changes_the_grade(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "alice", solved=True)
    assert _by_id(answers.grade(course, "ch14", nbs))["ch14.questions.answers"]["status"] == \
        "pass"
    key = course.key_file("ch14")
    key.write_text(key.read_text().replace('8, hint="start_period', '9, hint="start_period'))
    q = _by_id(answers.grade(course, "ch14", nbs))["ch14.questions.answers"]
    assert q["status"] == "fail" and "SECONDS_TO_UNHEALTHY: not right yet" in q["message"]
    # the keys shipped in checks/ch14 are not what class grading uses
    from grader import answers as shipped
    assert shipped.expected("ch14.questions.answers")["SECONDS_TO_UNHEALTHY"].expected == 8


def test_replacing_grader_answers_wrong_in_a_cell_changes_nothing(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "mallory", solved=False)
    secrets = tmp_path / "mallory" / "04-secrets.ipynb"
    set_answer_cell(secrets, "ch14-questions-answers",
                    "import grader.answers\n"
                    "grader.answers.wrong = lambda *a, **k: []\n"
                    "grader.answers.grade = lambda *a, **k: None\n"
                    'WEB_BATCHES = 4\n')
    q = _by_id(answers.grade(course, "ch14", nbs))["ch14.questions.answers"]
    assert q["status"] == "fail" and "WEB_BATCHES: not right yet" in q["message"]
    import grader.answers
    assert grader.answers.wrong("ch14.questions.answers", {"WEB_BATCHES": 4})  # not replaced


@pytest.mark.parametrize("cell", [
    ("from checks.ch14.answers import EXPECTED\n"
     "WEB_BATCHES = EXPECTED['ch14.questions.answers']['WEB_BATCHES'].expected\n"),
    ("import importlib\n"
     "k = importlib.import_module('checks.ch14.answers').EXPECTED['ch14.questions.answers']\n"
     "WEB_BATCHES = k['WEB_BATCHES'].expected\n"),
    "WEB_BATCHES = open('/work/course/keys/ch14/answers.py').read()\n",
])
def test_an_answer_taken_from_the_keys_is_not_an_answer(course, tmp_path, cell):
    """In the sandbox the keys are absent; on the host the cell is read, not run."""
    nbs = submission(course, "ch14", tmp_path / "mallory", solved=False)
    set_answer_cell(tmp_path / "mallory" / "04-secrets.ipynb", "ch14-questions-answers", cell)
    q = _by_id(answers.grade(course, "ch14", nbs))["ch14.questions.answers"]
    assert q["status"] == "fail"
    assert "WEB_BATCHES: lab check reads answers without running code" in q["message"]


def test_points_come_from_the_release_not_the_student_copy(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "alice", solved=True)
    secrets = tmp_path / "alice" / "04-secrets.ipynb"
    secrets.write_text(secrets.read_text().replace('"points": 4', '"points": 400'))
    assert _by_id(answers.grade(course, "ch14", nbs))["ch14.questions.answers"]["points"] == 4


def test_right_answers_in_any_spelling(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "carol", solved=False)
    set_answer_cell(tmp_path / "carol" / "04-secrets.ipynb", "ch14-questions-answers",
                    RIGHT_QUESTIONS)
    q = _by_id(answers.grade(course, "ch14", nbs))["ch14.questions.answers"]
    assert q["status"] == "pass", q["message"]


def test_hostile_notebooks_fail_without_running(course, tmp_path):
    nbs = submission(course, "ch14", tmp_path / "eve", solved=False)
    (tmp_path / "eve" / "04-secrets.ipynb").write_text("{not json")
    set_answer_cell(tmp_path / "eve" / "03-configs.ipynb", "ch14-configs-answers",
                    "import os\nos.system('touch PWNED')\nX = (" + "(" * 50)
    got = _by_id(answers.grade(course, "ch14", nbs))
    assert "not a valid notebook" in got["ch14.questions.answers"]["message"]
    assert got["ch14.configs.answers"]["status"] == "fail"
    assert not (tmp_path / "PWNED").exists()


def test_a_course_without_keys_is_one_clear_error(course, tmp_path):
    course.key_file("ch14").unlink()
    with pytest.raises(LabError, match="no answer keys.*lab course init"):
        answers.grade(course, "ch14", [])
    course.key_file("ch14").write_text("EXPECTED = [")
    with pytest.raises(LabError, match="do not load"):
        answers.grade(course, "ch14", [])


@pytest.mark.parametrize("chapter", ["ch10", "ch14", "ch15", "ch16"])
def test_every_chapter_grades_with_the_course_keys(course, tmp_path, chapter):
    """The reference answers get every point, the released notebooks none; each answer
    cell stands for the chapter's answer check of the same id and points."""
    from grader.course import catalog, keys
    solved = answers.grade(course, chapter, submission(course, chapter, tmp_path / "s",
                                                       solved=True))
    empty = answers.grade(course, chapter, submission(course, chapter, tmp_path / "e",
                                                      solved=False))
    assert solved and all(r["status"] == "pass" for r in solved), solved
    assert all(r["status"] == "fail" and r["points"] == 0 for r in empty)
    declared = catalog.by_id(chapter)
    for item in keys.items(course, chapter):
        assert declared[item.check_id].points == item.points, item
