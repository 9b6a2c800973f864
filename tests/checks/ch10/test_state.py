"""ch10 state checks on made-up engine states (graded as dumps: no engine needed):
the compose project is healthy only when its stores say so."""

import json

import pytest

from grader import chapters, runner
from tests.checks.helpers import release_with_solutions


def _container(service: str, image: str, health: str | None) -> dict:
    return {"Name": f"/ch10-{service}-1", "Id": f"id-{service}", "Image": f"sha256:{service}",
            "State": {"Status": "running", **({"Health": {"Status": health}} if health else {})},
            "Config": {"Image": image, "Env": [], "Labels": {
                "com.docker.compose.project": "ch10", "com.docker.compose.service": service}},
            "HostConfig": {"NetworkMode": "ch10_default"},
            "NetworkSettings": {"Networks": {"ch10_default": {}}, "Ports": {}}}


def _grade_compose(tmp_path, health: dict) -> object:
    dump = tmp_path / "ch10.json"
    images = {"user": "user:v2", "mysql": "mysql-for-user:v1", "redis": "clabs/redis:7.0"}
    dump.write_text(json.dumps({
        "apiVersion": "container-labs/v1", "kind": "LabDump", "chapter": "ch10",
        "swarm": None, "kube": None,
        "docker": {"endpoint": "", "images": [], "networks": [], "containers": [
            _container(s, images[s], health.get(s)) for s in images]}}))
    lab = release_with_solutions("ch10", tmp_path / "ch10")
    results = runner.run(chapters.get("ch10"), lab, only=["ch10.compose.running"], dump=dump)
    return results[0]


def test_healthy_stores_pass(tmp_path):
    r = _grade_compose(tmp_path, {"mysql": "healthy", "redis": "healthy"})
    assert r.status == "pass", r.message


@pytest.mark.parametrize("health,seen", [
    ({"mysql": "healthy"}, "redis has no health check"),           # no check: not healthy
    ({"mysql": "starting", "redis": "healthy"}, "mysql is starting"),
])
def test_a_store_without_a_healthy_health_check_fails(tmp_path, health, seen):
    r = _grade_compose(tmp_path, health)
    assert r.status == "fail" and seen in r.message, (r.status, r.message)
    assert r.as_dict()["hint"]
