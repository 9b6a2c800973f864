"""ch15.first-pod: Pod nginx and Service nginx-service from the book's sample files, with
the book's mistake fixed (erratum 4: the service selects app=nginx, a label the sample
pod does not have, so the service has no endpoints until the pod gets it)."""

from checks.ch15 import names as n
from grader.checkkit import (
    answers,
    check,
    describe_pod,
    kube_actions,
    kube_object,
    kube_require,
    labels_text,
    manifest_object,
    params_number,
    pod_container,
    pod_ready,
    selects,
)

CHECK_ANSWERS = "ch15.first-pod.answers"


@check(CHECK_ANSWERS, "First-pod questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} after you created "
            "the pod and the service: `kubectl get pods`, `kubectl get svc nginx-service`, "
            "`kubectl get endpointslices -l kubernetes.io/service-name=nginx-service`.")
def test_first_pod_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def _ports(container: dict | None) -> list:
    return [p.get("containerPort") for p in (container or {}).get("ports") or []]


@check("ch15.first-pod.file", "sample-pod.yaml and sample-service.yaml: Pod nginx (ports 80 "
       "and 443), LoadBalancer Service nginx-service 8080 → 80", points=2, layer="static",
       hint="sample-pod.yaml: Pod nginx, container nginx, image clabs/nginx:v1 (the lab's "
            "image, loaded into the cluster; the book's nginx:alpine would be pulled from "
            "Docker Hub), containerPorts 80 and 443. sample-service.yaml: Service "
            "nginx-service, type LoadBalancer, port 8080, targetPort 80, selector app: nginx.")
def test_first_pod_files(lab):
    pod = manifest_object(lab, n.SAMPLE_POD_FILE, "Pod", n.SAMPLE_POD)
    c = pod_container(pod, n.SAMPLE_CONTAINER)
    assert c, f"Pod {n.SAMPLE_POD} has no container named {n.SAMPLE_CONTAINER}"
    assert c.get("image") == n.NGINX_IMAGE, \
        f"container {n.SAMPLE_CONTAINER} runs {c.get('image')!r}, not {n.NGINX_IMAGE}"
    missing = [p for p in n.SAMPLE_PORTS if p not in _ports(c)]
    assert not missing, f"container {n.SAMPLE_CONTAINER} declares ports {_ports(c)}, not " \
                        f"{', '.join(map(str, missing))}"
    svc = manifest_object(lab, n.SAMPLE_SERVICE_FILE, "Service", n.SAMPLE_SERVICE)
    spec = svc.get("spec") or {}
    assert spec.get("type") == n.SAMPLE_SERVICE_TYPE, \
        f"Service {n.SAMPLE_SERVICE} is of type {spec.get('type') or 'ClusterIP (default)'}, " \
        f"not {n.SAMPLE_SERVICE_TYPE}"
    ports = [(p.get("port"), p.get("targetPort", p.get("port"))) for p in spec.get("ports") or []]
    assert (n.SAMPLE_SERVICE_PORT, n.SAMPLE_TARGET_PORT) in ports, \
        f"Service {n.SAMPLE_SERVICE} maps ports {ports or 'none'} (port, targetPort), " \
        f"not {n.SAMPLE_SERVICE_PORT} → {n.SAMPLE_TARGET_PORT}"


@check("ch15.first-pod.selector", "nginx-service selects labels the nginx pod really has",
       points=2, layer="static",
       hint="The book's sample pod has no labels, yet its service selects app: nginx: such a "
            "service has no endpoints and every request to it fails. Give the pod the label "
            "in sample-pod.yaml (metadata.labels: app: nginx), then `kubectl apply -f "
            "sample-pod.yaml` (or `kubectl label pod nginx app=nginx`).")
def test_selector_matches_pod(lab):
    pod = manifest_object(lab, n.SAMPLE_POD_FILE, "Pod", n.SAMPLE_POD)
    svc = manifest_object(lab, n.SAMPLE_SERVICE_FILE, "Service", n.SAMPLE_SERVICE)
    selector = (svc.get("spec") or {}).get("selector") or {}
    assert selector, f"Service {n.SAMPLE_SERVICE} has no selector: it would select no pod"
    labels = (pod.get("metadata") or {}).get("labels") or {}
    assert selects(selector, labels), \
        f"Service {n.SAMPLE_SERVICE} selects {labels_text(selector)}, but Pod {n.SAMPLE_POD} " \
        f"in {n.SAMPLE_POD_FILE} has {labels_text(labels)}: the service would have no endpoints"


@check("ch15.first-pod.running", "Pod nginx is Running and Ready", points=2, layer="live",
       hint="kubectl apply -f sample-pod.yaml, then `kubectl get pod nginx`. ErrImagePull or "
            "ImagePullBackOff: the image is not in the cluster; use clabs/nginx:v1 (loaded by "
            "`lab env up ch15`) with imagePullPolicy IfNotPresent. `kubectl describe pod "
            "nginx` shows the events.")
def test_pod_running(kube):
    pod = kube_object(kube, "Pod", n.SAMPLE_POD)
    assert pod_ready(pod), f"pod {describe_pod(pod)}"


@check("ch15.first-pod.endpoints", "nginx-service has the nginx pod as a ready endpoint",
       points=2, layer="live",
       hint="`kubectl get endpointslices -l kubernetes.io/service-name=nginx-service` must "
            "list the pod's IP. No endpoints: the service's selector (app: nginx) matches no "
            "pod: label the pod (`kubectl label pod nginx app=nginx`, or add the label to "
            "sample-pod.yaml and apply it) — the book forgot it.")
def test_service_endpoints(kube, details):
    kube_require(kube, "Pod", "EndpointSlice|Endpoints")
    svc = kube_object(kube, "Service", n.SAMPLE_SERVICE)
    spec = svc.get("spec") or {}
    selector = spec.get("selector") or {}
    eps = kube.endpoints(svc)
    details["endpoints"] = [f"{e.ip} {e.pod or '?'} {'ready' if e.ready else 'not ready'}" for e in eps]
    pod = kube.get("Pod", n.SAMPLE_POD)
    if not eps:
        labels = ((pod or {}).get("metadata") or {}).get("labels")
        why = (f"pod {n.SAMPLE_POD} has {labels_text(labels)}" if pod else f"there is no pod {n.SAMPLE_POD}")
        raise AssertionError(f"Service {n.SAMPLE_SERVICE} has no endpoints: it selects "
                             f"{labels_text(selector)} and {why}")
    ready = [e for e in eps if e.ready]
    assert ready, f"Service {n.SAMPLE_SERVICE}'s endpoints are not ready: " + \
        ", ".join(f"{e.ip} ({e.pod})" for e in eps)
    assert any(e.pod == n.SAMPLE_POD for e in ready), \
        f"Service {n.SAMPLE_SERVICE} sends traffic to {', '.join(str(e.pod) for e in ready)}, " \
        f"not to pod {n.SAMPLE_POD}"
    ports = [(p.get("port"), p.get("targetPort")) for p in spec.get("ports") or []]
    assert (n.SAMPLE_SERVICE_PORT, n.SAMPLE_TARGET_PORT) in ports, \
        f"Service {n.SAMPLE_SERVICE} maps {ports} (port, targetPort), not " \
        f"{n.SAMPLE_SERVICE_PORT} → {n.SAMPLE_TARGET_PORT}"


@check("ch15.first-pod.http", "A request to nginx-service:8080 inside the cluster gets HTTP "
       "200", points=2, layer="behaviour",
       hint="The grader runs a toolbox pod that calls http://nginx-service:8080/ (the book's "
            "curl left out the port: the service listens on 8080, not 80). It needs the pod "
            "Running with the label, and the service's targetPort 80.")
def test_http_through_service(kube, kube_api, lab, grader_labels, details):
    kube_object(kube, "Service", n.SAMPLE_SERVICE)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    url = f"http://{n.SAMPLE_SERVICE}:{n.SAMPLE_SERVICE_PORT}/"
    try:
        with session.reporting():
            result = session.run_toolbox(
                ["wget", "-S", "-q", "-O", "/dev/null", "-T", "10", "-t", "1", url], image=n.TOOLBOX_IMAGE,
                timeout=params_number(lab, "request_timeout", n.REQUEST_TIMEOUT))
    finally:
        details["left"] = session.left
    statuses = [ln.split()[1] for ln in result.stdout.splitlines()
                if ln.strip().startswith("HTTP/") and len(ln.split()) > 1]
    status = statuses[-1] if statuses else None  # the last one, after redirects
    details.update(url=url, status=status)
    assert status == "200" and result.rc == 0, \
        f"GET {url} from a pod in {lab.namespace}: " + \
        (f"HTTP {status}" if status else f"no answer ({result.line()})") + session.note()
