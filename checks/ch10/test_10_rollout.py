"""ch10.rollout: a Deployment makes a new revision (a new ReplicaSet) only when its pod
template changes; RollingUpdate (the default) replaces pods a few at a time, Recreate
stops them all first; a pod deleted by hand is replaced by its ReplicaSet."""

from checks.ch10 import names as n
from grader.checkkit import (
    answers,
    check,
    describe_pod,
    kube_actions,
    kube_object,
    kube_require,
    kube_rollouts,
    labels_text,
    params_number,
    workload_object,
)

CHECK_ANSWERS = "ch10.rollout.answers"
KEY, VALUE = n.V2_LABEL


def _template_labels(dep: dict) -> dict:
    return (((dep.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


@check("ch10.rollout.file", f"{n.DEPLOYMENT_V2_FILE}: strategy Recreate and a changed pod "
       "template (label version: v2), the selector unchanged", points=2, layer="static",
       hint=f"Copy {n.DEPLOYMENT_FILE} to {n.DEPLOYMENT_V2_FILE}; set spec.strategy.type: "
            "Recreate with `rollingUpdate: null` (that block belongs to RollingUpdate) and add the "
            "label version: v2 to the pod template only. The selector stays {name: "
            "user-service}: the API server refuses a change to it.")
def test_rollout_file(lab):
    dep = workload_object(lab, n.DEPLOYMENT_V2_FILE, "Deployment", n.USER_SERVICE)
    spec = dep.get("spec") or {}
    strategy = spec.get("strategy") or {}
    assert strategy.get("type") == "Recreate", \
        f"{n.DEPLOYMENT_V2_FILE}: spec.strategy.type is {strategy.get('type', 'not set (RollingUpdate)')}, " \
        "not Recreate"
    assert not strategy.get("rollingUpdate"), \
        f"{n.DEPLOYMENT_V2_FILE}: spec.strategy.rollingUpdate is set with type Recreate: the " \
        "API server refuses that pair (write `rollingUpdate: null` to remove the defaults)"
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    assert selector == n.USER_SERVICE_LABELS and not (spec.get("selector") or {}).get("matchExpressions"), \
        f"{n.DEPLOYMENT_V2_FILE}: the selector is {labels_text(selector)}; a Deployment's " \
        f"selector cannot change: keep {labels_text(n.USER_SERVICE_LABELS)}"
    labels = _template_labels(dep)
    assert labels.get(KEY) == VALUE and all(labels.get(k) == v for k, v in selector.items()), \
        f"{n.DEPLOYMENT_V2_FILE}: the pod template's labels are {labels_text(labels)}, not " \
        f"name=user-service and {KEY}={VALUE}"


@check(CHECK_ANSWERS, "Rollout questions answered correctly", points=1, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} after the rollout "
            "section: `kubectl rollout history deployment/user-service` before and after each "
            "change shows what makes a revision.")
def test_rollout_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def _current_and_old(kube, dep: dict) -> tuple[dict | None, list[dict]]:
    rss = kube.owned_by("ReplicaSet", dep)
    template = (dep.get("spec") or {}).get("template") or {}
    current = next((rs for rs in rss if kube_rollouts.same_template(
        kube_rollouts.template_of(rs), template)), None)
    return current, [rs for rs in rss if rs is not current]


@check("ch10.rollout.revision", "Deployment user-service runs revision 2 (version: v2) with "
       "strategy Recreate; the revision-1 ReplicaSet is scaled to 0", points=2, layer="live",
       hint=f"kubectl apply -f {n.DEPLOYMENT_V2_FILE}; `kubectl rollout history "
            "deployment/user-service` then lists 2 revisions and `kubectl get rs -l "
            "name=user-service` two ReplicaSets, the old one at 0. `kubectl scale` or applying "
            "the same file again makes no revision: only a pod-template change does.")
def test_rollout_revision(kube, details):
    kube_require(kube, "Pod", "ReplicaSet")
    dep = kube_object(kube, "Deployment", n.USER_SERVICE)
    spec = dep.get("spec") or {}
    revision = kube_rollouts.revision(dep)
    current, old = _current_and_old(kube, dep)
    details.update(revision=revision, strategy=(spec.get("strategy") or {}).get("type"),
                   replica_sets={(rs.get("metadata") or {}).get("name"): (rs.get("spec") or {}).get("replicas")
                                 for rs in [*([current] if current else []), *old]})
    strategy = (spec.get("strategy") or {}).get("type", "RollingUpdate")
    assert strategy == "Recreate", f"Deployment user-service has strategy {strategy}, not Recreate"
    labels = _template_labels(dep)
    assert labels.get(KEY) == VALUE, \
        f"the pod template of Deployment user-service has labels {labels_text(labels)}, " \
        f"without {KEY}={VALUE}: apply {n.DEPLOYMENT_V2_FILE}"
    assert revision >= 2 and old, \
        f"Deployment user-service is at revision {revision} with {len(old) + bool(current)} " \
        "ReplicaSet(s): a changed pod template makes a second"
    assert current is not None, "no ReplicaSet of user-service has the current pod template yet"
    busy = [f"{(rs.get('metadata') or {}).get('name')} ({(rs.get('spec') or {}).get('replicas')})"
            for rs in old if (rs.get("spec") or {}).get("replicas")]
    assert not busy, f"older ReplicaSets still want pods: {', '.join(busy)}"
    stale = [describe_pod(p) for rs in old for p in kube.owned_by("Pod", rs)
             if not (p.get("metadata") or {}).get("deletionTimestamp")]
    assert not stale, f"pods of the old revision still run: {', '.join(stale)}"


@check("ch10.rollout.heals", "When the grader deletes a user-service pod, a new one is Ready "
       "within the bound", points=2, layer="behaviour",
       hint="The grader deletes one pod of the Deployment and waits (--param heal_timeout, 120 "
            "s by default) for its ReplicaSet to start a Ready replacement. None comes: `kubectl "
            "describe rs -l name=user-service` shows why (images not on the node, a readiness "
            "probe that never passes).")
def test_rollout_heals(kube, kube_api, lab, grader_labels, details):
    dep = kube_object(kube, "Deployment", n.USER_SERVICE)
    current, _old = _current_and_old(kube, dep)
    assert current is not None, "no ReplicaSet of user-service has the current pod template"
    timeout = params_number(lab, "heal_timeout", n.HEAL_TIMEOUT)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    try:
        with session.reporting():
            healed = session.heal(current, want=n.REPLICAS, timeout=timeout)
    finally:
        details["left"] = session.left
    details.update(deleted=healed.victim, replacement=healed.replacement,
                   seconds=round(healed.seconds, 1), summary=healed.line())
    assert healed.ready >= n.REPLICAS, \
        f"{healed.ready} of {n.REPLICAS} pods Ready after the replacement"
