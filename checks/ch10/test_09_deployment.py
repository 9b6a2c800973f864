"""ch10.deployment: the same pod under a Deployment user-service, replicas 3, which finds
its pods by the label name: user-service (the selector), and makes them from the pod
template, whose labels must include the selector's."""

from checks.ch10 import names as n
from checks.ch10.userpod import pod_problem
from grader.checkkit import (
    check,
    describe_pod,
    kube_object,
    kube_require,
    labels_text,
    pod_ready,
    selects,
    workload_object,
    workload_pods,
    workload_problem,
)


@check("ch10.deployment.file", f"{n.DEPLOYMENT_FILE}: Deployment user-service (apps/v1), "
       "replicas 3, selector name: user-service matching the template", points=2,
       layer="static",
       hint=f"Write {n.DEPLOYMENT_FILE}: apiVersion apps/v1, kind Deployment, name user-service, "
            "replicas 3, selector.matchLabels {name: user-service}, and under template the "
            "metadata.labels {name: user-service} and the spec of your Pod (the three "
            "containers, the readiness probe).")
def test_deployment_file(lab):
    dep = workload_object(lab, n.DEPLOYMENT_FILE, "Deployment", n.USER_SERVICE)
    replicas = (dep.get("spec") or {}).get("replicas", 1)
    assert replicas == n.REPLICAS, f"{n.DEPLOYMENT_FILE}: replicas is {replicas}, not {n.REPLICAS}"
    for problem in (workload_problem(dep, n.DEPLOYMENT_FILE, n.USER_SERVICE_LABELS),
                    pod_problem(dep, f"{n.DEPLOYMENT_FILE}, the pod template")):
        assert problem is None, problem


@check("ch10.deployment.ready", "Deployment user-service has 3/3 ready replicas", points=3,
       layer="live",
       hint=f"kubectl apply -f {n.DEPLOYMENT_FILE}; `kubectl rollout status "
            "deployment/user-service`. `kubectl get pods -l name=user-service` shows the "
            "three pods; one not ready: `kubectl describe pod` on it.")
def test_deployment_ready(kube, details):
    kube_require(kube, "Pod", "ReplicaSet")
    dep = kube_object(kube, "Deployment", n.USER_SERVICE)
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    selector = spec.get("selector") or {}
    assert selects(selector, n.USER_SERVICE_LABELS) and \
        (selector.get("matchLabels") or {}) == n.USER_SERVICE_LABELS, \
        f"Deployment user-service selects {labels_text(selector.get('matchLabels'))}, not " \
        f"{labels_text(n.USER_SERVICE_LABELS)}"
    pods = workload_pods(kube, dep)
    ready = [p for p in pods if pod_ready(p)]
    details.update(replicas=spec.get("replicas", 1), ready=status.get("readyReplicas", 0),
                   pods=[describe_pod(p) for p in pods])
    assert spec.get("replicas", 1) == n.REPLICAS, \
        f"Deployment user-service wants {spec.get('replicas', 1)} replicas, not {n.REPLICAS}"
    assert len(ready) >= n.REPLICAS and status.get("readyReplicas", 0) >= n.REPLICAS, \
        f"Deployment user-service has {len(ready)} of {n.REPLICAS} pods ready: " + \
        (", ".join(describe_pod(p) for p in pods if not pod_ready(p)) or "it has no pod")
