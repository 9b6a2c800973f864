"""ch15.pod-spec: Pod web-pod written as a manifest (pod.yaml), created and described."""

from checks.ch15 import names as n
from grader.checkkit import (
    check,
    describe_pod,
    kube_object,
    manifest_object,
    pod_container,
    pod_ready,
)


def _ports(container: dict | None) -> list:
    return [p.get("containerPort") for p in (container or {}).get("ports") or []]


@check("ch15.pod-spec.file", "pod.yaml: Pod web-pod, container web, clabs/nginx:v1, port 80",
       points=2, layer="static",
       hint="pod.yaml: apiVersion v1, kind Pod, metadata.name web-pod; spec.containers: one "
            "container named web, image clabs/nginx:v1, imagePullPolicy IfNotPresent, "
            "ports: [{containerPort: 80}]. `kubectl apply --dry-run=server -f pod.yaml` "
            "validates it against the cluster.")
def test_pod_file(lab):
    pod = manifest_object(lab, n.POD_FILE, "Pod", n.WEB_POD)
    c = pod_container(pod, n.WEB_CONTAINER)
    names = [x.get("name") for x in (pod.get("spec") or {}).get("containers") or []]
    assert c, f"Pod {n.WEB_POD} has containers {names}, none named {n.WEB_CONTAINER}"
    assert c.get("image") == n.NGINX_IMAGE, \
        f"container {n.WEB_CONTAINER} runs {c.get('image')!r}, not {n.NGINX_IMAGE}"
    assert n.WEB_PORT in _ports(c), \
        f"container {n.WEB_CONTAINER} declares ports {_ports(c)}, not {n.WEB_PORT}"


@check("ch15.pod-spec.running", "Pod web-pod runs container web (clabs/nginx:v1, port 80), "
       "Ready", points=2, layer="live",
       hint="kubectl apply -f pod.yaml; `kubectl describe pod/web-pod` (or po/web-pod, "
            "pods/web-pod) shows its containers, ports and events. A pod's containers cannot "
            "be renamed in place: `kubectl delete pod web-pod` and apply again.")
def test_pod_running(kube):
    pod = kube_object(kube, "Pod", n.WEB_POD)
    c = pod_container(pod, n.WEB_CONTAINER)
    names = [x.get("name") for x in (pod.get("spec") or {}).get("containers") or []]
    assert c, f"pod {n.WEB_POD} has containers {names}, none named {n.WEB_CONTAINER}"
    assert c.get("image") == n.NGINX_IMAGE, \
        f"container {n.WEB_CONTAINER} runs {c.get('image')!r}, not {n.NGINX_IMAGE}"
    assert n.WEB_PORT in _ports(c), \
        f"container {n.WEB_CONTAINER} declares ports {_ports(c)}, not {n.WEB_PORT}"
    assert pod_ready(pod), f"pod {describe_pod(pod)}"
