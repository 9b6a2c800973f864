"""ch10.architecture: what a cluster is made of. The control plane (API server, etcd,
scheduler, controller manager) keeps the desired state and runs the control loops that
make the actual state follow it; every node runs a kubelet, kube-proxy and a container
runtime. On kind, the control plane runs as pods in kube-system."""

from checks.ch10 import names as n
from grader.checkkit import answers, check, condition, kube_require, pod_ready

CHECK_ANSWERS = "ch10.architecture.answers"


@check(CHECK_ANSWERS, "Architecture questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]}; `kubectl get pods -n "
            "kube-system` names most of the components.")
def test_architecture_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def _component(pod: dict) -> str:
    meta = pod.get("metadata") or {}
    return (meta.get("labels") or {}).get("component") or \
        (meta.get("labels") or {}).get("k8s-app") or meta.get("name", "")


@check("ch10.architecture.cluster", "The cluster's nodes are Ready and kube-system runs the "
       "control plane and kube-proxy", points=1, layer="live",
       hint="`kubectl get nodes` should show every node Ready, `kubectl get pods -n kube-system` "
            "the API server, etcd, the scheduler, the controller manager and kube-proxy "
            "Running. A node not Ready: `kubectl describe node`.")
def test_architecture_cluster(kube, details):
    kube_require(kube, "Node", "Pod")
    nodes = kube.of("Node")
    assert nodes, "the snapshot lists no node (may your credentials list nodes?)"
    unready = [(x.get("metadata") or {}).get("name") for x in nodes
               if (condition(x, "Ready") or {}).get("status") != "True"]
    system = [p for p in kube.of("Pod", "kube-system") if pod_ready(p)]
    running = sorted({_component(p) for p in system})
    details.update(nodes=[(x.get("metadata") or {}).get("name") for x in nodes], kube_system=running)
    assert not unready, f"node(s) not Ready: {', '.join(map(str, unready))}"
    wanted = [c for c in (*n.CONTROL_PLANE, *n.NODE_COMPONENTS)
              if not any(name.startswith(c) for name in running)]
    assert not wanted, f"kube-system runs no ready {', '.join(wanted)} (it runs: " \
        f"{', '.join(running) or 'nothing ready'})"
