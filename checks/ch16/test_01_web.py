"""ch16.web: the pets web component as Deployment web (apps/v1, selector app=pets,
service=web) behind the NodePort Service web; `kubectl run` makes a Pod, not a
Deployment (erratum 12); Deployments live in apps/v1, extensions/v1beta1 is gone
(erratum 7)."""

from checks.ch16 import names as n
from grader.checkkit import (
    answers,
    check,
    container_problem,
    describe_pod,
    kube_actions,
    kube_object,
    kube_require,
    labels_text,
    manifest_object,
    params_number,
    pod_ready,
    selects,
    service_problem,
    workload_object,
    workload_pods,
    workload_problem,
)

CHECK_ANSWERS = "ch16.web.answers"


@check(CHECK_ANSWERS, "Deploy questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} (the cell after the "
            "NodePort section): compare `kubectl run ... --dry-run=client -o yaml` with "
            "`kubectl create deployment ... --dry-run=client -o yaml` (erratum 12: kubectl run "
            "makes a Pod).")
def test_web_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


@check("ch16.web.files", "web-deployment.yaml and web-service.yaml: Deployment web (apps/v1, "
       "clabs/pets-web:2.0 on 3000) and NodePort Service web", points=2, layer="static",
       hint="web-deployment.yaml: apiVersion apps/v1 (extensions/v1beta1 was removed in 1.16: "
            "erratum 7), kind Deployment, name web, replicas 1, selector.matchLabels {app: "
            "pets, service: web} and the same labels on the pod template, container web with "
            "clabs/pets-web:2.0, imagePullPolicy IfNotPresent, containerPort 3000. "
            "web-service.yaml: Service web, type NodePort, port 3000, selector app: pets, "
            "service: web; leave nodePort out (Kubernetes picks one in 30000-32767).")
def test_web_files(lab):
    dep = workload_object(lab, n.WEB_DEPLOYMENT_FILE, "Deployment", n.WEB)
    replicas = (dep.get("spec") or {}).get("replicas", 1)
    assert replicas == 1, f"{n.WEB_DEPLOYMENT_FILE}: replicas is {replicas}, not 1"
    for problem in (workload_problem(dep, n.WEB_DEPLOYMENT_FILE, n.WEB_LABELS),
                    container_problem(dep, n.WEB_DEPLOYMENT_FILE, n.WEB, n.WEB_IMAGE, n.WEB_PORT)):
        assert problem is None, problem
    svc = manifest_object(lab, n.WEB_SERVICE_FILE, "Service", n.WEB)
    problem = service_problem(svc, n.WEB_SERVICE_FILE, "NodePort", n.WEB_PORT)
    assert problem is None, problem
    selector = svc["spec"].get("selector") or {}
    assert selector == n.WEB_LABELS, \
        f"{n.WEB_SERVICE_FILE}: the selector is {labels_text(selector)}, not " \
        f"{labels_text(n.WEB_LABELS)}"


@check("ch16.web.deployment", "Deployment web has all its replicas ready", points=2, layer="live",
       hint="kubectl apply -f web-deployment.yaml; `kubectl rollout status deployment/web`. A pod "
            "that is not ready: `kubectl describe pod -l app=pets,service=web` (ErrImagePull: "
            "use clabs/pets-web:2.0 with imagePullPolicy IfNotPresent; `lab env up ch16` loads "
            "it into the cluster).")
def test_web_deployment(kube, details):
    kube_require(kube, "Pod", "ReplicaSet")
    dep = kube_object(kube, "Deployment", n.WEB)
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    selector = spec.get("selector") or {}
    assert selects(selector, n.WEB_LABELS) and selects(n.WEB_LABELS, selector.get("matchLabels") or {}), \
        f"Deployment web selects {labels_text(selector.get('matchLabels'))}, not " \
        f"{labels_text(n.WEB_LABELS)}"
    want = spec.get("replicas", 1)
    pods = workload_pods(kube, dep)
    ready = [p for p in pods if pod_ready(p)]
    details.update(replicas=want, ready=status.get("readyReplicas", 0),
                   pods=[describe_pod(p) for p in pods])
    assert want >= 1, f"Deployment web is scaled to {want} replicas"
    assert len(ready) >= want and status.get("readyReplicas", 0) >= want, \
        f"Deployment web has {len(ready)} of {want} pods ready: " + \
        (", ".join(describe_pod(p) for p in pods if not pod_ready(p)) or "it has no pod")


@check("ch16.web.service", "Service web is a NodePort on 3000 with ready pods behind it",
       points=2, layer="live",
       hint="kubectl apply -f web-service.yaml; `kubectl get service web` shows the node port, "
            "`kubectl get endpointslices -l kubernetes.io/service-name=web` the pods. No "
            "endpoints: the selector (app: pets, service: web) matches no ready pod.")
def test_web_service(kube, details):
    kube_require(kube, "Pod", "EndpointSlice|Endpoints")
    svc = kube_object(kube, "Service", n.WEB)
    problem = service_problem(svc, "Service web", "NodePort", n.WEB_PORT)
    assert problem is None, problem
    port = next(p for p in svc["spec"]["ports"] if p.get("port") == n.WEB_PORT)
    assert port.get("nodePort"), "Service web has no nodePort yet"
    selector = svc["spec"].get("selector") or {}
    extra = {k: v for k, v in selector.items() if k not in n.WEB_LABELS}
    assert all(selector.get(k) == v for k, v in n.WEB_LABELS.items()) and set(extra) <= {n.COLOR}, \
        f"Service web selects {labels_text(selector)}; it must select {labels_text(n.WEB_LABELS)} " \
        f"(plus, after the blue-green step, one {n.COLOR})"
    eps = kube.endpoints(svc)
    details.update(node_port=port["nodePort"], selector=selector,
                   endpoints=[f"{e.ip} {e.pod} {'ready' if e.ready else 'not ready'}" for e in eps])
    assert any(e.ready for e in eps), \
        f"Service web has no ready endpoint: it selects {labels_text(selector)}" + \
        (f" and its endpoints are not ready ({', '.join(str(e.pod) for e in eps)})" if eps else
         ", which no running pod has")


@check("ch16.web.http", "A request to http://web:3000/ inside the cluster answers "
       "'Pets Demo Application'", points=2, layer="behaviour",
       hint="The grader runs a toolbox pod that fetches http://web:3000/ (the Service's name "
            "and port). No answer: the Service has no ready pod behind it or its port is not "
            "3000; a wrong answer: the pods do not run clabs/pets-web.")
def test_web_http(kube, kube_api, lab, grader_labels, details):
    kube_object(kube, "Service", n.WEB)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    url = f"http://{n.WEB}:{n.WEB_PORT}/"
    got = kube_actions.get_in_cluster(session, url, image=n.TOOLBOX_IMAGE, details=details,
                                      timeout=params_number(lab, "request_timeout", n.REQUEST_TIMEOUT))
    assert got.rc == 0, f"GET {url} from a pod in {lab.namespace}: {got.line()}" + session.note()
    assert got.stdout.strip().startswith(n.WEB_TITLE), \
        f"GET {url} answered {got.stdout.strip()[:80]!r}, not {n.WEB_TITLE!r}" + session.note()
