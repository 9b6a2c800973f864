"""Broken variants of the solved ch10 cluster (tests/checks/ch10/states.py): each changes
a deep copy the way a student's mistake would (the source's errata among them), then
the controllers settle what follows. ``VARIANTS``: name -> (build, {check id: text its
message shows}); every check not named keeps its solved outcome."""

from __future__ import annotations

import copy

from tests.checks.ch10 import states as s
from tests.checks.ch10.states import find, owned
from tests.checks.ch15.objects import set_condition


def _variant(change):
    def build() -> list[dict]:
        objs = copy.deepcopy(s.solved())
        return s.settle(change(objs) or objs)
    build.__doc__ = change.__doc__
    build.__name__ = change.__name__
    return build


def _pods_of(objs: list[dict], deployment: str, ns: str = s.NS) -> list[dict]:
    dep = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == deployment
               and o["metadata"]["namespace"] == ns)
    return [p for rs in owned(objs, dep, "ReplicaSet") for p in owned(objs, rs)]


def _container_unready(p: dict, name: str) -> None:
    for st in p["status"]["containerStatuses"]:
        if st["name"] == name:
            st["ready"] = False
            st["started"] = True
    for c in p["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c.update(status="False", reason="ContainersNotReady",
                     message=f"containers with unready status: [{name}]")


@_variant
def pod_mysql_not_ready(objs):
    """Pod user-service: the mysql container never gets ready (its image is missing on the
    node, say): 2/3."""
    _container_unready(find(objs, "Pod", "user-service"), "mysql")


@_variant
def pod_sleeps_without_probe(objs):
    """Pod user-service as the source wrote it: the service sleeps before it starts and
    has no readiness probe; the stores on the Docker network's names."""
    user = find(objs, "Pod", "user-service")["spec"]["containers"][0]
    user.pop("readinessProbe")
    user["command"] = ["sh", "-c", "sleep 30 && exec /user"]


@_variant
def deployment_one_pod_crashing(objs):
    """One pod of Deployment user-service crash-loops: 2 of 3 ready."""
    set_condition(_pods_of(objs, "user-service")[0], ready=False, restarts=4,
                  waiting=("CrashLoopBackOff", "back-off 1m20s restarting failed container=user"))


@_variant
def rollout_never_applied(objs):
    """The v2 file was never applied: revision 1, RollingUpdate, one ReplicaSet."""
    dep = find(objs, "Deployment", "user-service")
    rss = sorted(owned(objs, dep, "ReplicaSet"),
                 key=lambda rs: rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
    first, second = rss
    pods = owned(objs, second)
    for p in pods:
        p["metadata"]["ownerReferences"][0].update(uid=first["metadata"]["uid"],
                                                   name=first["metadata"]["name"])
        p["metadata"]["labels"] = dict(first["spec"]["template"]["metadata"]["labels"])
    objs.remove(second)
    first["spec"]["replicas"] = 3
    dep["spec"]["template"] = copy.deepcopy(first["spec"]["template"])
    dep["spec"]["template"]["metadata"]["labels"].pop("pod-template-hash")
    dep["spec"]["strategy"] = {"type": "RollingUpdate",
                               "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "1"


@_variant
def backend_in_default_namespace(objs):
    """The backend was applied without -n k8sdemo: nothing of it in k8sdemo (the lab reads
    only k8sdemo and ch10)."""
    objs[:] = [o for o in objs if o["metadata"].get("namespace") != s.BACKEND_NS]


@_variant
def backend_service_selects_a_version(objs):
    """Service backend also selects version: latest, which no pod has: no endpoints."""
    svc = next(o for o in objs if o["kind"] == "Service" and o["metadata"]["name"] == "backend")
    svc["spec"]["selector"] = {"app": "backend", "version": "latest"}


@_variant
def planted_secret_changed(objs):
    """The environment was taken down and brought up again: a new planted value, and the
    student's file still holds the old one."""
    find(objs, "Secret", "lab-token")["data"]["token"] = "Y3QtMDAwMDAwMDAwMDAw"


@_variant
def canary_labelled_stable(objs):
    """shop-api-canary was labelled release: stable."""
    find(objs, "Pod", "shop-api-canary")["metadata"]["labels"]["release"] = "stable"


@_variant
def echoserver_pods_relabelled(objs):
    """The echo server's pods carry app: echo; its Service selects app: echoserver."""
    for p in _pods_of(objs, "echoserver"):
        p["metadata"]["labels"]["app"] = "echo"


@_variant
def node_not_ready(objs):
    """The node reports NotReady (its kubelet stopped)."""
    node = next(o for o in objs if o["kind"] == "Node")
    for c in node["status"]["conditions"]:
        if c["type"] == "Ready":
            c.update(status="Unknown", reason="NodeStatusUnknown",
                     message="Kubelet stopped posting node status.")


VARIANTS = {
    "pod-mysql-not-ready": (pod_mysql_not_ready, {"ch10.pod.running": "mysql"}),
    "pod-sleeps-without-probe": (pod_sleeps_without_probe, {"ch10.pod.running": "sleeps"}),
    "deployment-one-pod-crashing": (deployment_one_pod_crashing,
                                    {"ch10.deployment.ready": "2 of 3 pods ready"}),
    "rollout-never-applied": (rollout_never_applied,
                              {"ch10.rollout.revision": "strategy RollingUpdate, not Recreate"}),
    "backend-in-default-namespace": (backend_in_default_namespace, {
        "ch10.backend.deployment": "no Deployment backend in namespace k8sdemo",
        "ch10.backend.service": "no Service backend in namespace k8sdemo"}),
    "backend-service-selects-a-version": (backend_service_selects_a_version,
                                          {"ch10.backend.service": "no ready endpoint"}),
    "planted-secret-changed": (planted_secret_changed,
                               {"ch10.kubectl.secret": "does not hold the value of lab-token"}),
    "canary-labelled-stable": (canary_labelled_stable, {"ch10.labels.pods": "shop-api-canary"}),
    "echoserver-pods-relabelled": (echoserver_pods_relabelled,
                                   {"ch10.echoserver.service": "no ready endpoint"}),
    "node-not-ready": (node_not_ready, {"ch10.architecture.cluster": "not Ready"}),
}
