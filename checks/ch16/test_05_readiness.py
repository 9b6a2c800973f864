"""ch16.readiness: a readiness probe decides whether a pod gets traffic, a liveness
probe whether it is restarted; the kubelet runs them independently. readiness-demo
stops being ready after 40 s and leaves its Service's endpoints, without a restart."""

from checks.ch16 import names as n
from grader.checkkit import (
    answers,
    check,
    container_port,
    describe_pod,
    kube_object,
    kube_require,
    labels_text,
    manifest_object,
    pod_ready,
    selects,
)

CHECK_ANSWERS = "ch16.readiness.answers"
READINESS_FILE = f"{n.PROBES_DIR}/readiness.yaml"
DEMO_FILE = f"{n.PROBES_DIR}/readiness-demo.yaml"


@check(CHECK_ANSWERS, "Readiness questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} while readiness-demo is "
            "0/1: its RESTARTS column, and `kubectl get endpointslices -l "
            "kubernetes.io/service-name=readiness-demo`. A readiness probe does not hold back "
            "the liveness probe: only a startup probe does.")
def test_readiness_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def _tcp(p: dict | None, container: dict, port: int) -> bool:
    return bool(p and p.get("tcpSocket")) and container_port(container, p["tcpSocket"].get("port")) == port


@check("ch16.readiness.files", "readiness.yaml has a readiness and a liveness probe; "
       "readiness-demo.yaml a readiness probe only, and a Service selecting it", points=2,
       layer="static",
       hint="probes/readiness.yaml: container db with readinessProbe tcpSocket 5432 "
            "(initialDelaySeconds 10, periodSeconds 5) and livenessProbe tcpSocket 5432 with "
            "periodSeconds 5 and failureThreshold 2. probes/readiness-demo.yaml: Pod "
            "readiness-demo with readinessProbe httpGet /health on 3000 and no livenessProbe "
            "(nobody should restart it), then ---, a Service readiness-demo selecting its "
            "labels on port 3000.")
def test_readiness_files(lab):
    pod = manifest_object(lab, READINESS_FILE, "Pod", n.READINESS_POD)
    c = (pod["spec"].get("containers") or [{}])[0]
    ready, live = c.get("readinessProbe"), c.get("livenessProbe")
    assert ready, f"{READINESS_FILE}: container {c.get('name')} has no readinessProbe"
    assert _tcp(ready, c, n.DB_PORT), f"{READINESS_FILE}: the readiness probe is not tcpSocket {n.DB_PORT}"
    timing = (ready.get("initialDelaySeconds", 0), ready.get("periodSeconds", 10))
    assert timing == (10, 5), \
        f"{READINESS_FILE}: the readiness probe waits {timing[0]} s and runs every {timing[1]} s, not 10 / 5"
    assert live, f"{READINESS_FILE}: container {c.get('name')} has no livenessProbe: the step keeps it"
    assert _tcp(live, c, n.DB_PORT), f"{READINESS_FILE}: the liveness probe is not tcpSocket {n.DB_PORT}"
    got = (live.get("failureThreshold", 3), live.get("periodSeconds", 10))
    assert got == (2, 5), \
        f"{READINESS_FILE}: the liveness probe has failureThreshold {got[0]} and periodSeconds " \
        f"{got[1]}, not 2 and 5"
    demo = manifest_object(lab, DEMO_FILE, "Pod", n.READINESS_DEMO)
    c = (demo["spec"].get("containers") or [{}])[0]
    p = c.get("readinessProbe")
    assert p, f"{DEMO_FILE}: container {c.get('name')} has no readinessProbe"
    get = p.get("httpGet") or {}
    assert get and get.get("path") == "/health" and container_port(c, get.get("port")) == n.WEB_PORT, \
        f"{DEMO_FILE}: the readiness probe is not httpGet /health on {n.WEB_PORT} ({p})"
    assert not c.get("livenessProbe"), \
        f"{DEMO_FILE}: readiness-demo has a livenessProbe: it would be restarted instead of " \
        "staying unready"
    svc = manifest_object(lab, DEMO_FILE, "Service", n.READINESS_DEMO)
    selector = svc["spec"].get("selector") or {}
    labels = demo["metadata"].get("labels") or {}
    assert selects(selector, labels), \
        f"{DEMO_FILE}: Service readiness-demo selects {labels_text(selector)}; the pod has " \
        f"{labels_text(labels)}"


@check("ch16.readiness.endpoints", "readiness-demo is running, not ready, not restarted, and "
       "not a ready endpoint of its Service; readiness is ready", points=2, layer="live",
       hint="kubectl apply -f probes/readiness.yaml -f probes/readiness-demo.yaml and wait 40 s: "
            "readiness-demo turns 0/1 with 0 restarts, and `kubectl get endpointslices -l "
            "kubernetes.io/service-name=readiness-demo` lists it with ready: false. Ready "
            "still: its readiness probe is missing; restarted: it has a liveness probe.")
def test_readiness_endpoints(kube, details):
    kube_require(kube, "Pod", "EndpointSlice|Endpoints")
    ready_pod = kube_object(kube, "Pod", n.READINESS_POD)
    assert pod_ready(ready_pod), f"pod {describe_pod(ready_pod)}"
    demo = kube_object(kube, "Pod", n.READINESS_DEMO)
    count = sum(cs.get("restartCount", 0) for cs in demo["status"].get("containerStatuses") or [])
    svc = kube_object(kube, "Service", n.READINESS_DEMO)
    eps = kube.endpoints(svc)
    details.update(pod=describe_pod(demo), restarts=count,
                   endpoints=[f"{e.ip} {e.pod} {'ready' if e.ready else 'not ready'}" for e in eps])
    assert demo["status"].get("phase") == "Running", f"pod {describe_pod(demo)}"
    assert count == 0, f"pod {n.READINESS_DEMO} has been restarted {count} times: a failing " \
                       "readiness probe never restarts a container (a liveness probe does)"
    assert not pod_ready(demo), \
        f"pod {n.READINESS_DEMO} is still ready: /health answers 500 only 40 s after the start, " \
        "and only a readiness probe turns that into 'not ready'"
    listed = [e for e in eps if e.pod == n.READINESS_DEMO]
    assert not any(e.ready for e in listed), \
        f"Service {n.READINESS_DEMO} still sends traffic to {n.READINESS_DEMO} (a ready endpoint)"
    assert listed, f"Service {n.READINESS_DEMO} does not list {n.READINESS_DEMO} at all: it " \
                   f"selects {labels_text(svc['spec'].get('selector'))}, the pod has " \
                   f"{labels_text(demo['metadata'].get('labels'))}"
