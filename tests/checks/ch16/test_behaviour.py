"""The ch16 behaviour checks (the grader acts, then observes), run through the runner
against the API mock while the test plays the cluster (tests/checks/ch16/cluster.py:
the Deployment, ReplicaSet and endpoint-slice controllers, the kubelet, and — the
boundary that is faked — the programs in the grader's pods: the toolbox's requests,
the loadgen pod's requests and log, the copy's look inside the program). They pass on
the solved state, fail on the broken ones they exist to catch, leave nothing behind and
say what they left when they cannot restore it.

Faked, so not proven here: kube-proxy's real switch-over timing, the kubelet's SIGTERM
on a lowered activeDeadlineSeconds and the log kept after it, real exec and ptrace
rights. The scripts the grader runs inside the copy are run for real against Docker
(test_the_look_inside_scripts_on_docker), loadgen's output against the real program
(tests/grader/kube/test_traffic.py), and the whole on kind where it exists
(test_on_a_real_cluster, skipped here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import chapters, runner
from grader.kube import rollouts, services
from grader.kube.actions import is_ready
from grader.labels import GRADER
from tests.checks.ch16 import states, variants
from tests.checks.ch16.cluster import Cluster
from tests.checks.helpers import release_with_solutions

BEHAVIOUR = {"ch16.web.http", "ch16.db.connect", "ch16.liveness.restart", "ch16.rolling.traffic",
             "ch16.blue-green.switch", "ch16.secret-volume.inside", "ch16.secret-env.inside"}
FAST = {"request_timeout": 10, "rollout_timeout": 30, "hold": 0.3, "warmup": 10,
        "inside_timeout": 10, "restart_timeout": 3, "restart_backoff": 1}


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory, ch16_chapter) -> Path:
    return release_with_solutions("ch16", tmp_path_factory.mktemp("lab") / "ch16")


@pytest.fixture
def served(kube_mock, monkeypatch):
    def start(objects):
        mock = kube_mock(objects, namespace=states.NS)
        monkeypatch.setenv("KUBECONFIG", mock.kubeconfig)
        return mock
    return start


def behave(lab_dir, *only, **params) -> dict:
    results = runner.run(chapters.CHAPTERS["ch16"], lab_dir, namespace=states.NS,
                         layers=["behaviour"], only=list(only or BEHAVIOUR), params={**FAST, **params})
    return {r.check.id: r for r in results}


def graders(mock) -> list[str]:
    return [f"{o['kind']} {o['metadata']['name']}" for kind in ("Pod", "Service")
            for o in mock.objects(kind, states.NS)
            if (o["metadata"].get("labels") or {}).get(GRADER) == "1"]


def fails(result, *seen: str) -> None:
    assert result.status == "fail", (result.status, result.message)
    for s in seen:
        assert s in result.message, result.message
    assert result.as_dict()["hint"] == result.check.hint != ""


def test_every_behaviour_check_passes_on_the_solved_cluster(served, lab_dir, tmp_path):
    mock = served(states.solved())
    web_before = mock.get("Deployment", "web")
    with Cluster(mock, restart_every=0.5) as cluster:
        results = behave(lab_dir)
    assert cluster.errors == []
    assert set(results) == BEHAVIOUR
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad
    traffic = results["ch16.rolling.traffic"].details
    assert traffic["requests"] > 0 and traffic["failed"] == 0 and traffic["p99_ms"] >= traffic["p50_ms"] > 0
    assert traffic["left"] == [] and len(traffic["rollouts"]) == 3
    switch = results["ch16.blue-green.switch"].details
    assert set(switch["answers"]) == {"Pets Demo Application", "Pets Demo Application v2"}
    assert switch["switched"] == "green -> blue -> green"
    # put back as found: web's template, the Service's colour; nothing of the grader's left
    web = mock.get("Deployment", "web")
    assert rollouts.same_template(web["spec"]["template"], web_before["spec"]["template"])
    assert mock.get("Service", "web")["spec"]["selector"]["color"] == "green"
    assert graders(mock) == []
    assert not [p for p in mock.objects("Pod", states.NS)
                if "org.container-labs.grader-traffic" in (p["metadata"].get("labels") or {})]
    copies = cluster.copies
    assert len(copies) == 2 and all(
        c["metadata"]["labels"] == {"org.container-labs.lab": "ch16", "org.container-labs.created-by": "grader",
                                    GRADER: "1"}
        and c["spec"]["restartPolicy"] == "Never" and c["spec"]["shareProcessNamespace"]
        and "ephemeralContainers" not in c["spec"] and not c["metadata"].get("ownerReferences")
        and c["spec"]["containers"][-1]["securityContext"]["capabilities"]["add"] == ["SYS_PTRACE"]
        for c in copies)
    # what the grader did leaves the live checks passing: the history is still an undo's
    p = tmp_path / "after.json"
    p.write_text(json.dumps(states.as_list(mock.objects(None, states.NS))))
    after = runner.run(chapters.CHAPTERS["ch16"], lab_dir, dump=p, namespace=states.NS, layers=["live"])
    assert {r.check.id: r.status for r in after if r.status != "pass"} == {}


def test_an_update_without_a_readiness_probe_loses_requests(served, lab_dir):
    """Pods Ready as they start, before their program answers: requests fail."""
    objs = states.solved()
    web = states.find(objs, "Deployment", "web")
    for o in [web, *states.owned(objs, web, "ReplicaSet")]:
        o["spec"]["template"]["spec"]["containers"][0].pop("readinessProbe", None)
    for p in variants._pods_of(objs, "web"):
        del p["spec"]["containers"][0]["readinessProbe"]
    mock = served(states.settle(objs))
    with Cluster(mock, program_start=0.5) as cluster:
        r = behave(lab_dir, "ch16.rolling.traffic")["ch16.rolling.traffic"]
    assert cluster.errors == []
    fails(r, "requests failed", "during the update and the undo", "connect: connection refused")
    assert r.details["failed"] > 0
    assert rollouts.same_template(mock.get("Deployment", "web")["spec"]["template"], web["spec"]["template"])
    assert graders(mock) == []


def test_recreate_loses_requests(served, lab_dir):
    objs = states.solved()
    states.find(objs, "Deployment", "web")["spec"]["strategy"] = {"type": "Recreate"}
    mock = served(objs)
    with Cluster(mock):
        r = behave(lab_dir, "ch16.rolling.traffic")["ch16.rolling.traffic"]
    fails(r, "requests failed")


def test_an_update_that_never_finishes_is_put_back(served, lab_dir):
    """clabs/pets-web:2.1 is not on the nodes: the rollout hangs; the grader fails the
    check and rolls web back to the template it found."""
    mock = served(states.solved())
    before = mock.get("Deployment", "web")["spec"]["template"]
    with Cluster(mock, missing_images=("clabs/pets-web:2.1",)) as cluster:
        r = behave(lab_dir, "ch16.rolling.traffic", rollout_timeout=3)["ch16.rolling.traffic"]
    assert cluster.errors == []
    fails(r, "Deployment web had not rolled out 3s after the grader changed it", "ImagePullBackOff")
    web = mock.get("Deployment", "web")
    assert rollouts.same_template(web["spec"]["template"], before)
    assert r.details["left"] == [] and graders(mock) == []


def test_a_deployment_left_on_2_1_is_not_touched(served, lab_dir):
    mock = served(variants.VARIANTS["rolling-not-undone"][0]())
    rv = mock.get("Deployment", "web")["metadata"]["resourceVersion"]
    with Cluster(mock):
        r = behave(lab_dir, "ch16.rolling.traffic")["ch16.rolling.traffic"]
    fails(r, "Deployment web runs clabs/pets-web:2.1: the grader updates it from clabs/pets-web:2.0")
    assert mock.get("Deployment", "web")["metadata"]["resourceVersion"] == rv


def test_the_loadgen_image_missing_is_an_error(served, lab_dir):
    mock = served(states.solved())
    with Cluster(mock, missing_images=("clabs/loadgen:1.0",)):
        r = behave(lab_dir, "ch16.blue-green.switch")["ch16.blue-green.switch"]
    assert r.status == "error", r.message
    assert "the grader's traffic pod (clabs/loadgen:1.0)" in r.message and "ImagePullBackOff" in r.message
    assert mock.get("Service", "web")["spec"]["selector"]["color"] == "green"  # nothing changed
    assert graders(mock) == []


def test_a_colour_without_ready_pods_is_not_switched_to(served, lab_dir):
    objs = states.solved()
    for p in [o for o in objs if o["kind"] == "Pod" and o["metadata"]["name"].startswith("web-blue-")]:
        states.set_condition(p, ready=False, waiting=("CrashLoopBackOff", "back-off"))
    mock = served(states.settle(objs))
    with Cluster(mock):
        r = behave(lab_dir, "ch16.blue-green.switch")["ch16.blue-green.switch"]
    fails(r, "no ready pod of web-blue: switching Service web to it would fail every request")
    assert mock.get("Service", "web")["spec"]["selector"]["color"] == "green"


def test_both_colours_on_one_version_release_nothing(served, lab_dir):
    objs = states.solved()
    for o in objs:
        if o["kind"] in ("Pod", "ReplicaSet", "Deployment") and o["metadata"]["name"].startswith("web-green"):
            spec = o["spec"].get("template", {}).get("spec") or o["spec"]
            spec["containers"][0]["image"] = "clabs/pets-web:2.0"
    mock = served(objs)
    with Cluster(mock):
        r = behave(lab_dir, "ch16.blue-green.switch")["ch16.blue-green.switch"]
    fails(r, "both colours answer the same")


def test_a_switch_back_that_fails_says_what_it_left(served, lab_dir, monkeypatch):
    """The API server refuses the grader's second patch: the check errors, and says
    the Service still selects blue, with the command that puts it back."""
    from grader.errors import LabError
    mock = served(states.solved())
    real = services.set_selector_label
    calls = []

    def flaky(session, name, key, old, new):
        calls.append(new)
        if len(calls) > 1:
            raise LabError("the cluster answered 500 to set color in the selector of service web")
        return real(session, name, key, old, new)
    monkeypatch.setattr(services, "set_selector_label", flaky)
    with Cluster(mock):
        r = behave(lab_dir, "ch16.blue-green.switch")["ch16.blue-green.switch"]
    assert r.status == "error", r.message
    assert "(the grader left: Service web selects color=blue" in r.message
    assert "kubectl patch service web -p '{\"spec\":{\"selector\":{\"color\":\"green\"}}}'" in r.message
    assert calls == ["blue", "green", "green"]
    assert graders(mock) == []


def test_probes_demo_that_is_not_restarted(served, lab_dir):
    mock = served(variants.VARIANTS["probes-demo-not-restarted"][0]())
    with Cluster(mock, restart_every=None):
        r = behave(lab_dir, "ch16.liveness.restart")["ch16.liveness.restart"]
    fails(r, "pod probes-demo was not restarted within 4s: its restart count stayed at 0")


@pytest.mark.parametrize("variant, check_id, seen", [
    ("secret-mount-writable", "ch16.secret-volume.inside", ("/etc/secrets is mounted rw,relatime inside "
                                                           "the container, not ro")),
    ("secret-with-newlines", "ch16.secret-volume.inside", "/etc/secrets/username holds 'john.doe\\n', not 'john.doe'"),
    ("secret-with-newlines", "ch16.secret-env.inside", "PETS_USERNAME='john.doe\\n', not 'john.doe'"),
    ("green-image-missing", "ch16.web.http", "GET http://web:3000/ from a pod in ch16: exit 4"),
    ("db-service-selects-nothing", "ch16.db.connect", "db:5432 resolves but accepts no connection"),
])
def test_broken_states_fail_the_behaviour_checks(variant, check_id, seen, served, lab_dir):
    mock = served(variants.VARIANTS[variant][0]())
    with Cluster(mock) as cluster:
        r = behave(lab_dir, check_id)[check_id]
    assert cluster.errors == []
    fails(r, seen)
    assert graders(mock) == []


def test_a_key_the_secret_lacks_keeps_the_program_from_starting(served, lab_dir):
    objs = states.solved()
    for p in variants._pods_of(objs, "web-secret-env"):
        p["spec"]["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]["key"] = "user"
    mock = served(objs)
    with Cluster(mock):
        r = behave(lab_dir, "ch16.secret-env.inside")["ch16.secret-env.inside"]
    fails(r, "pets-web did not start")


def test_the_copys_toolbox_missing_is_an_error(served, lab_dir):
    mock = served(states.solved())
    with Cluster(mock, missing_images=("clabs/toolbox:1.0",)):
        r = behave(lab_dir, "ch16.secret-volume.inside")["ch16.secret-volume.inside"]
    assert r.status == "error" and "cannot start: ImagePullBackOff" in r.message, r.message
    assert graders(mock) == []


def test_behaviour_checks_are_not_applicable_to_a_dump(lab_dir, tmp_path):
    p = tmp_path / "dump.json"
    p.write_text(json.dumps(states.lab_dump(states.solved())))
    results = runner.run(chapters.CHAPTERS["ch16"], lab_dir, dump=p, namespace=states.NS,
                         layers=["behaviour"])
    assert {r.check.id for r in results} == BEHAVIOUR
    assert {r.status for r in results} == {"n/a"}


def test_the_grader_pods_it_runs(served, lab_dir):
    """The toolbox's requests as the checks send them."""
    mock = served(states.solved())
    with Cluster(mock) as cluster:
        behave(lab_dir, "ch16.web.http", "ch16.db.connect")
    assert cluster.requests[0] == ["wget", "-qO-", "-T", "10", "-t", "1", "http://web:3000/"]
    assert cluster.requests[1][:2] == ["sh", "-c"] and "nc -z -w 5 db 5432" in cluster.requests[1][2]
    assert all(is_ready(p) or p["metadata"]["name"] == "readiness-demo"
               for p in mock.objects("Pod", states.NS))
