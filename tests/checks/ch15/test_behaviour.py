"""The ch15 behaviour checks (the grader acts, then observes), run through the runner
against the API mock while the test plays the cluster's parts (cluster.Controllers: the
kubelet starts pods and runs the grader's toolbox pods' requests against the mock's
services, endpoints and ingress rules; the ReplicaSet controller replaces a deleted
rs-web pod). They pass on the solved state, fail when the cluster does not do its part,
leave nothing behind, and say what they left when they could not restore it.

Exec (reading /data/sample.txt) goes through a stand-in for ``kubernetes.stream``
(cluster.FakeExec): the mock serves no exec.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import chapters, runner
from grader.kube import actions
from tests.checks.ch15 import cluster, states, variants
from tests.checks.helpers import release_with_solutions

CH15 = chapters.CHAPTERS["ch15"]
BEHAVIOUR = ("ch15.first-pod.http", "ch15.volume.survives", "ch15.replicaset.heals",
             "ch15.ingress.routes")
SAMPLE = {"my-data-claim": {"/sample.txt": "Hello world!\n"}}


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory) -> Path:
    return release_with_solutions("ch15", tmp_path_factory.mktemp("lab") / "ch15")


@pytest.fixture
def served(kube_mock, monkeypatch):
    """``served(objects)`` → the mock serving them, KUBECONFIG pointing at it, and the
    exec stand-in in place (a file on the claim's volume)."""
    def start(objects, files=SAMPLE):
        mock = kube_mock(objects)
        monkeypatch.setenv("KUBECONFIG", mock.kubeconfig)
        fake = cluster.FakeExec(mock, files)
        monkeypatch.setattr(actions, "_stream", fake)
        return mock, fake
    return start


def behave(lab_dir, *only, **params) -> dict:
    results = runner.run(CH15, lab_dir, namespace=states.NS, layers=["behaviour"],
                         only=list(only or BEHAVIOUR),
                         params={"heal_timeout": 10, "recreate_timeout": 10,
                                 "request_timeout": 10, **params})
    return {r.check.id: r for r in results}


def grader_pods(mock) -> list[str]:
    return [p["metadata"]["name"] for p in mock.objects("Pod", states.NS)
            if (p["metadata"].get("labels") or {}).get("org.container-labs.grader") == "1"
            and p["metadata"]["name"] != "web-pod"]


def test_every_behaviour_check_passes_on_the_solved_cluster(served, lab_dir):
    mock, fake = served(states.solved())
    web_uid = mock.get("Pod", "web-pod")["metadata"]["uid"]
    with cluster.Controllers(mock) as ctl:
        results = behave(lab_dir)
    assert set(results) == set(BEHAVIOUR)
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad
    # what the grader did, and that it put everything back
    heal = results["ch15.replicaset.heals"].details
    assert heal["replacement"] in ctl.replacements and heal["left"] == []
    assert len([p for p in mock.objects("Pod", states.NS) if p["metadata"]["name"].startswith("rs-web-")]) == 3
    new_web = mock.get("Pod", "web-pod")
    assert new_web["metadata"]["uid"] != web_uid and actions.is_ready(new_web)
    assert "org.container-labs.grader=1 added" in results["ch15.volume.survives"].details["recreated"]
    assert [c["command"] for c in fake.calls] == [["cat", "/data/sample.txt"]] * 2
    assert ("example.com", "http://ingress-nginx-controller.ingress-nginx.svc/web") in ctl.requests
    assert ("nginx-service", "http://nginx-service:8080/") in ctl.requests
    assert results["ch15.first-pod.http"].details["status"] == "200"
    assert grader_pods(mock) == []  # the toolbox pods are gone


def test_no_replacement_fails_and_says_what_was_left(served, lab_dir):
    mock, _ = served(states.solved())
    with cluster.Controllers(mock, replace=False):
        r = behave(lab_dir, "ch15.replicaset.heals", heal_timeout=1)["ch15.replicaset.heals"]
    assert r.status == "fail", r.message
    assert "no new Ready pod of rs-web 1s after the grader deleted rs-web-" in r.message
    assert "(the grader left: rs-web has 2 Ready pod(s) of 3: the grader deleted rs-web-" in r.message
    assert r.as_dict()["hint"] == r.check.hint
    assert r.details["left"]


def test_a_slow_replacement_within_the_bound_passes(served, lab_dir):
    mock, _ = served(states.solved())
    with cluster.Controllers(mock, start_delay=1.5):
        r = behave(lab_dir, "ch15.replicaset.heals", heal_timeout=8)["ch15.replicaset.heals"]
    assert r.status == "pass", r.message
    assert r.details["seconds"] >= 1.5


def test_a_file_outside_the_claim_does_not_survive(served, lab_dir):
    """The file was on the pod's own filesystem (or an emptyDir): the first read finds
    it, the recreated pod does not."""
    mock, fake = served(states.solved())
    original = fake._cat
    uid = mock.get("Pod", "web-pod")["metadata"]["uid"]

    def first_pod_only(p, container, path):
        if p["metadata"]["uid"] == uid:
            return original(p, container, path)
        return "", f"cat: {path}: No such file or directory\n", {
            "status": "Failure", "details": {"causes": [{"reason": "ExitCode", "message": "1"}]}}
    fake._cat = first_pod_only
    with cluster.Controllers(mock):
        r = behave(lab_dir, "ch15.volume.survives")["ch15.volume.survives"]
    assert r.status == "fail", r.message
    assert "after the grader recreated web-pod, /data/sample.txt gave exit 1: cat: " in r.message
    assert mock.get("Pod", "web-pod") is not None  # put back all the same


def test_a_file_never_written_is_reported_before_anything_changes(served, lab_dir):
    mock, _ = served(states.solved(), files={})
    uid = mock.get("Pod", "web-pod")["metadata"]["uid"]
    with cluster.Controllers(mock):
        r = behave(lab_dir, "ch15.volume.survives")["ch15.volume.survives"]
    assert r.status == "fail" and "before the grader changed anything" in r.message
    assert mock.get("Pod", "web-pod")["metadata"]["uid"] == uid  # untouched


def test_a_recreated_pod_that_never_starts_fails(served, lab_dir, monkeypatch):
    mock, _ = served(states.solved())
    with cluster.Controllers(mock) as ctl:
        monkeypatch.setattr(ctl, "start", lambda p: (_ for _ in ()).throw(RuntimeError("no kubelet")))
        r = behave(lab_dir, "ch15.volume.survives", recreate_timeout=1)["ch15.volume.survives"]
    assert r.status == "fail" and "pod web-pod was not Ready within 1s" in r.message


@pytest.mark.parametrize("variant, check_id, seen", [
    ("ingress-wrong-host", "ch15.ingress.routes", "the server answered an HTTP error"),
    ("ingress-wrong-port", "ch15.ingress.routes", "the server answered an HTTP error"),
    ("service-selector-mismatch", "ch15.ingress.routes", "the server answered an HTTP error"),
    ("pod-without-label", "ch15.first-pod.http", "GET http://nginx-service:8080/ from a pod in ch15: no answer (exit 4)"),
])
def test_requests_fail_on_broken_routing(variant, check_id, seen, served, lab_dir):
    mock, _ = served(variants.VARIANTS[variant][0]())
    with cluster.Controllers(mock):
        r = behave(lab_dir, check_id)[check_id]
    assert r.status == "fail", r.message
    assert seen in r.message
    assert grader_pods(mock) == []


def test_a_prefix_of_slash_serves_web_too(served, lab_dir):
    """Path / (Prefix) matches /web as well: the request gets the page (the live check
    ch15.ingress.rule still fails it for not being the rule the step asks for)."""
    mock, _ = served(variants.VARIANTS["ingress-wrong-path"][0]())
    with cluster.Controllers(mock):
        r = behave(lab_dir, "ch15.ingress.routes")["ch15.ingress.routes"]
    assert r.status == "pass", r.message


def test_an_ingress_controller_that_is_not_there_is_an_error(served, lab_dir, monkeypatch):
    mock, _ = served(states.solved())
    with cluster.Controllers(mock) as ctl:
        monkeypatch.setattr(ctl, "http", lambda argv: (4, ""))
        r = behave(lab_dir, "ch15.ingress.routes")["ch15.ingress.routes"]
    assert r.status == "error" and "is ingress-nginx installed?" in r.message


def test_a_toolbox_that_never_runs_is_an_error(served, lab_dir):
    mock, _ = served(states.solved())  # no kubelet: the pod never starts
    r = behave(lab_dir, "ch15.first-pod.http", request_timeout=1)["ch15.first-pod.http"]
    assert r.status == "error" and "did not finish within 1s" in r.message
    assert grader_pods(mock) == []


def test_behaviour_checks_are_not_applicable_to_a_dump(lab_dir, tmp_path):
    p = tmp_path / "dump.json"
    p.write_text(json.dumps(states.lab_dump(states.solved(), states.docker())))
    results = runner.run(CH15, lab_dir, dump=p, namespace=states.NS, layers=["behaviour"])
    assert {r.check.id for r in results} == set(BEHAVIOUR)
    assert {r.status for r in results} == {"n/a"}


# ---- on a real kind cluster (where kind and a Docker engine exist) ----------------------------


@pytest.fixture(scope="module")
def kind_cluster(tmp_path_factory):
    """``lab env up ch15`` (kind cluster, images loaded, ingress-nginx, namespace ch15);
    ``lab env down ch15`` afterwards. Skipped, with the reason, where kind is missing:
    these tests are then not run, and not counted as passing."""
    import os
    import shutil
    import subprocess
    import sys
    if not shutil.which("kind"):
        pytest.skip("kind is not installed: the ch15 checks against a real cluster (exec, "
                    "the ReplicaSet controller, ingress-nginx) run where kind and a Docker "
                    "engine are")
    home = tmp_path_factory.mktemp("labhome")
    env = {**os.environ, "LAB_HOME": str(home)}
    lab = [str(Path(sys.executable).parent / "lab")]
    up = subprocess.run(lab + ["env", "up", "ch15"], capture_output=True, text=True, env=env,
                        timeout=1800, check=False)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        from grader.kube import labconfig
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("LAB_HOME", str(home))
            yield env, labconfig.path("ch15")
    finally:
        subprocess.run(lab + ["env", "down", "ch15"], capture_output=True, text=True, env=env,
                       timeout=900, check=False)


def test_on_a_real_cluster(kind_cluster, lab_dir, monkeypatch):
    """The reference manifests applied to kind: every ch15 cluster check passes, the
    behaviour checks included (a real exec, a real ReplicaSet controller, a real
    ingress controller); then erratum 4 (the label removed) fails its check."""
    import subprocess

    from grader.providers.kindtools import kubectl_binary
    env, kubeconfig = kind_cluster
    kubectl = [kubectl_binary(), "--kubeconfig", str(kubeconfig), "-n", states.NS]

    def k(*args, timeout=240):
        p = subprocess.run(kubectl + list(args), capture_output=True, text=True, env=env,
                           timeout=timeout, check=False)
        assert p.returncode == 0, f"kubectl {' '.join(args)}: {p.stdout}{p.stderr}"
        return p.stdout
    solutions = chapters.LABS / "ch15" / "solutions"
    for name in ("sample-pod.yaml", "sample-service.yaml", "volume-claim.yaml", "pod-with-vol.yaml",
                 "replicaset.yaml", "web-service.yaml", "ingress.yaml"):
        k("apply", "-f", str(solutions / name))
    k("wait", "--for=condition=Ready", "pod", "--all", "--timeout=180s", timeout=240)
    k("exec", "web-pod", "-c", "web", "--", "sh", "-c", "echo 'Hello world!' > /data/sample.txt")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    only = ["ch15.local-cluster", "ch15.first-pod", "ch15.pod-spec", "ch15.volume",
            "ch15.replicaset", "ch15.deployment-service", "ch15.ingress"]
    results = {r.check.id: r for r in runner.run(CH15, lab_dir, namespace=states.NS,
                                                 layers=["live", "behaviour"], only=only)}
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad
    k("label", "pod", "nginx", "app-")
    try:
        r = {r.check.id: r for r in runner.run(CH15, lab_dir, namespace=states.NS, layers=["live"],
                                               only=["ch15.first-pod.endpoints"])}
        assert r["ch15.first-pod.endpoints"].status == "fail"
        assert "has no endpoints" in r["ch15.first-pod.endpoints"].message
    finally:
        k("label", "pod", "nginx", "app=nginx")
