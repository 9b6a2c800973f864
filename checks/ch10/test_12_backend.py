"""ch10.backend: the backend in a namespace of its own, k8sdemo: Deployment backend
(labels app: backend and a version), a ClusterIP Service backend 8080 -> 8080 that
selects app: backend, and an Ingress that routes /api to it from outside. Fixes the
source's `:latest` + `imagePullPolicy: Always` and its typographic quotes around the
image name."""

from checks.ch10 import names as n
from grader.checkkit import (
    check,
    container_problem,
    describe_pod,
    kube_require,
    labels_text,
    manifest_object,
    pod_container,
    pod_ready,
    service_problem,
    workload_object,
    workload_problem,
)

NS = n.BACKEND_NAMESPACE
QUOTES = "“”‘’"


def _namespace_problem(obj: dict, where: str) -> str | None:
    ns = (obj.get("metadata") or {}).get("namespace")
    if ns not in (None, NS):
        return f"{where}: metadata.namespace is {ns}, not {NS}"
    return None


def _routes(ingress: dict) -> list[tuple[str, str, object]]:
    """(path, service, port number or name) of every rule of an Ingress."""
    found = []
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        for p in ((rule.get("http") or {}).get("paths")) or []:
            svc = ((p.get("backend") or {}).get("service")) or {}
            port = svc.get("port") or {}
            found.append((p.get("path", "/"), svc.get("name"), port.get("number", port.get("name"))))
    return found


def _ingress_problem(ingress: dict, where: str) -> str | None:
    routes = _routes(ingress)
    if not any(svc == n.BACKEND and port == n.BACKEND_PORT and path.rstrip("/") == n.BACKEND_PATH
               for path, svc, port in routes):
        seen = ", ".join(f"{p} -> {s}:{port}" for p, s, port in routes) or "no rules"
        return (f"{where}: no rule sends {n.BACKEND_PATH} to service {n.BACKEND} port "
                f"{n.BACKEND_PORT} ({seen})")
    return None


@check("ch10.backend.files", "backend-deployment.yaml, backend-service.yaml and "
       "backend-ingress.yaml: the backend, its ClusterIP Service 8080 -> 8080 and an Ingress",
       points=3, layer="static",
       hint=f"{n.BACKEND_FILES['Deployment']}: Deployment backend (apps/v1), selector app: backend, "
            f"template labels app: backend and version: v1, container backend with "
            f"{n.BACKEND_IMAGE} (plain quotes or none; a pinned tag, imagePullPolicy "
            f"IfNotPresent), port 8080. {n.BACKEND_FILES['Service']}: type ClusterIP, port 8080, "
            f"targetPort 8080, selector app: backend. {n.BACKEND_FILES['Ingress']}: "
            f"networking.k8s.io/v1 Ingress backend, path {n.BACKEND_PATH} (Prefix) to service "
            "backend port 8080. No namespace in the files, or k8sdemo: apply them with -n k8sdemo.")
def test_backend_files(lab):
    where = n.BACKEND_FILES["Deployment"]
    dep = workload_object(lab, where, "Deployment", n.BACKEND)
    container = pod_container(dep, n.BACKEND) or {}
    image = str(container.get("image") or "")
    assert not any(q in image for q in QUOTES), \
        f"{where}: the image is written {image!r}: typographic quotes (from a word processor) " \
        "become part of the name; use plain quotes or none"
    template = ((dep.get("spec") or {}).get("template") or {}).get("metadata") or {}
    assert (template.get("labels") or {}).get(n.BACKEND_VERSION_LABEL), \
        f"{where}: the pod template's labels ({labels_text(template.get('labels'))}) have no " \
        f"{n.BACKEND_VERSION_LABEL}"
    for problem in (_namespace_problem(dep, where),
                    workload_problem(dep, where, n.BACKEND_LABELS),
                    container_problem(dep, where, n.BACKEND, n.BACKEND_IMAGE, n.BACKEND_PORT)):
        assert problem is None, problem
    where = n.BACKEND_FILES["Service"]
    svc = manifest_object(lab, where, "Service", n.BACKEND)
    for problem in (_namespace_problem(svc, where),
                    service_problem(svc, where, "ClusterIP", n.BACKEND_PORT)):
        assert problem is None, problem
    selector = (svc.get("spec") or {}).get("selector") or {}
    assert selector == n.BACKEND_LABELS, \
        f"{where}: the selector is {labels_text(selector)}, not {labels_text(n.BACKEND_LABELS)}"
    where = n.BACKEND_FILES["Ingress"]
    ingress = manifest_object(lab, where, "Ingress", n.BACKEND)
    for problem in (_namespace_problem(ingress, where), _ingress_problem(ingress, where)):
        assert problem is None, problem


@check("ch10.backend.deployment", "Namespace k8sdemo holds Deployment backend with all its "
       "replicas ready", points=2, layer="live",
       hint="kubectl create namespace k8sdemo (`lab env up ch10 --provider kind` made it), then "
            "kubectl apply -n k8sdemo -f kubernetes/backend-deployment.yaml; `kubectl -n k8sdemo "
            "rollout status deployment/backend`.")
def test_backend_deployment(kube, details):
    kube_require(kube, "Namespace", "Pod", "ReplicaSet")
    assert kube.get("Namespace", NS) is not None, f"no namespace {NS}"
    dep = kube.get("Deployment", n.BACKEND, NS)
    there = sorted((d.get("metadata") or {}).get("name") for d in kube.of("Deployment", NS))
    assert dep is not None, f"no Deployment {n.BACKEND} in namespace {NS}" + \
        (f" (there: {', '.join(there)})" if there else "")
    pods = [p for rs in kube.owned_by("ReplicaSet", dep, NS) for p in kube.owned_by("Pod", rs, NS)
            if not (p.get("metadata") or {}).get("deletionTimestamp")]
    want = (dep.get("spec") or {}).get("replicas", 1)
    ready = [p for p in pods if pod_ready(p)]
    details.update(replicas=want, pods=[describe_pod(p) for p in pods])
    assert want >= 1, f"Deployment {n.BACKEND} is scaled to {want}"
    assert len(ready) >= want, f"Deployment {n.BACKEND} has {len(ready)} of {want} pods ready: " + \
        (", ".join(describe_pod(p) for p in pods if not pod_ready(p)) or "it has no pod")
    labels = (((dep.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
    assert labels.get("app") == "backend" and labels.get(n.BACKEND_VERSION_LABEL), \
        f"the pods of {n.BACKEND} have labels {labels_text(labels)}, not app=backend and a version"


@check("ch10.backend.service", "Service backend in k8sdemo has ready endpoints on 8080, and "
       "Ingress backend routes /api to it", points=2, layer="live",
       hint="kubectl apply -n k8sdemo -f kubernetes/backend-service.yaml -f "
            "kubernetes/backend-ingress.yaml; `kubectl -n k8sdemo get endpointslices -l "
            "kubernetes.io/service-name=backend` lists the pods. None: the selector (app: "
            "backend) matches no ready pod of namespace k8sdemo.")
def test_backend_service(kube, details):
    kube_require(kube, "Pod", "EndpointSlice|Endpoints", "Ingress")
    svc = kube.get("Service", n.BACKEND, NS)
    assert svc is not None, f"no Service {n.BACKEND} in namespace {NS}"
    problem = service_problem(svc, f"Service {n.BACKEND}", "ClusterIP", n.BACKEND_PORT)
    assert problem is None, problem
    eps = kube.endpoints(svc)
    details.update(endpoints=[f"{e.ip} {e.pod} {'ready' if e.ready else 'not ready'}" for e in eps])
    assert any(e.ready for e in eps), \
        f"Service {n.BACKEND} has no ready endpoint: it selects " \
        f"{labels_text((svc.get('spec') or {}).get('selector'))}"
    ingress = kube.get("Ingress", n.BACKEND, NS)
    assert ingress is not None, f"no Ingress {n.BACKEND} in namespace {NS}"
    problem = _ingress_problem(ingress, f"Ingress {n.BACKEND}")
    assert problem is None, problem
