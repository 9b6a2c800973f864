"""Reading a namespace once: one LIST per kind, objects as the server has them (plus the
kind and apiVersion a LIST leaves out), EndpointSlices with a fallback to Endpoints,
and one LabError line for what cannot be read. Against the API mock (tests/kubemock)."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from grader.errors import LabError
from grader.kube import client, collect
from grader.state.kube import TARGET_VERSION
from tests.kubemock import objects as o

KINDS = ["Pod", "Service", "EndpointSlice", "ReplicaSet", "PersistentVolumeClaim", "Event",
         "Node"]
ROOT = Path(__file__).resolve().parents[3]


def solved() -> list[dict]:
    rs = o.replica_set("web", {"app": "web"}, replicas=2)
    pods = [o.pod(f"web-{i}", {"app": "web"}, owner=rs, ip=f"10.244.0.{10 + i}")
            for i in range(2)]
    svc = o.service("web", {"app": "web"})
    return [rs, *pods, svc, o.endpoint_slice(svc, pods), o.pvc("data"),
            o.event(pods[0], "Started", "Started container web"), o.node(),
            o.pod("elsewhere", {"app": "web"}, namespace="other")]


def one_line(err: pytest.ExceptionInfo) -> str:
    assert "\n" not in str(err.value) and err.value.code == 2
    return str(err.value)


def test_one_list_per_kind(kube_mock):
    mock = kube_mock(solved())
    api = client.api_client(mock.kubeconfig)
    mock.requests.clear()
    state = collect.collect(api, "ch15", KINDS)
    gets = Counter(path for method, path in mock.requests if method == "GET")
    assert gets == Counter({
        "/api/v1/namespaces/ch15/pods": 1, "/api/v1/namespaces/ch15/services": 1,
        "/apis/discovery.k8s.io/v1/namespaces/ch15/endpointslices": 1,
        "/apis/apps/v1/namespaces/ch15/replicasets": 1,
        "/api/v1/namespaces/ch15/persistentvolumeclaims": 1,
        "/api/v1/namespaces/ch15/events": 1, "/api/v1/nodes": 1,
        "/api/v1/namespaces/ch15": 1})  # the namespace exists (a LIST would not say)
    assert len(mock.requests) == 8
    assert state.kinds_read == tuple(KINDS)
    assert state.server_version == f"v{TARGET_VERSION}.0"
    assert state.source == "cluster mock"
    assert state.namespace == "ch15"


def test_objects_are_what_the_server_holds(kube_mock):
    mock = kube_mock(solved())
    state = collect.collect(client.api_client(mock.kubeconfig), "ch15", KINDS)
    held = [x for x in mock.objects() if x["kind"] in KINDS
            and x["metadata"].get("namespace") in ("ch15", None)]
    assert sorted(state.items, key=_key) == sorted(held, key=_key)
    assert [p["metadata"]["name"] for p in state.of("Pod")] == ["web-0", "web-1"]
    assert state.of("Pod", "other") == []  # only the graded namespace was read
    assert [n["metadata"]["name"] for n in state.of("Node")] == ["container-labs-control-plane"]
    first = state.of("ReplicaSet")[0]
    assert list(first)[:2] == ["apiVersion", "kind"]  # put back, as kubectl prints them
    svc = state.get("Service", "web")
    assert [(e.ip, e.ready, e.pod) for e in state.endpoints(svc)] == [
        ("10.244.0.10", True, "web-0"), ("10.244.0.11", True, "web-1")]
    assert len(state.owned_by("Pod", first)) == 2


def _key(obj):
    return (obj["kind"], obj["metadata"]["name"])


def test_sequential_and_parallel_read_the_same(kube_mock):
    mock = kube_mock(solved())
    api = client.api_client(mock.kubeconfig)
    one = collect.collect(api, "ch15", KINDS, workers=1)
    many = collect.collect(api, "ch15", KINDS, workers=6)
    assert sorted(one.items, key=_key) == sorted(many.items, key=_key)
    assert one.kinds_read == many.kinds_read


def test_endpoints_instead_of_slices_on_an_old_cluster(kube_mock):
    pods = [o.pod("web-0", {"app": "web"}), o.pod("web-1", {"app": "web"}, ip="10.244.0.11",
                                                  ready=False)]
    svc = o.service("web", {"app": "web"})
    mock = kube_mock([*pods, svc, o.endpoints(svc, pods)], missing_apis=["discovery.k8s.io/v1"])
    api = client.api_client(mock.kubeconfig)
    mock.requests.clear()
    state = collect.collect(api, "ch15", ["Pod", "Service", "EndpointSlice"])
    assert ("GET", "/apis/discovery.k8s.io/v1/namespaces/ch15/endpointslices") in mock.requests
    assert ("GET", "/api/v1/namespaces/ch15/endpoints") in mock.requests
    assert state.kinds_read == ("Pod", "Service", "Endpoints")
    assert [(e.ip, e.ready) for e in state.endpoints(state.get("Service", "web"))] == [
        ("10.244.0.10", True), ("10.244.0.11", False)]


def test_slices_are_read_and_endpoints_are_not_when_both_exist(kube_mock):
    pods = [o.pod("web-0", {"app": "web"})]
    svc = o.service("web", {"app": "web"})
    mock = kube_mock([*pods, svc, o.endpoint_slice(svc, pods), o.endpoints(svc, [])])
    api = client.api_client(mock.kubeconfig)
    mock.requests.clear()
    state = collect.collect(api, "ch15", ["Service", "EndpointSlice"])
    assert not any(path.endswith("/endpoints") for _, path in mock.requests)
    assert [e.pod for e in state.endpoints(state.get("Service", "web"))] == ["web-0"]


def test_namespace_that_does_not_exist(kube_mock):
    mock = kube_mock([o.pod("web", namespace="team-a")])
    with pytest.raises(LabError) as err:
        collect.collect(client.api_client(mock.kubeconfig), "ch15", KINDS)
    assert one_line(err) == (
        "namespace ch15 does not exist in context mock (it has: default, team-a): "
        "create it with `lab env up CHAPTER`, or pick the namespace you worked in "
        "with --namespace")


def test_cluster_scoped_kinds_only_need_no_namespace(kube_mock):
    mock = kube_mock([o.node()])
    api = client.api_client(mock.kubeconfig)
    mock.requests.clear()
    state = collect.collect(api, "nowhere", ["Node"])
    assert mock.requests == [("GET", "/api/v1/nodes")]
    assert len(state.of("Node")) == 1


def test_unknown_kind_reads_nothing(kube_mock):
    mock = kube_mock()
    api = client.api_client(mock.kubeconfig)
    mock.requests.clear()
    with pytest.raises(LabError) as err:
        collect.collect(api, "ch15", ["Pod", "CronJob"])
    assert one_line(err).startswith("unknown kind 'CronJob': the snapshot knows Pod, Service")
    assert mock.requests == []


def test_credentials_refused_during_the_read(kube_mock):
    mock = kube_mock(solved())
    api = client.api_client(mock.kubeconfig)
    mock.handler.token = "rotated"
    with pytest.raises(LabError) as err:
        collect.collect(api, "ch15", KINDS)
    assert "refused the credentials of the kubeconfig (401 Unauthorized)" in one_line(err)


def test_server_gone_after_connecting(kube_mock):
    mock = kube_mock(solved())
    api = client.api_client(mock.kubeconfig)
    mock.close()
    with pytest.raises(LabError) as err:
        collect.collect(api, "ch15", KINDS)
    assert one_line(err).startswith(f"the cluster of context mock at {mock.url} does not "
                                    "answer (ConnectionRefused)")


FORBIDDEN = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden",
             "code": 403, "message": 'secrets is forbidden: User "student" cannot list resource'}


def test_forbidden_namespaced_kind(kube_mock):
    mock = kube_mock(solved())
    mock.handler["get /api/v1/namespaces/ch15/persistentvolumeclaims"] << 403 << FORBIDDEN
    with pytest.raises(LabError) as err:
        collect.collect(client.api_client(mock.kubeconfig), "ch15", KINDS)
    assert one_line(err).startswith(f"the cluster of context mock at {mock.url}: the "
                                    "credentials may not list the persistentvolumeclaims in "
                                    "namespace ch15 (403 Forbidden")


def test_forbidden_cluster_kind_is_left_unread(kube_mock):
    mock = kube_mock(solved())
    mock.handler["get /api/v1/nodes"] << 403 << FORBIDDEN
    mock.handler["get /api/v1/namespaces/ch15"] << 403 << FORBIDDEN
    state = collect.collect(client.api_client(mock.kubeconfig), "ch15", KINDS)
    assert "Node" not in state.kinds_read and not state.read("Node")
    assert len(state.of("Pod")) == 2  # a namespace-bound student is still graded


def test_kind_the_server_does_not_serve(kube_mock):
    mock = kube_mock(missing_apis=["networking.k8s.io/v1"])
    with pytest.raises(LabError) as err:
        collect.collect(client.api_client(mock.kubeconfig), "default", ["Pod", "Ingress"])
    assert "does not serve networking.k8s.io/v1 ingresses (404)" in one_line(err)


def test_no_schema_validation_on_the_read_path(kube_mock):
    """kubernetes_validate → jsonschema → rfc3987_syntax costs 0.8-2.2 s to import; a
    collect in a fresh process must not pay it (docs/kubernetes.md)."""
    mock = kube_mock(solved())
    script = (
        "import json, sys, time\n"
        "t0 = time.perf_counter()\n"
        "from grader.kube import client, collect\n"
        "imported = 'kubernetes' in sys.modules\n"
        f"state = collect.collect(client.api_client({mock.kubeconfig!r}), 'ch15', {KINDS!r})\n"
        "print(json.dumps({'kubernetes_at_import': imported, 'items': len(state.items),\n"
        "    'loaded': [m for m in ('jsonschema', 'kubernetes_validate', 'rfc3987_syntax',\n"
        "                            'kubernetes.dynamic', 'kubernetes.client') if m in sys.modules],\n"
        "    'seconds': time.perf_counter() - t0}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["items"] == 8
    assert report["kubernetes_at_import"] is False  # importing the modules is cheap
    assert "jsonschema" not in report["loaded"]
    assert "kubernetes_validate" not in report["loaded"]
    assert "kubernetes.client" in report["loaded"]


def test_also_reads_a_kind_of_another_namespace(kube_mock):
    control = [o.pod(f"{c}-container-labs-control-plane", {"component": c, "tier": "control-plane"},
                     namespace="kube-system") for c in ("etcd", "kube-apiserver")]
    mock = kube_mock(solved() + control)
    api = client.api_client(mock.kubeconfig)
    mock.requests.clear()
    state = collect.collect(api, "ch15", ["Pod", "Service"], also=[("Pod", "kube-system"),
                                                                   ("Pod", "ch15")])
    assert sorted(path for _, path in mock.requests) == [
        "/api/v1/namespaces/ch15", "/api/v1/namespaces/ch15/pods",
        "/api/v1/namespaces/ch15/services", "/api/v1/namespaces/kube-system/pods"]
    assert [p["metadata"]["name"] for p in state.of("Pod", "kube-system")] == [
        "etcd-container-labs-control-plane", "kube-apiserver-container-labs-control-plane"]
    assert len(state.of("Pod")) == 2 and state.kinds_read == ("Pod", "Service")


def test_also_that_may_not_be_read_is_left_out(kube_mock):
    mock = kube_mock(solved())
    mock.handler["get /api/v1/namespaces/kube-system/pods"] << 403 << FORBIDDEN
    state = collect.collect(client.api_client(mock.kubeconfig), "ch15", ["Pod"],
                            also=[("Pod", "kube-system")])
    assert state.of("Pod", "kube-system") == [] and len(state.of("Pod")) == 2
