"""ch15.deployment-service: Deployments and Services as concepts (questions), and
Service web: one stable virtual IP in front of rs-web's pods, found by label."""

from checks.ch15 import names as n
from grader.checkkit import (
    answers,
    check,
    kube_object,
    kube_require,
    labels_text,
    manifest_object,
    manifests,
    selects,
)

CHECK_ANSWERS = "ch15.deployment-service.answers"


@check(CHECK_ANSWERS, "Deployment and Service questions answered correctly", points=3,
       layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} (the cell after the "
            "Deployment and Service section): service types, what a selector does, what a "
            "Deployment adds to a ReplicaSet.")
def test_deployment_service_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def _template_labels(lab) -> dict:
    """rs-web's template labels as replicaset.yaml declares them (the lab's if absent)."""
    p = lab.path(n.REPLICASET_FILE)
    if p.is_file():
        try:
            rs = manifests.find(manifests.load(p), "ReplicaSet", n.REPLICASET)
        except AssertionError:
            rs = None
        labels = (((rs or {}).get("spec") or {}).get("template") or {}).get("metadata") or {}
        if labels.get("labels"):
            return labels["labels"]
    return n.WEB_LABELS


@check("ch15.deployment-service.file", "web-service.yaml: ClusterIP Service web, port 80 → "
       "80, selecting rs-web's pods", points=1, layer="static",
       hint="web-service.yaml: kind Service, name web, type ClusterIP (the default), ports "
            "[{port: 80, targetPort: 80}], selector app: web — the labels of rs-web's pod "
            "template.")
def test_web_service_file(lab):
    svc = manifest_object(lab, n.WEB_SERVICE_FILE, "Service", n.WEB_SERVICE)
    spec = svc.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    assert kind == "ClusterIP", f"Service web is of type {kind}, not ClusterIP"
    ports = [(p.get("port"), p.get("targetPort", p.get("port"))) for p in spec.get("ports") or []]
    assert (n.WEB_SERVICE_PORT, n.WEB_PORT) in ports, \
        f"Service web maps {ports or 'no port'} (port, targetPort), not 80 → 80"
    template = _template_labels(lab)
    selector = spec.get("selector") or {}
    assert selects(selector, template), \
        f"Service web selects {labels_text(selector)}; rs-web's pods have {labels_text(template)}"


@check("ch15.deployment-service.service", "Service web has a cluster IP and rs-web's pods "
       "behind it", points=2, layer="live",
       hint="kubectl apply -f web-service.yaml; `kubectl get svc web` shows its CLUSTER-IP, "
            "`kubectl get endpointslices -l kubernetes.io/service-name=web` the pod IPs behind "
            "it. None: the selector does not match the labels of rs-web's pods "
            "(`kubectl get pods --show-labels`).")
def test_web_service(kube, details):
    kube_require(kube, "Pod", "EndpointSlice|Endpoints")
    svc = kube_object(kube, "Service", n.WEB_SERVICE)
    spec = svc.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    assert kind == "ClusterIP", f"Service web is of type {kind}, not ClusterIP"
    assert spec.get("clusterIP") not in (None, "", "None"), \
        f"Service web has no cluster IP ({spec.get('clusterIP')!r}: a headless service)"
    ports = [(p.get("port"), p.get("targetPort")) for p in spec.get("ports") or []]
    assert (n.WEB_SERVICE_PORT, n.WEB_PORT) in ports, \
        f"Service web maps {ports} (port, targetPort), not 80 → 80"
    eps = kube.endpoints(svc)
    details.update(cluster_ip=spec.get("clusterIP"),
                   endpoints=[f"{e.ip} {e.pod} {'ready' if e.ready else 'not ready'}" for e in eps])
    rs = kube.get("ReplicaSet", n.REPLICASET)
    owned = kube.owned_by("Pod", rs) if rs else []
    rs_pods = {p["metadata"]["name"] for p in owned}
    # pods with an address are behind the service (ready or not); pending ones are not yet
    addressed = {p["metadata"]["name"] for p in owned if (p.get("status") or {}).get("podIP")}
    behind = {e.pod for e in eps}
    if not eps:
        labels = sorted({labels_text(p["metadata"].get("labels"))
                         for p in kube.of("Pod") if p["metadata"]["name"] in rs_pods})
        raise AssertionError(f"Service web has no endpoints: it selects "
                             f"{labels_text(spec.get('selector'))}"
                             + (f"; rs-web's pods have {' / '.join(labels)}" if labels else ""))
    assert addressed and addressed <= behind, \
        f"Service web sends traffic to {', '.join(sorted(map(str, behind)))}; rs-web's pods " \
        f"are {', '.join(sorted(rs_pods)) or 'none'}"
    assert any(e.ready for e in eps), "none of Service web's endpoints is ready"
