"""ch10.echoserver: an echo server as a Deployment (`kubectl create deployment`, not the
source's `kubectl run`, which makes a Pod now) behind a NodePort Service. On kind,
nodePorts 30080-30089 are mapped to localhost; elsewhere `kubectl port-forward` reaches
it. The echo server answers with the request it got, path included."""

import secrets

from checks.ch10 import names as n
from grader.checkkit import (
    check,
    container_problem,
    kube_actions,
    kube_object,
    kube_require,
    labels_text,
    manifest_object,
    params_number,
    service_problem,
    workload_object,
    workload_problem,
)


@check("ch10.echoserver.files", f"{n.ECHO_FILE}: Deployment echoserver and a NodePort Service "
       "on 8080", points=2, layer="static",
       hint=f"Write {n.ECHO_FILE}: a Deployment echoserver (apps/v1, selector app: echoserver, "
            f"container echoserver with {n.ECHO_IMAGE}, IfNotPresent, port 8080) and, after "
            "---, a Service echoserver of type NodePort, port 8080, selector app: echoserver, "
            "nodePort 30080 (kind maps 30080-30089 to localhost; leave it out elsewhere).")
def test_echo_files(lab):
    dep = workload_object(lab, n.ECHO_FILE, "Deployment", n.ECHO)
    for problem in (workload_problem(dep, n.ECHO_FILE, n.ECHO_LABELS),
                    container_problem(dep, n.ECHO_FILE, n.ECHO, n.ECHO_IMAGE, n.ECHO_PORT)):
        assert problem is None, problem
    svc = manifest_object(lab, n.ECHO_FILE, "Service", n.ECHO)
    problem = service_problem(svc, n.ECHO_FILE, "NodePort", n.ECHO_PORT)
    assert problem is None, problem
    selector = (svc.get("spec") or {}).get("selector") or {}
    assert selector == n.ECHO_LABELS, \
        f"{n.ECHO_FILE}: the Service selects {labels_text(selector)}, not {labels_text(n.ECHO_LABELS)}"
    port = next(p for p in svc["spec"]["ports"] if p.get("port") == n.ECHO_PORT)
    node_port = port.get("nodePort")
    assert node_port is None or node_port in n.ECHO_NODE_PORTS, \
        f"{n.ECHO_FILE}: nodePort {node_port} is not one kind maps to localhost " \
        f"({n.ECHO_NODE_PORTS.start}-{n.ECHO_NODE_PORTS.stop - 1})"


@check("ch10.echoserver.service", "Service echoserver is a NodePort with ready pods behind it",
       points=2, layer="live",
       hint=f"kubectl apply -f {n.ECHO_FILE}; `kubectl get endpointslices -l "
            "kubernetes.io/service-name=echoserver` lists its pods. None: the selector matches "
            "no ready pod (`kubectl get pods -l app=echoserver`).")
def test_echo_service(kube, details):
    kube_require(kube, "Pod", "EndpointSlice|Endpoints")
    svc = kube_object(kube, "Service", n.ECHO)
    problem = service_problem(svc, f"Service {n.ECHO}", "NodePort", n.ECHO_PORT)
    assert problem is None, problem
    eps = kube.endpoints(svc)
    port = next(p for p in svc["spec"]["ports"] if p.get("port") == n.ECHO_PORT)
    details.update(node_port=port.get("nodePort"),
                   endpoints=[f"{e.ip} {e.pod} {'ready' if e.ready else 'not ready'}" for e in eps])
    assert any(e.ready for e in eps), \
        f"Service {n.ECHO} has no ready endpoint: it selects " \
        f"{labels_text((svc.get('spec') or {}).get('selector'))}"


@check("ch10.echoserver.echoes", "A request through Service echoserver comes back with its "
       "path", points=2, layer="behaviour",
       hint="The grader runs a toolbox pod that GETs http://echoserver:8080/<a random path> and "
            "looks for that path in the answer. No answer: the Service has no ready pod or "
            "its port is not 8080; an answer without the path: the pods do not run the echo "
            "server.")
def test_echo_echoes(kube, kube_api, lab, grader_labels, details):
    kube_object(kube, "Service", n.ECHO)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    path = f"/ch10/echo-{secrets.token_hex(4)}"
    url = f"http://{n.ECHO}:{n.ECHO_PORT}{path}"
    got = kube_actions.get_in_cluster(session, url, image=n.TOOLBOX_IMAGE, details=details,
                                      timeout=params_number(lab, "request_timeout", n.REQUEST_TIMEOUT))
    assert got.rc == 0, f"GET {url} from a pod in {lab.namespace}: {got.line()}" + session.note()
    assert path in got.stdout, \
        f"GET {url} answered {got.stdout.strip()[:80]!r}, which does not echo {path}" + session.note()
