"""ch15.ingress: context-based (layer 7) routing: an Ingress sends example.com/web to
Service web:80 through the ingress controller (ingress-nginx on kind)."""

from checks.ch15 import names as n
from grader.checkkit import (
    LabError,
    check,
    kube_actions,
    kube_object,
    kube_require,
    manifest_object,
    params_number,
)

WANT = f"{n.INGRESS_HOST}{n.INGRESS_PATH} → {n.WEB_SERVICE}:{n.WEB_SERVICE_PORT}"


def _routes(ingress: dict) -> list[dict]:
    """Every host + path → service:port of an Ingress (port: a number or a name)."""
    found = []
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        for p in ((rule.get("http") or {}).get("paths")) or []:
            svc = ((p.get("backend") or {}).get("service")) or {}
            port = svc.get("port") or {}
            found.append({"host": rule.get("host") or "*", "path": p.get("path") or "/",
                          "pathType": p.get("pathType"), "service": svc.get("name"),
                          "port": port.get("number", port.get("name"))})
    return found


def _show(r: dict) -> str:
    return f"{r['host']}{r['path']} → {r['service']}:{r['port']}"


def _service_port(svc: dict | None, port) -> int | None:
    """A backend's port as a number (a named port resolves through the service)."""
    if isinstance(port, int) or svc is None:
        return port
    return next((p.get("port") for p in (svc.get("spec") or {}).get("ports") or []
                 if p.get("name") == port), None)


def _route_problem(ingress: dict, where: str, web_service: dict | None = None) -> str | None:
    routes = _routes(ingress)
    spec = ingress.get("spec") or {}
    cls = spec.get("ingressClassName") or (ingress["metadata"].get("annotations") or {}).get(
        "kubernetes.io/ingress.class")
    # not set: the cluster's default IngressClass serves it (nginx, on the lab's cluster)
    if cls not in (None, n.INGRESS_CLASS):
        return f"{where}: ingressClassName is {cls}, not {n.INGRESS_CLASS}: no controller of " \
               "the lab's cluster serves it"
    for r in routes:
        if (r["host"] == n.INGRESS_HOST and r["path"] == n.INGRESS_PATH
                and r["service"] == n.WEB_SERVICE
                and _service_port(web_service, r["port"]) == n.WEB_SERVICE_PORT):
            if r["pathType"] not in ("Prefix", "ImplementationSpecific"):
                return f"{where}: path {n.INGRESS_PATH} is of type {r['pathType']}, not Prefix"
            return None
    return f"{where} routes {'; '.join(map(_show, routes)) or 'nothing'}, not {WANT}"


@check("ch15.ingress.file", "ingress.yaml: Ingress web routes example.com/web to service web "
       "port 80", points=2, layer="static",
       hint="ingress.yaml: apiVersion networking.k8s.io/v1, kind Ingress, name web, "
            "ingressClassName nginx, annotation nginx.ingress.kubernetes.io/rewrite-target: /, "
            "rules: [{host: example.com, http: {paths: [{path: /web, pathType: Prefix, "
            "backend: {service: {name: web, port: {number: 80}}}}]}}].")
def test_ingress_file(lab):
    ing = manifest_object(lab, n.INGRESS_FILE, "Ingress", n.INGRESS)
    problem = _route_problem(ing, n.INGRESS_FILE)
    assert problem is None, problem
    rewrite = (ing["metadata"].get("annotations") or {}).get(n.REWRITE_ANNOTATION)
    assert rewrite == "/", \
        f"annotation {n.REWRITE_ANNOTATION} is {rewrite!r}, not '/': nginx would ask the " \
        f"pods for {n.INGRESS_PATH}, which they do not serve (404)"


@check("ch15.ingress.rule", "Ingress web routes example.com/web to service web:80, which has "
       "ready endpoints", points=2, layer="live",
       hint="kubectl apply -f ingress.yaml; `kubectl describe ingress web` shows its rules "
            "and backends: the backend service web must exist and list rs-web's pods "
            "(`kubectl get endpointslices -l kubernetes.io/service-name=web`).")
def test_ingress_rule(kube, details):
    kube_require(kube, "Service", "EndpointSlice|Endpoints")
    ing = kube_object(kube, "Ingress", n.INGRESS)
    svc = kube.get("Service", n.WEB_SERVICE)
    details["routes"] = [_show(r) for r in _routes(ing)]
    problem = _route_problem(ing, f"Ingress {n.INGRESS}", svc)
    assert problem is None, problem
    assert svc, f"the backend Service {n.WEB_SERVICE} does not exist"
    ready = [e for e in kube.endpoints(svc) if e.ready]
    assert ready, f"the backend Service {n.WEB_SERVICE} has no ready endpoint: the " \
                  "ingress controller would answer 503"


@check("ch15.ingress.routes", "A request for example.com/web through the ingress controller "
       "gets the nginx page", points=3, layer="behaviour",
       hint="The grader sends, from a pod in the cluster, `wget --header 'Host: example.com' "
            f"{n.INGRESS_CONTROLLER_URL}/web`. 404: no rule for that host and path; 503: the "
            "service has no ready pods; a 404 from nginx itself: the rewrite-target "
            "annotation is missing.")
def test_ingress_routes(kube, kube_api, lab, grader_labels, details):
    kube_object(kube, "Ingress", n.INGRESS)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    url = f"{n.INGRESS_CONTROLLER_URL}{n.INGRESS_PATH}"
    argv = ["wget", "-qO-", "-T", "10", "-t", "1", "--header", f"Host: {n.INGRESS_HOST}", url]
    try:
        with session.reporting():
            result = session.run_toolbox(
                argv, image=n.TOOLBOX_IMAGE,
                timeout=params_number(lab, "request_timeout", n.REQUEST_TIMEOUT))
    finally:
        details["left"] = session.left
    details.update(request=f"Host: {n.INGRESS_HOST} GET {url}", exit=result.rc)
    if result.rc == 4:  # wget: network failure (the controller's name does not resolve)
        raise LabError(f"the ingress controller is not reachable at {url} ({result.line()}): "
                       "is ingress-nginx installed? `lab env up ch15` installs it")
    assert result.rc == 0, f"Host {n.INGRESS_HOST}, GET {url}: {_wget_says(result.rc)}" + session.note()
    assert n.NGINX_PAGE_MARK in result.stdout, \
        f"Host {n.INGRESS_HOST}, GET {url} answered {result.stdout.strip()[:120]!r}, not " \
        "the nginx page" + session.note()


def _wget_says(rc: int) -> str:
    return {8: "the server answered an HTTP error (404: no route, 503: no ready pod)",
            5: "TLS failure", 6: "authentication failure"}.get(rc, f"wget exited {rc}")
