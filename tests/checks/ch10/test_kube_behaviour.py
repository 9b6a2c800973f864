"""The behaviour checks of ch10's Kubernetes steps (the grader acts, then observes), run
through the runner against the API mock while the test plays the cluster
(tests/checks/ch10/cluster.py): ch10.rollout.heals deletes a user-service pod and waits
for the ReplicaSet's replacement; ch10.echoserver.echoes sends a request through the
Service from a toolbox pod. They pass on the solved cluster, fail on the broken ones
they exist to catch, and leave nothing of the grader's behind.

Faked, so not proven here: a real kubelet and the echo server's real answer (the
program is proven by the image's own tests); on kind, tests/checks/ch10/test_kube_real.py
runs them for real (skipped where there is no cluster).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import chapters, providers, runner
from grader.labels import GRADER
from tests.checks.ch10 import states
from tests.checks.ch10.cluster import Ch10Cluster
from tests.checks.helpers import release_with_solutions

BEHAVIOUR = {"ch10.rollout.heals", "ch10.echoserver.echoes"}
FAST = {"heal_timeout": 10, "request_timeout": 10}


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory) -> Path:
    return release_with_solutions("ch10", tmp_path_factory.mktemp("lab") / "ch10")


@pytest.fixture
def served(kube_mock, monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    providers.choose(chapters.get("ch10"), "existing")   # the cluster part is up

    def start(objects):
        mock = kube_mock(objects, namespace=states.NS)
        monkeypatch.setenv("KUBECONFIG", mock.kubeconfig)
        return mock
    return start


def behave(lab_dir, *only, **params) -> dict:
    results = runner.run(chapters.get("ch10"), lab_dir, namespace=states.NS,
                         layers=["behaviour"], only=list(only or BEHAVIOUR),
                         params={**FAST, **params})
    return {r.check.id: r for r in results if r.check.id in BEHAVIOUR}


def graders(mock) -> list[str]:
    return [f"{o['kind']} {o['metadata']['name']}" for kind in ("Pod", "Service")
            for o in mock.objects(kind, states.NS)
            if (o["metadata"].get("labels") or {}).get(GRADER) == "1"]


def fails(result, *seen: str) -> None:
    assert result.status == "fail", (result.status, result.message)
    for s in seen:
        assert s in result.message, result.message
    assert result.as_dict()["hint"] == result.check.hint != ""


def user_pods(mock) -> set[str]:
    return {p["metadata"]["name"] for p in mock.objects("Pod", states.NS)
            if (p["metadata"].get("labels") or {}).get("name") == "user-service"}


def test_every_behaviour_check_passes_on_the_solved_cluster(served, lab_dir):
    mock = served(states.solved())
    before = user_pods(mock)
    with Ch10Cluster(mock) as cluster:
        results = behave(lab_dir)
    assert cluster.errors == []
    assert set(results) == BEHAVIOUR
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad
    healed = results["ch10.rollout.heals"].details
    assert healed["deleted"] in before and healed["replacement"] not in before
    assert healed["left"] == []
    after = user_pods(mock)
    assert len(after) == 3 and healed["deleted"] not in after and healed["replacement"] in after
    echo = results["ch10.echoserver.echoes"].details
    assert echo["url"].startswith("http://echoserver:8080/ch10/echo-") and echo["exit"] == 0
    assert any(argv[0] == "wget" and argv[-1] == echo["url"] for argv in cluster.requests)
    assert graders(mock) == []


def test_a_pod_nothing_replaces_fails_and_says_what_it_left(served, lab_dir):
    """The ReplicaSet's controller does not replace the pod (the cluster's controller
    manager is down, say): the check fails and names the pod it deleted."""
    mock = served(states.solved())
    with Ch10Cluster(mock) as cluster:
        cluster.replica_sets = lambda: None        # no ReplicaSet controller
        r = behave(lab_dir, "ch10.rollout.heals")["ch10.rollout.heals"]
    fails(r, "no new Ready pod of user-service-", "the grader left:")
    assert len(user_pods(mock)) == 2 and graders(mock) == []


def test_healing_without_the_deployment_fails(served, lab_dir):
    objs = [o for o in states.solved() if not (o["kind"] in ("Deployment", "ReplicaSet")
                                               and o["metadata"]["name"].startswith("user-service"))]
    mock = served(objs)
    with Ch10Cluster(mock):
        r = behave(lab_dir, "ch10.rollout.heals")["ch10.rollout.heals"]
    fails(r, "no Deployment user-service in namespace ch10")


def test_an_echo_server_behind_another_port_fails(served, lab_dir):
    objs = states.solved()
    svc = states.find(objs, "Service", "echoserver")
    svc["spec"]["ports"][0].update(port=80, targetPort=8080)
    mock = served(objs)
    with Ch10Cluster(mock):
        r = behave(lab_dir, "ch10.echoserver.echoes")["ch10.echoserver.echoes"]
    fails(r, "GET http://echoserver:8080/ch10/echo-")
    assert graders(mock) == []


def test_a_service_whose_pods_do_not_echo_fails(served, lab_dir):
    """The Service echoserver selects pods that run another program (an nginx)."""
    objs = states.solved()
    dep = states.find(objs, "Deployment", "echoserver")
    for o in [dep, *states.owned(objs, dep, "ReplicaSet")]:
        o["spec"]["template"]["spec"]["containers"][0]["image"] = "clabs/nginx:v1"
    for rs in states.owned(objs, dep, "ReplicaSet"):
        for p in states.owned(objs, rs):
            p["spec"]["containers"][0]["image"] = "clabs/nginx:v1"
    mock = served(objs)
    with Ch10Cluster(mock):
        r = behave(lab_dir, "ch10.echoserver.echoes")["ch10.echoserver.echoes"]
    fails(r, "which does not echo /ch10/echo-")
