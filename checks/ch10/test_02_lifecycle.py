"""ch10.lifecycle: stop, kill, remove and attach, asked as notebook questions."""

from grader.checkkit import answers, check

ANSWER_CELL = "ch10-lifecycle-answers"
NOTEBOOK = "01-images-and-containers.ipynb"


@check("ch10.lifecycle.answers", "Lifecycle questions answered correctly", points=3,
       layer="static",
       hint=f"Answer the questions in {NOTEBOOK} (the cell after the lifecycle demo); try "
            "each command on the lifecycle-demo container first.")
def test_lifecycle_answers(lab):
    nb = lab.require(NOTEBOOK)
    answers.require_right(nb, ANSWER_CELL, "ch10.lifecycle.answers")
