"""The swarm snapshot and the grader's spec changes, on a recorded solved ch14 swarm
(fixtures/swarm_ch14_solved.json, dumped from the engine's API)."""

import json
from pathlib import Path

import pytest

from grader import rollout
from grader.state.swarm import Service, SwarmState

DUMP = json.loads((Path(__file__).parent / "fixtures" / "swarm_ch14_solved.json").read_text())


@pytest.fixture
def snap():
    return SwarmState("active", True, services=[Service(s) for s in DUMP["services"]],
                      tasks=DUMP["tasks"], configs=DUMP["configs"], secrets=DUMP["secrets"])


def test_rolling_service(snap):
    web = snap.service("web_web")
    assert web.replicas == 10 and web.image == "clabs/nginx:v2"
    assert web.update_config["Parallelism"] == 2 and web.update_delay == 10.0
    assert web.update_config["Order"] == "stop-first"  # swarm's default, filled in
    assert len(snap.running_tasks(web)) == 10
    assert {snap.task_image(t) for t in snap.running_tasks(web)} == {"clabs/nginx:v2"}


def test_rollback_service(snap):
    shop = snap.service("shop_web")
    assert shop.update_config["FailureAction"] == "rollback" and shop.update_monitor == 10.0
    assert shop.healthcheck == {"test": shop.healthcheck["test"], "interval": 2.0,
                                "timeout": 2.0, "retries": 3, "start_period": 2.0}
    assert shop.update_status == "rollback_completed"


def test_secrets_and_configs(snap):
    web = snap.service("web")
    targets = {(s["name"], s["target"]) for s in web.secrets}
    assert ("api-secret-key", "/run/my-secrets/api-secret-key") in targets
    assert ("db-password-v2", "db-password") in targets
    nginx = snap.service("nginx")
    assert nginx.configs == [{"name": "app.properties",
                              "target": "/etc/my-app/conf/app.properties", "mode": 0o440}]
    assert snap.config("hello-config") and snap.secret("api-secret-key")
    assert snap.service("nope") is None


def test_not_a_manager():
    with pytest.raises(AssertionError, match="lab env up ch14"):
        SwarmState("inactive", False).require_manager()


def test_with_changes_touches_one_thing():
    spec = next(s for s in DUMP["services"] if s["Spec"]["Name"] == "web_web")["Spec"]
    new = rollout.with_changes(spec, image="clabs/nginx:v1", delay_s=1.5, order="start-first")
    assert new["TaskTemplate"]["ContainerSpec"]["Image"] == "clabs/nginx:v1"
    assert new["UpdateConfig"]["Delay"] == 1_500_000_000
    assert new["UpdateConfig"]["Order"] == "start-first"
    assert spec["TaskTemplate"]["ContainerSpec"]["Image"].startswith("clabs/nginx:v2")
    new["TaskTemplate"]["ContainerSpec"]["Image"] = spec["TaskTemplate"]["ContainerSpec"]["Image"]
    new["UpdateConfig"] = spec["UpdateConfig"]
    assert new == spec


def test_busy_service_is_refused():
    with pytest.raises(AssertionError, match="being updated"):
        rollout.ensure_idle({"Spec": {"Name": "web_web"}, "UpdateStatus": {"State": "updating"}})
    rollout.ensure_idle({"Spec": {"Name": "web_web"}, "UpdateStatus": {"State": "completed"}})
