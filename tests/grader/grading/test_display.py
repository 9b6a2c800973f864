"""The summary table `lab grade` prints at the end, as a log or a narrow terminal shows
it: every student's name and score whole (found when a long reason squeezed
"not-started" into two lines)."""

from types import SimpleNamespace

from rich.console import Console

from grader.grading import display


def result(student, earned, problems=()):
    return {"student": student, "status": "graded", "reason": "", "problems": list(problems),
            "score": {"earned": earned, "possible": 75},
            "notebooks": [{"name": "01.ipynb", "edited_locked_cells": [],
                           "cells": [{"index": 3, "status": "error"}] * 29}],
            "timings": {"environment": 27.0, "run": 300.3}}


def test_names_and_scores_stay_whole_on_80_columns():
    long = "the notebooks did not finish in 300 s: stopped; the checks look at what they left"
    outcomes = [SimpleNamespace(student=s, result=result(s, e, [long]), skipped=False)
                for s, e in [("not-started", 0), ("a-rather-long-student-id", 20)]]
    console = Console(width=80, record=True)
    console.print(display.summary(outcomes, "ch10", "/tmp/course"))
    text = console.export_text()
    for line in ("not-started", "a-rather-long-student-id", "0/75", "20/75"):
        assert line in text, text
