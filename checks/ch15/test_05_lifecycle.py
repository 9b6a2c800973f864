"""ch15.lifecycle: a pod's phases (Pending, Running, Succeeded, Failed) and the ways a
pod fails, asked as questions."""

from checks.ch15 import names as n
from grader.checkkit import answers, check

CHECK_ANSWERS = "ch15.lifecycle.answers"


@check(CHECK_ANSWERS, "Pod lifecycle questions answered correctly", points=3, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} (the cell after the "
            "lifecycle section); `kubectl get pod <name> -o jsonpath='{.status.phase}'` shows "
            "a pod's phase.")
def test_lifecycle_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)
