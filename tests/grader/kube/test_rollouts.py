"""Deployment and Service actions (grader/kube/rollouts.py) against the API mock, where
tests/checks/ch16/cluster.py plays the controllers and the kubelet. What the mock cannot
show (a real server refusing a PATCH sent as application/json: 415) is asserted on what
is sent: every write is a JSON patch with its own content type."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess

import pytest

from grader.errors import LabError
from grader.kube import client, inside, rollouts, services
from grader.kube.actions import Session
from grader.labels import lab_labels
from tests.checks.ch16 import states
from tests.checks.ch16.cluster import Cluster

LABELS = lab_labels("ch16", "grader")


@pytest.fixture
def cluster(kube_mock):
    mock = kube_mock(states.solved(), namespace=states.NS)
    return mock, Session(client.api_client(mock.kubeconfig), states.NS, dict(LABELS), interval=0.05)


@pytest.fixture
def sent(monkeypatch):
    """(method, path, content type, body) of every request the grader's code makes
    through rollouts (the played cluster's own writes left out)."""
    found = []
    real = rollouts.call

    def spy(session, method, path, doing, **kw):
        if not getattr(session, "played", False):
            found.append((method, path, kw.get("content_type"), kw.get("body")))
        return real(session, method, path, doing, **kw)
    monkeypatch.setattr(rollouts, "call", spy)
    return found


def played(mock, **options) -> Cluster:
    c = Cluster(mock, **options)
    c.session.played = True
    return c


# ---- plain data ------------------------------------------------------------------------------


def _web(objs):
    dep = states.find(objs, "Deployment", "web")
    return dep, states.owned(objs, dep, "ReplicaSet")


def test_rollout_state_as_kubectl_reads_it():
    objs = states.solved()
    dep, rss = _web(objs)
    assert rollouts.rollout_state(dep, rss)[0] is True
    newer = copy.deepcopy(dep)
    newer["metadata"]["generation"] = 5
    assert rollouts.rollout_state(newer, rss) == (False, "the new spec is not observed yet")
    other = copy.deepcopy(dep)
    other["spec"]["template"]["spec"]["containers"][0]["image"] = "clabs/pets-web:9"
    assert rollouts.rollout_state(other, rss) == (False, "no ReplicaSet of the new template yet")
    half = copy.deepcopy(dep)
    half["status"]["updatedReplicas"] = 3
    assert rollouts.rollout_state(half, rss) == (False, "3 of 5 new replicas updated")
    stuck = copy.deepcopy(dep)
    stuck["status"]["conditions"][1].update(reason="ProgressDeadlineExceeded",
                                            message='ReplicaSet "web-x" has timed out progressing.')
    with pytest.raises(AssertionError, match="exceeded its progress deadline"):
        rollouts.rollout_state(stuck, rss)
    old = copy.deepcopy(rss)
    next(rs for rs in old if rs["spec"]["replicas"] == 0)["status"]["replicas"] = 1
    assert rollouts.rollout_state(dep, old)[1].endswith("still has pods")


def test_templates_alike_but_for_the_hash():
    objs = states.solved()
    dep, rss = _web(objs)
    in_use = next(rs for rs in rss if rs["spec"]["replicas"] == 5)
    assert rollouts.same_template(in_use["spec"]["template"], dep["spec"]["template"])
    assert "pod-template-hash" not in rollouts.template_of(in_use)["metadata"]["labels"]
    assert "pod-template-hash" in in_use["spec"]["template"]["metadata"]["labels"]  # a copy


# ---- Deployments -------------------------------------------------------------------------------


def test_set_image_rolls_out_and_undo_reuses_the_replica_set(cluster, sent):
    mock, session = cluster
    dep = rollouts.deployment(session, "web")
    before = rollouts.wait_rollout(session, "web", 10)
    with played(mock) as c:
        rollouts.set_image(session, dep, "web", "clabs/pets-web:2.1")
        updated = rollouts.wait_rollout(session, "web", 20)
        rollouts.undo(session, "web")
        undone = rollouts.wait_rollout(session, "web", 20)
    assert c.errors == []
    assert updated.template_hash != before.template_hash == undone.template_hash
    assert updated.revision == 5 and undone.revision == 6  # kubectl's numbering: the 2.1 RS is reused
    rs = mock.get("ReplicaSet", undone.replica_set)
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "4"
    patches = [(m, p, ct) for m, p, ct, _ in sent if m == "PATCH"]
    assert patches == [("PATCH", "/apis/apps/v1/namespaces/ch16/deployments/web", "application/json-patch+json")] * 2
    set_ops, undo_ops = [b for m, _, _, b in sent if m == "PATCH"]
    assert set_ops[:2] == [{"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "web"},
                           {"op": "test", "path": "/spec/template/spec/containers/0/image",
                            "value": "clabs/pets-web:2.0"}]
    assert undo_ops[0]["op"] == "replace" and undo_ops[0]["path"] == "/spec/template"
    assert "pod-template-hash" not in undo_ops[0]["value"]["metadata"]["labels"]


def test_set_image_is_refused_when_the_image_changed_meanwhile(cluster):
    mock, session = cluster
    dep = rollouts.deployment(session, "web")
    stale = copy.deepcopy(dep)
    stale["spec"]["template"]["spec"]["containers"][0]["image"] = "clabs/pets-web:1.9"
    with pytest.raises(LabError, match="set the image of deployment web to clabs/pets-web:2.1"):
        rollouts.set_image(session, stale, "web", "clabs/pets-web:2.1")
    assert mock.get("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "clabs/pets-web:2.0"
    with pytest.raises(AssertionError, match="has no container nginx"):
        rollouts.set_image(session, dep, "nginx", "clabs/pets-web:2.1")


def test_undo_without_history(cluster):
    _mock, session = cluster
    with pytest.raises(AssertionError, match="Deployment web-blue has no earlier revision"):
        rollouts.undo(session, "web-blue")
    with pytest.raises(AssertionError, match="no Deployment nope"):
        rollouts.undo(session, "nope")


def test_a_rollout_that_does_not_finish_fails_naming_the_pods(cluster):
    mock, session = cluster
    dep = rollouts.deployment(session, "web")
    with played(mock, missing_images=("clabs/pets-web:2.1",)):
        rollouts.set_image(session, dep, "web", "clabs/pets-web:2.1")
        with pytest.raises(AssertionError, match=r"had not rolled out 1s after the grader changed it: "
                                                 r".*not ready: web-.*ImagePullBackOff"):
            rollouts.wait_rollout(session, "web", 1)
        rollouts.restore_template(session, "web", dep["spec"]["template"])
        assert rollouts.wait_rollout(session, "web", 10).revision == 6


# ---- Services ----------------------------------------------------------------------------------


def test_selector_label_and_endpoints(cluster, sent):
    mock, session = cluster
    with played(mock):
        services.set_selector_label(session, "web", "color", "green", "blue")
        ready = services.wait_endpoints(session, "web", lambda r: r and all("blue" in n for n in r), 5, "blue")
        with pytest.raises(LabError, match="set color=green in the selector of service web"):
            services.set_selector_label(session, "web", "color", "green", "green")  # it is blue
        with pytest.raises(AssertionError, match=r"Service web: nothing did not happen within 0.3s "
                                                 r"\(ready endpoints: web-blue-"):
            services.wait_endpoints(session, "web", lambda r: False, 0.3, "nothing")
    assert len(ready) == 2
    assert sent[0][2] == "application/json-patch+json" and sent[0][3][0] == {
        "op": "test", "path": "/spec/selector/color", "value": "green"}


def test_grader_service_is_labelled_and_removed(cluster, monkeypatch):
    mock, session = cluster
    with services.grader_service(session, {"app": "pets"}, 3000) as name:
        svc = mock.get("Service", name)
        assert svc["metadata"]["labels"] == LABELS and svc["spec"]["selector"] == {"app": "pets"}
    assert mock.get("Service", name) is None and session.left == []
    real = rollouts.call
    monkeypatch.setattr(rollouts, "call", lambda s, m, p, d, **kw: (_ for _ in ()).throw(LabError("500"))
                        if m == "DELETE" else real(s, m, p, d, **kw))
    with services.grader_service(session, {"app": "pets"}, 3000) as name:
        pass
    assert session.left == [f"the grader's service {name} (500): kubectl delete service {name} -n ch16"]


def test_labelling_follows_one_deployment(cluster):
    mock, session = cluster
    dep = rollouts.deployment(session, "web")
    key = "org.container-labs.grader-traffic"
    with played(mock), rollouts.labelling(session, dep, key, "t1", interval=0.05) as done:
        rollouts.set_image(session, dep, "web", "clabs/pets-web:2.1")
        rollouts.wait_rollout(session, "web", 20)
        labelled = {p["metadata"]["name"] for p in session.pods({key: "t1"})}
    web = {p["metadata"]["name"] for p in mock.objects("Pod", states.NS)
           if p["metadata"]["name"].startswith("web-")
           and not p["metadata"]["name"].startswith(("web-blue", "web-green", "web-secret"))}
    assert labelled == web and len(done) >= 10  # the 5 old pods and the 5 new ones
    assert session.pods({key: "t1"}) == []  # taken off
    assert session.left == []


# ---- a copy of a pod ----------------------------------------------------------------------------


def test_run_in_copy(cluster):
    mock, session = cluster
    pod = next(p for p in mock.objects("Pod", states.NS) if p["metadata"]["name"].startswith("web-secret-env-"))
    with played(mock) as c:
        got = inside.run_in_copy(session, pod, "web", inside.program_script("pets-web", "echo environ"),
                                   image="clabs/toolbox:1.0", timeout=5)
    assert got.rc == 0 and got.stdout.startswith("environ ")
    copy_ = c.copies[0]
    assert copy_["metadata"]["labels"] == LABELS and "ownerReferences" not in copy_["metadata"]
    assert [x["name"] for x in copy_["spec"]["containers"]] == ["web", "peek"]
    assert copy_["spec"]["containers"][0] == {k: v for k, v in pod["spec"]["containers"][0].items()
                                              if k != "volumeMounts"} | (
        {"volumeMounts": m} if (m := [x for x in pod["spec"]["containers"][0].get("volumeMounts", [])
                                      if not x["name"].startswith("kube-api-access-")]) else {})
    assert "nodeName" not in copy_["spec"] and "ephemeralContainers" not in copy_["spec"]
    assert mock.get("Pod", copy_["metadata"]["name"]) is None


def test_run_in_copy_trouble(cluster):
    mock, session = cluster
    pod = next(p for p in mock.objects("Pod", states.NS) if p["metadata"]["name"].startswith("web-secret-env-"))
    cannot = (r"the grader's container \(clabs/toolbox:1.0\) in its copy of pod web-secret-env-.* "
              r"cannot start: ImagePullBackOff")
    with played(mock, missing_images=("clabs/toolbox:1.0",)), pytest.raises(LabError, match=cannot):
        inside.run_in_copy(session, pod, "web", "true", image="clabs/toolbox:1.0", timeout=5)
    with pytest.raises(AssertionError, match="did not run within 0.3s"):  # no kubelet at all
        inside.run_in_copy(session, pod, "web", "true", image="clabs/toolbox:1.0", timeout=0.3)
    assert [p for p in mock.objects("Pod", states.NS) if p["metadata"]["name"].startswith("grader-")] == []


def test_program_script_finds_the_process(tmp_path):
    """The script's search, run by a real sh against a real process named pets-web."""
    sleep = shutil.which("sleep")
    fake = tmp_path / "pets-web"
    shutil.copy(sleep, fake)
    proc = subprocess.Popen([str(fake), "30"])
    try:
        out = subprocess.run(["sh", "-c", inside.program_script("pets-web", 'echo "$pid $root"', wait=5)],
                             capture_output=True, text=True, timeout=30, check=False)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == [str(proc.pid), f"/proc/{proc.pid}/root"]
        none = subprocess.run(["sh", "-c", inside.program_script("no-such-prog", "echo found", wait=1)],
                              capture_output=True, text=True, timeout=30, check=False)
        assert (none.returncode, none.stdout.strip()) == (3, "no-process")
    finally:
        proc.kill()
        proc.wait()
    assert os.path.exists(fake)
