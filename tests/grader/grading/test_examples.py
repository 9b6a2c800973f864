"""The instructor demos of the README, for real: `lab grade CH SUBMISSIONS` on a fresh
course grades the example submissions with the scores written in
examples/submissions/expected.json, and leaves nothing labelled behind.

ch14: full marks, partial, broken, hostile (its edited locked cell and stopped cells
reported); the chapter's short-wait check parameter (update_delay=1) keeps it to one
batch of about a quarter of an hour: the one test that runs that chapter end to end in a
sandbox. ch10: full marks, partial, not started, generated from labs/ch10 by
examples/make_submissions.py; its checks dial the ports the submission published, and a
Redis answering on the grader's own 127.0.0.1:6379 must not count for a student whose
Redis publishes none."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading import leftovers
from grader.probes import redis_ping
from tests import needs

pytestmark = pytest.mark.engine
ROOT = Path(__file__).resolve().parents[3]
LAB = [str(Path(sys.executable).parent / "lab")]
EXPECTED = json.loads((ROOT / "examples" / "submissions" / "expected.json").read_text())


def grade(engine, chapter: str, submissions: Path, course: Path):
    from grader import chapters
    from grader.grading import kernel, sandbox
    needs.require_images(engine, "clabs/dind:20.10", kernel.IMAGE,
                         *sandbox.images_for(chapters.get(chapter)))
    env = {**os.environ}
    assert subprocess.run(LAB + ["course", "init", str(course)], env=env, check=False,
                          capture_output=True).returncode == 0
    p = subprocess.run(LAB + ["grade", chapter, str(submissions), "--course", str(course),
                              *EXPECTED[chapter]["args"]],
                       capture_output=True, text=True, env=env, timeout=3600, check=False)
    results = {f.parent.name: json.loads(f.read_text())
               for f in (course / "grading" / chapter).glob("*/result.json")}
    return p, results, course


def assert_expected_scores(chapter: str, p, results, engine) -> None:
    assert p.returncode == 0, p.stderr[-3000:]
    want = EXPECTED[chapter]["students"]
    got = {s: {"status": r["status"], "earned": r["score"]["earned"],
               "possible": r["score"]["possible"]} for s, r in results.items()}
    assert got == {s: {k: w[k] for k in ("status", "earned", "possible")} for s, w in want.items()}
    for student in want:
        assert student in p.stdout       # the summary table names every student
    assert leftovers.count(engine) == 0


# --- ch14 --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded(engine, tmp_path_factory):
    course = tmp_path_factory.mktemp("course") / "course"
    return grade(engine, "ch14", ROOT / "examples" / "submissions", course)


def test_every_example_gets_its_expected_score(graded, engine):
    p, results, _ = graded
    assert_expected_scores("ch14", p, results, engine)


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


# --- ch10 --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def host_redis(engine):
    """Something answering PONG on the grader's own 127.0.0.1:6379 while ch10 is graded:
    a labelled decoy container, or whatever already answers there."""
    from docker.errors import APIError
    needs.require_images(engine, "clabs/redis:7.0")
    label = {"org.container-labs.test": "decoy"}

    def remove_decoys():
        for ctr in engine.containers.list(all=True, filters={"label": "org.container-labs.test=decoy"}):
            ctr.remove(force=True, v=True)
    remove_decoys()
    try:
        engine.containers.run("clabs/redis:7.0", detach=True, name="clabs-test-decoy-redis",
                              labels=label, ports={"6379/tcp": ("127.0.0.1", 6379)})
    except APIError:  # the port is taken (created, not started): what answers there is the decoy
        remove_decoys()
    try:
        from grader.poll import wait_for
        wait_for(lambda: redis_ping("127.0.0.1", 6379) == "+PONG", timeout=20, interval=0.2,
                 what="a Redis on the host's 127.0.0.1:6379")
        yield
    finally:
        remove_decoys()


@pytest.fixture(scope="module")
def graded_ch10(engine, host_redis, tmp_path_factory):
    subs = tmp_path_factory.mktemp("ch10-examples")
    made = subprocess.run([sys.executable, str(ROOT / "examples" / "make_submissions.py"), "ch10",
                           "--out", str(subs)], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    course = tmp_path_factory.mktemp("course10") / "course"
    return grade(engine, "ch10", subs, course)


def test_ch10_examples_get_their_expected_scores(graded_ch10, engine):
    p, results, _ = graded_ch10
    assert_expected_scores("ch10", p, results, engine)


def test_ch10_full_marks_passes_every_docker_check_and_kubernetes_is_na(graded_ch10):
    _, results, _ = graded_ch10
    by_status: dict[str, list] = {}
    for c in results["full-marks"]["checks"]:
        by_status.setdefault(c["status"], []).append(c)
    assert set(by_status) == {"pass", "n/a"}, {s: [c["id"] for c in cs] for s, cs in by_status.items()}
    na = {c["id"]: c["message"] for c in by_status["n/a"]}
    # what the grader supplied itself is not the student's to score
    assert na.pop("ch10.pull-run.image").startswith("not graded in a class-grading sandbox: "
                                                     "the grader loads clabs/redis:7.0")
    assert na and all(m.startswith("needs a Kubernetes cluster") for m in na.values()), na
    dialled = {"ch10.pull-run.reachable", "ch10.wire.ready", "ch10.compose.ready"}
    assert dialled <= {c["id"] for c in by_status["pass"]}


def test_ch10_checks_dial_the_sandbox_not_the_graders_host(graded_ch10):
    """The grader's host answers PONG on 127.0.0.1:6379 throughout; the partial student
    runs redis-7.0 without publishing its port, so in the sandbox nothing answers there:
    the check fails with what the sandbox showed, not what the host would have."""
    _, results, _ = graded_ch10
    checks = {c["id"]: c for c in results["partial"]["checks"]}
    assert checks["ch10.pull-run.container"]["status"] == "pass"
    reachable = checks["ch10.pull-run.reachable"]
    assert reachable["status"] == "fail" and "no answer" in reachable["message"], reachable
