import json

import pytest

from grader import chapters, workspace


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_HOME", str(tmp_path))
    return tmp_path


def _sources(nb_path):
    return "".join("".join(c["source"]) for c in json.loads(nb_path.read_text())["cells"])


def test_student_copy_has_no_solutions(home):
    ch = chapters.get("ch10")
    ws, moved = workspace.create(ch)
    assert moved is None and ws == home / "ch10"
    assert not (ws / "solutions").exists()
    notebooks = sorted(ws.glob("[0-9][0-9]-*.ipynb"))
    assert len(notebooks) == len(ch.notebooks()) >= 5
    for nb in notebooks:
        text = _sources(nb)
        assert "BEGIN SOLUTION" not in text and "YOUR CODE HERE" in text, nb.name
    assert (ws / "user").is_dir() and (ws / "mysql" / "init.sql").is_file()


def test_student_work_is_kept_then_backed_up_for_a_solution_run(home):
    ch = chapters.get("ch10")
    ws, _ = workspace.create(ch)
    (ws / "user" / "Dockerfile").write_text("FROM clabs/golang:1.19\n# mine\n")
    again, moved = workspace.create(ch)
    assert moved is None and (again / "user" / "Dockerfile").read_text().endswith("# mine\n")
    sol, moved = workspace.create(ch, solution_run=True)
    assert moved is not None and (moved / "user" / "Dockerfile").read_text().endswith("# mine\n")
    assert not (sol / "user" / "Dockerfile").exists()
    # a second solution run replaces the solution workspace without another backup
    _, moved2 = workspace.create(ch, solution_run=True)
    assert moved2 is None
    assert len(list(home.glob("ch10.backup-*"))) == 1


def _cells(nb_path):
    return ["".join(c["source"]) for c in json.loads(nb_path.read_text())["cells"]
            if c["cell_type"] == "code"]


def test_stubs_suit_the_cell_magic(home):
    ws, _ = workspace.create(chapters.get("ch10"))
    cells = _cells(ws / "02-dockerfile.ipynb")
    writefile = next(c for c in cells if c.startswith("%%writefile user/Dockerfile.v1"))
    assert "YOUR CODE HERE" in writefile and "NotImplementedError" not in writefile
    bash = next(c for c in cells if c.startswith("%%bash") and "YOUR CODE HERE" in c)
    assert "exit 1" in bash and "NotImplementedError" not in bash
    python_answers = next(c for c in _cells(ws / "01-images-and-containers.ipynb")
                          if "STOP_COMMAND" in c and "YOUR CODE HERE" in c)
    assert "raise NotImplementedError()" in python_answers


def test_solution_workspace_keeps_the_answers_without_outputs(home):
    ws, _ = workspace.create(chapters.get("ch10"), solution_run=True)
    nb = json.loads((ws / "01-images-and-containers.ipynb").read_text())
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "BEGIN SOLUTION" in code and "YOUR CODE HERE" not in code
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    assert "kind=solution" in (ws / workspace.MARKER).read_text()
