from pathlib import Path

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


# --- comparing by meaning, not more loosely ----------------------------------------------

def _key(check_id, name):
    return answers.expected(check_id)[name]


def test_base64_and_paths_compare_exactly():
    data = _key("ch14.configs.answers", "HELLO_CONFIG_DATA")
    assert data.accepts("SGVsbG8gd29ybGQK") and data.accepts(" SGVsbG8gd29ybGQK\n")
    assert not data.accepts("sgvsbg8gd29ybgqk")  # other bytes once decoded
    folder = _key("ch14.questions.answers", "SECRETS_DIRECTORY")
    assert folder.accepts("/run/secrets") and folder.accepts("/run/secrets/")
    assert not folder.accepts("/RUN/SECRETS")
    assert _key("ch14.questions.answers", "DEFAULT_UPDATE_ORDER").accepts("Stop-First")  # a word


def test_truth_values_are_only_true_and_false():
    encrypted = _key("ch14.configs.answers", "CONFIGS_ENCRYPTED_AT_REST")
    assert encrypted.accepts(False)
    for wrong_kind in (0, 0.0, "False", "false", None, []):
        assert not encrypted.accepts(wrong_kind), wrong_kind
    code = _key("ch10.lifecycle.answers", "EXIT_CODE_AFTER_KILL")
    assert code.accepts(137) and code.accepts(137.0) and code.accepts("137")
    assert not answers.ValueAnswer(1, hint="").accepts(True)


@pytest.mark.parametrize("command,graceful", [
    ("docker stop redis-7.0", True),
    ("docker container stop -t 5 redis-7.0", True),
    ("docker stop --time=30 --signal SIGTERM redis-7.0", True),
    ("docker stop -s 15 redis-7.0", True),
    ("docker stop --signal KILL -t 0 redis-7.0", False),
    ("docker stop -t 0 redis-7.0", False),
    ("docker stop --signal SIGKILL redis-7.0", False),
])
def test_a_graceful_stop_is_not_a_kill_in_disguise(command, graceful):
    assert _key("ch10.lifecycle.answers", "STOP_COMMAND").accepts(command) is graceful


@pytest.mark.parametrize("command,accepted", [
    ("docker kill redis-7.0", True),
    ("docker kill -s SIGKILL redis-7.0", True),
    ("docker kill --signal=kill redis-7.0", True),
    ("docker container kill -s 9 redis-7.0", True),
    ("docker kill -s=KILL redis-7.0", True),
    ("docker kill -s TERM redis-7.0", False),
])
def test_kill_with_any_spelling_of_sigkill(command, accepted):
    assert _key("ch10.lifecycle.answers", "KILL_COMMAND").accepts(command) is accepted


# --- the static reader and the kernel agree ----------------------------------------------

def _notebook_cells(tmp_path, *sources, answer_at=-1):
    """A notebook of code cells; the one at ``answer_at`` is the lifecycle answer cell,
    followed by its nbgrader test cell."""
    nb = nbformat.v4.new_notebook()
    for i, src in enumerate(sources):
        cell = nbformat.v4.new_code_cell(src)
        if i == (answer_at % len(sources)):
            cell.metadata["nbgrader"] = {"grade_id": "ch10-lifecycle-answers", "solution": True,
                                         "grade": False, "locked": False, "schema_version": 3}
        nb.cells.append(cell)
    test = nbformat.v4.new_code_cell(TEST_CELL)
    test.metadata["nbgrader"] = {"grade_id": "ch10-lifecycle-tests", "grade": True,
                                 "points": 3, "solution": False, "locked": True,
                                 "schema_version": 3}
    nb.cells.insert((answer_at % len(sources)) + 1, test)
    path = tmp_path / "01.ipynb"
    nbformat.write(nb, path)
    return path


TEST_CELL = 'from grader.answers import grade\ngrade("ch10.lifecycle.answers", globals())'


def _kernel_accepts(*sources) -> bool:
    """What the nbgrader test cell says after a kernel (IPython) ran ``sources``."""
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    shell.reset(new_session=False)
    for src in sources:
        shell.run_cell(src)
    return shell.run_cell(TEST_CELL).success


def _static_problems(tmp_path, *sources, answer_at=-1) -> list[str]:
    nb = _notebook_cells(tmp_path, *sources, answer_at=answer_at)
    return answers.wrong("ch10.lifecycle.answers",
                         answers.read_cell(nb, "ch10-lifecycle-answers"))


RIGHT_PARTS = {  # the six answers, each right
    "STOP_COMMAND": '"docker stop redis-7.0"', "KILL_COMMAND": '"docker kill redis-7.0"',
    "REMOVE_COMMAND": '"docker rm redis-7.0"', "ATTACH_COMMAND": '"docker attach redis-7.0"',
    "EXIT_CODE_AFTER_KILL": "137", "STATUS_AFTER_STOP": '"exited"'}
REST = "\n".join(f"{k} = {v}" for k, v in RIGHT_PARTS.items() if k not in
                 ("STOP_COMMAND", "KILL_COMMAND", "REMOVE_COMMAND"))


KILL_RM = 'KILL_COMMAND = "docker kill redis-7.0"\nREMOVE_COMMAND = "docker rm redis-7.0"'


@pytest.mark.parametrize("form", [
    ('STOP_COMMAND: str = "docker stop redis-7.0"\n' + KILL_RM),                # annotation
    ('STOP_COMMAND = CMD = "docker stop redis-7.0"\n' + KILL_RM),               # chained
    ('STOP_COMMAND, KILL_COMMAND = "docker stop redis-7.0", "docker kill redis-7.0"\n'
     '[REMOVE_COMMAND] = ["docker rm redis-7.0"]'),                             # unpacking
    ('C = "redis-7.0"\nSTOP_COMMAND = "docker stop " + C\nKILL_COMMAND = f"docker kill {C}"\n'
     'REMOVE_COMMAND = " ".join(["docker", "rm", C])'),                         # computed
    ('STOP_COMMAND = ("docker stop "\n                "redis-7.0")\n'
     'KILL_COMMAND = "docker kill"\nKILL_COMMAND += " redis-7.0"\n'
     'REMOVE_COMMAND = "docker {} {}".format("rm", "redis-7.0")'),              # concatenation
    ('!echo trying things first\nSTOP_COMMAND = "docker stop redis-7.0"\n'
     '%time KILL_COMMAND = "docker kill redis-7.0"\n'
     'REMOVE_COMMAND = "docker rm redis-7.0"'),                                 # ! and % lines
])
def test_forms_the_kernel_accepts_the_static_reader_accepts(tmp_path, form):
    cell = form + "\n" + REST
    assert _kernel_accepts(cell)
    assert _static_problems(tmp_path, cell) == []


@pytest.mark.parametrize("form,name", [
    ('STOP_COMMAND = "docker stop redis-7.0"\n' + KILL_RM +
     '\nraise NotImplementedError()\nSTOP_COMMAND = "docker kill redis-7.0"', None),  # stops
    ('STOP_COMMAND = "docker stop redis-7.0"\n' + KILL_RM +
     '\nSTOP_COMMAND = STOP_COMMAND + " -t 0"', "STOP_COMMAND"),       # the last value counts
    ('STOP_COMMAND = 0\n' + KILL_RM + '\ndel STOP_COMMAND', "STOP_COMMAND"),   # deleted
])
def test_the_kernel_and_the_static_reader_reject_alike(tmp_path, form, name):
    cell = form + "\n" + REST
    static = _static_problems(tmp_path, cell)
    assert _kernel_accepts(cell) is (static == []) is False
    if name:
        assert [p.split(":")[0] for p in static] == [name]


def test_answers_set_in_an_earlier_cell_count_as_in_the_kernel(tmp_path):
    earlier = 'STOP_COMMAND = "docker stop redis-7.0"\nREMOVE_COMMAND = "docker rm redis-7.0"'
    cell = 'KILL_COMMAND = "docker kill redis-7.0"\n' + REST
    assert _kernel_accepts(earlier, cell)
    assert _static_problems(tmp_path, earlier, cell) == []


@pytest.mark.parametrize("form,how", [
    ('import subprocess\nSTOP_COMMAND = subprocess.getoutput("echo docker stop redis-7.0")',
     "a function call"),
    ('if True:\n    STOP_COMMAND = "docker stop redis-7.0"', "an `if` block"),
    ('out = !echo docker stop redis-7.0\nSTOP_COMMAND = out[0]', "a ! shell line"),
])
def test_forms_it_cannot_read_are_named_not_called_missing(tmp_path, form, how):
    cell = form + "\n" + KILL_RM + "\n" + REST
    problems = _static_problems(tmp_path, cell)
    assert [p.split(":")[0] for p in problems] == ["STOP_COMMAND"], problems
    assert "no answer yet" not in problems[0]
    assert "cannot read this one" in problems[0] and how in problems[0], problems


def test_a_bash_answer_cell_holds_no_answer_and_a_syntax_error_is_named(tmp_path):
    assert len(_static_problems(tmp_path, "%%bash\necho STOP_COMMAND=x")) == 6
    with pytest.raises(AssertionError, match="not valid Python"):
        answers.literal_assignments('STOP_COMMAND = "docker stop redis-7.0"\n!echo x\nX = (')


# --- class grading: the sandbox defers answers to the course grader ---------------------

def test_deferred_grade_runs_no_key_and_says_so(monkeypatch, capsys):
    """LAB_ANSWERS_DEFERRED=1 (the sandbox): no key is read, nothing is asserted."""
    def no_keys(check_id):
        raise AssertionError("a key was read inside the sandbox")

    monkeypatch.setattr(answers, "expected", no_keys)
    monkeypatch.setenv("LAB_ANSWERS_DEFERRED", "1")
    assert answers.grade("ch14.questions.answers", {"WEB_BATCHES": 4}) is None
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [answers.DEFERRED_LINE.join(("ch14.questions.answers: ", ""))]
    assert answers.DEFERRED_LINE == "answers are graded by the course grader after the run"
    monkeypatch.setenv("LAB_ANSWERS_DEFERRED", "0")  # only "1" defers
    with pytest.raises(AssertionError, match="a key was read"):
        answers.grade("ch14.questions.answers", {"WEB_BATCHES": 4})


def test_deferred_test_cell_passes_in_a_kernel_without_keys(tmp_path):
    """The released test cell, run as the sandbox runs it: a Python without the
    checks package (no keys; -S: not even the editable install's path) and
    LAB_ANSWERS_DEFERRED=1 prints one line and succeeds."""
    import os
    import subprocess
    import sys

    import grader
    lib = tmp_path / "lib"
    lib.mkdir()
    os.symlink(Path(grader.__file__).parent, lib / "grader")  # grader, but no checks/
    cell = 'from grader.answers import grade\ngrade("ch14.questions.answers", globals())'
    code = f"import sys; sys.path.insert(0, {str(lib)!r}); exec({cell!r})"
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(lib), "LAB_ANSWERS_DEFERRED": "1"}

    def run():
        return subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=60, check=False)

    p = run()
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ("ch14.questions.answers: answers are graded by the course "
                                "grader after the run")
    env.pop("LAB_ANSWERS_DEFERRED")  # without it the same cell looks for the keys
    p = run()
    assert p.returncode != 0 and "no answer key for ch14.questions.answers" in p.stderr


def test_wrong_takes_a_key_from_elsewhere():
    from grader.answers import ValueAnswer
    key = {"WEB_BATCHES": ValueAnswer(6, hint="count them")}
    assert answers.wrong("ch14.questions.answers", {"WEB_BATCHES": 5}, key) == [
        "WEB_BATCHES: not right yet — count them"]
    assert answers.wrong("ch14.questions.answers", {"WEB_BATCHES": 6}, key) == []
