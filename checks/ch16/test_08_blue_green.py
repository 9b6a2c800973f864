"""ch16.blue-green: web-blue (2.0) and web-green (2.1) run side by side; Service web
selects one colour, and the release is one change of that label (`kubectl patch`, not
the interactive `kubectl edit`: erratum 11); switching back is the rollback."""

import time

from checks.ch16 import names as n
from grader.checkkit import (
    ClusterTraffic,
    LabError,
    answers,
    check,
    container_problem,
    describe_pod,
    kube_actions,
    kube_object,
    kube_require,
    kube_services,
    labels_text,
    manifest_object,
    params_number,
    pod_ready,
    service_problem,
    workload_object,
    workload_pods,
    workload_problem,
)

CHECK_ANSWERS = "ch16.blue-green.answers"
PATCH = "kubectl patch service web -p '{\"spec\":{\"selector\":{\"color\":\"%s\"}}}'"


@check(CHECK_ANSWERS, "Blue-green questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]}: the rollback is the "
            "same kind of change as the switch (a `kubectl patch` of the selector, erratum 11: "
            "not `kubectl edit`).")
def test_blue_green_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def colours(selector: dict | None) -> list[str]:
    """The colours a selector names (the lab's two, or anything under the key)."""
    value = (selector or {}).get(n.COLOR)
    return [value] if value else []


@check("ch16.blue-green.files", "web-deploy-blue.yaml, web-deploy-green.yaml and "
       "web-svc-blue-green.yaml: two coloured Deployments, a Service selecting one colour",
       points=2, layer="static",
       hint="web-deploy-blue.yaml: Deployment web-blue, color: blue in the selector and the pod "
            "labels (with app: pets, service: web), clabs/pets-web:2.0. web-deploy-green.yaml: "
            "web-green, color: green, clabs/pets-web:2.1. web-svc-blue-green.yaml: Service web, "
            "NodePort, port 3000, selector app: pets, service: web and color: blue — exactly "
            "one colour.")
def test_blue_green_files(lab):
    for colour, (name, image) in n.COLORS.items():
        relative = n.BLUE_FILE if colour == "blue" else n.GREEN_FILE
        dep = workload_object(lab, relative, "Deployment", name)
        labels = {**n.WEB_LABELS, n.COLOR: colour}
        for problem in (workload_problem(dep, relative, labels),
                        container_problem(dep, relative, n.WEB, image, n.WEB_PORT)):
            assert problem is None, problem
    svc = manifest_object(lab, n.BLUE_GREEN_SERVICE_FILE, "Service", n.WEB)
    problem = service_problem(svc, n.BLUE_GREEN_SERVICE_FILE, "NodePort", n.WEB_PORT)
    assert problem is None, problem
    selector = svc["spec"].get("selector") or {}
    assert all(selector.get(k) == v for k, v in n.WEB_LABELS.items()), \
        f"{n.BLUE_GREEN_SERVICE_FILE}: the selector {labels_text(selector)} lacks " \
        f"{labels_text(n.WEB_LABELS)}"
    assert colours(selector) and selector[n.COLOR] in n.COLORS, \
        f"{n.BLUE_GREEN_SERVICE_FILE}: the selector {labels_text(selector)} names no colour: it " \
        "would send requests to blue and green (and web's own pods) at once"
    extra = set(selector) - set(n.WEB_LABELS) - {n.COLOR}
    assert not extra, f"{n.BLUE_GREEN_SERVICE_FILE}: the selector also requires {', '.join(sorted(extra))}"


@check("ch16.blue-green.state", "Both colours are ready and Service web sends every request "
       "to green", points=3, layer="live",
       hint="kubectl apply -f web-deploy-blue.yaml -f web-deploy-green.yaml; switch with "
            f"`{PATCH % 'green'}` (erratum 11: a patch, which can be scripted and repeated, "
            "not `kubectl edit`). `kubectl get endpointslices -l "
            "kubernetes.io/service-name=web -o wide` shows which pods get the requests.")
def test_blue_green_state(kube, details):
    kube_require(kube, "Pod", "ReplicaSet", "EndpointSlice|Endpoints")
    by_colour = {}
    for colour, (name, image) in n.COLORS.items():
        dep = kube_object(kube, "Deployment", name)
        want = dep["spec"].get("replicas", 1)
        pods = workload_pods(kube, dep)
        ready = [p for p in pods if pod_ready(p)]
        assert want >= 1 and len(ready) >= want, \
            f"Deployment {name} has {len(ready)} of {want} pods ready: " + \
            (", ".join(describe_pod(p) for p in pods if not pod_ready(p)) or "no pod")
        by_colour[colour] = {p["metadata"]["name"] for p in pods}
    svc = kube_object(kube, "Service", n.WEB)
    selector = svc["spec"].get("selector") or {}
    eps = [e for e in kube.endpoints(svc) if e.ready]
    details.update(selector=selector, endpoints=[f"{e.ip} {e.pod}" for e in eps])
    assert colours(selector), \
        f"Service web selects {labels_text(selector)}: no colour, so requests go to every " \
        f"version at once; apply {n.BLUE_GREEN_SERVICE_FILE}, then switch to green"
    live = selector[n.COLOR]
    assert live == n.LIVE_COLOR, \
        f"Service web still selects {n.COLOR}={live}: switch it to {n.LIVE_COLOR} with " \
        f"`{PATCH % n.LIVE_COLOR}` (not `kubectl edit`, erratum 11)"
    assert eps, f"Service web has no ready endpoint (it selects {labels_text(selector)})"
    stray = [e.pod for e in eps if e.pod not in by_colour.get(live, set())]
    assert not stray, f"Service web also sends requests to {', '.join(map(str, stray))}, not " \
                      f"pods of web-{live}"


@check("ch16.blue-green.switch", "Under traffic, switching Service web to the other colour and "
       "back loses no request, and both versions answer", points=3, layer="behaviour",
       hint="The grader sends requests to http://web:3000/, patches the Service's selector to "
            "the other colour, waits until its endpoints are that colour's pods, then patches "
            "it back, and counts failed requests. It needs both Deployments ready: a colour "
            "without ready pods fails every request after the switch.")
def test_blue_green_switch(kube, kube_api, lab, grader_labels, details):
    kube_object(kube, "Service", n.WEB)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    svc = kube_services.service(session, n.WEB)
    assert svc, f"no Service web in namespace {lab.namespace}"
    selector = svc["spec"].get("selector") or {}
    assert colours(selector) and selector[n.COLOR] in n.COLORS, \
        f"Service web selects {labels_text(selector)}, not one of the colours {', '.join(n.COLORS)}"
    live = selector[n.COLOR]
    other = next(c for c in n.COLORS if c != live)
    timeout = params_number(lab, "request_timeout", n.REQUEST_TIMEOUT)
    hold = params_number(lab, "hold", n.HOLD)

    def only(colour: str):
        def test(ready: list[str]) -> bool:
            mine = {p["metadata"]["name"] for p in session.pods({**selector, n.COLOR: colour})}
            return bool(ready) and set(ready) <= mine
        return test
    ready_other = [p for p in session.pods({**selector, n.COLOR: other}) if pod_ready(p)]
    assert ready_other, f"no ready pod of web-{other}: switching Service web to it would fail " \
                        "every request"
    switched = False
    try:
        with session.reporting(), \
                ClusterTraffic(session, f"http://{n.WEB}:{n.WEB_PORT}/",
                               warmup=params_number(lab, "warmup", n.WARMUP)) as traffic:
            try:
                kube_services.set_selector_label(session, n.WEB, n.COLOR, live, other)
                switched = True
                kube_services.wait_endpoints(session, n.WEB, only(other), timeout, f"the switch to {other}")
                time.sleep(hold)  # requests to the other colour, counted
                kube_services.set_selector_label(session, n.WEB, n.COLOR, other, live)
                switched = False
                kube_services.wait_endpoints(session, n.WEB, only(live), timeout, f"the switch back to {live}")
                time.sleep(hold)
            finally:
                if switched:
                    try:
                        kube_services.set_selector_label(session, n.WEB, n.COLOR, other, live)
                    except LabError as err:
                        session.left.append(f"Service web selects {n.COLOR}={other} ({err}): "
                                            f"`{PATCH % live}`")
            summary = traffic.stop()
    finally:
        details["left"] = session.left
    details.update(summary.as_details(), switched=f"{live} -> {other} -> {live}")
    assert summary.requests > 0, "the grader's traffic made no request"
    assert summary.failed == 0, f"{summary.line()} while Service web switched colours" + session.note()
    titles = {n.WEB_TITLE, n.WEB_TITLE_V2}
    seen = titles & set(summary.answers)
    assert seen == titles, \
        f"the answers were {', '.join(f'{k!r} x{v}' for k, v in summary.answers.items())}: both " \
        "colours answer the same, so the switch releases nothing (blue runs 2.0, green 2.1)"
