"""ch10 end to end on the real engine, in the order a class goes through it:

1. a fresh environment: every check fails, each with its hint (exit 1);
2. the reference solution executed with papermill: every check passes (exit 0);
3. one broken state at a time, made from the solved one and put back: the check
   that exists to catch it fails, with what it saw and its hint;
4. `lab env down` removes exactly the lab's objects; after `env up` checks fail again.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import chapters, labels, providers, runner
from tests.checks.dockerstate import replaced, retagged, stopped

pytestmark = pytest.mark.engine

LAB = [str(Path(sys.executable).parent / "lab")]
LIVE_LAYERS = ("live", "behaviour")


def lab(*args, env):
    return subprocess.run(LAB + list(args), capture_output=True, text=True, check=False,
                          env={**os.environ, **env}, timeout=1800)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("labhome")


@pytest.fixture(scope="module")
def env(home):
    return {"LAB_HOME": str(home)}


@pytest.fixture(scope="module")
def ch10():
    return chapters.get("ch10")


@pytest.fixture(scope="module")
def fresh(engine, ch10, env):
    """A reset ch10 environment and a student copy with nothing solved."""
    assert lab("env", "down", "ch10", env=env).returncode == 0
    up = lab("env", "up", "ch10", env=env)
    assert up.returncode == 0, up.stderr
    from grader import workspace
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAB_HOME", env["LAB_HOME"])
        ws, _ = workspace.create(ch10)
    return ws


def check_json(env, *extra):
    p = lab("check", "ch10", "--json", *extra, env=env)
    assert p.returncode in (0, 1, 2), p.stderr
    doc = json.loads(p.stdout)
    return p.returncode, {c["id"]: c for c in doc["checks"]}


def test_fresh_environment_fails_with_hints(fresh, env):
    code, checks = check_json(env)
    assert code == 1
    counted = {i: c for i, c in checks.items() if c["status"] != "n/a"}
    assert len(counted) >= 25
    # `env up` builds the lab images, so the one check on them passes from the start
    assert counted.pop("ch10.pull-run.image")["status"] == "pass"
    not_failing = {i: c["status"] for i, c in counted.items() if c["status"] != "fail"}
    assert not not_failing, not_failing
    assert all(c["hint"] and c["message"] for c in counted.values())
    # the Kubernetes steps need the cluster part, which this environment has not
    pending = {i: c for i, c in checks.items() if c["status"] == "n/a"}
    assert "ch10.pod.running" in pending and "ch10.deployment.ready" in pending
    assert all(c["message"].startswith("needs a Kubernetes cluster: run `lab env up ch10 "
                                       "--provider kind`") for c in pending.values()), pending


def test_redis_image_missing(fresh, engine, env):
    # untag it for a moment (a second tag keeps the image, so nothing is rebuilt)
    image = engine.images.get("clabs/redis:7.0")
    image.tag("clabs-selftest/redis-kept", "1")
    try:
        engine.images.remove("clabs/redis:7.0")
        code, checks = check_json(env, "--only", "ch10.pull-run.image")
        assert code == 1
        assert "no image clabs/redis:7.0" in checks["ch10.pull-run.image"]["message"]
    finally:
        image.tag("clabs/redis", "7.0")
        engine.images.remove("clabs-selftest/redis-kept:1")


def test_redis_image_is_na_in_a_grading_sandbox(fresh, env):
    """A class-grading sandbox is given the lab's images by the grader: the image check
    has nothing of the student's to see there, and says so instead of passing."""
    code, checks = check_json({**env, "LAB_GRADING_SANDBOX": "1"}, "--only", "ch10.pull-run.image")
    assert code == 0
    assert checks["ch10.pull-run.image"]["status"] == "n/a"
    assert checks["ch10.pull-run.image"]["message"].startswith(
        "not graded in a class-grading sandbox: the grader loads clabs/redis:7.0")


@pytest.fixture(scope="module")
def solved(fresh, env, home):
    p = lab("run", "ch10", "--solution", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    backups = list(home.glob("ch10.backup-*"))
    assert backups, "the student's workspace must be kept aside, not overwritten"
    return home / "ch10"


def test_solution_passes_every_check(solved, env):
    code, checks = check_json(env)
    bad = {i: (c["status"], c["message"]) for i, c in checks.items()
           if c["status"] not in ("pass", "n/a")}
    assert not bad
    assert code == 0
    # notebooks 06-09 ran with their cluster cells skipped: the files they write pass,
    # and the frontend (Docker) step ran for real
    assert {i for i, c in checks.items() if c["layer"] == "static"} <= \
        {i for i, c in checks.items() if c["status"] == "pass"}
    assert checks["ch10.frontend.serves"]["status"] == "pass"


def test_dump_round_trip_grades_like_the_live_engine(solved, env, tmp_path):
    """`lab dump` then `lab check --from-dump`: every static and state check gives the
    live result; checks that must act or look inside a container say n/a, never fail."""
    dump = tmp_path / "ch10.json"
    p = lab("dump", "ch10", str(dump), env=env)
    assert p.returncode == 0 and dump.is_file(), p.stderr
    doc = json.loads(dump.read_text())
    assert doc["kind"] == "LabDump" and doc["docker"]["containers"] and doc["swarm"] is None
    _, live = check_json(env)
    code, graded = check_json(env, "--from-dump", str(dump))
    assert set(graded) == set(live)
    for cid, c in graded.items():
        if live[cid]["status"] == "n/a":  # planned checks: n/a both ways
            assert c["status"] == "n/a", (cid, c)
        elif live[cid]["layer"] == "behaviour":
            assert c["status"] == "n/a" and "live environment" in c["message"], (cid, c)
        elif c["status"] == "n/a":
            assert live[cid]["status"] == "n/a" or "needs a live environment" in c["message"], (cid, c)
        else:
            assert c["status"] == live[cid]["status"], (cid, c, live[cid])
    assert code == 0
    assert sum(c["status"] == "pass" for c in graded.values()) >= 15


def test_junit_output(solved, env, tmp_path):
    import xml.etree.ElementTree as ET
    out = tmp_path / "ch10.xml"
    p = lab("check", "ch10", "--junit", str(out), env=env)
    assert p.returncode == 0, p.stdout
    root = ET.parse(out).getroot()
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert "total" in p.stdout and "ch10.wire.roundtrip" in p.stdout


def only(solved, *ids):
    res = runner.run(chapters.get("ch10"), solved, only=list(ids))
    return {r.check.id: r for r in res}


def assert_fails(results, check_id, *seen):
    r = results[check_id]
    assert r.status == "fail", (check_id, r.status, r.message)
    for s in seen:
        assert s in r.message, (check_id, r.message)
    assert r.check.hint


def test_redis_without_published_port(solved, engine):
    with replaced(engine, "redis-7.0", ports={}):
        res = only(solved, "ch10.pull-run")
        assert_fails(res, "ch10.pull-run.port", "no host port")
        assert_fails(res, "ch10.pull-run.reachable")
        assert res["ch10.pull-run.ping"].status == "pass"
    assert only(solved, "ch10.pull-run.port")["ch10.pull-run.port"].status == "pass"


def test_redis_container_not_running_redis(solved, engine):
    with replaced(engine, "redis-7.0", command=["sleep", "600"], entrypoint=None):
        res = only(solved, "ch10.pull-run.ping", "ch10.wire.ready")
        assert_fails(res, "ch10.pull-run.ping")
        assert_fails(res, "ch10.wire.ready", "503")


def test_redis_stopped(solved, engine):
    with stopped(engine, "redis-7.0"):
        assert_fails(only(solved, "ch10.pull-run.container"), "ch10.pull-run.container", "exited")


def test_user_on_host_network(solved, engine):
    with replaced(engine, "user", network="host"):
        res = only(solved, "ch10.wire.network")
        assert_fails(res, "ch10.wire.network", "--network host")


def test_redis_off_the_lab_network(solved, engine):
    net = engine.networks.get("ch10-lab")
    net.disconnect("redis-7.0")
    try:
        res = only(solved, "ch10.wire.network", "ch10.wire.ready")
        assert_fails(res, "ch10.wire.network", "no user-defined network")
        assert_fails(res, "ch10.wire.ready")
    finally:
        net.connect("redis-7.0")


def test_user_pointed_at_localhost(solved, engine):
    env = engine.containers.get("user").attrs["Config"]["Env"]
    bad = [e if not e.startswith("REDIS_ADDR=") else "REDIS_ADDR=localhost:6379" for e in env]
    with replaced(engine, "user", environment=bad):
        res = only(solved, "ch10.wire.config", "ch10.wire.ready")
        assert_fails(res, "ch10.wire.config", "REDIS_ADDR")
        assert_fails(res, "ch10.wire.ready")


def test_database_without_the_table(solved, engine, grader_image_labels):
    # a stand-in image with no init.sql: the database comes up empty
    with retagged(engine, "mysql-for-user:v1", "clabs/mariadb:10.11"):
        env = engine.containers.get("mysql").attrs["Config"]["Env"]
        with replaced(engine, "mysql", image="mysql-for-user:v1",
                      environment=env + ["MYSQL_DATABASE=user"]):
            res = only(solved, "ch10.db-image")
            assert_fails(res, "ch10.db-image.image", "no init script")
            assert_fails(res, "ch10.db-image.initialised", "no init script")


def test_password_baked_into_db_image(solved, engine, tmp_path, grader_image_labels):
    (tmp_path / "Dockerfile").write_text(
        "FROM mysql-for-user:v1\nENV MYSQL_ROOT_PASSWORD=123456\n")
    img, _ = engine.images.build(path=str(tmp_path), tag="clabs-selftest/db-with-password:1",
                                 labels=grader_image_labels, rm=True)
    try:
        with retagged(engine, "mysql-for-user:v1", img.id):
            assert_fails(only(solved, "ch10.db-image.image"), "ch10.db-image.image",
                         "MYSQL_ROOT_PASSWORD")
    finally:
        engine.images.remove(img.id, force=True)


def test_big_final_image_and_a_binary_that_does_not_start(solved, engine, tmp_path,
                                                          grader_image_labels):
    with retagged(engine, "user:v2", "clabs/golang:1.19"):
        assert_fails(only(solved, "ch10.multistage.size"), "ch10.multistage.size", "MB")
    (tmp_path / "Dockerfile").write_text('FROM clabs/debian:bookworm\nENTRYPOINT ["false"]\n')
    img, _ = engine.images.build(path=str(tmp_path), tag="clabs-selftest/exits:1",
                                 labels=grader_image_labels, rm=True)
    try:
        with retagged(engine, "user:v1", img.id):
            assert_fails(only(solved, "ch10.dockerfile.runs"), "ch10.dockerfile.runs",
                         "stopped")
    finally:
        engine.images.remove(img.id, force=True)


def test_compose_service_down(solved, engine):
    ctr = next(c for c in engine.containers.list(
        filters={"label": ["com.docker.compose.project=ch10",
                           "com.docker.compose.service=redis"]}))
    with stopped(engine, ctr.name):
        assert_fails(only(solved, "ch10.compose.running"), "ch10.compose.running", "exited")


def test_grader_leaves_nothing_behind(solved, engine):
    left = engine.containers.list(all=True, filters={"label": f"{labels.GRADER}=1"})
    assert not left, [c.name for c in left]


def test_env_down_removes_the_lab_and_nothing_else(solved, engine, env):
    bystander = engine.containers.run("clabs/redis:7.0", detach=True,
                                      name="not-part-of-the-lab", labels={"purpose": "bystander"})
    try:
        p = lab("env", "down", "ch10", env=env)
        assert p.returncode == 0, p.stderr
        assert "removed" in p.stdout
        status = providers.for_chapter(chapters.get("ch10"), engine).status()
        assert status.objects == {} and status.network is None
        assert engine.containers.get("not-part-of-the-lab").status == "running"
        assert engine.images.list(name="clabs/redis")  # lab images stay
        assert not engine.images.list(name="user")     # the student's images go
        assert lab("env", "up", "ch10", env=env).returncode == 0
        code, checks = check_json(env, "--lab-dir", str(solved))
        assert code == 1
        assert checks["ch10.pull-run.container"]["status"] == "fail"
        assert checks["ch10.multistage.stages"]["status"] == "pass"  # files are kept
    finally:
        bystander.remove(force=True, v=True)
