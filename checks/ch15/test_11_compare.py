"""ch15.compare: SwarmKit and Kubernetes side by side, asked as questions."""

from checks.ch15 import names as n
from grader.checkkit import answers, check

CHECK_ANSWERS = "ch15.compare.answers"


@check(CHECK_ANSWERS, "SwarmKit ↔ Kubernetes questions answered correctly", points=3,
       layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} (the comparison at "
            "the end): for each SwarmKit concept, the Kubernetes object that plays its part.")
def test_compare_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)
