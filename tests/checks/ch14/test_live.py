"""ch14 end to end on a real single-node swarm, in the order a class goes through it:

1. a fresh environment: every check fails, each with its hint (exit 1);
2. the reference solution executed with papermill: every check passes, the three
   behaviour checks included, with 0 failed requests;
3. one broken state at a time, made from the solved one and put back: the check that
   exists to catch it fails with what it saw and its hint;
4. `lab env down` removes exactly the lab's objects (a bystander service survives).

The grader's update delay is 1 s here (``--param update_delay=1``): CI time, not what
is checked, changes.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import labels

pytestmark = pytest.mark.engine

LAB = [str(Path(sys.executable).parent / "lab")]
FAST = ("--param", "update_delay=1")


def lab(*args, env):
    return subprocess.run(LAB + list(args), capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=1800)


def check_json(env, *extra):
    p = lab("check", "ch14", "--json", *FAST, *extra, env=env)
    assert p.returncode in (0, 1, 2), p.stderr
    doc = json.loads(p.stdout)
    return p.returncode, {c["id"]: c for c in doc["checks"]}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return {"LAB_HOME": str(tmp_path_factory.mktemp("labhome14"))}


@pytest.fixture(scope="module")
def fresh(engine, env):
    assert lab("env", "down", "ch14", env=env).returncode == 0
    up = lab("env", "up", "ch14", env=env)
    assert up.returncode == 0, up.stdout + up.stderr
    from grader import chapters, workspace
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAB_HOME", env["LAB_HOME"])
        ws, _ = workspace.create(chapters.get("ch14"))
    return ws


def test_fresh_environment_fails_with_hints(fresh, env):
    code, checks = check_json(env)
    assert code == 1
    assert len(checks) >= 25
    not_failing = {i: c["status"] for i, c in checks.items() if c["status"] != "fail"}
    assert not not_failing, not_failing
    assert all(c["hint"] and c["message"] for c in checks.values())


@pytest.fixture(scope="module")
def solved(fresh, env):
    p = lab("run", "ch14", "--solution", env=env)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return fresh


def test_solution_passes_every_check(solved, env):
    code, checks = check_json(env)
    bad = {i: (c["status"], c["message"]) for i, c in checks.items() if c["status"] != "pass"}
    assert not bad
    assert code == 0
    for behaviour in ("ch14.rolling.traffic", "ch14.rotate.traffic"):
        d = checks[behaviour]["details"]
        assert d["failed"] == 0 and d["requests"] > 100 and d["p99_ms"] >= d["p50_ms"] > 0
    assert checks["ch14.rolling.batches"]["details"]["max_down"] <= 2


def only(env, *ids):
    args = []
    for i in ids:
        args += ["--only", i]
    return check_json(env, *args)[1]


def assert_fails(checks, check_id, *seen):
    c = checks[check_id]
    assert c["status"] == "fail", (check_id, c["status"], c["message"])
    for s in seen:
        assert s in c["message"], c["message"]
    assert c["hint"]


def update(*args):
    p = subprocess.run(["docker", "service", "update", "-q", *args], capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr


def test_rollback_left_at_pause(solved, env, engine):
    update("--update-failure-action", "pause", "shop_web")
    try:
        checks = only(env, "ch14.rollback")
        assert_fails(checks, "ch14.rollback.service", "not rollback")
        assert_fails(checks, "ch14.rollback.auto", "paused")
        # the grader put v1 back after the paused update
        svc = engine.api.inspect_service("shop_web")
        assert svc["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"].startswith("clabs/nginx:v1")
    finally:
        update("--update-failure-action", "rollback", "shop_web")


def test_secret_at_the_wrong_target(solved, env):
    update("--secret-rm", "api-secret-key", "--secret-add",
           "source=api-secret-key,target=/app/my-secrets/api-secret-key", "web")
    try:
        assert_fails(only(env, "ch14.secrets.mounted"), "ch14.secrets.mounted",
                     "/app/my-secrets/api-secret-key")
    finally:
        update("--secret-rm", "api-secret-key", "--secret-add", "api-secret-key",
               "--secret-add", "source=api-secret-key,target=/run/my-secrets/api-secret-key",
               "web")


def test_single_replica_updated_stop_first(solved, env):
    update("--replicas", "1", "--update-order", "stop-first", "web")
    try:
        checks = only(env, "ch14.rotate.traffic")
        assert_fails(checks, "ch14.rotate.traffic", "requests failed")
        assert checks["ch14.rotate.traffic"]["details"]["failed"] > 0
    finally:
        update("--replicas", "2", "--update-order", "start-first", "web")


def test_update_in_progress_is_left_alone(solved, env, engine):
    subprocess.run(["docker", "service", "update", "-d", "-q", "--update-delay", "3s",
                    "--image", "clabs/nginx:v1", "web_web"], check=True, timeout=60)
    try:
        c = only(env, "ch14.rolling.batches")["ch14.rolling.batches"]
        assert c["status"] == "fail" and "being updated" in c["message"], c
    finally:
        update("--update-delay", "1s", "--image", "clabs/nginx:v2", "web_web")
        update("--update-delay", "10s", "web_web")  # settings only: no task restarts


def test_a_service_with_no_running_task_shows_nothing(solved, env):
    # nothing to look at is never a pass: the spec alone says nothing about the tasks
    update("--replicas", "0", "web")
    try:
        checks = only(env, "ch14.secrets")
        assert_fails(checks, "ch14.secrets.hidden", "no running task")
        assert_fails(checks, "ch14.secrets.mounted", "no running task")
    finally:
        update("--replicas", "2", "web")


def test_password_written_into_whoami_conf(solved, env, engine, tmp_path):
    # the password typed into legacy/whoami.conf: the sed has nothing to replace, the
    # task's file holds the value anyway, and the image carries it for anyone to read
    legacy = solved / "legacy"
    (tmp_path / "whoami.conf").write_text(
        (legacy / "whoami.conf").read_text().replace("<<db_password_value>>", "drowssap-1"))
    for name in ("Dockerfile", "entrypoint.sh"):
        (tmp_path / name).write_bytes((legacy / name).read_bytes())
    original = engine.images.get("secrets-demo:1.0").id
    leaky, _ = engine.images.build(path=str(tmp_path), labels={labels.LAB: "ch14"}, rm=True)
    leaky.tag("secrets-demo", "1.0")
    try:
        update("--force", "demo")
        checks = only(env, "ch14.legacy")
        assert_fails(checks, "ch14.legacy.replaced", "<<db_password_value>>")
        assert_fails(checks, "ch14.legacy.hidden", "a file in secrets-demo:1.0", "db-password")
    finally:
        engine.images.get(original).tag("secrets-demo", "1.0")
        update("--force", "demo")
        engine.images.remove(leaky.id, force=True)


def test_the_grader_leaves_nothing_behind(solved, engine):
    left = engine.containers.list(all=True, filters={"label": labels.GRADER})
    assert not left, [c.name for c in left]
    assert not engine.secrets.list(filters={"name": "ch14-grader-rotation"})


def test_env_down_removes_the_lab_and_nothing_else(solved, env, engine):
    from grader.providers.swarm import _marker
    lab_made_the_swarm = _marker("ch14").exists()
    bystander = engine.services.create("clabs/nginx:v1", name="clabs-selftest-bystander")
    try:
        p = lab("env", "down", "ch14", env=env)
        assert p.returncode == 0, p.stderr
        names = {s.name for s in engine.services.list()}
        assert names == {"clabs-selftest-bystander"}, names
        assert not engine.secrets.list() and not engine.configs.list(
            filters={"label": labels.lab_label("ch14")})
        assert not engine.networks.list(names=["ch14-lab"]) or all(
            n.name != "ch14-lab" for n in engine.networks.list(names=["ch14-lab"]))
        assert engine.info()["Swarm"]["LocalNodeState"] == "active", \
            "a swarm with a service that is not the lab's must be kept"
    finally:
        bystander.remove()
        if lab_made_the_swarm:  # put the machine back as the lab found it
            engine.swarm.leave(force=True)
