"""ch16.startup: a startup probe gives a slow starter failureThreshold x periodSeconds
(here at least 150 s) before the liveness and readiness probes take over."""

from checks.ch16 import names as n
from grader.checkkit import (
    answers,
    check,
    container_port,
    describe_pod,
    kube_object,
    manifest_object,
    pod_ready,
)

CHECK_ANSWERS = "ch16.startup.answers"
STARTUP_FILE = f"{n.PROBES_DIR}/startup.yaml"


@check(CHECK_ANSWERS, "Startup-probe questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]}: a startup probe may "
            "fail failureThreshold x periodSeconds seconds; once it has succeeded, it does not "
            "run again for that container.")
def test_startup_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


@check("ch16.startup.files", "startup.yaml: startupProbe tcpSocket 3000 allowing at least "
       "150 s, with liveness and readiness probes", points=2, layer="static",
       hint="probes/startup.yaml: container web with startupProbe tcpSocket port 3000, "
            "failureThreshold 30, periodSeconds 5 (30 x 5 s = 150 s; the defaults 3 x 10 s "
            "give only 30 s), and a livenessProbe and a readinessProbe (httpGet /api/health on "
            "3000) on the same container.")
def test_startup_file(lab):
    pod = manifest_object(lab, STARTUP_FILE, "Pod", n.STARTUP_POD)
    c = (pod["spec"].get("containers") or [{}])[0]
    p = c.get("startupProbe")
    assert p, f"{STARTUP_FILE}: container {c.get('name')} has no startupProbe"
    tcp = p.get("tcpSocket") or {}
    assert tcp and container_port(c, tcp.get("port")) == n.WEB_PORT, \
        f"{STARTUP_FILE}: the startup probe is not tcpSocket {n.WEB_PORT} ({p})"
    threshold, period = p.get("failureThreshold", 3), p.get("periodSeconds", 10)
    assert threshold * period >= n.STARTUP_BUDGET, \
        f"{STARTUP_FILE}: the startup probe allows failureThreshold {threshold} x periodSeconds " \
        f"{period} = {threshold * period} s, less than {n.STARTUP_BUDGET} s"
    missing = [k for k in ("livenessProbe", "readinessProbe") if not c.get(k)]
    assert not missing, f"{STARTUP_FILE}: container {c.get('name')} has no {' and no '.join(missing)}: " \
                        "the startup probe holds them back until the program has started"


@check("ch16.startup.pod", "Pod startup is ready, its startup probe passed", points=1,
       layer="live",
       hint="kubectl apply -f probes/startup.yaml; `kubectl get pod startup` 1/1. Not started: "
            "`kubectl describe pod startup` shows the probes' failures.")
def test_startup_pod(kube, details):
    pod = kube_object(kube, "Pod", n.STARTUP_POD)
    statuses = pod["status"].get("containerStatuses") or []
    details.update(pod=describe_pod(pod), started=[cs.get("started") for cs in statuses])
    assert statuses and all(cs.get("started") for cs in statuses), \
        f"pod {n.STARTUP_POD}: its startup probe has not passed yet ({describe_pod(pod)})"
    assert pod_ready(pod), f"pod {describe_pod(pod)}"
