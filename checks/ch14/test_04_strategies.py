"""ch14.strategies: rolling, blue-green and canary, and why swarm's routing mesh stands in
the way of a true blue-green switch for internal services."""

from grader.checkkit import answers, check

NOTEBOOK = "02-health-and-rollback.ipynb"
ANSWER_CELL = "ch14-strategies-answers"


@check("ch14.strategies.answers", "Deployment strategy questions answered", points=3,
       layer="static",
       hint=f"Answer the questions in {NOTEBOOK} (the cell after the strategies section).")
def test_strategies_answers(lab):
    answers.require_right(lab.require(NOTEBOOK), ANSWER_CELL, "ch14.strategies.answers")
