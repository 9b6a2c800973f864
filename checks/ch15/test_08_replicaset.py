"""ch15.replicaset: ReplicaSet rs-web keeps three nginx pods running, and puts one back
when it is deleted (the grader deletes one to see it)."""

from checks.ch15 import names as n
from grader.checkkit import (
    check,
    describe_pod,
    kube_actions,
    kube_object,
    kube_require,
    labels_text,
    manifest_object,
    manifests,
    params_number,
    pod_container,
    pod_ready,
    selects,
)


def _replicaset(lab) -> dict:
    objs = manifests.read(lab.require(n.REPLICASET_FILE))
    rs = manifests.find(objs, "ReplicaSet", n.REPLICASET)
    if rs is None:
        rc = manifests.find(objs, "ReplicationController")
        assert rc is None, \
            f"{n.REPLICASET_FILE} declares a ReplicationController: its successor is the " \
            "ReplicaSet (apiVersion apps/v1, kind ReplicaSet)"
    return manifest_object(lab, n.REPLICASET_FILE, "ReplicaSet", n.REPLICASET)


@check("ch15.replicaset.file", "replicaset.yaml: ReplicaSet rs-web (apps/v1), 3 replicas of "
       "nginx (clabs/nginx:v1, port 80)", points=2, layer="static",
       hint="replicaset.yaml: apiVersion apps/v1 (extensions/v1beta1 was removed in 1.16), "
            "kind ReplicaSet, name rs-web, spec.replicas 3, selector.matchLabels app: web, "
            "template.metadata.labels app: web, one container nginx with image "
            "clabs/nginx:v1 and containerPort 80.")
def test_replicaset_file(lab):
    rs = _replicaset(lab)
    spec = rs.get("spec") or {}
    assert rs.get("apiVersion") == "apps/v1", f"rs-web has apiVersion {rs.get('apiVersion')}, not apps/v1"
    assert spec.get("replicas") == n.REPLICAS, \
        f"spec.replicas is {spec.get('replicas', '1 (not set)')}, not {n.REPLICAS}"
    c = pod_container(rs, n.RS_CONTAINER)
    assert c, f"the pod template has no container named {n.RS_CONTAINER}"
    assert c.get("image") == n.NGINX_IMAGE, \
        f"container {n.RS_CONTAINER} runs {c.get('image')!r}, not {n.NGINX_IMAGE}"
    ports = [p.get("containerPort") for p in c.get("ports") or []]
    assert n.WEB_PORT in ports, f"container {n.RS_CONTAINER} declares ports {ports}, not {n.WEB_PORT}"


@check("ch15.replicaset.selector", "rs-web's selector is app: web and selects its own pod "
       "template", points=1, layer="static",
       hint="spec.selector.matchLabels must select spec.template.metadata.labels (the API "
            "server refuses a ReplicaSet whose selector does not match its template), and the "
            "lab's service `web` finds the pods by app: web: use that label in both places.")
def test_replicaset_selector(lab):
    rs = _replicaset(lab)
    spec = rs.get("spec") or {}
    selector = spec.get("selector") or {}
    template = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    assert selects(selector, template), \
        f"the selector ({labels_text(selector.get('matchLabels'))}) does not select the pod " \
        f"template's labels ({labels_text(template)})"
    assert selects(selector, n.WEB_LABELS) and selects(n.WEB_LABELS, template), \
        f"rs-web selects {labels_text(selector.get('matchLabels'))} with template labels " \
        f"{labels_text(template)}; the lab uses {labels_text(n.WEB_LABELS)}"


def _owned(kube, rs) -> list[dict]:
    return [p for p in kube.owned_by("Pod", rs) if not p["metadata"].get("deletionTimestamp")]


@check("ch15.replicaset.ready", "ReplicaSet rs-web has 3/3 ready pods", points=2, layer="live",
       hint="kubectl apply -f replicaset.yaml; `kubectl get rs rs-web` must show DESIRED 3, "
            "READY 3; `kubectl get pods -l app=web` lists rs-web-xxxxx pods. A pod that is "
            "not ready: `kubectl describe pod <name>`.")
def test_replicaset_ready(kube, details):
    kube_require(kube, "Pod")
    rs = kube_object(kube, "ReplicaSet", n.REPLICASET)
    spec, status = rs.get("spec") or {}, rs.get("status") or {}
    pods = _owned(kube, rs)
    details.update(replicas=spec.get("replicas"), ready=status.get("readyReplicas", 0),
                   pods=[describe_pod(p) for p in pods])
    assert spec.get("replicas") == n.REPLICAS, \
        f"rs-web wants {spec.get('replicas')} replicas, not {n.REPLICAS}"
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    assert selector == n.WEB_LABELS, \
        f"rs-web selects {labels_text(selector)}, not {labels_text(n.WEB_LABELS)} (the label " \
        "the service web selects)"
    ready = [p for p in pods if pod_ready(p)]
    assert len(ready) == n.REPLICAS, \
        f"rs-web has {len(ready)} of {n.REPLICAS} pods ready: " + \
        (", ".join(describe_pod(p) for p in pods) or "it owns no pod")
    assert status.get("readyReplicas", 0) == n.REPLICAS, \
        f"rs-web reports {status.get('readyReplicas', 0)} of {n.REPLICAS} replicas ready"


@check("ch15.replicaset.heals", "When the grader deletes an rs-web pod, a new one is Ready "
       "within the bound", points=3, layer="behaviour",
       hint="The grader deletes one rs-web pod and waits (--param heal_timeout, 60 s by "
            "default) for the ReplicaSet to start a Ready replacement. Pods created by hand "
            "are not replaced: create them through the ReplicaSet. `kubectl describe rs "
            "rs-web` shows SuccessfulCreate events.")
def test_replicaset_heals(kube, kube_api, lab, grader_labels, details):
    rs = kube_object(kube, "ReplicaSet", n.REPLICASET)
    timeout = params_number(lab, "heal_timeout", n.HEAL_TIMEOUT)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    try:
        with session.reporting():
            healed = session.heal(rs, want=n.REPLICAS, timeout=timeout)
    finally:
        details["left"] = session.left
    details.update(deleted=healed.victim, replacement=healed.replacement,
                   seconds=round(healed.seconds, 1), summary=healed.line())
