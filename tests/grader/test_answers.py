import nbformat
import pytest

from grader import answers


def _notebook(tmp_path, source, grade_id="ch10-lifecycle-answers"):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": True, "grade": False,
                                 "locked": False, "schema_version": 3}
    nb.cells.append(cell)
    path = tmp_path / "01.ipynb"
    nbformat.write(nb, path)
    return path


RIGHT = '''
STOP_COMMAND = "docker container stop redis-7.0"
KILL_COMMAND = "docker kill redis-7.0"
REMOVE_COMMAND = "docker rm redis-7.0"
ATTACH_COMMAND = "docker attach redis-7.0"
EXIT_CODE_AFTER_KILL = 137
STATUS_AFTER_STOP = "Exited"
'''


def test_right_answers_pass_in_any_spelling(tmp_path):
    given = answers.read_cell(_notebook(tmp_path, RIGHT), "ch10-lifecycle-answers")
    assert answers.wrong("ch10.lifecycle.answers", given) == []
    answers.grade("ch10.lifecycle.answers", given)


def test_wrong_and_missing_answers_are_named_without_the_answer(tmp_path):
    src = RIGHT.replace("docker kill redis-7.0", "docker stop redis-7.0").replace(
        "EXIT_CODE_AFTER_KILL = 137", "")
    given = answers.read_cell(_notebook(tmp_path, src), "ch10-lifecycle-answers")
    problems = answers.wrong("ch10.lifecycle.answers", given)
    assert [p.split(":")[0] for p in problems] == ["KILL_COMMAND", "EXIT_CODE_AFTER_KILL"]
    assert all("137" not in p and "docker kill" not in p for p in problems)
    with pytest.raises(AssertionError, match="KILL_COMMAND"):
        answers.grade("ch10.lifecycle.answers", given)


def test_answer_cell_is_read_not_executed(tmp_path):
    src = 'import os\nos.system("touch HACKED")\nSTOP_COMMAND = "docker stop redis-7.0"\n'
    given = answers.read_cell(_notebook(tmp_path, src), "ch10-lifecycle-answers")
    assert given == {"STOP_COMMAND": "docker stop redis-7.0"}
    assert not (tmp_path / "HACKED").exists()


def test_student_stub_and_missing_cell(tmp_path):
    stub = "# YOUR CODE HERE\nraise NotImplementedError()"
    given = answers.read_cell(_notebook(tmp_path, stub), "ch10-lifecycle-answers")
    assert len(answers.wrong("ch10.lifecycle.answers", given)) == 6
    with pytest.raises(AssertionError, match="not found"):
        answers.read_cell(_notebook(tmp_path, RIGHT, grade_id="other"), "ch10-lifecycle-answers")
    with pytest.raises(AssertionError, match="not valid Python"):
        answers.literal_assignments("STOP_COMMAND = (")
