"""The instructor demo of the README, for real: `lab grade ch14 examples/submissions`
on a fresh course grades the four example submissions (full marks, partial, broken,
hostile) with the scores written in examples/submissions/expected.json, reports the
hostile one's edited locked cell and stopped cells, and leaves nothing labelled behind.
The chapter's short-wait check parameter (update_delay=1) keeps it to one batch of
about a quarter of an hour; it is the one test that runs the real chapter end to end."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading import leftovers
from tests import needs

pytestmark = pytest.mark.engine
ROOT = Path(__file__).resolve().parents[3]
LAB = [str(Path(sys.executable).parent / "lab")]
EXPECTED = json.loads((ROOT / "examples" / "submissions" / "expected.json").read_text())


@pytest.fixture(scope="module")
def graded(engine, tmp_path_factory):
    from grader import chapters
    from grader.grading import sandbox
    needs.require_images(engine, "clabs/dind:20.10", "clabs/kernel:1.0",
                         *sandbox.images_for(chapters.get("ch14")))
    course = tmp_path_factory.mktemp("course") / "course"
    env = {**os.environ}
    assert subprocess.run(LAB + ["course", "init", str(course)], env=env, check=False,
                          capture_output=True).returncode == 0
    p = subprocess.run(LAB + ["grade", "ch14", str(ROOT / "examples" / "submissions"),
                              "--course", str(course), *EXPECTED["ch14"]["args"]],
                       capture_output=True, text=True, env=env, timeout=3600, check=False)
    results = {f.parent.name: json.loads(f.read_text())
               for f in (course / "grading" / "ch14").glob("*/result.json")}
    return p, results, course


def test_every_example_gets_its_expected_score(graded, engine):
    p, results, _ = graded
    assert p.returncode == 0, p.stderr[-3000:]
    want = EXPECTED["ch14"]["students"]
    got = {s: {"status": r["status"], "earned": r["score"]["earned"],
               "possible": r["score"]["possible"]} for s, r in results.items()}
    assert got == {s: {k: w[k] for k in ("status", "earned", "possible")} for s, w in want.items()}
    for student in want:
        assert student in p.stdout       # the summary table names every student
    assert leftovers.count(engine) == 0


def test_full_marks_runs_every_cell_and_passes_every_check(graded):
    _, results, _ = graded
    r = results["full-marks"]
    assert all(nb["cells"] == [] for nb in r["notebooks"]), r["notebooks"]
    assert {c["status"] for c in r["checks"]} == {"pass"}


def test_the_hostile_submission_is_reported_not_obeyed(graded):
    _, results, _ = graded
    r = results["hostile"]
    first = r["notebooks"][0]
    assert "c14n1-check-rolling" in first["edited_locked_cells"]
    statuses = [c["status"] for c in first["cells"]]
    assert "timeout" in statuses
    assert r["score"]["earned"] == EXPECTED["ch14"]["students"]["hostile"]["earned"]
