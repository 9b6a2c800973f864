"""ch10.labels: labels are key=value pairs on any object; selectors pick objects by them,
by equality (`tier=backend`, `tier!=frontend`) or by set (`release in (stable,canary)`).
A ReplicationController knows only the first kind; a ReplicaSet (and so a Deployment)
takes both."""

from checks.ch10 import names as n
from grader.checkkit import (
    answers,
    check,
    describe_pod,
    kube_require,
    labels_text,
    manifests,
    pod_ready,
)

CHECK_ANSWERS = "ch10.labels.answers"


@check("ch10.labels.file", f"{n.LABELS_FILE}: three pods labelled with tier and release",
       points=1, layer="static",
       hint=f"Write {n.LABELS_FILE} with three Pods of {n.ECHO_IMAGE} (imagePullPolicy "
            "IfNotPresent): shop-frontend (tier: frontend, release: stable), shop-api (tier: "
            "backend, release: stable), shop-api-canary (tier: backend, release: canary), all "
            "three with lesson: labels; separate the documents with ---.")
def test_labels_file(lab):
    objs = manifests.read(lab.require(n.LABELS_FILE))
    for name, want in n.LABELLED_PODS.items():
        pod = manifests.find(objs, "Pod", name)
        assert pod is not None, f"{n.LABELS_FILE} has no Pod {name}"
        have = (pod.get("metadata") or {}).get("labels") or {}
        wrong = {k: have.get(k) for k, v in want.items() if have.get(k) != v}
        assert not wrong, f"{n.LABELS_FILE}: Pod {name} has labels {labels_text(have)}, not " \
            f"{labels_text(want)}"


@check(CHECK_ANSWERS, "Label and selector questions answered correctly", points=2,
       layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} after the selectors "
            "section; run each selector with `kubectl get pods -l '...'` and count.")
def test_labels_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


@check("ch10.labels.pods", "The three labelled pods run with their labels", points=2,
       layer="live",
       hint=f"kubectl apply -f {n.LABELS_FILE}; `kubectl get pods -l lesson=labels "
            "--show-labels` should list the three, Running; `kubectl label pod NAME "
            "key=value --overwrite` fixes a label in place.")
def test_labelled_pods(kube, details):
    kube_require(kube, "Pod")
    found = {}
    for name, want in n.LABELLED_PODS.items():
        pod = kube.get("Pod", name)
        assert pod is not None, f"no Pod {name} in namespace {kube.namespace}"
        have = (pod.get("metadata") or {}).get("labels") or {}
        found[name] = labels_text(have)
        assert all(have.get(k) == v for k, v in want.items()), \
            f"Pod {name} has labels {labels_text(have)}, not {labels_text(want)}"
        assert pod_ready(pod), f"Pod {name} is not running and ready: {describe_pod(pod)}"
    details["labels"] = found
