"""ch16.liveness: liveness probes three ways (exec, httpGet, tcpSocket) and probes-demo,
which turns unhealthy and is restarted by the kubelet, again and again. The source
writes the exec probe as one shell string with `||` (erratum 5: an argv list, and `sh
-c` for `||`; its `nc` is not in the image) and names port 5000 for the HTTP probe
(erratum 6: the program listens on 3000)."""

import re
import time
from pathlib import PurePosixPath

from checks.ch16 import names as n
from grader.checkkit import (
    answers,
    check,
    container_port,
    describe_pod,
    kube_actions,
    kube_object,
    kube_require,
    manifest_object,
    manifests,
    params_number,
    pod_ready,
    poll,
)

CHECK_ANSWERS = "ch16.liveness.answers"


@check(CHECK_ANSWERS, "Liveness questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} after watching "
            "probes-demo: `kubectl get pod probes-demo -o wide -w`, `kubectl describe pod "
            "probes-demo`.")
def test_liveness_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def probe_file(lab, name: str) -> tuple[str, dict]:
    """(file, Pod ``name``) of probes/<name>.yaml, validated."""
    relative = f"{n.PROBES_DIR}/{name}.yaml"
    return relative, manifest_object(lab, relative, "Pod", name)


def only_container(pod: dict, where: str) -> dict:
    containers = (pod.get("spec") or {}).get("containers") or []
    assert containers, f"{where}: the pod has no container"
    return containers[0]


def probe(container: dict, kind: str, where: str) -> dict:
    p = container.get(kind)
    assert p, f"{where}: container {container.get('name')} has no {kind}"
    return p


def timing_problem(p: dict, where: str, delay: int | None, period: int) -> str | None:
    got = (p.get("initialDelaySeconds", 0), p.get("periodSeconds", 10))
    if (delay is not None and got[0] != delay) or got[1] != period:
        return (f"{where}: initialDelaySeconds {got[0]}, periodSeconds {got[1]}; the step "
                f"asks for {delay if delay is not None else got[0]} and {period}")
    return None


def handler_problem(p: dict, container: dict, where: str, kind: str, port: int,
                    path: str | None = None) -> str | None:
    """The probe's handler is ``kind`` (httpGet, tcpSocket) on ``port`` (and ``path``)."""
    handler = p.get(kind)
    if not handler:
        have = [k for k in ("exec", "httpGet", "tcpSocket", "grpc") if p.get(k)]
        return f"{where}: the probe is {', '.join(have) or 'empty'}, not {kind}"
    got = container_port(container, handler.get("port"))
    if got != port:
        return (f"{where}: {kind} goes to port {handler.get('port')!r}; the program listens on "
                f"{port}" + (" (the source says 5000 in its text: its YAML has 3000)" if got == 5000 else ""))
    if path is not None and handler.get("path", "/") != path:
        return f"{where}: httpGet asks for {handler.get('path', '/')}, not {path}"
    return None


def exec_problem(command, where: str) -> str | None:
    """Erratum 5: an exec probe's command is an argv list run without a shell; `||`
    needs `sh -c`; the program must be in the image (clabs/postgres:15 has no nc)."""
    if isinstance(command, str):
        return (f"{where}: exec.command is one string ({command!r}); it is an argv list, run "
                "without a shell: [\"pg_isready\", \"--host=127.0.0.1\", \"--port=5432\"], or "
                "[\"sh\", \"-c\", \"...\"] for a shell line")
    if not command:
        return f"{where}: exec.command is empty"
    words = [str(w) for w in command]
    if words[0] in n.SHELLS and len(words) >= 3 and words[1] == "-c":
        programs = [part.split()[0] for part in re.split(r"\|\||&&|;|\|", words[2]) if part.split()]
    else:
        operators = [w for w in words if any(op in w for op in ("||", "&&", ";", "|", ">"))]
        if operators:
            return (f"{where}: exec.command {words} has {operators[0]!r} without a shell: the "
                    f"kubelet runs {words[0]} with it as an argument; write "
                    "[\"sh\", \"-c\", \"... || exit 1\"]")
        programs = [words[0]]
    lacking = [p for p in programs if PurePosixPath(p).name in n.POSTGRES_LACKS]
    if lacking:
        return (f"{where}: {n.POSTGRES_IMAGE} has no {lacking[0]} (the source's probe runs nc): "
                "the probe would fail for ever; pg_isready is in the image")
    return None


@check("ch16.liveness.files", "Liveness probes as specified: exec as an argv list, httpGet on "
       "3000, tcpSocket on 5432, probes-demo's /health", points=3, layer="static",
       hint="probes/liveness-exec.yaml: exec.command [\"pg_isready\", \"--host=127.0.0.1\", "
            "\"--port=5432\"] (erratum 5: a list, not one shell string; `||` only inside "
            "[\"sh\", \"-c\", ...]; the image has no nc), initialDelaySeconds 10, periodSeconds "
            "5. probes/liveness-http.yaml: httpGet /api/health on port 3000 (erratum 6: not "
            "5000). probes/liveness-tcp.yaml: tcpSocket 5432, 10 / 5. probes/probes-demo.yaml: "
            "httpGet /health on 3000.")
def test_liveness_files(lab):
    relative = f"{n.PROBES_DIR}/liveness-exec.yaml"
    raw = manifests.find(manifests.load(lab.require(relative)), "Pod", "liveness-exec")
    for c in ((raw or {}).get("spec") or {}).get("containers") or []:
        command = ((c.get("livenessProbe") or {}).get("exec") or {}).get("command")
        if command is not None:  # before the schema: say what erratum 5 is about
            problem = exec_problem(command, relative)
            assert problem is None, problem
    where, pod = probe_file(lab, "liveness-exec")
    c = only_container(pod, where)
    p = probe(c, "livenessProbe", where)
    assert p.get("exec"), f"{where}: the liveness probe is not an exec probe"
    for problem in (exec_problem(p["exec"].get("command"), where),
                    timing_problem(p, where, 10, 5)):
        assert problem is None, problem
    checks = (("liveness-http", "httpGet", n.WEB_PORT, "/api/health", None, None),
              ("liveness-tcp", "tcpSocket", n.DB_PORT, None, 10, 5),
              (n.PROBES_DEMO, "httpGet", n.WEB_PORT, "/health", None, None))
    for name, kind, port, path, delay, period in checks:
        where, pod = probe_file(lab, name)
        c = only_container(pod, where)
        p = probe(c, "livenessProbe", where)
        assert (problem := handler_problem(p, c, where, kind, port, path)) is None, problem
        if period is not None:
            assert (problem := timing_problem(p, where, delay, period)) is None, problem


def restarts(pod: dict) -> int:
    return sum(cs.get("restartCount", 0) for cs in (pod.get("status") or {}).get("containerStatuses") or [])


def probe_events(kube, pod: str) -> list[str]:
    """What the kubelet said about a pod's probes (Unhealthy, Killing), newest last."""
    found = [e for e in kube.events_for("Pod", pod) if e.get("reason") in ("Unhealthy", "Killing")]
    found.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    return [f"{e.get('reason')}: {(e.get('message') or e.get('note') or '').strip()[:160]}" for e in found]


@check("ch16.liveness.pods", "liveness-exec, liveness-http and liveness-tcp are running, ready, "
       "never restarted", points=2, layer="live",
       hint="kubectl apply -f probes/liveness-exec.yaml -f probes/liveness-http.yaml -f "
            "probes/liveness-tcp.yaml. Restarts mean the probe fails on a healthy program: "
            "`kubectl describe pod <name>` shows why (exec: a program the image does not have; "
            "httpGet: a port the program does not listen on, erratum 6).")
def test_liveness_pods(kube, details):
    kube_require(kube, "Pod")
    seen = {}
    for name in n.LIVENESS_PODS:
        pod = kube_object(kube, "Pod", name)
        seen[name] = describe_pod(pod) + f", {restarts(pod)} restarts"
        if restarts(pod):
            said = probe_events(kube, name) if kube.read("Event") else []
            raise AssertionError(f"pod {name} has been restarted {restarts(pod)} times: its "
                                 "liveness probe fails on a healthy program"
                                 + (f" ({said[-1]})" if said else ""))
        assert pod_ready(pod), f"pod {describe_pod(pod)}"
    details["pods"] = seen


@check("ch16.liveness.restarts", "probes-demo has been restarted after failed liveness probes",
       points=2, layer="live",
       hint="kubectl apply -f probes/probes-demo.yaml and wait a minute: /health answers 500 "
            "after 30 s, the liveness probe fails three times and the kubelet restarts the "
            "container (`kubectl get pod probes-demo -w`). Restarted while /health still "
            "answers 200: the probe asks a port nothing listens on.")
def test_probes_demo_restarted(kube, details):
    pod = kube_object(kube, "Pod", n.PROBES_DEMO)
    count = restarts(pod)
    said = probe_events(kube, n.PROBES_DEMO) if kube.read("Event") else []
    details.update(pod=describe_pod(pod), restarts=count, events=said[-4:])
    assert count >= 1, f"pod {n.PROBES_DEMO} has not been restarted yet ({describe_pod(pod)})"
    liveness = [s for s in said if "Liveness probe failed" in s]
    refused = [s for s in liveness if "connection refused" in s]
    assert not liveness or len(refused) < len(liveness), \
        f"pod {n.PROBES_DEMO} is restarted because its liveness probe cannot connect " \
        f"({refused[-1]}): it asks a port the program does not listen on, not /health on 3000"


def backoff(count: int, most: float) -> float:
    """The kubelet's wait before the next restart after ``count`` restarts: 10 s,
    doubling, at most ``most`` (5 minutes unless the kubelet is configured otherwise)."""
    return float(min(10 * 2 ** min(count, 10), most))


@check("ch16.liveness.restart", "The grader sees probes-demo restarted once more", points=2,
       layer="behaviour",
       hint="The grader watches probes-demo (changing nothing) until its restart count grows: "
            "within the kubelet's back-off (up to --param restart_backoff, 300 s, once it has "
            "restarted often) plus --param restart_timeout (60 s). It needs probes-demo with "
            "its liveness probe on /health, port 3000.")
def test_probes_demo_restarts_again(kube, kube_api, lab, grader_labels, details):
    kube_object(kube, "Pod", n.PROBES_DEMO)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels, interval=2.0)
    first = session.pod(n.PROBES_DEMO)
    assert first, f"no pod {n.PROBES_DEMO} in namespace {lab.namespace}"
    uid, count = first["metadata"].get("uid"), restarts(first)
    bound = backoff(count, params_number(lab, "restart_backoff", n.RESTART_BACKOFF)) + \
        params_number(lab, "restart_timeout", n.RESTART_MARGIN)
    start, seen = time.monotonic(), {"pod": first}

    def restarted():
        seen["pod"] = p = session.pod(n.PROBES_DEMO)
        if p is None or p["metadata"].get("uid") != uid:
            raise poll.GaveUp(f"pod {n.PROBES_DEMO} was deleted or replaced while the grader watched it")
        return restarts(p) > count
    try:
        session._wait(restarted, bound, f"{n.PROBES_DEMO} restarted")
    except poll.Timeout:
        raise AssertionError(f"pod {n.PROBES_DEMO} was not restarted within {bound:g}s: its "
                             f"restart count stayed at {count} ({describe_pod(seen['pod'])})") from None
    details.update(restarts=f"{count} -> {restarts(seen['pod'])}",
                   seconds=round(time.monotonic() - start, 1), bound=bound)
