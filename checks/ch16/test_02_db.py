"""ch16.db: PostgreSQL as StatefulSet db with a claim of its own (pets-data-db-0,
100Mi at /var/lib/postgresql/data), found by the name db through ClusterIP Service db."""

from checks.ch16 import names as n
from grader.checkkit import (
    check,
    container_problem,
    describe_pod,
    kube_actions,
    kube_object,
    kube_require,
    labels_text,
    manifest_object,
    manifests,
    params_number,
    pod_container,
    pod_ready,
    service_problem,
    workload_object,
    workload_pods,
    workload_problem,
)


def _claim_problem(sts: dict) -> str | None:
    """The volumeClaimTemplate pets-data (RWO, 100Mi) mounted at the data folder."""
    templates = {(t.get("metadata") or {}).get("name"): t for t in sts["spec"].get("volumeClaimTemplates") or []}
    claim = templates.get(n.DB_VOLUME)
    if claim is None:
        return (f"{n.DB_STATEFULSET_FILE}: no volumeClaimTemplate named {n.DB_VOLUME} (it has "
                f"{', '.join(map(str, templates)) or 'none'}): without it the data dies with the pod")
    spec = claim.get("spec") or {}
    if "ReadWriteOnce" not in (spec.get("accessModes") or []):
        return f"{n.DB_STATEFULSET_FILE}: claim {n.DB_VOLUME} asks for {spec.get('accessModes')}, not ReadWriteOnce"
    size = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if manifests.quantity(size) != manifests.quantity(n.DB_CLAIM_SIZE):
        return f"{n.DB_STATEFULSET_FILE}: claim {n.DB_VOLUME} requests {size!r}, not {n.DB_CLAIM_SIZE}"
    mounts = {m.get("mountPath"): m.get("name") for m in (pod_container(sts, n.DB) or {}).get("volumeMounts") or []}
    if mounts.get(n.DB_MOUNT) != n.DB_VOLUME:
        return (f"{n.DB_STATEFULSET_FILE}: container {n.DB} does not mount {n.DB_VOLUME} at "
                f"{n.DB_MOUNT} (mounts: {', '.join(f'{v} at {k}' for k, v in mounts.items()) or 'none'})")
    return None


@check("ch16.db.files", "db-stateful-set.yaml and db-service.yaml: StatefulSet db with claim "
       "pets-data, ClusterIP Service db on 5432", points=2, layer="static",
       hint="db-stateful-set.yaml: apiVersion apps/v1, kind StatefulSet, name db, serviceName "
            "db, selector and pod labels app: pets, service: db, container db with "
            "clabs/postgres:15, containerPort 5432, env POSTGRES_PASSWORD, volumeMounts "
            "pets-data at /var/lib/postgresql/data, volumeClaimTemplates [pets-data: "
            "ReadWriteOnce, 100Mi]. db-service.yaml: Service db, ClusterIP, port 5432, "
            "selector app: pets, service: db.")
def test_db_files(lab):
    sts = workload_object(lab, n.DB_STATEFULSET_FILE, "StatefulSet", n.DB)
    for problem in (workload_problem(sts, n.DB_STATEFULSET_FILE, n.DB_LABELS),
                    container_problem(sts, n.DB_STATEFULSET_FILE, n.DB, n.POSTGRES_IMAGE, n.DB_PORT),
                    _claim_problem(sts)):
        assert problem is None, problem
    env = {e.get("name"): e for e in pod_container(sts, n.DB).get("env") or []}
    assert "POSTGRES_PASSWORD" in env, \
        f"{n.DB_STATEFULSET_FILE}: container {n.DB} sets no POSTGRES_PASSWORD: PostgreSQL " \
        "refuses to start without one"
    svc = manifest_object(lab, n.DB_SERVICE_FILE, "Service", n.DB)
    problem = service_problem(svc, n.DB_SERVICE_FILE, "ClusterIP", n.DB_PORT)
    assert problem is None, problem
    selector = svc["spec"].get("selector") or {}
    assert selector == n.DB_LABELS, \
        f"{n.DB_SERVICE_FILE}: the selector is {labels_text(selector)}, not {labels_text(n.DB_LABELS)}"


@check("ch16.db.statefulset", "StatefulSet db is ready and its claim pets-data-db-0 Bound",
       points=2, layer="live",
       hint="kubectl apply -f db-stateful-set.yaml; `kubectl rollout status statefulset/db`, "
            "`kubectl get pvc pets-data-db-0` (Pending: `kubectl describe pvc pets-data-db-0`; "
            "the cluster's default storage class provisions it when db-0 is scheduled).")
def test_db_statefulset(kube, details):
    kube_require(kube, "Pod", "PersistentVolumeClaim")
    sts = kube_object(kube, "StatefulSet", n.DB)
    want = (sts.get("spec") or {}).get("replicas", 1)
    ready = (sts.get("status") or {}).get("readyReplicas", 0)
    pods = workload_pods(kube, sts)
    claim = kube.get("PersistentVolumeClaim", n.DB_CLAIM)
    phase = ((claim or {}).get("status") or {}).get("phase") or "missing"
    details.update(replicas=want, ready=ready, pods=[describe_pod(p) for p in pods], claim=phase)
    assert want == 1, f"StatefulSet db wants {want} replicas, not 1"
    assert claim is not None, \
        f"no claim {n.DB_CLAIM}: the StatefulSet has no volumeClaimTemplate {n.DB_VOLUME}"
    assert phase == "Bound", f"claim {n.DB_CLAIM} is {phase}, not Bound"
    db0 = next((p for p in pods if p["metadata"]["name"] == n.DB_POD), None)
    assert db0 is not None and pod_ready(db0) and ready >= 1, \
        f"StatefulSet db has {ready} of 1 pods ready: {describe_pod(db0)}"


@check("ch16.db.service", "Service db has db-0 as its ready endpoint", points=2, layer="live",
       hint="kubectl apply -f db-service.yaml; `kubectl get endpointslices -l "
            "kubernetes.io/service-name=db` must list db-0. None: the selector (app: pets, "
            "service: db) does not match db-0's labels (`kubectl get pod db-0 --show-labels`).")
def test_db_service(kube, details):
    kube_require(kube, "Pod", "EndpointSlice|Endpoints")
    svc = kube_object(kube, "Service", n.DB)
    problem = service_problem(svc, "Service db", "ClusterIP", n.DB_PORT)
    assert problem is None, problem
    eps = kube.endpoints(svc)
    details["endpoints"] = [f"{e.ip} {e.pod} {'ready' if e.ready else 'not ready'}" for e in eps]
    ready = [e.pod for e in eps if e.ready]
    assert n.DB_POD in ready, \
        f"Service db's ready endpoints are {', '.join(map(str, ready)) or 'none'}, not {n.DB_POD} " \
        f"(it selects {labels_text(svc['spec'].get('selector'))})"


@check("ch16.db.connect", "From a pod in the cluster, db resolves and 5432 accepts a "
       "connection", points=2, layer="behaviour",
       hint="The grader runs a toolbox pod: `getent hosts db` (the Service's name in DNS), then "
            "`nc -z db 5432`. Not resolved: there is no Service db in the namespace. Refused: "
            "db-0 is not ready, or the Service's port is not 5432.")
def test_db_connect(kube, kube_api, lab, grader_labels, details):
    kube_object(kube, "Service", n.DB)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    script = (f"getent hosts {n.DB} || {{ echo 'unresolved'; exit 3; }}; "
              f"nc -z -w 5 {n.DB} {n.DB_PORT} && echo accepted")
    try:
        with session.reporting():
            got = session.run_toolbox(["sh", "-c", script], image=n.TOOLBOX_IMAGE,
                                      timeout=params_number(lab, "request_timeout", n.REQUEST_TIMEOUT))
    finally:
        details["left"] = session.left
    details.update(output=got.stdout.strip()[:200], exit=got.rc)
    assert got.rc != 3, f"the name {n.DB} does not resolve in namespace {lab.namespace}" + session.note()
    assert got.rc == 0 and "accepted" in got.stdout, \
        f"{n.DB}:{n.DB_PORT} resolves but accepts no connection ({got.line()})" + session.note()
