"""Ctrl-C during `lab env up` takes back everything, also what was being created at
that very moment (the engine finishes a create whose request the client abandoned)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from grader import images, labels

LAB = [sys.executable, "-m", "grader.cli"]


def _leftovers(engine, chapter: str) -> list[str]:
    flt = {"label": labels.lab_label(chapter)}
    return ([f"container {c.name}" for c in engine.containers.list(all=True, filters=flt)]
            + [f"volume {v.name}" for v in engine.volumes.list(filters=flt)]
            + [f"network {n.name}" for n in engine.networks.list(filters=flt)])


@pytest.mark.engine
@pytest.mark.parametrize("after", [0.8, 1.6, 2.4, 3.2, 4.0])
def test_sigint_during_swarm_dind_up_leaves_nothing(engine, tmp_path, after):
    if images.missing(images.resolve(["clabs/dind:20.10"]), engine):
        reason = "clabs/dind:20.10 is not built (lab images build)"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    chapter = "ch14"
    assert not _leftovers(engine, chapter), "a ch14 environment exists: run lab env down ch14"
    env = {**os.environ, "LAB_CACHE_DIR": str(tmp_path), "LAB_DIND_WORKERS": "2",
           "LAB_HOME": str(tmp_path / "home")}
    # SIGINT as in a terminal: a test run started in the background (`cmd &`) ignores
    # SIGINT, its children inherit that, and Python then never raises KeyboardInterrupt
    proc = subprocess.Popen(LAB + ["env", "up", chapter, "--provider", "swarm-dind"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(after)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        left = _leftovers(engine, chapter)
        assert not left, f"SIGINT after {after}s left {left} (exit {proc.returncode}: {err[-300:]})"
        assert proc.returncode in (0, 130), err  # 0: it had finished before the signal
    finally:
        if proc.poll() is None:
            proc.kill()
        subprocess.run(LAB + ["env", "down", chapter], env=env, capture_output=True, timeout=300)
