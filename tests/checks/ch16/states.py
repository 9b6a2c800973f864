"""The ch16 namespace as a real API server returns it once the four notebooks ran in
order (docs/ch16.md, "The state after the four notebooks"): what ``kubectl get
pods,svc,endpointslices,deploy,rs,sts,pvc,secrets,events -n ch16 -o json`` prints, with
the fields the API server sets (uid, defaults of containers and probes), the status the
kubelet and the controllers write, ownerReferences (Deployment -> ReplicaSets -> pods,
StatefulSet -> pod), and the history the notebook leaves: Deployment web's three
ReplicaSets (pets.yaml's template at 0; the rolling-v1 template at 5 again after `kubectl
rollout undo`, revision 4, revision-history 2; 2.1 at 0), Service web switched to
green, probes-demo restarted four times, readiness-demo running unready.

Built by hand with the pod, container and condition builders of the ch15 states (shared,
not copied); :func:`settle` plays the controllers that derive status (EndpointSlices,
ReplicaSet, Deployment and StatefulSet counts), so a broken variant changes only what
the student would have changed. Variants: tests/checks/ch16/variants.py.
"""

from __future__ import annotations

import copy

from tests.checks.ch15 import objects as ch15
from tests.checks.ch15.objects import set_condition
from tests.checks.ch16.objects import (  # noqa: F401  (the builders, for variants and tests)
    DB_LABELS,
    NODE_IP,
    NS,
    WEB_PROBE,
    T,
    claim,
    container,
    deployment,
    http,
    pod_from,
    probe,
    replica_set,
    rs_pods,
    secret,
    service,
    simple_deployment,
    standalone,
    statefulset,
    tcp,
    template,
    template_hash,
    web_container,
)
from tests.kubemock.objects import event

WEB_LABELS = {"app": "pets", "service": "web"}
TITLES = {"clabs/pets-web:2.0": "Pets Demo Application", "clabs/pets-web:2.1": "Pets Demo Application v2"}



def db_objects() -> list[dict]:
    env = [{"name": "POSTGRES_USER", "value": "dbuser"}, {"name": "POSTGRES_PASSWORD", "value": "dbpass"},
           {"name": "POSTGRES_DB", "value": "pets"},
           {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"}]
    mount = {"name": "pets-data", "mountPath": "/var/lib/postgresql/data"}
    tmpl = template(DB_LABELS, [container("db", "clabs/postgres:15", (5432,), env=env,
                                          mounts=(mount,), token=False)])
    sts = statefulset(tmpl)
    pod_tmpl = copy.deepcopy(tmpl)
    pod_tmpl["metadata"]["labels"].update({
        "controller-revision-hash": sts["status"]["currentRevision"],
        "statefulset.kubernetes.io/pod-name": "db-0", "apps.kubernetes.io/pod-index": "0"})
    pod_tmpl["spec"]["volumes"] = [{"name": "pets-data", "persistentVolumeClaim": {"claimName": "pets-data-db-0"}}]
    db0 = pod_from(pod_tmpl, "db-0", "10.244.0.30", sts, T["pets"], generate=False)
    db0["spec"].update(hostname="db-0", subdomain="db")
    return [sts, db0, claim("pets-data-db-0", DB_LABELS),
            service("db", DB_LABELS, 5432, "10.96.40.5", labels=DB_LABELS)]


# ---- the steps ----------------------------------------------------------------------------------


def web_objects() -> list[dict]:
    """Deployment web after pets.yaml, rolling-v1, set image 2.1 and rollout undo."""
    plain = template(WEB_LABELS, [web_container(token=False)])
    v1 = template(WEB_LABELS, [web_container(token=False, rolling=True)])
    v2 = template(WEB_LABELS, [web_container("clabs/pets-web:2.1", token=False, rolling=True)])
    dep = deployment("web", WEB_LABELS, 5, v1, revision=4, generation=4, created=T["pets"],
                     strategy={"type": "RollingUpdate",
                               "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    first = replica_set(dep, plain, 0, revision=1, created=T["pets"])
    in_use = replica_set(dep, v1, 5, revision=4, created=T["rolling"], history="2")
    update = replica_set(dep, v2, 0, revision=3, created=T["update"])
    return [dep, first, in_use, update, *rs_pods(in_use, 5, "10.244.0", T["update"]),
            service("web", {**WEB_LABELS, "color": "green"}, 3000, "10.96.31.7", node_port=31234,
                    labels=WEB_LABELS)]


def blue_green_objects() -> list[dict]:
    out = []
    for colour, image, net in (("blue", "clabs/pets-web:2.0", "10.244.2"),
                               ("green", "clabs/pets-web:2.1", "10.244.3")):
        labels = {**WEB_LABELS, "color": colour}
        tmpl = template(labels, [web_container(image, token=False, probe_it=True)])
        out += simple_deployment(f"web-{colour}", labels, 2, tmpl, net, T[colour])
    return out


def probe_pods() -> list[dict]:
    pg_env = [{"name": "POSTGRES_PASSWORD", "value": "probes-only"}]
    made = [
        ("liveness-exec", container("db", "clabs/postgres:15", (5432,), env=pg_env, livenessProbe=probe(
            {"exec": {"command": ["pg_isready", "--host=127.0.0.1", "--port=5432"]}},
            initialDelaySeconds=10, periodSeconds=5))),
        ("liveness-http", container("web", "clabs/pets-web:2.0", (3000,), livenessProbe=probe(
            http("/api/health", 3000), initialDelaySeconds=5, periodSeconds=3))),
        ("liveness-tcp", container("db", "clabs/postgres:15", (5432,), env=pg_env, livenessProbe=probe(
            tcp(5432), initialDelaySeconds=10, periodSeconds=5))),
        ("probes-demo", container("probes-demo", "clabs/probes-demo:2.0", (3000,),
                                  env=[{"name": "UNHEALTHY_AFTER", "value": "30"}],
                                  livenessProbe=probe(http("/health", 3000), initialDelaySeconds=5,
                                                      periodSeconds=5))),
        ("readiness", container("db", "clabs/postgres:15", (5432,), env=pg_env,
                                livenessProbe=probe(tcp(5432), initialDelaySeconds=10, periodSeconds=5,
                                                    failureThreshold=2),
                                readinessProbe=probe(tcp(5432), initialDelaySeconds=10, periodSeconds=5))),
        ("readiness-demo", container("probes-demo", "clabs/probes-demo:2.0", (3000,),
                                     env=[{"name": "UNHEALTHY_AFTER", "value": "40"}],
                                     readinessProbe=probe(http("/health", 3000), periodSeconds=2,
                                                          failureThreshold=1))),
        ("startup", container("web", "clabs/pets-web:2.0", (3000,),
                              startupProbe=probe(tcp(3000), failureThreshold=30, periodSeconds=5),
                              livenessProbe=probe(http("/api/health", 3000), periodSeconds=5),
                              readinessProbe=probe(http("/api/health", 3000), periodSeconds=5)))]
    pods = [standalone(name, {"app": "probes", "probe": name}, c, f"10.244.4.{10 + i}", T["probes"])
            for i, (name, c) in enumerate(made)]
    demo = next(p for p in pods if p["metadata"]["name"] == "probes-demo")
    restarted(demo, 4)
    unready = next(p for p in pods if p["metadata"]["name"] == "readiness-demo")
    set_condition(unready, ready=False)
    unready["status"]["containerStatuses"][0]["started"] = True
    return pods + [service("readiness-demo", {"app": "probes", "probe": "readiness-demo"}, 3000,
                           "10.96.50.9", labels={"app": "probes", "probe": "readiness-demo"})]


def restarted(p: dict, count: int) -> dict:
    """The kubelet restarted the container ``count`` times after failed liveness probes."""
    cs = p["status"]["containerStatuses"][0]
    cs["restartCount"] = count
    cs["lastState"] = {"terminated": {"exitCode": 2, "reason": "Error", "startedAt": T["probes"],
                                      "finishedAt": T["rolling"],
                                      "containerID": cs.get("containerID", "")}}
    return p


def probe_events(pods: list[dict]) -> list[dict]:
    demo = next(p for p in pods if p["metadata"]["name"] == "probes-demo")
    return [event(demo, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500",
                  type_="Warning", count=12),
            event(demo, "Killing", "Container probes-demo failed liveness probe, will be restarted",
                  count=4),
            event(demo, "BackOff", "Back-off restarting failed container probes-demo in pod "
                  "probes-demo_ch16", type_="Warning", count=3)]


PEEK = "peek-3fa9c1"


def secret_objects() -> list[dict]:
    values = {"username": b"john.doe", "password": b"sEcret-pasSw0rD"}
    prod = {"username": b"sue-hunter", "password": b"123abc456def"}
    mount = {"name": "secrets", "mountPath": "/etc/secrets", "readOnly": True}
    vol_tmpl = template({"app": "pets", "service": "web-secret"},
                        [web_container(token=False, mounts=(mount,))],
                        volumes=({"name": "secrets", "secret": {"secretName": "pets-secret",
                                                                "defaultMode": 420}},))
    env = [{"name": f"PETS_{k.upper()}", "valueFrom": {"secretKeyRef": {"name": "pets-secret", "key": k}}}
           for k in ("username", "password")]
    env_tmpl = template({"app": "pets", "service": "web-secret-env"}, [web_container(token=False, env=env)])
    out = [secret("pets-secret", values, T["secret"]), secret("pets-secret-prod", prod, T["secret"]),
           *simple_deployment("web-secret", {"app": "pets", "service": "web-secret"}, 1, vol_tmpl,
                              "10.244.5", T["secret-pods"]),
           *simple_deployment("web-secret-env", {"app": "pets", "service": "web-secret-env"}, 1,
                              env_tmpl, "10.244.6", T["secret-pods"])]
    for p in [o for o in out if o["kind"] == "Pod"]:
        peeked(p)
    return out


def peeked(p: dict) -> dict:
    """The ephemeral container notebook 04 adds to look inside (it stays in the spec)."""
    p["spec"]["ephemeralContainers"] = [{
        "name": PEEK, "image": "clabs/toolbox:1.0", "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", "cat /proc/$(pgrep -x pets-web)/root/etc/secrets/username"],
        "targetContainerName": "web", "resources": {},
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}]
    p["status"]["ephemeralContainerStatuses"] = [{
        "name": PEEK, "image": "clabs/toolbox:1.0", "imageID": "", "ready": False,
        "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                                    "startedAt": T["secret-pods"],
                                                    "finishedAt": T["secret-pods"]}}}]
    return p


# ---- the controllers ---------------------------------------------------------------------------


def settle(objects: list[dict]) -> list[dict]:
    """The ch15 controllers (EndpointSlices, ReplicaSet counts), then the Deployment
    and StatefulSet controllers' status."""
    objs = ch15.settle(objects)
    for rs in (o for o in objs if o["kind"] == "ReplicaSet"):
        rs["status"]["observedGeneration"] = rs["metadata"].get("generation", 1)
    pods = [o for o in objs if o["kind"] == "Pod"]
    for dep in (o for o in objs if o["kind"] == "Deployment"):
        deployment_status(dep, [o for o in objs if o["kind"] == "ReplicaSet" and any(
            r["uid"] == dep["metadata"]["uid"] for r in o["metadata"].get("ownerReferences") or [])])
    for sts in (o for o in objs if o["kind"] == "StatefulSet"):
        owned = [p for p in pods if any(r["uid"] == sts["metadata"]["uid"]
                                        for r in p["metadata"].get("ownerReferences") or [])]
        ready = sum(map(ch15._ready, owned))
        sts["status"].update(replicas=len(owned), currentReplicas=len(owned), updatedReplicas=len(owned),
                             observedGeneration=1)
        for key in ("readyReplicas", "availableReplicas"):
            sts["status"].pop(key, None)
            if ready:
                sts["status"][key] = ready
    return objs


def deployment_status(dep: dict, rss: list[dict]) -> dict:
    """The Deployment controller's status from its ReplicaSets' counts."""
    from grader.kube.rollouts import same_template
    new = [rs for rs in rss if same_template(rs["spec"]["template"], dep["spec"]["template"])]
    total = sum(rs["status"].get("replicas", 0) for rs in rss)
    ready = sum(rs["status"].get("readyReplicas", 0) for rs in rss)
    updated = sum(rs["status"].get("replicas", 0) for rs in new)
    want = dep["spec"].get("replicas", 1)
    status = {"observedGeneration": dep["metadata"].get("generation", 1), "replicas": total,
              "updatedReplicas": updated}
    if ready:
        status.update(readyReplicas=ready, availableReplicas=ready)
    if total - ready:
        status["unavailableReplicas"] = total - ready
    available = "True" if ready >= want - _unavailable(dep) else "False"
    status["conditions"] = [
        {"type": "Available", "status": available, "lastUpdateTime": T["update"],
         "lastTransitionTime": T["update"],
         "reason": "MinimumReplicasAvailable" if available == "True" else "MinimumReplicasUnavailable",
         "message": "Deployment has minimum availability." if available == "True"
         else "Deployment does not have minimum availability."},
        {"type": "Progressing", "status": "True", "lastUpdateTime": T["update"],
         "lastTransitionTime": T["pets"], "reason": "NewReplicaSetAvailable",
         "message": f'ReplicaSet "{new[0]["metadata"]["name"] if new else "?"}" has successfully progressed.'}]
    dep["status"] = status
    return dep


def _unavailable(dep: dict) -> int:
    value = ((dep["spec"].get("strategy") or {}).get("rollingUpdate") or {}).get("maxUnavailable", "25%")
    want = dep["spec"].get("replicas", 1)
    return int(want * int(value[:-1]) / 100) if isinstance(value, str) else int(value)


def solved() -> list[dict]:
    """Every object of the solved ch16 namespace, as ``kubectl get ... -o json`` lists them."""
    probes = probe_pods()
    return settle([ch15.namespace(NS), *web_objects(), *db_objects(), *blue_green_objects(),
                   *probes, *probe_events(probes), *secret_objects()])


def as_list(objects: list[dict]) -> dict:
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": objects}


def lab_dump(objects: list[dict] | None, **extra) -> dict:
    """Our dump format (``lab dump ch16``): the cluster's List."""
    return {"apiVersion": "container-labs/v1", "kind": "LabDump", "chapter": "ch16",
            "namespace": NS, "docker": None, "kube": as_list(objects) if objects is not None else None,
            **extra}


def find(objects: list[dict], kind: str, name: str) -> dict:
    for o in objects:
        if o["kind"] == kind and o["metadata"]["name"] == name:
            return o
    raise KeyError(f"{kind} {name}")


def owned(objects: list[dict], owner: dict, kind: str = "Pod") -> list[dict]:
    return [o for o in objects if o["kind"] == kind and any(
        r["uid"] == owner["metadata"]["uid"] for r in o["metadata"].get("ownerReferences") or [])]
