"""Builders of Kubernetes objects as the API server stores them for the ch16 states
(tests/checks/ch16/states.py): containers and probes with the server's defaults, pod
templates, Deployments with their ReplicaSets (pod-template-hash, revisions) and
pods, Services, Secrets, the StatefulSet's claim. The pod, container and condition
builders of the ch15 states are shared, not copied."""

from __future__ import annotations

import base64
import copy
import json

from tests.checks.ch15 import objects as ch15
from tests.checks.ch15.objects import container as base_container
from tests.checks.ch15.objects import meta, suffix, uid
from tests.kubemock.objects import owner_ref

NS = "ch16"
NODE_IP = ch15.NODE_IP
# creation times, in the order the notebooks make things
T = {name: f"2025-06-02T{h:02d}:{m:02d}:00Z" for name, (h, m) in {
    "web": (9, 0), "db": (9, 5), "pets": (9, 20), "probes": (9, 40), "rolling": (10, 0),
    "update": (10, 5), "blue": (10, 20), "green": (10, 22), "secret": (11, 0),
    "secret-pods": (11, 10)}.items()}
DB_LABELS = {"app": "pets", "service": "db"}


def _at(obj: dict, when: str) -> dict:
    obj["metadata"]["creationTimestamp"] = when
    return obj


# ---- containers and templates as the API server stores them ------------------------------


def probe(handler: dict, **timing) -> dict:
    """A probe with the server's defaults (timeout 1, period 10, success 1, failure 3)."""
    h = copy.deepcopy(handler)
    if "httpGet" in h:
        h["httpGet"].setdefault("scheme", "HTTP")
    return {**h, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
            "failureThreshold": 3, **timing}


def http(path: str, port: int) -> dict:
    return {"httpGet": {"path": path, "port": port}}


def tcp(port: int) -> dict:
    return {"tcpSocket": {"port": port}}


def container(name: str, image: str, ports=(), *, env=(), mounts=(), token: bool = True,
              **probes) -> dict:
    """A container of a pod (``token``: the service-account mount the server adds) or of
    a template (``token=False``)."""
    c = base_container(name, image, ports=ports, mounts=mounts)
    if not token:
        c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"] != "TOKEN"]
        if not c["volumeMounts"]:
            del c["volumeMounts"]
    if env:
        c["env"] = [dict(e) for e in env]
    for kind, p in probes.items():
        c[kind] = p
    return c


WEB_PROBE = probe(http("/api/health", 3000), periodSeconds=2)


def web_container(image: str = "clabs/pets-web:2.0", *, token: bool = True, rolling: bool = False,
                  probe_it: bool = False, env=(), mounts=()) -> dict:
    """Container web of clabs/pets-web, as pets.yaml (plain), the rolling-v1 and
    blue-green manifests (readiness probe; rolling: SHUTDOWN_DELAY) or the secret ones."""
    env = [{"name": "SHUTDOWN_DELAY", "value": "5"}] if rolling else list(env)
    probes = {"readinessProbe": WEB_PROBE} if rolling or probe_it else {}
    return container("web", image, (3000,), env=env, mounts=mounts, token=token, **probes)


def template(labels: dict, containers: list[dict], volumes=()) -> dict:
    spec = {"containers": containers, "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {},
            "terminationGracePeriodSeconds": 30}
    if volumes:
        spec["volumes"] = [dict(v) for v in volumes]
    return {"metadata": {"labels": dict(labels)}, "spec": spec}


def template_hash(tmpl: dict) -> str:
    return suffix("hash", json.dumps(tmpl, sort_keys=True), n=10)


# ---- workloads -----------------------------------------------------------------------------


def deployment(name: str, labels: dict, replicas: int, tmpl: dict, *, revision: int,
               generation: int = 1, created: str, strategy: dict | None = None) -> dict:
    strategy = strategy or {"type": "RollingUpdate",
                            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    return _at({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": meta("Deployment", name, NS, labels=dict(labels), generation=generation,
                                 annotations={"deployment.kubernetes.io/revision": str(revision)}),
                "spec": {"replicas": replicas, "selector": {"matchLabels": dict(tmpl["metadata"]["labels"])},
                         "template": copy.deepcopy(tmpl), "strategy": strategy,
                         "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
                "status": {}}, created)


def replica_set(dep: dict, tmpl: dict, replicas: int, *, revision: int, created: str,
                history: str | None = None) -> dict:
    """A ReplicaSet of ``dep`` for ``tmpl`` (its pod-template-hash added)."""
    h = template_hash(tmpl)
    tmpl = copy.deepcopy(tmpl)
    tmpl["metadata"]["labels"]["pod-template-hash"] = h
    name = f"{dep['metadata']['name']}-{h}"
    annotations = {"deployment.kubernetes.io/revision": str(revision),
                   "deployment.kubernetes.io/desired-replicas": str(dep["spec"]["replicas"]),
                   "deployment.kubernetes.io/max-replicas": str(dep["spec"]["replicas"] + 1)}
    if history:
        annotations["deployment.kubernetes.io/revision-history"] = history
    selector = {**dep["spec"]["selector"]["matchLabels"], "pod-template-hash": h}
    return _at({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": meta("ReplicaSet", name, NS, labels=dict(tmpl["metadata"]["labels"]),
                                 annotations=annotations, generation=1,
                                 ownerReferences=[owner_ref(dep)]),
                "spec": {"replicas": replicas, "selector": {"matchLabels": selector},
                         "template": tmpl},
                "status": {}}, created)


def pod_from(tmpl: dict, name: str, ip: str, owner: dict, created: str, *, generate: bool = True) -> dict:
    """A pod the controller made from ``tmpl`` and the kubelet runs (Ready)."""
    spec = tmpl["spec"]
    containers = []
    for c in spec["containers"]:
        c = copy.deepcopy(c)
        c["volumeMounts"] = [*c.get("volumeMounts", []),
                             {"name": "TOKEN", "readOnly": True, "mountPath": ch15.TOKEN_MOUNT}]
        containers.append(c)
    p = ch15.pod(name, containers, labels=tmpl["metadata"]["labels"], ip=ip, owner=owner,
                 volumes=tuple(spec.get("volumes") or ()), namespace=NS,
                 generate_name=f"{owner['metadata']['name']}-" if generate else None)
    return _at(p, created)


def rs_pods(rs: dict, count: int, net: str, created: str) -> list[dict]:
    return [pod_from(rs["spec"]["template"], f"{rs['metadata']['name']}-{suffix(rs['metadata']['name'], str(i))}",
                     f"{net}.{10 + i}", rs, created) for i in range(count)]


def simple_deployment(name: str, labels: dict, replicas: int, tmpl: dict, net: str, created: str) -> list[dict]:
    """A Deployment with one ReplicaSet (revision 1) and its ready pods."""
    dep = deployment(name, labels, replicas, tmpl, revision=1, created=created)
    rs = replica_set(dep, tmpl, replicas, revision=1, created=created)
    return [dep, rs, *rs_pods(rs, replicas, net, created)]


def standalone(name: str, labels: dict, c: dict, ip: str, created: str) -> dict:
    return _at(ch15.pod(name, [c], labels=labels, ip=ip, namespace=NS), created)


def service(name: str, selector: dict, port: int, cluster_ip: str, *, node_port: int | None = None,
            labels: dict | None = None) -> dict:
    kind = "NodePort" if node_port else "ClusterIP"
    port_spec = {"port": port, "protocol": "TCP", "targetPort": port}
    spec = {"clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "ports": [port_spec],
            "selector": dict(selector), "sessionAffinity": "None", "type": kind}
    if node_port:
        port_spec["nodePort"] = node_port
        spec["externalTrafficPolicy"] = "Cluster"
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": meta("Service", name, NS, labels=dict(labels) if labels else None),
            "spec": spec, "status": {"loadBalancer": {}}}


def secret(name: str, values: dict[str, bytes], created: str) -> dict:
    return _at({"apiVersion": "v1", "kind": "Secret", "metadata": meta("Secret", name, NS),
                "type": "Opaque",
                "data": {k: base64.b64encode(v).decode() for k, v in values.items()}}, created)


def claim(name: str, labels: dict, size: str = "100Mi") -> dict:
    c = ch15.claim(name, size)
    c["metadata"].update(namespace=NS, uid=uid("PersistentVolumeClaim", NS, name), labels=dict(labels),
                         creationTimestamp=T["db"])
    c["spec"]["volumeName"] = f"pvc-{uid('PersistentVolumeClaim', NS, name)}"
    return c


def statefulset(tmpl: dict) -> dict:
    revision = f"db-{suffix('db-revision', n=10)}"
    return _at({"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": meta("StatefulSet", "db", NS, labels=dict(DB_LABELS), generation=1),
                "spec": {"serviceName": "db", "replicas": 1,
                         "selector": {"matchLabels": dict(DB_LABELS)}, "template": tmpl,
                         "volumeClaimTemplates": [{
                             "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                             "metadata": {"name": "pets-data"},
                             "spec": {"accessModes": ["ReadWriteOnce"],
                                      "resources": {"requests": {"storage": "100Mi"}},
                                      "volumeMode": "Filesystem"},
                             "status": {"phase": "Pending"}}],
                         "podManagementPolicy": "OrderedReady", "revisionHistoryLimit": 10,
                         "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                         "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                                  "whenScaled": "Retain"}},
                "status": {"currentRevision": revision, "updateRevision": revision,
                           "collisionCount": 0}}, T["pets"])
