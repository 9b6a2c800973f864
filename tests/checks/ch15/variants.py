"""Named broken variants of the solved ch15, each made by changing a deep copy of the
solved state (the student's mistake) and letting the controllers settle what follows;
with the text each failing check's message must show."""

from __future__ import annotations

import copy

from tests.checks.ch15.objects import (
    NODE,
    NS,
    claim,
    set_condition,
    set_unscheduled,
    settle,
)
from tests.checks.ch15.states import docker, solved

# ---- broken variants -----------------------------------------------------------------------


def _find(objects: list[dict], kind: str, name: str, namespace: str | None = NS) -> dict:
    for o in objects:
        if o["kind"] == kind and o["metadata"]["name"] == name and \
                o["metadata"].get("namespace") == namespace:
            return o
    raise KeyError(f"{kind} {name}")


def _rs_pods(objects: list[dict]) -> list[dict]:
    rs = _find(objects, "ReplicaSet", "rs-web")
    return [o for o in objects if o["kind"] == "Pod" and any(
        r["uid"] == rs["metadata"]["uid"] for r in o["metadata"].get("ownerReferences") or [])]


def _variant(change):
    """A broken variant: ``change`` edits a deep copy of the solved state (the student's
    mistake); the controllers then settle what follows from it."""
    def build() -> list[dict]:
        objs = copy.deepcopy(solved())
        return settle(change(objs) or objs)
    build.__doc__ = change.__doc__
    return build


@_variant
def pod_without_label(objs):
    """Erratum 4: the book's sample pod has no labels, so nginx-service selects nothing."""
    del _find(objs, "Pod", "nginx")["metadata"]["labels"]


@_variant
def sample_pod_image_pull_backoff(objs):
    """The book's image nginx:alpine, not in the cluster and no registry: ImagePullBackOff."""
    p = _find(objs, "Pod", "nginx")
    p["spec"]["containers"][0]["image"] = "nginx:alpine"
    why = ('Back-off pulling image "nginx:alpine": ErrImagePull: failed to pull and unpack '
           'image "docker.io/library/nginx:alpine": dial tcp: lookup registry-1.docker.io: '
           "no such host")
    set_condition(p, ready=False, phase="Pending", waiting=("ImagePullBackOff", why))


@_variant
def nodes_not_ready(objs):
    """The node's kubelet reports NotReady (its network plugin has not started)."""
    n = _find(objs, "Node", NODE, None)
    n["status"]["conditions"][0].update(
        status="False", reason="KubeletNotReady",
        message="container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady")


@_variant
def scheduler_crashing(objs):
    """kube-scheduler crash-loops: the control plane is not healthy."""
    p = _find(objs, "Pod", f"kube-scheduler-{NODE}", "kube-system")
    set_condition(p, ready=False, restarts=6, waiting=(
        "CrashLoopBackOff", "back-off 5m0s restarting failed container=kube-scheduler"))


@_variant
def no_kube_system(objs):
    """A dump taken in the lab's namespace only: kube-system was never read."""
    return [o for o in objs if o["metadata"].get("namespace") != "kube-system"]


@_variant
def web_pod_without_port(objs):
    """web-pod's container declares no port 80."""
    del _find(objs, "Pod", "web-pod")["spec"]["containers"][0]["ports"]


@_variant
def pvc_pending(objs):
    """The claim names a storage class the cluster does not have: it stays Pending,
    and web-pod, which needs it, cannot be scheduled."""
    i = objs.index(_find(objs, "PersistentVolumeClaim", "my-data-claim"))
    objs[i] = claim("my-data-claim", "2Gi", bound=False, storage_class="fast")
    set_unscheduled(_find(objs, "Pod", "web-pod"),
                    "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
                    "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")


@_variant
def web_pod_without_mount(objs):
    """The first web-pod (pod.yaml) still runs: no volume, so the claim waits for a
    first consumer (kind's storage class binds late) and stays Pending."""
    p = _find(objs, "Pod", "web-pod")
    token = [v for v in p["spec"]["volumes"] if v["name"].startswith("kube-api-access-")]
    p["spec"]["volumes"] = token
    c = p["spec"]["containers"][0]
    c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"].startswith("kube-api-access-")]
    set_condition(p, ready=True)
    i = objs.index(_find(objs, "PersistentVolumeClaim", "my-data-claim"))
    objs[i] = claim("my-data-claim", "2Gi", bound=False)


@_variant
def rs_two_of_three_ready(objs):
    """One rs-web pod crash-loops: 2 of 3 ready."""
    set_condition(_rs_pods(objs)[1], ready=False, restarts=4, waiting=(
        "CrashLoopBackOff", "back-off 40s restarting failed container=nginx"))


@_variant
def rs_selector_mismatch(objs):
    """rs-web selects (and labels its pods with) app: nginx-web: consistent in itself,
    but not what service web selects."""
    rs = _find(objs, "ReplicaSet", "rs-web")
    rs["spec"]["selector"]["matchLabels"] = {"app": "nginx-web"}
    rs["spec"]["template"]["metadata"]["labels"] = {"app": "nginx-web"}
    for p in _rs_pods(objs):
        p["metadata"]["labels"] = {"app": "nginx-web"}


@_variant
def service_selector_mismatch(objs):
    """Service web selects app: webapp; rs-web's pods have app: web."""
    _find(objs, "Service", "web")["spec"]["selector"] = {"app": "webapp"}


@_variant
def ingress_wrong_host(objs):
    """The ingress rule is for example.org."""
    _find(objs, "Ingress", "web")["spec"]["rules"][0]["host"] = "example.org"


@_variant
def ingress_wrong_path(objs):
    """The ingress rule's path is / (the book's /web is missing)."""
    _find(objs, "Ingress", "web")["spec"]["rules"][0]["http"]["paths"][0]["path"] = "/"


@_variant
def ingress_wrong_port(objs):
    """The ingress backend names port 8080; service web listens on 80."""
    path = _find(objs, "Ingress", "web")["spec"]["rules"][0]["http"]["paths"][0]
    path["backend"]["service"]["port"]["number"] = 8080


def main_on_bridge() -> dict:
    """ch15.pause: main was started without --net container:pause: its own namespace on
    the default bridge."""
    d = docker()
    main = d["containers"][1]
    main["HostConfig"]["NetworkMode"] = "bridge"
    main["NetworkSettings"]["Networks"] = {"bridge": {
        "IPAddress": "172.17.0.3", "Gateway": "172.17.0.1", "IPPrefixLen": 16,
        "MacAddress": "02:42:ac:11:00:03", "NetworkID": "b" * 64}}
    return d


def main_unlabelled() -> dict:
    """ch15.pause: main was started without --label "$LAB_LABEL"."""
    d = docker()
    d["containers"][1]["Config"]["Labels"] = {}
    return d


# variant name → (cluster objects, Docker part, {check id: text its message shows})
VARIANTS = {
    "pod-without-label": (pod_without_label, docker, {
        "ch15.first-pod.endpoints": "has no endpoints: it selects app=nginx and pod nginx has no labels"}),
    "sample-pod-image-pull-backoff": (sample_pod_image_pull_backoff, docker, {
        "ch15.first-pod.running": "ImagePullBackOff",
        "ch15.first-pod.endpoints": "endpoints are not ready"}),
    "nodes-not-ready": (nodes_not_ready, docker, {
        "ch15.local-cluster.nodes": f"{NODE} is NotReady (container runtime network not ready"}),
    "scheduler-crashing": (scheduler_crashing, docker, {
        "ch15.architecture.control-plane": "kube-scheduler: kube-scheduler-"}),
    "web-pod-without-port": (web_pod_without_port, docker, {
        "ch15.pod-spec.running": "declares ports [], not 80"}),
    "pvc-pending": (pvc_pending, docker, {
        "ch15.volume.bound": "is Pending, not Bound (storage class fast)",
        "ch15.volume.mounted": "Unschedulable: 0/1 nodes are available: pod has unbound",
        "ch15.pod-spec.running": "web-pod Pending"}),
    "web-pod-without-mount": (web_pod_without_mount, docker, {
        "ch15.volume.bound": "is Pending, not Bound",
        "ch15.volume.mounted": "no volume from claim my-data-claim"}),
    "rs-two-of-three-ready": (rs_two_of_three_ready, docker, {
        "ch15.replicaset.ready": "rs-web has 2 of 3 pods ready"}),
    "rs-selector-mismatch": (rs_selector_mismatch, docker, {
        "ch15.replicaset.ready": "rs-web selects app=nginx-web, not app=web",
        "ch15.deployment-service.service": "Service web has no endpoints: it selects app=web",
        "ch15.ingress.rule": "has no ready endpoint"}),
    "service-selector-mismatch": (service_selector_mismatch, docker, {
        "ch15.deployment-service.service": "it selects app=webapp; rs-web's pods have app=web",
        "ch15.ingress.rule": "has no ready endpoint"}),
    "ingress-wrong-host": (ingress_wrong_host, docker, {
        "ch15.ingress.rule": "routes example.org/web → web:80, not example.com/web → web:80"}),
    "ingress-wrong-path": (ingress_wrong_path, docker, {
        "ch15.ingress.rule": "routes example.com/ → web:80, not example.com/web"}),
    "ingress-wrong-port": (ingress_wrong_port, docker, {
        "ch15.ingress.rule": "routes example.com/web → web:8080"}),
    "main-on-bridge": (solved, main_on_bridge, {
        "ch15.pause.shared-net": "main's network mode is bridge: it has a network namespace of its own"}),
    "main-unlabelled": (solved, main_unlabelled, {
        "ch15.pause.containers": "main has no label org.container-labs.lab=ch15"}),
}
# variants whose trouble is the grader's input, not the student's work: an error
ERROR_VARIANTS = {
    "no-kube-system": (no_kube_system, docker, {
        "ch15.architecture.control-plane": "the snapshot holds no pod of namespace kube-system"}),
}
