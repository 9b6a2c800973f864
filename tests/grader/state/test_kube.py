"""The Kubernetes snapshot is plain data: lookups, selectors, service endpoints (from
EndpointSlices, else v1 Endpoints), and dumps in the shapes kubectl prints."""

import pytest

from grader.errors import LabError
from grader.state.kube import KINDS, KubeState, kind_of, selects
from tests.kubemock import objects as o

LABELS = {"app": "web", "tier": "front"}


# -- selectors ---------------------------------------------------------------------------

@pytest.mark.parametrize("selector, expected", [
    ({"app": "web"}, True),                                       # a Service's plain map
    ({"app": "web", "tier": "back"}, False),
    ({"matchLabels": {"app": "web"}}, True),                      # a LabelSelector
    ({"matchLabels": {"app": "db"}}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["back"]}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, False),
    ({"matchExpressions": [{"key": "gone", "operator": "NotIn", "values": ["x"]}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, True),
    ({"matchExpressions": [{"key": "gone", "operator": "Exists"}]}, False),
    ({"matchExpressions": [{"key": "gone", "operator": "DoesNotExist"}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, False),
    ({"matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}, False),
    ({}, False), (None, False), ({"matchLabels": {}}, False),   # empty selects nothing here
])
def test_selectors(selector, expected):
    assert selects(selector, LABELS) is expected


def test_pods_selected_leaves_out_terminating_pods():
    going = o.pod("old", {"app": "web"})
    going["metadata"]["deletionTimestamp"] = "2025-06-02T09:05:00Z"
    state = KubeState.from_items([o.pod("new", {"app": "web"}), going, o.pod("db", {"app": "db"})],
                                 "ch15")
    assert [p["metadata"]["name"] for p in state.pods_selected({"app": "web"})] == ["new"]


# -- lookups -----------------------------------------------------------------------------

def test_of_and_get_by_namespace_and_scope():
    state = KubeState.from_items([o.pod("a"), o.pod("b", namespace="other"), o.node("n1")], "ch15")
    assert [p["metadata"]["name"] for p in state.of("Pod")] == ["a"]
    assert [p["metadata"]["name"] for p in state.of("pods", "other")] == ["b"]
    assert sorted(p["metadata"]["name"] for p in state.of("Pod", None)) == ["a", "b"]
    assert [n["metadata"]["name"] for n in state.of("Node", "whatever")] == ["n1"]
    assert state.get("Pod", "a")["metadata"]["namespace"] == "ch15"
    assert state.get("Pod", "b") is None
    assert state.get("Pod", "b", "other") is not None


def test_kinds_read():
    assert KubeState.from_items([], "ch15").read("Pod")  # unknown: assume read (a dump)
    state = KubeState.from_items([], "ch15", kinds_read=["Pod", "Service"])
    assert state.read("pods") and not state.read("Ingress")


def test_kind_names():
    assert kind_of("persistentvolumeclaims") is KINDS["PersistentVolumeClaim"]
    with pytest.raises(LabError, match="unknown kind 'CronJob'"):
        kind_of("CronJob")


def test_owned_by_uid_and_by_name():
    rs = o.replica_set("web", {"app": "web"})
    mine = o.pod("web-0", {"app": "web"}, owner=rs)
    by_name = o.pod("web-1", {"app": "web"})
    by_name["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                               "name": "web", "uid": "x"}]
    state = KubeState.from_items([rs, mine, by_name, o.pod("stray", {"app": "web"})], "ch15")
    assert [p["metadata"]["name"] for p in state.owned_by("Pod", rs)] == ["web-0"]
    no_uid = {k: v for k, v in rs.items()}
    no_uid["metadata"] = {k: v for k, v in rs["metadata"].items() if k != "uid"}
    assert [p["metadata"]["name"] for p in state.owned_by("Pod", no_uid)] == ["web-0", "web-1"]


def test_events_for_an_object():
    pod = o.pod("web-0")
    state = KubeState.from_items([pod, o.event(pod, "Pulled", "pulled"),
                                  o.event(o.pod("other"), "Pulled", "pulled")], "ch15")
    assert [e["reason"] for e in state.events_for("Pod", "web-0")] == ["Pulled"]


# -- endpoints ---------------------------------------------------------------------------

def _web(ready=(True, True)):
    pods = [o.pod(f"web-{i}", {"app": "web"}, ip=f"10.244.0.{10 + i}", ready=r)
            for i, r in enumerate(ready)]
    return pods, o.service("web", {"app": "web"})


def test_endpoints_from_slices():
    pods, svc = _web((True, False))
    state = KubeState.from_items([*pods, svc, o.endpoint_slice(svc, pods)], "ch15")
    assert [(e.ip, e.ready, e.pod) for e in state.endpoints(svc)] == [
        ("10.244.0.10", True, "web-0"), ("10.244.0.11", False, "web-1")]


def test_endpoints_from_several_slices_terminating_and_unset_ready():
    pods, svc = _web()
    one, two = o.endpoint_slice(svc, pods[:1]), o.endpoint_slice(svc, pods[1:])
    two["metadata"]["name"] = "web-second"
    two["endpoints"][0]["conditions"] = {}  # ready unset means ready (discovery/v1)
    extra = dict(one["endpoints"][0], addresses=["10.244.0.99"],
                 conditions={"ready": True, "terminating": True})
    one["endpoints"].append(extra)
    dup = o.endpoint_slice(svc, pods[:1])
    dup["metadata"]["name"] = "web-dup"  # the same address twice counts once
    state = KubeState.from_items([*pods, svc, one, two, dup], "ch15")
    assert [(e.ip, e.ready) for e in state.endpoints(svc)] == [
        ("10.244.0.10", True), ("10.244.0.99", False), ("10.244.0.11", True)]


def test_endpoints_from_legacy_endpoints_with_not_ready_addresses():
    pods, svc = _web((True, False))
    state = KubeState.from_items([*pods, svc, o.endpoints(svc, pods)], "ch15")
    assert [(e.ip, e.ready, e.pod) for e in state.endpoints(svc)] == [
        ("10.244.0.10", True, "web-0"), ("10.244.0.11", False, "web-1")]


def test_slices_win_over_legacy_endpoints():
    pods, svc = _web()
    state = KubeState.from_items([*pods, svc, o.endpoint_slice(svc, pods[:1]),
                                  o.endpoints(svc, pods)], "ch15")
    assert [e.pod for e in state.endpoints(svc)] == ["web-0"]


def test_a_service_selecting_nothing_has_no_endpoints():
    _, svc = _web()
    empty = o.endpoint_slice(svc, [])
    assert KubeState.from_items([svc, empty], "ch15").endpoints(svc) == []
    assert KubeState.from_items([svc, o.endpoints(svc, [])], "ch15").endpoints(svc) == []
    assert KubeState.from_items([svc], "ch15").endpoints(svc) == []


# -- from a document ---------------------------------------------------------------------

def test_from_a_list():
    pods, svc = _web()
    state = KubeState.from_document({"apiVersion": "v1", "kind": "List", "items": [*pods, svc]},
                                    "ch15", source="dump x.json")
    assert len(state.of("Pod")) == 2 and state.get("Service", "web") and state.source == "dump x.json"


def test_from_a_typed_list_whose_items_have_no_kind():
    pods, _ = _web()
    items = [{k: v for k, v in p.items() if k not in ("kind", "apiVersion")} for p in pods]
    state = KubeState.from_document({"apiVersion": "v1", "kind": "PodList",
                                     "metadata": {"resourceVersion": "9"}, "items": items}, "ch15")
    assert [p["kind"] for p in state.of("Pod")] == ["Pod", "Pod"]
    rs = {k: v for k, v in o.replica_set("web", {"app": "web"}).items() if k != "kind"}
    state = KubeState.from_document({"apiVersion": "apps/v1", "kind": "ReplicaSetList",
                                     "items": [rs]}, "ch15")
    assert state.get("ReplicaSet", "web")["apiVersion"] == "apps/v1"


def test_from_one_object_and_from_several_documents():
    pods, svc = _web()
    assert len(KubeState.from_document(svc, "ch15").items) == 1
    several = [pods[0], None, {"kind": "List", "apiVersion": "v1", "items": [pods[1], svc]}]
    assert len(KubeState.from_document(several, "ch15").items) == 3


def test_round_trip_through_a_list():
    pods, svc = _web()
    state = KubeState.from_items([*pods, svc], "ch15", kinds_read=["Pod", "Service"])
    again = KubeState.from_document(state.to_list(), "ch15")
    assert again.items == state.items
    assert state.to_list()["kind"] == "List"


@pytest.mark.parametrize("doc, says", [
    ("pods", "the dump is not a Kubernetes List or object (found a str)"),
    ([1], "the dump is not a Kubernetes List or object (found a int)"),
    ({"kind": "List"}, "the dump: a List without an items list"),
    ({"kind": "List", "items": ["x"]}, "the dump: item 0 is not an object"),
    ({"kind": "List", "items": [{"kind": "Pod", "metadata": {}}]},
     "the dump: item 0 has no kind or no metadata.name"),
    ({"items": [{"metadata": {"name": "a"}}]}, "the dump: item 0 has no kind or no metadata.name"),
    ({"apiVersion": "v1", "metadata": {"name": "a"}}, "the dump is not a Kubernetes List: it has no kind"),
    ({"kind": "Pod", "metadata": {}}, "the dump: a Pod without metadata.name"),
    ({"kind": "CronJob", "apiVersion": "batch/v1", "metadata": {"name": "c"}},
     "the dump: objects of kind CronJob are not used by any chapter"),
])
def test_bad_documents_are_one_line(doc, says):
    with pytest.raises(LabError) as err:
        KubeState.from_document(doc, "ch15")
    assert str(err.value).startswith(says) and "\n" not in str(err.value)


def test_bad_document_names_its_source():
    with pytest.raises(LabError, match=r"^student\.yaml: a List without an items list"):
        KubeState.from_document({"kind": "List"}, "ch15", source="student.yaml")
