"""ch15.architecture: what a cluster is made of, asked as questions, and the control
plane seen running in kube-system."""

from checks.ch15 import names as n
from grader.checkkit import (
    LabError,
    answers,
    check,
    describe_pod,
    kube_require,
    pod_ready,
)

CHECK_ANSWERS = "ch15.architecture.answers"


@check(CHECK_ANSWERS, "Architecture questions answered correctly", points=3, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} (the cell after the "
            "architecture section): look at `kubectl get pods -n kube-system -o wide` and "
            "`kubectl get nodes -o wide` for the components and the runtime.")
def test_architecture_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def _component_pods(pods: list[dict], component: str) -> list[dict]:
    """kubeadm's static pods carry ``component: <name>``; else their name says it."""
    return [p for p in pods
            if (p["metadata"].get("labels") or {}).get("component") == component
            or p["metadata"].get("name", "").startswith(component + "-")]


@check("ch15.architecture.control-plane", "The control plane runs in kube-system: API "
       "server, etcd, controller manager, scheduler", points=2, layer="live",
       hint="`kubectl get pods -n kube-system` lists kube-apiserver-*, etcd-*, "
            "kube-controller-manager-* and kube-scheduler-* (static pods on the "
            "control-plane node). If they are missing or not Running, the cluster is not "
            "healthy: `lab env down ch15 && lab env up ch15` makes a new kind cluster. A "
            "managed cluster (GKE, EKS, AKS) hides its control plane: use the kind cluster.")
def test_control_plane(kube, details):
    kube_require(kube, "Pod")
    pods = [p for p in kube.of("Pod", n.SYSTEM_NAMESPACE) if not p["metadata"].get("deletionTimestamp")]
    if not pods:
        raise LabError(f"the snapshot holds no pod of namespace {n.SYSTEM_NAMESPACE}: the "
                       "grader reads it with the chapter's namespace (a dump needs "
                       "`kubectl get pods -A -o json`)")
    found, bad = {}, []
    for component in n.CONTROL_PLANE:
        mine = _component_pods(pods, component)
        found[component] = [p["metadata"]["name"] for p in mine]
        if not mine:
            bad.append(f"{component}: no pod")
        elif not any(pod_ready(p) for p in mine):
            bad.append(f"{component}: " + ", ".join(describe_pod(p) for p in mine))
    details["components"] = found
    assert not bad, f"control plane in {n.SYSTEM_NAMESPACE}: " + "; ".join(bad)
