"""The answer cells of ch16, proven both ways: the notebooks' solutions pass, a wrong
or missing answer fails naming it (never giving it away), the source's errata given as
answers fail (erratum 12: kubectl run for a Deployment; 11: kubectl edit for the switch;
9: the key --from-file names; 8: the bytes of the source's base64), and other spellings
of the right kubectl command pass (grader/kubectl.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import answers
from tests.checks.ch16.helpers import ANSWER_CELLS, fails, passes
from tests.checks.helpers import set_answer_cell


@pytest.mark.parametrize("check_id", list(ANSWER_CELLS))
def test_a_wrong_answer_fails_naming_it(check_id, solved):
    notebook, grade_id = ANSWER_CELLS[check_id]
    given = answers.read_cell(solved / notebook, grade_id)
    assert not answers.wrong(check_id, given)
    first = next(iter(answers.expected(check_id)))
    given[first] = 12345 if isinstance(given[first], str) else "something else"
    set_answer_cell(solved / notebook, grade_id, "\n".join(f"{k} = {v!r}" for k, v in given.items()) + "\n")
    fails(solved, check_id, f"{first}: not right yet")


@pytest.mark.parametrize("check_id", list(ANSWER_CELLS))
def test_an_unanswered_cell_fails(check_id, solved):
    notebook, grade_id = ANSWER_CELLS[check_id]
    set_answer_cell(solved / notebook, grade_id, "# YOUR CODE HERE\nraise NotImplementedError()")
    fails(solved, check_id, "no answer yet")


def _answer(solved: Path, check_id: str, name: str, value) -> None:
    notebook, grade_id = ANSWER_CELLS[check_id]
    given = answers.read_cell(solved / notebook, grade_id)
    given[name] = value
    set_answer_cell(solved / notebook, grade_id, "\n".join(f"{k} = {v!r}" for k, v in given.items()) + "\n")


@pytest.mark.parametrize("check_id, name, value", [
    # erratum 12: kubectl run makes a Pod
    ("ch16.web.answers", "RUN_CREATES", "Deployment"),
    ("ch16.web.answers", "CREATE_DEPLOYMENT_COMMAND", "kubectl run shop --image=clabs/pets-web:2.0 --port=3000"),
    ("ch16.web.answers", "NODE_PORT_MAX", 32768),   # the source's off-by-one
    # erratum 11: the switch (and the rollback) as a patch, not kubectl edit
    ("ch16.blue-green.answers", "ROLLBACK_COMMAND", "kubectl edit svc/web"),
    ("ch16.blue-green.answers", "ROLLBACK_COMMAND",
     """kubectl patch service web -p '{"spec":{"selector":{"color":"green"}}}'"""),
    # erratum 9: the key the source's command makes
    ("ch16.secret-cli.answers", "BOOK_FORM_KEY", "username"),
    ("ch16.secret-cli.answers", "LITERAL_COMMAND",
     "kubectl create secret generic pets-secret-prod --from-file=./secret-files/username.txt"),
    # erratum 8: the bytes of the source's base64
    ("ch16.secret-yaml.answers", "BOOK_PASSWORD_BYTES", 15),
])
def test_errata_as_answers_fail(check_id, name, value, solved):
    _answer(solved, check_id, name, value)
    fails(solved, check_id, f"{name}: not right yet")


@pytest.mark.parametrize("check_id, name, value", [
    ("ch16.web.answers", "CREATE_DEPLOYMENT_COMMAND",
     "kubectl create deploy shop --port 3000 --image clabs/pets-web:2.0 -n ch16 --replicas=2"),
    ("ch16.blue-green.answers", "ROLLBACK_COMMAND", "kubectl set selector svc/web app=pets,service=web,color=blue"),
    ("ch16.blue-green.answers", "RETIRE_BLUE_COMMAND", "kubectl delete -f ./web-deploy-blue.yaml"),
    ("ch16.rolling.answers", "UNDO_TO_REVISION_COMMAND", "kubectl rollout undo deploy web --to-revision 2"),
])
def test_other_spellings_of_the_right_command_pass(check_id, name, value, solved):
    _answer(solved, check_id, name, value)
    passes(solved, check_id)


