"""ch10's Kubernetes steps on a real kind cluster, end to end, where kind and a Docker
engine exist (skipped here, with the reason: no cluster can run on this machine):
`lab env up ch10 --provider kind` brings up both parts, `lab run ch10 --solution` runs
notebooks 01 to 09 for real (images loaded into the node, the pod, the Deployment and
its rollout, the frontend, the backend with its Ingress, the planted Secret decoded,
the labelled pods, the echo server), `lab check ch10` passes every check with none n/a,
and `lab env down ch10` takes both parts down."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine
LAB = [str(Path(sys.executable).parent / "lab")]


def lab(*args: str, env: dict, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run(LAB + list(args), capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def kind_env(tmp_path_factory):
    if not shutil.which("kind"):
        pytest.skip("kind is not installed: ch10's Kubernetes steps against a real cluster "
                    "(the notebooks' kubectl cells, the ReplicaSet replacing a deleted pod, "
                    "the echo server answering through its Service) run where kind and a "
                    "Docker engine are")
    env = {**os.environ, "LAB_HOME": str(tmp_path_factory.mktemp("labhome"))}
    up = lab("env", "up", "ch10", "--provider", "kind", env=env)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield env
    finally:
        lab("env", "down", "ch10", env=env, timeout=900)


def test_the_solution_on_a_real_cluster(kind_env):
    run = lab("run", "ch10", "--solution", env=kind_env, timeout=3600)
    assert run.returncode == 0, run.stdout + run.stderr
    p = lab("check", "ch10", "--json", env=kind_env)
    doc = json.loads(p.stdout)
    bad = {c["id"]: (c["status"], c["message"]) for c in doc["checks"] if c["status"] != "pass"}
    assert not bad and p.returncode == 0
    status = json.loads(lab("env", "status", "ch10", "--json", env=kind_env).stdout)[0]
    assert status["up"] and status["network"] == "ch10-lab"


def test_down_takes_both_parts_down(kind_env):
    gone = lab("env", "down", "ch10", env=kind_env, timeout=900)
    assert gone.returncode == 0, gone.stderr
    assert "namespaces" in gone.stdout and "networks" in gone.stdout
    back = lab("env", "up", "ch10", "--provider", "kind", env=kind_env)
    assert back.returncode == 0, back.stdout + back.stderr
