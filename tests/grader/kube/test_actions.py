"""What behaviour checks do to a cluster (grader/kube/actions.py), against the API mock
(tests/kubemock) where the test plays the kubelet and the ReplicaSet controller
(tests/checks/ch15/cluster.py: Controllers).

Exec: the mock serves no exec (kmock has none), so ``Session.exec`` is tested with a
stand-in for ``kubernetes.stream.stream`` at the boundary (``actions._stream``): the
arguments it is called with, and how the exec's output and status channel become an
exit code, a failure or an error. Talking to a real kubelet over the websocket is not
verified here: tests/checks/ch15/test_behaviour.py::test_on_a_real_cluster does that on
kind, where kind is installed (skipped, with the reason, elsewhere).
"""

from __future__ import annotations

import copy

import pytest

from grader.errors import LabError
from grader.kube import actions
from grader.kube.actions import Session, describe, is_ready, strip_server_fields
from grader.labels import lab_labels
from tests.checks.ch15 import states, variants
from tests.checks.ch15.cluster import Controllers, FakeExec, _FakeStream

LABELS = lab_labels("ch15", "grader")


@pytest.fixture
def cluster(kube_mock):
    """The solved ch15 state served by the mock, and a Session on it."""
    from grader.kube import client
    mock = kube_mock(states.solved())
    api = client.api_client(mock.kubeconfig)
    return mock, Session(api, states.NS, dict(LABELS), interval=0.05)


def _pod(objs, name):
    return next(o for o in objs if o["kind"] == "Pod" and o["metadata"]["name"] == name)


# ---- plain data -------------------------------------------------------------------------


def test_strip_server_fields_keeps_what_the_student_wrote():
    live = _pod(states.solved(), "web-pod")
    spec = strip_server_fields(live)
    assert "status" not in spec
    assert set(spec["metadata"]) == {"name", "namespace"}
    assert "nodeName" not in spec["spec"]
    assert [v["name"] for v in spec["spec"]["volumes"]] == ["my-data"]
    assert spec["spec"]["containers"][0]["volumeMounts"] == [{"name": "my-data", "mountPath": "/data"}]
    assert spec["spec"]["containers"][0]["image"] == "clabs/nginx:v1"
    assert live["status"] and live["metadata"]["uid"]  # the original is untouched


def test_strip_server_fields_of_a_pod_without_own_volumes():
    live = copy.deepcopy(_pod(states.solved(), "nginx"))
    spec = strip_server_fields(live)
    assert "volumes" not in spec["spec"] and "volumeMounts" not in spec["spec"]["containers"][0]
    live["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet"}]
    assert "ownerReferences" not in strip_server_fields(live)["metadata"]


def test_describe():
    objs = states.solved()
    assert describe(_pod(objs, "nginx")) == "nginx Running ready"
    broken = variants.VARIANTS["sample-pod-image-pull-backoff"][0]()
    text = describe(_pod(broken, "nginx"))
    assert text.startswith("nginx Pending (ImagePullBackOff: Back-off pulling image")
    crash = variants.VARIANTS["rs-two-of-three-ready"][0]()
    rs_pods = [o for o in crash if o["kind"] == "Pod" and o["metadata"]["name"].startswith("rs-web-")]
    assert any("Running not ready (CrashLoopBackOff" in describe(p) for p in rs_pods)
    pending = variants.VARIANTS["pvc-pending"][0]()
    assert "Unschedulable: 0/1 nodes are available" in describe(_pod(pending, "web-pod"))
    assert describe(None) == "no pod"
    assert not is_ready(_pod(pending, "web-pod"))


def test_label_selector():
    assert actions.label_selector({"matchLabels": {"app": "web", "tier": "x"}}) == "app=web,tier=x"
    assert actions.label_selector({"app": "nginx"}) == "app=nginx"


# ---- reading and writing through the mock ------------------------------------------------------


def test_reads_pods(cluster):
    _mock, s = cluster
    assert s.pod("nginx")["status"]["phase"] == "Running"
    assert s.pod("nope") is None
    names = sorted(p["metadata"]["name"] for p in s.pods({"matchLabels": {"app": "web"}}))
    assert len(names) == 3 and all(n.startswith("rs-web-") for n in names)
    assert all(p["kind"] == "Pod" for p in s.pods({"app": "web"}))


def test_created_pods_carry_the_labels(cluster):
    mock, s = cluster
    made = s.create_pod({"metadata": {"name": "probe", "labels": {"app": "x"}},
                         "spec": {"containers": [{"name": "c", "image": "clabs/toolbox:1.0"}]}})
    assert made["metadata"]["labels"] == {"app": "x", **LABELS}
    assert mock.get("Pod", "probe")["metadata"]["labels"] == {"app": "x", **LABELS}
    assert s.delete_pod("probe") is True
    assert s.delete_pod("probe") is False


def test_api_trouble_is_an_error(cluster):
    mock, s = cluster
    mock.close()
    with pytest.raises(LabError, match="does not answer"):
        s.pod("nginx")


def test_a_refused_write_is_an_error(cluster):
    _mock, s = cluster
    s.namespace = "no-such-namespace"
    with pytest.raises(LabError, match="create pod x"):
        s.create_pod({"metadata": {"name": "x"},
                      "spec": {"containers": [{"name": "c", "image": "clabs/toolbox:1.0"}]}})


# ---- heal: delete a ReplicaSet pod, wait for its replacement -----------------------------------


def test_heal_sees_the_replacement(cluster):
    mock, s = cluster
    rs = mock.get("ReplicaSet", "rs-web")
    before = {p["metadata"]["name"] for p in s.pods({"app": "web"})}
    with Controllers(mock) as ctl:
        healed = s.heal(rs, want=3, timeout=10)
    assert healed.victim in before and healed.victim not in {p["metadata"]["name"] for p in s.pods({"app": "web"})}
    assert healed.replacement == ctl.replacements[0] and healed.ready == 3
    assert 0 < healed.seconds < 10
    assert not s.left
    assert "was Ready" in healed.line()


def test_heal_without_a_controller_fails_and_says_what_it_left(cluster):
    mock, s = cluster
    rs = mock.get("ReplicaSet", "rs-web")
    with Controllers(mock, replace=False), pytest.raises(AssertionError) as err:
        s.heal(rs, want=3, timeout=1)
    assert "no new Ready pod of rs-web 1s after the grader deleted rs-web-" in str(err.value)
    victim = str(err.value).split("deleted ")[1].split(";")[0]
    assert s.left == [(f"rs-web has 2 Ready pod(s) of 3: the grader deleted {victim} and "
                      "nothing replaced it")]


def test_api_trouble_while_waiting_is_an_error_not_a_fail(cluster, monkeypatch):
    mock, s = cluster
    rs = mock.get("ReplicaSet", "rs-web")
    real = Session.pods
    calls = []

    def flaky(self, selector):
        calls.append(1)
        if len(calls) > 1:  # after the delete, the API server stops answering
            raise LabError("the cluster does not answer (ConnectionRefused)")
        return real(self, selector)
    monkeypatch.setattr(Session, "pods", flaky)
    with pytest.raises(LabError, match=r"does not answer .*\(waiting 0.5s for a replacement"):
        s.heal(rs, want=3, timeout=0.5)
    assert len(s.left) == 1 and "could not see whether rs-web replaced it" in s.left[0]


def test_heal_needs_a_ready_pod(cluster):
    mock, s = cluster
    rs = mock.get("ReplicaSet", "rs-web")
    for p in s.pods({"app": "web"}):
        mock.delete("Pod", p["metadata"]["name"])
    with pytest.raises(AssertionError, match="rs-web owns no Ready pod"):
        s.heal(rs, want=3, timeout=1)


# ---- recreated: delete a pod and create it again from its spec -----------------------------------


def test_recreated_pod_is_new_and_labelled(cluster):
    mock, s = cluster
    old = mock.get("Pod", "web-pod")
    with Controllers(mock), s.recreated("web-pod", timeout=10) as new:
        assert new["metadata"]["uid"] != old["metadata"]["uid"]
        assert is_ready(new)
    now = mock.get("Pod", "web-pod")
    assert now["metadata"]["labels"] == LABELS
    assert now["spec"]["volumes"][0] == {"name": "my-data",
                                         "persistentVolumeClaim": {"claimName": "my-data-claim"}}
    assert not s.left


def test_a_recreated_pod_that_never_starts_fails_and_is_put_back(cluster):
    mock, s = cluster
    with pytest.raises(AssertionError, match="pod web-pod was not Ready within 0.5s"), \
            s.recreated("web-pod", timeout=0.5):
        pass
    assert mock.get("Pod", "web-pod") is not None  # created again, not left deleted
    assert not s.left


def test_a_pod_that_cannot_be_created_again_is_reported(cluster):
    mock, s = cluster

    class Refusing(Session):
        def create_pod(self, manifest, *, labels=None):
            raise LabError("the grader could not create pod web-pod: 403 Forbidden")
    r = Refusing(s.api, s.namespace, s.labels, interval=0.05)
    with pytest.raises(LabError, match="403"), r.reporting(), r.recreated("web-pod", timeout=2):
        pass
    assert mock.get("Pod", "web-pod") is None
    assert r.left and r.left[0].startswith("pod web-pod is gone: the grader deleted it and "
                                           "could not create it again")


def test_a_pod_that_does_not_go_away_is_reported(cluster, monkeypatch):
    _mock, s = cluster
    monkeypatch.setattr(Session, "delete_pod", lambda self, name, grace_seconds=None: True)
    with pytest.raises(LabError, match="pod web-pod was still terminating 0.3s after"), \
            s.recreated("web-pod", timeout=0.3):
        pass
    assert s.left == [("pod web-pod was still terminating when the grader gave up: once it is "
                      "gone, `kubectl apply -f` its manifest")]


def test_reporting_adds_what_was_left_to_the_message(cluster):
    _mock, s = cluster
    s.left.append("pod x in ch15")
    with pytest.raises(AssertionError, match=r"^boom \(the grader left: pod x in ch15\)$"), s.reporting():
        raise AssertionError("boom")
    with pytest.raises(LabError, match=r"\(the grader left: pod x in ch15\)$"), s.reporting():
        raise LabError("api down")


# ---- run_toolbox: a short-lived pod that makes a request inside the cluster -------------------------


def test_toolbox_pod_runs_and_is_removed(cluster):
    mock, s = cluster
    with Controllers(mock) as ctl:
        result = s.run_toolbox(["wget", "-qO-", "http://nginx-service:8080/"],
                               image="clabs/toolbox:1.0", timeout=10)
    assert result.rc == 0 and "Welcome to clabs/nginx:v1" in result.stdout
    (made,) = [p for p in ctl.created if p["metadata"]["name"].startswith("grader-toolbox-")]
    assert made["metadata"]["labels"] == LABELS
    c = made["spec"]["containers"][0]
    assert c["image"] == "clabs/toolbox:1.0" and c["imagePullPolicy"] == "IfNotPresent"
    assert made["spec"]["restartPolicy"] == "Never"
    assert not [p for p in mock.objects("Pod", "ch15") if p["metadata"]["name"].startswith("grader-toolbox-")]
    assert not s.left


def test_toolbox_exit_code_and_output(cluster):
    mock, s = cluster
    with Controllers(mock):
        result = s.run_toolbox(["wget", "-qO-", "http://nope:80/"], image="clabs/toolbox:1.0",
                               timeout=10)
    assert result.rc == 4 and "exit 4" in result.line()


def test_toolbox_that_never_finishes_is_an_error_and_removed(cluster):
    mock, s = cluster
    with pytest.raises(LabError, match=r"toolbox pod \(clabs/toolbox:1.0\) did not finish within 0.5s"):
        s.run_toolbox(["true"], image="clabs/toolbox:1.0", timeout=0.5)
    assert not [p for p in mock.objects("Pod", "ch15") if p["metadata"]["name"].startswith("grader-toolbox-")]


def test_toolbox_that_cannot_be_removed_is_reported(cluster, monkeypatch):
    mock, s = cluster

    def refuse(name, *, grace_seconds=None):
        raise LabError("403 Forbidden")
    monkeypatch.setattr(s, "delete_pod", refuse)
    with Controllers(mock):
        s.run_toolbox(["wget", "-qO-", "http://web/"], image="clabs/toolbox:1.0", timeout=10)
    assert len(s.left) == 1 and "kubectl delete pod grader-toolbox-" in s.left[0]


def test_toolbox_output_is_the_termination_message_only(cluster, monkeypatch):
    mock, s = cluster
    with Controllers(mock) as ctl:
        monkeypatch.setattr(ctl, "http", lambda argv: (4, ""))
        mock.requests.clear()
        result = s.run_toolbox(["true"], image="clabs/toolbox:1.0", timeout=10)
    assert (result.rc, result.stdout) == (4, "")
    assert not [path for _, path in mock.requests if path.endswith("/log")]


def test_reading_a_log(cluster):
    _mock, s = cluster
    assert s.log("no-such-pod") == ""


# ---- exec, through a stand-in for kubernetes.stream ------------------------------------------


@pytest.fixture
def fake_exec(cluster, monkeypatch):
    mock, s = cluster
    fake = FakeExec(mock, {"my-data-claim": {"/sample.txt": "Hello world!\n"}})
    monkeypatch.setattr(actions, "_stream", fake)
    return mock, s, fake


def test_exec_returns_output_and_exit_code(fake_exec):
    _mock, s, fake = fake_exec
    got = s.exec("web-pod", ["cat", "/data/sample.txt"], container="web")
    assert (got.rc, got.stdout, got.stderr) == (0, "Hello world!\n", "")
    (call,) = fake.calls
    assert call["method"] == "connect_get_namespaced_pod_exec"
    assert (call["pod"], call["namespace"], call["container"]) == ("web-pod", "ch15", "web")
    assert call["command"] == ["cat", "/data/sample.txt"]
    assert call["stdin"] is False and call["tty"] is False and call["_preload_content"] is False


def test_exec_non_zero_exit(fake_exec):
    _mock, s, _fake = fake_exec
    got = s.exec("web-pod", ["cat", "/data/other.txt"], container="web")
    assert got.rc == 1 and "No such file" in got.stderr
    assert got.line() == "exit 1: cat: /data/other.txt: No such file or directory"


def test_exec_that_cannot_start_fails(fake_exec):
    _mock, s, _fake = fake_exec
    with pytest.raises(AssertionError, match="container nope is not valid"):
        s.exec("web-pod", ["cat", "/data/sample.txt"], container="nope")


def test_exec_in_a_missing_pod_fails(fake_exec):
    _mock, s, _fake = fake_exec
    with pytest.raises(AssertionError, match="no pod gone to run cat in"):
        s.exec("gone", ["cat", "/x"])


def test_exec_stream_trouble_is_an_error(cluster, monkeypatch):
    _mock, s = cluster

    def broken(*args, **kwargs):
        raise ConnectionResetError("websocket closed")
    monkeypatch.setattr(actions, "_stream", broken)
    with pytest.raises(LabError, match="could not exec cat /x in pod web-pod: ConnectionResetError"):
        s.exec("web-pod", ["cat", "/x"])


def test_exec_that_hangs_is_an_error_and_closed(cluster, monkeypatch):
    _mock, s = cluster
    stream = _FakeStream("", "", {"status": "Success"}, hangs=True)
    monkeypatch.setattr(actions, "_stream", lambda *a, **k: stream)
    with pytest.raises(LabError, match="did not finish within 1s"):
        s.exec("web-pod", ["sleep", "100"], timeout=1)
    assert stream.closed


def test_exec_without_status_is_an_error(cluster, monkeypatch):
    _mock, s = cluster
    stream = _FakeStream("x", "", {})
    stream._status = ""
    monkeypatch.setattr(actions, "_stream", lambda *a, **k: stream)
    with pytest.raises(LabError, match="ended without a status"):
        s.exec("web-pod", ["true"])
