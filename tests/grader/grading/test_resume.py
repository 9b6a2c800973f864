"""Resume and crash safety on the engine, with small ch14 submissions (one config step):
a re-run skips what is graded, --force gives the identical result, and a batch killed
with SIGKILL then run again ends with the gradebook of an uninterrupted run and nothing
labelled left on the engine."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.grading import leftovers
from tests import needs
from tests.grader.grading import doubles, run_batch, small

pytestmark = pytest.mark.engine
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def images(engine):
    needs.require_images(engine, "clabs/dind:20.10", "clabs/kernel:1.1", "clabs/loadgen:1.0")
    return engine


def results(course) -> dict:
    return {p.parent.name: json.loads(p.read_text())
            for p in sorted(course.results_dir("ch14").glob("*/result.json"))}


@pytest.fixture(scope="module")
def graded(images, tmp_path_factory):
    """One uninterrupted run: the reference."""
    subs = small.make(tmp_path_factory.mktemp("subs"))
    course = doubles.Course(tmp_path_factory.mktemp("course"))
    outcomes = run_batch.grade(subs, course)
    return subs, course, outcomes


def test_small_batch_grades_as_expected(graded, images):
    _, course, outcomes = graded
    by = {o.student: o.result for o in outcomes}
    assert by["alice"]["status"] == "graded" and by["alice"]["score"] == {"earned": 1, "possible": 1}
    assert by["bob"]["status"] == "graded" and by["bob"]["score"] == {"earned": 0, "possible": 1}
    assert by["carol"]["status"] == "failed" and by["carol"]["reason"] == "no notebook in carol/"
    assert set(doubles.gradebook(course)) == {"alice", "bob", "carol"}
    assert leftovers.count(images) == 0


def test_rerun_skips_and_force_regrades_identically(graded):
    subs, course, _ = graded
    before = results(course)
    again = run_batch.grade(subs, course)
    assert {o.student: o.skipped for o in again} == {"alice": True, "bob": True, "carol": False}
    assert results(course)["alice"] == before["alice"]    # not even graded_at changed
    forced = run_batch.grade(subs, course, force=True)
    assert not any(o.skipped for o in forced)
    after = results(course)
    assert after["alice"]["graded_at"] >= before["alice"]["graded_at"]
    for student in before:
        assert doubles.comparable(after[student]) == doubles.comparable(before[student])


def test_a_changed_submission_is_graded_again(graded, tmp_path):
    import shutil
    subs, reference, _ = graded
    copy, course = tmp_path / "subs", doubles.Course(tmp_path / "course")
    shutil.copytree(subs, copy)
    shutil.copytree(reference.root, course.root)
    shutil.copy(copy / "alice" / "01-configs.ipynb", copy / "bob" / "01-configs.ipynb")
    out = {o.student: o for o in run_batch.grade(copy, course, student="bob")}
    assert not out["bob"].skipped and out["bob"].result["score"]["earned"] == 1


def test_sigkill_mid_batch_then_rerun(graded, images, tmp_path):
    subs, reference, _ = graded
    course = doubles.Course(tmp_path / "course")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "tests.grader.grading.run_batch", str(subs),
                          str(course.root)], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    owner = {"label": [f"{leftovers.OWNER}={os.uname().nodename}:{p.pid}"]}
    try:
        deadline = time.monotonic() + 300
        # kill it while the second submission's sandbox is up: one result written, one not
        while time.monotonic() < deadline:
            done = list(course.results_dir("ch14").glob("*/result.json"))
            if done and leftovers.count(images, owner) and p.poll() is None:
                break
            assert p.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.5)
        else:
            pytest.fail("the batch never reached its second sandbox")
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert leftovers.count(images, owner) > 0, "the killed run left nothing to recover"
    sockets = [f for c in images.containers.list(all=True, filters=owner)
               for f in leftovers.socket_folders(c)]
    assert sockets and all(f.is_dir() for f in sockets), sockets
    run_batch.grade(subs, course)      # recovers the leftovers, then grades what is missing
    assert leftovers.count(images, owner) == 0
    assert not [f for f in sockets if f.exists()], "the killed run's socket folders are still there"
    assert leftovers.count(images) == 0
    assert doubles.gradebook(course) == doubles.gradebook(reference)
    got, want = results(course), results(reference)
    assert set(got) == set(want)
    for student in want:
        mine, theirs = doubles.comparable(got[student]), doubles.comparable(want[student])
        assert mine == theirs, student
