"""ch16.rolling: Deployment web with five replicas, updated pod by pod to 2.1 (`kubectl set
image`) and back (`kubectl rollout undo`, which scales the earlier ReplicaSet up again:
the same pod-template-hash), without a failed request."""

import copy
import secrets
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
    kube_rollouts,
    kube_services,
    params_number,
    pod_container,
    pod_ready,
    workload_object,
    workload_pods,
    workload_problem,
)

CHECK_ANSWERS = "ch16.rolling.answers"


@check(CHECK_ANSWERS, "Rolling-update questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]}: maxSurge and "
            "maxUnavailable default to 25% (a surge rounds up, unavailability down); `kubectl "
            "rollout history deployment/web` lists the revisions.")
def test_rolling_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


@check("ch16.rolling.file", "web-deploy-rolling-v1.yaml: Deployment web, 5 replicas of 2.0 "
       "with a readiness probe", points=2, layer="static",
       hint="web-deploy-rolling-v1.yaml: apiVersion apps/v1, Deployment web, replicas 5, "
            "selector and pod labels app: pets, service: web, container web with "
            "clabs/pets-web:2.0 and a readinessProbe (httpGet /api/health on 3000): without "
            "it a new pod gets traffic before it answers. For no failed request at all: "
            "strategy.rollingUpdate.maxUnavailable 0 and env SHUTDOWN_DELAY \"5\".")
def test_rolling_file(lab, details):
    dep = workload_object(lab, n.ROLLING_FILE, "Deployment", n.WEB)
    spec = dep.get("spec") or {}
    assert spec.get("replicas", 1) == n.ROLLING_REPLICAS, \
        f"{n.ROLLING_FILE}: replicas is {spec.get('replicas', 1)}, not {n.ROLLING_REPLICAS}"
    for problem in (workload_problem(dep, n.ROLLING_FILE, n.WEB_LABELS),
                    container_problem(dep, n.ROLLING_FILE, n.WEB, n.WEB_IMAGE, n.WEB_PORT)):
        assert problem is None, problem
    c = pod_container(dep, n.WEB)
    assert c.get("readinessProbe"), \
        f"{n.ROLLING_FILE}: container web has no readinessProbe: during an update each new pod " \
        "would get requests before it can answer them"
    strategy = spec.get("strategy") or {}
    assert strategy.get("type", "RollingUpdate") == "RollingUpdate", \
        f"{n.ROLLING_FILE}: strategy {strategy.get('type')} stops every pod before starting new ones"
    advice = []
    if (strategy.get("rollingUpdate") or {}).get("maxUnavailable") not in (0, "0%"):
        advice.append("maxUnavailable 0 keeps five pods ready throughout")
    if not any(e.get("name") == "SHUTDOWN_DELAY" for e in c.get("env") or []):
        advice.append("SHUTDOWN_DELAY lets a stopping pod answer until every node has taken "
                      "it out of the service")
    details["advice"] = advice


def _image(obj: dict) -> str | None:
    return (pod_container(obj, n.WEB) or {}).get("image")


def _created(obj: dict) -> str:
    return obj["metadata"].get("creationTimestamp") or ""


@check("ch16.rolling.state", "web runs 5/5 on 2.0 again, on the ReplicaSet it had before the "
       "update to 2.1", points=3, layer="live",
       hint="kubectl apply -f web-deploy-rolling-v1.yaml; kubectl set image deployment/web "
            "web=clabs/pets-web:2.1; kubectl rollout status deployment/web; kubectl rollout "
            "undo deployment/web. `kubectl get rs -l app=pets,service=web` then shows the 2.1 "
            "ReplicaSet at 0 and the first one at 5 again; `kubectl rollout history "
            "deployment/web` the revisions.")
def test_rolling_state(kube, details):
    kube_require(kube, "Pod", "ReplicaSet")
    dep = kube_object(kube, "Deployment", n.WEB)
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    rss = sorted(kube.owned_by("ReplicaSet", dep), key=_created)
    details["replica_sets"] = [f"{rs['metadata']['name']} revision {kube_rollouts.revision(rs)} "
                               f"{_image(rs)} {rs['spec'].get('replicas', 0)} replicas" for rs in rss]
    assert spec.get("replicas", 1) == n.ROLLING_REPLICAS, \
        f"Deployment web wants {spec.get('replicas', 1)} replicas, not {n.ROLLING_REPLICAS}: " \
        f"apply {n.ROLLING_FILE}"
    assert _image(dep) == n.WEB_IMAGE, \
        f"Deployment web runs {_image(dep)}, not {n.WEB_IMAGE}" + \
        (": undo the update (`kubectl rollout undo deployment/web`)" if _image(dep) == n.WEB_IMAGE_V2 else "")
    pods = workload_pods(kube, dep)
    ready = [p for p in pods if pod_ready(p)]
    assert len(ready) >= n.ROLLING_REPLICAS and status.get("readyReplicas", 0) >= n.ROLLING_REPLICAS, \
        f"Deployment web has {len(ready)} of {n.ROLLING_REPLICAS} pods ready: " + \
        (", ".join(describe_pod(p) for p in pods if not pod_ready(p)) or "no pod")
    in_use = next((rs for rs in rss if kube_rollouts.same_template(rs["spec"]["template"], spec["template"])), None)
    assert in_use is not None, "no ReplicaSet of web has its current pod template"
    updated = [rs for rs in rss if _image(rs) == n.WEB_IMAGE_V2]
    assert updated, f"no ReplicaSet of web ever ran {n.WEB_IMAGE_V2}: update it with `kubectl set " \
                    f"image deployment/web web={n.WEB_IMAGE_V2}`"
    newest = updated[-1]
    assert newest["spec"].get("replicas", 0) == 0, \
        f"{newest['metadata']['name']} ({n.WEB_IMAGE_V2}) still has {newest['spec'].get('replicas')} replicas"
    assert _created(in_use) < _created(newest), \
        f"{in_use['metadata']['name']}, the ReplicaSet in use, is newer than the 2.1 one: web " \
        "went back to 2.0 by a new pod template, not by `kubectl rollout undo` (which reuses " \
        "the earlier ReplicaSet and its pod-template-hash)"
    assert kube_rollouts.revision(in_use) > kube_rollouts.revision(newest), \
        f"{in_use['metadata']['name']} has revision {kube_rollouts.revision(in_use)}, not above " \
        f"the 2.1 ReplicaSet's {kube_rollouts.revision(newest)}"
    details.update(in_use=in_use["metadata"]["name"], revision=kube_rollouts.revision(in_use),
                   history=(in_use["metadata"].get("annotations") or {}).get(
                       "deployment.kubernetes.io/revision-history"))


def _put_back(session, template: dict, timeout: float) -> None:
    """Deployment web's template as the grader found it, rolled out; ``left`` otherwise."""
    try:
        now = kube_rollouts.deployment(session, n.WEB)
        if now is not None and not kube_rollouts.same_template(now["spec"]["template"], template):
            kube_rollouts.restore_template(session, n.WEB, template)
        kube_rollouts.wait_rollout(session, n.WEB, timeout)
    except (AssertionError, LabError) as err:
        session.left.append(f"Deployment web may not be back on its pod template ({err}): "
                            f"`kubectl apply -f {n.ROLLING_FILE}`")


@check("ch16.rolling.traffic", "Under traffic, the update to 2.1 and the undo lose no request",
       points=3, layer="behaviour",
       hint="The grader sends requests to web's pods (through a Service of its own that "
            "follows them by a label it adds and removes afterwards), runs "
            "`kubectl set image deployment/web web=clabs/pets-web:2.1`, waits for the rollout, "
            "then `kubectl rollout undo deployment/web`, and counts failed requests. Failures "
            "come from pods that get traffic before they answer (no readinessProbe), from too "
            "few ready pods (maxUnavailable above 0) or from pods that stop at once "
            "(SHUTDOWN_DELAY). Timeouts: --param rollout_timeout (180 s).")
def test_rolling_traffic(kube, kube_api, lab, grader_labels, details):
    kube_object(kube, "Deployment", n.WEB)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    timeout = params_number(lab, "rollout_timeout", n.ROLLOUT_TIMEOUT)
    hold = params_number(lab, "hold", n.HOLD)
    dep = kube_rollouts.deployment(session, n.WEB)
    assert dep, f"no Deployment web in namespace {lab.namespace}"
    assert _image(dep) == n.WEB_IMAGE, \
        f"Deployment web runs {_image(dep)}: the grader updates it from {n.WEB_IMAGE} to " \
        f"{n.WEB_IMAGE_V2} and back; undo your update first"
    before = kube_rollouts.wait_rollout(session, n.WEB, timeout)
    template = copy.deepcopy(dep["spec"]["template"])
    # blue and green carry web's labels too: the grader's Service follows web's own pods
    # by a label the grader gives them (and takes off afterwards)
    follow = {n.TRAFFIC_LABEL: secrets.token_hex(4)}
    selector = {**((dep["spec"].get("selector") or {}).get("matchLabels") or n.WEB_LABELS), **follow}
    rolled = []
    try:
        with session.reporting(), \
                kube_rollouts.labelling(session, dep, *next(iter(follow.items()))), \
                kube_services.grader_service(session, selector, n.WEB_PORT, prefix="grader-rolling") as svc:
            kube_services.wait_endpoints(session, svc, bool, timeout, "a ready pod behind the grader's service")
            with ClusterTraffic(session, f"http://{svc}:{n.WEB_PORT}/",
                                warmup=params_number(lab, "warmup", n.WARMUP)) as traffic:
                try:
                    kube_rollouts.set_image(session, dep, n.WEB, n.WEB_IMAGE_V2)
                    rolled.append(kube_rollouts.wait_rollout(session, n.WEB, timeout))
                    kube_rollouts.undo(session, n.WEB)
                    rolled.append(kube_rollouts.wait_rollout(session, n.WEB, timeout))
                finally:  # the undo restores it; anything else, the grader does
                    _put_back(session, template, timeout)
                time.sleep(hold)  # the pods of 2.1 stop now: keep counting while they do
                summary = traffic.stop()
    finally:
        details["left"] = session.left
    details.update(summary.as_details(), service_selector=selector,
                   rollouts=[before.line()] + [r.line() for r in rolled])
    assert summary.requests > 0, "the grader's traffic made no request"
    assert summary.failed == 0, f"{summary.line()} during the update and the undo" + session.note()
    assert rolled[0].template_hash != before.template_hash, \
        f"the update to {n.WEB_IMAGE_V2} made no new ReplicaSet"
    assert rolled[1].template_hash == before.template_hash, \
        f"the undo did not bring back {before.replica_set} (pod-template-hash {before.template_hash}) " \
        f"but {rolled[1].replica_set}" + session.note()
