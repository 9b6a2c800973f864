"""Broken variants of the solved ch16 state (tests/checks/ch16/states.py): each changes a
deep copy of it the way a student's mistake would (the source's errata among them), then
the controllers settle what follows. ``VARIANTS``: name -> (build, {check id: text its
message shows}); every check not named keeps its solved outcome."""

from __future__ import annotations

import base64
import copy

from grader.kube.rollouts import template_of
from tests.checks.ch15.objects import set_condition, set_unscheduled
from tests.checks.ch16 import states as s
from tests.checks.ch16.states import find, owned
from tests.kubemock.objects import event


def _variant(change):
    def build() -> list[dict]:
        objs = copy.deepcopy(s.solved())
        return s.settle(change(objs) or objs)
    build.__doc__ = change.__doc__
    build.__name__ = change.__name__
    return build


def _pods_of(objs: list[dict], deployment: str) -> list[dict]:
    dep = find(objs, "Deployment", deployment)
    return [p for rs in owned(objs, dep, "ReplicaSet") for p in owned(objs, rs)]


def _crash(p: dict, restarts: int, why: str) -> None:
    set_condition(p, ready=False, restarts=restarts, waiting=("CrashLoopBackOff", why))


# ---- ch16.web, ch16.db, ch16.one-file --------------------------------------------------------


@_variant
def web_pods_crashing(objs):
    """Deployment web's five pods crash-loop: no ready replica."""
    for p in _pods_of(objs, "web"):
        _crash(p, 5, "back-off 2m40s restarting failed container=web")


@_variant
def web_service_clusterip(objs):
    """Service web was written without type: NodePort (a ClusterIP, no node port)."""
    svc = find(objs, "Service", "web")
    svc["spec"]["type"] = "ClusterIP"
    svc["spec"]["ports"][0].pop("nodePort")
    svc["spec"].pop("externalTrafficPolicy")


@_variant
def db_claim_pending(objs):
    """The claim pets-data-db-0 waits for a storage class the cluster lacks: db-0 cannot
    be scheduled."""
    i = objs.index(find(objs, "PersistentVolumeClaim", "pets-data-db-0"))
    c = s.ch15.claim("pets-data-db-0", "100Mi", bound=False, storage_class="fast")
    c["metadata"].update(namespace=s.NS, labels=dict(s.DB_LABELS))
    objs[i] = c
    set_unscheduled(find(objs, "Pod", "db-0"), "0/1 nodes are available: pod has unbound "
                    "immediate PersistentVolumeClaims.")


@_variant
def db_service_selects_nothing(objs):
    """Service db selects service: database; db-0 has service: db."""
    find(objs, "Service", "db")["spec"]["selector"] = {"app": "pets", "service": "database"}


@_variant
def pets_removed(objs):
    """remove-pets.sh ran and pets.yaml was not applied again: the four objects, the
    ReplicaSets and pods of web and the pod db-0 are gone (the claim stays)."""
    web = find(objs, "Deployment", "web")
    gone = {id(o) for o in (web, *owned(objs, web, "ReplicaSet"), *_pods_of(objs, "web"),
                            find(objs, "StatefulSet", "db"), find(objs, "Pod", "db-0"),
                            find(objs, "Service", "web"), find(objs, "Service", "db"))}
    return [o for o in objs if id(o) not in gone]


# ---- probes ------------------------------------------------------------------------------------


def _probe_pod(objs, name: str) -> dict:
    return find(objs, "Pod", name)


@_variant
def exec_probe_runs_nc(objs):
    """Erratum 5, as a list: ["nc", "localhost", "5432"]; clabs/postgres:15 has no nc, so
    the probe fails and liveness-exec is restarted again and again."""
    p = _probe_pod(objs, "liveness-exec")
    p["spec"]["containers"][0]["livenessProbe"]["exec"]["command"] = ["nc", "localhost", "5432"]
    _crash(p, 6, "back-off 2m40s restarting failed container=db")
    objs.append(event(p, "Unhealthy", 'Liveness probe failed: OCI runtime exec failed: exec failed: '
                      'unable to start container process: exec: "nc": executable file not found '
                      "in $PATH: unknown", type_="Warning", count=18))


@_variant
def http_probe_port_5000(objs):
    """Erratum 6: liveness-http's probe asks port 5000; nothing listens there."""
    p = _probe_pod(objs, "liveness-http")
    p["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] = 5000
    _crash(p, 3, "back-off 40s restarting failed container=web")
    objs.append(event(p, "Unhealthy", "Liveness probe failed: Get \"http://10.244.4.11:5000/api/health\": "
                      "dial tcp 10.244.4.11:5000: connect: connection refused", type_="Warning", count=9))


@_variant
def probes_demo_port_5000(objs):
    """probes-demo's probe asks port 5000: it is restarted, but not because /health
    turned unhealthy."""
    p = _probe_pod(objs, "probes-demo")
    p["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] = 5000
    objs[:] = [o for o in objs if not (o["kind"] == "Event"
                                       and o["involvedObject"]["name"] == "probes-demo")]
    objs += [event(p, "Unhealthy", "Liveness probe failed: Get \"http://10.244.4.13:5000/health\": "
                   "dial tcp 10.244.4.13:5000: connect: connection refused", type_="Warning", count=12),
             event(p, "Killing", "Container probes-demo failed liveness probe, will be restarted",
                   count=4)]


@_variant
def probes_demo_not_restarted(objs):
    """Checked too early: probes-demo has not been restarted yet."""
    p = _probe_pod(objs, "probes-demo")
    cs = p["status"]["containerStatuses"][0]
    cs["restartCount"] = 0
    cs.pop("lastState", None)
    objs[:] = [o for o in objs if not (o["kind"] == "Event" and o["involvedObject"]["name"] == "probes-demo")]


@_variant
def readiness_probe_missing(objs):
    """readiness-demo without its readiness probe: nothing ever marks it unready."""
    p = _probe_pod(objs, "readiness-demo")
    del p["spec"]["containers"][0]["readinessProbe"]
    set_condition(p, ready=True)


@_variant
def readiness_demo_with_liveness(objs):
    """readiness-demo got a liveness probe on /health too: it is restarted."""
    p = _probe_pod(objs, "readiness-demo")
    c = p["spec"]["containers"][0]
    c["livenessProbe"] = copy.deepcopy(c["readinessProbe"])
    _crash(p, 2, "back-off 20s restarting failed container=probes-demo")


@_variant
def startup_not_started(objs):
    """The startup probe asks port 3001: it never succeeds within its budget yet."""
    p = _probe_pod(objs, "startup")
    p["spec"]["containers"][0]["startupProbe"]["tcpSocket"]["port"] = 3001
    set_condition(p, ready=False)
    p["status"]["containerStatuses"][0]["started"] = False


# ---- rolling and blue-green --------------------------------------------------------------------


def _web_rs(objs, image: str) -> dict:
    dep = find(objs, "Deployment", "web")
    return next(rs for rs in owned(objs, dep, "ReplicaSet")
                if rs["spec"]["template"]["spec"]["containers"][0]["image"] == image
                and rs["spec"]["template"]["spec"]["containers"][0].get("readinessProbe"))


def _move_pods(objs, old: dict, new: dict) -> None:
    """The pods of ``old`` replaced by as many of ``new``."""
    pods = owned(objs, old)
    objs[:] = [o for o in objs if o not in pods]
    objs += s.rs_pods(new, len(pods), "10.244.7", s.T["update"])


@_variant
def rolling_not_undone(objs):
    """`kubectl set image` ran, `kubectl rollout undo` did not: web runs 2.1."""
    dep = find(objs, "Deployment", "web")
    v1, v2 = _web_rs(objs, "clabs/pets-web:2.0"), _web_rs(objs, "clabs/pets-web:2.1")
    dep["spec"]["template"] = template_of(v2)
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "3"
    v1["spec"]["replicas"], v2["spec"]["replicas"] = 0, 5
    v1["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "2"
    del v1["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"]
    _move_pods(objs, v1, v2)


@_variant
def rolling_never_updated(objs):
    """The update to 2.1 never happened: no ReplicaSet of web ran 2.1."""
    v2 = _web_rs(objs, "clabs/pets-web:2.1")
    objs.remove(v2)
    v1 = _web_rs(objs, "clabs/pets-web:2.0")
    v1["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "2"
    del v1["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"]
    find(objs, "Deployment", "web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "2"


@_variant
def rolling_back_by_new_template(objs):
    """Back to 2.0 by applying an edited file (SHUTDOWN_DELAY 10), not by the undo: a new
    ReplicaSet, newer than the 2.1 one."""
    dep = find(objs, "Deployment", "web")
    old = _web_rs(objs, "clabs/pets-web:2.0")
    tmpl = copy.deepcopy(dep["spec"]["template"])
    tmpl["spec"]["containers"][0]["env"][0]["value"] = "10"
    dep["spec"]["template"] = tmpl
    new = s.replica_set(dep, tmpl, 5, revision=4, created="2025-06-02T10:10:00Z")
    old["spec"]["replicas"] = 0
    old["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "2"
    del old["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"]
    objs.append(new)
    _move_pods(objs, old, new)


@_variant
def service_still_blue(objs):
    """The switch was never made (or made with `kubectl edit` and not saved): Service
    web still selects color: blue."""
    find(objs, "Service", "web")["spec"]["selector"]["color"] = "blue"


@_variant
def service_without_colour(objs):
    """web-svc-blue-green.yaml was not applied: Service web selects no colour and sends
    requests to web, web-blue and web-green at once."""
    del find(objs, "Service", "web")["spec"]["selector"]["color"]


@_variant
def green_image_missing(objs):
    """web-green names an image the nodes lack: its pods wait in ImagePullBackOff."""
    for p in _pods_of(objs, "web-green"):
        p["spec"]["containers"][0]["image"] = "clabs/pets-web:2.2"
        set_condition(p, ready=False, phase="Pending", waiting=(
            "ImagePullBackOff", 'Back-off pulling image "clabs/pets-web:2.2"'))


# ---- secrets -------------------------------------------------------------------------------------


def _values(objs, name: str, values: dict[str, bytes]) -> None:
    find(objs, "Secret", name)["data"] = {k: base64.b64encode(v).decode() for k, v in values.items()}


@_variant
def secret_with_newlines(objs):
    """Erratum 8: the values were encoded with `echo ... | base64`: a newline at the end."""
    _values(objs, "pets-secret", {"username": b"john.doe\n", "password": b"sEcret-pasSw0rD\n"})


@_variant
def secret_keys_named_after_files(objs):
    """Erratum 9: `--from-file=./secret-files/username.txt`: keys username.txt, password.txt."""
    _values(objs, "pets-secret-prod", {"username.txt": b"sue-hunter", "password.txt": b"123abc456def"})


@_variant
def secret_double_encoded(objs):
    """Erratum 9: the files held base64, and kubectl encoded it again."""
    _values(objs, "pets-secret-prod", {"username": b"c3VlLWh1bnRlcg==", "password": b"MTIzYWJjNDU2ZGVm"})


@_variant
def secret_mount_writable(objs):
    """web-secret mounts /etc/secrets without readOnly: true."""
    for p in _pods_of(objs, "web-secret"):
        for m in p["spec"]["containers"][0]["volumeMounts"]:
            if m["name"] == "secrets":
                del m["readOnly"]


@_variant
def secret_volume_pod_stuck(objs):
    """web-secret's volume names Secret pets-secrets (a typo): the pod stays in
    ContainerCreating."""
    for p in _pods_of(objs, "web-secret"):
        next(v for v in p["spec"]["volumes"] if v["name"] == "secrets")["secret"]["secretName"] = "pets-secrets"
        set_condition(p, ready=False, phase="Pending", waiting=("ContainerCreating", ""))


@_variant
def secret_env_plain_value(objs):
    """web-secret-env writes PETS_PASSWORD's value in the manifest."""
    for p in _pods_of(objs, "web-secret-env"):
        env = p["spec"]["containers"][0]["env"]
        env[1] = {"name": "PETS_PASSWORD", "value": "sEcret-pasSw0rD"}


VARIANTS = {
    "web-pods-crashing": (web_pods_crashing, {
        "ch16.web.deployment": "Deployment web has 0 of 5 pods ready",
        "ch16.rolling.state": "Deployment web has 0 of 5 pods ready"}),
    "web-service-clusterip": (web_service_clusterip, {
        "ch16.web.service": "Service web is of type ClusterIP, not NodePort"}),
    "db-claim-pending": (db_claim_pending, {
        "ch16.db.statefulset": "claim pets-data-db-0 is Pending, not Bound",
        "ch16.db.service": "Service db's ready endpoints are none, not db-0"}),
    "db-service-selects-nothing": (db_service_selects_nothing, {
        "ch16.db.service": "Service db's ready endpoints are none, not db-0 (it selects app=pets, service=database)"}),
    "pets-removed": (pets_removed, {
        "ch16.one-file.objects": "missing in namespace ch16: Deployment web, Service web, StatefulSet db, Service db",
        "ch16.web.deployment": "no Deployment web in namespace ch16",
        "ch16.web.service": "no Service web in namespace ch16",
        "ch16.db.statefulset": "no StatefulSet db in namespace ch16",
        "ch16.db.service": "no Service db in namespace ch16",
        "ch16.rolling.state": "no Deployment web in namespace ch16",
        "ch16.blue-green.state": "no Service web in namespace ch16"}),
    "exec-probe-runs-nc": (exec_probe_runs_nc, {
        "ch16.liveness.pods": 'pod liveness-exec has been restarted 6 times: its liveness probe fails on a '
                              'healthy program (Unhealthy: Liveness probe failed: OCI runtime exec failed'}),
    "http-probe-port-5000": (http_probe_port_5000, {
        "ch16.liveness.pods": "pod liveness-http has been restarted 3 times"}),
    "probes-demo-port-5000": (probes_demo_port_5000, {
        "ch16.liveness.restarts": "is restarted because its liveness probe cannot connect"}),
    "probes-demo-not-restarted": (probes_demo_not_restarted, {
        "ch16.liveness.restarts": "pod probes-demo has not been restarted yet"}),
    "readiness-probe-missing": (readiness_probe_missing, {
        "ch16.readiness.endpoints": "pod readiness-demo is still ready"}),
    "readiness-demo-with-liveness": (readiness_demo_with_liveness, {
        "ch16.readiness.endpoints": "pod readiness-demo has been restarted 2 times"}),
    "startup-not-started": (startup_not_started, {
        "ch16.startup.pod": "pod startup: its startup probe has not passed yet"}),
    "rolling-not-undone": (rolling_not_undone, {
        "ch16.rolling.state": "Deployment web runs clabs/pets-web:2.1, not clabs/pets-web:2.0: undo the update"}),
    "rolling-never-updated": (rolling_never_updated, {
        "ch16.rolling.state": "no ReplicaSet of web ever ran clabs/pets-web:2.1"}),
    "rolling-back-by-new-template": (rolling_back_by_new_template, {
        "ch16.rolling.state": "is newer than the 2.1 one: web went back to 2.0 by a new pod template"}),
    "service-still-blue": (service_still_blue, {
        "ch16.blue-green.state": "Service web still selects color=blue: switch it to green with "
                                 "`kubectl patch service web"}),
    "service-without-colour": (service_without_colour, {
        "ch16.blue-green.state": "no colour, so requests go to every version at once"}),
    "green-image-missing": (green_image_missing, {
        "ch16.blue-green.state": "Deployment web-green has 0 of 2 pods ready",
        "ch16.web.service": "Service web has no ready endpoint"}),
    "secret-with-newlines": (secret_with_newlines, {
        "ch16.secret-yaml.secret": "username is 'john.doe\\n', with a trailing newline"}),
    "secret-keys-named-after-files": (secret_keys_named_after_files, {
        "ch16.secret-cli.secret": "has the keys password.txt, username.txt: named after the files"}),
    "secret-double-encoded": (secret_double_encoded, {
        "ch16.secret-cli.secret": "the base64 of 'sue-hunter'"}),
    "secret-mount-writable": (secret_mount_writable, {
        "ch16.secret-volume.pod": "the mount at /etc/secrets is not readOnly"}),
    "secret-volume-pod-stuck": (secret_volume_pod_stuck, {
        "ch16.secret-volume.pod": "Deployment web-secret has no ready pod"}),
    "secret-env-plain-value": (secret_env_plain_value, {
        "ch16.secret-env.pod": "PETS_PASSWORD is written in the manifest"}),
}
