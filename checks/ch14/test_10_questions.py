"""ch14.questions: the chapter's review questions, graded by meaning (parsed commands)."""

from grader.checkkit import answers, check

NOTEBOOK = "04-secrets.ipynb"
ANSWER_CELL = "ch14-questions-answers"


@check("ch14.questions.answers", "Chapter questions answered", points=4, layer="static",
       hint=f"Answer the questions at the end of {NOTEBOOK}; commands are compared by "
            "meaning, so any flag order works.")
def test_questions_answers(lab):
    answers.require_right(lab.require(NOTEBOOK), ANSWER_CELL, "ch14.questions.answers")
