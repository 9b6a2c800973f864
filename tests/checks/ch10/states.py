"""The ch10 cluster as a real API server returns it once notebooks 06 to 09 ran in order
(docs/ch10.md, "The state after the Kubernetes notebooks"): what ``kubectl get
pods,svc,endpointslices,deploy,rs,secrets,ingress,nodes,namespaces -A -o json`` prints
for the namespaces ch10, k8sdemo and kube-system.

- ch10: the Pod user-service (three containers, ready); Deployment user-service at
  revision 2 (strategy Recreate, template label version: v2) with its two ReplicaSets
  (revision 1 at 0, revision 2 at 3 ready pods); the Secrets mysql-root and lab-token
  (the one `lab env up ch10 --provider kind` planted); the three labelled pods; the
  echo server's Deployment and NodePort Service;
- k8sdemo: Deployment backend, ClusterIP Service backend, Ingress backend;
- kube-system: kind's control plane and kube-proxy; the node, the namespaces.

Built with the ch15 and ch16 builders (shared, not copied); :func:`settle` plays the
controllers that derive status. Variants: tests/checks/ch10/variants.py.
"""

from __future__ import annotations

import copy

from tests.checks.ch15.objects import NODE, control_plane
from tests.checks.ch15.objects import ingress as ch15_ingress
from tests.checks.ch15.objects import namespace as ch15_namespace
from tests.checks.ch16 import states as s16
from tests.checks.ch16.objects import (
    T,
    container,
    deployment,
    http,
    probe,
    replica_set,
    rs_pods,
    secret,
    service,
    simple_deployment,
    standalone,
    tcp,
    template,
)
from tests.kubemock.objects import node

NS = "ch10"
BACKEND_NS = "k8sdemo"
PLANTED_VALUE = "ct-5e1f0a9c3b2d"
LAB_LABELS = {"org.container-labs.lab": "ch10", "org.container-labs.created-by": "kind"}
USER_LABELS = {"name": "user-service"}
SECRET_REF = {"secretKeyRef": {"name": "mysql-root", "key": "password"}}


def moved(objects: list[dict], namespace: str) -> list[dict]:
    """The objects (built in the ch16 namespace by the shared builders) in ``namespace``."""
    for o in objects:
        if "namespace" in o["metadata"]:
            o["metadata"]["namespace"] = namespace
    return objects


def user_containers(*, token: bool = False) -> list[dict]:
    """The three containers of kubernetes/user-service-pod.yaml, as the server stores them."""
    env = [{"name": "REDIS_ADDR", "value": "localhost:6379"},
           {"name": "MYSQL_ADDR", "value": "localhost:3306"},
           {"name": "MYSQL_PASSWORD", "valueFrom": copy.deepcopy(SECRET_REF)}]
    return [
        container("user", "user:v2", (8080,), env=env, token=token,
                  readinessProbe=probe(http("/ready", 8080), periodSeconds=2),
                  livenessProbe=probe(http("/healthz", 8080))),
        container("mysql", "mysql-for-user:v1", (3306,), token=token,
                  env=[{"name": "MYSQL_ROOT_PASSWORD", "valueFrom": copy.deepcopy(SECRET_REF)}],
                  readinessProbe=probe(tcp(3306), periodSeconds=2)),
        container("redis", "clabs/redis:7.0", (6379,), token=token,
                  readinessProbe=probe({"exec": {"command": ["redis-cli", "ping"]}}, periodSeconds=2)),
    ]


def user_pod() -> list[dict]:
    return [standalone_multi("user-service", {"app": "user-service"}, user_containers(token=True),
                             "10.244.1.10", T["web"])]


def standalone_multi(name: str, labels: dict, containers: list[dict], ip: str, created: str) -> dict:
    p = standalone(name, labels, containers[0], ip, created)
    p["spec"]["containers"] = containers
    s16.ch15.set_condition(p, ready=True)
    return p


def user_deployment() -> list[dict]:
    """Deployment user-service after the v1 file, then the v2 file (Recreate, version: v2)."""
    v1 = template(USER_LABELS, user_containers())
    v2 = template({**USER_LABELS, "version": "v2"}, user_containers())
    dep = deployment("user-service", {}, 3, v2, revision=2, generation=2, created=T["rolling"],
                     strategy={"type": "Recreate"})
    dep["metadata"].pop("labels", None)
    dep["spec"]["selector"] = {"matchLabels": dict(USER_LABELS)}   # v1's, which cannot change
    first = replica_set(dep, v1, 0, revision=1, created=T["rolling"])
    second = replica_set(dep, v2, 3, revision=2, created=T["update"])
    return [dep, first, second, *rs_pods(second, 3, "10.244.2", T["update"])]


def secrets() -> list[dict]:
    planted = secret("lab-token", {"token": PLANTED_VALUE.encode()}, T["web"])
    planted["metadata"]["labels"] = {**LAB_LABELS, "org.container-labs.planted": "1"}
    return [secret("mysql-root", {"password": b"123456"}, T["web"]), planted]


LABELLED = {"shop-frontend": ("frontend", "stable"), "shop-api": ("backend", "stable"),
            "shop-api-canary": ("backend", "canary")}


def labelled_pods() -> list[dict]:
    return [standalone(name, {"lesson": "labels", "tier": tier, "release": release},
                       container("echo", "clabs/echoserver:1.0", ()), f"10.244.3.{10 + i}",
                       T["blue"])
            for i, (name, (tier, release)) in enumerate(LABELLED.items())]


def echoserver() -> list[dict]:
    labels = {"app": "echoserver"}
    tmpl = template(labels, [container("echoserver", "clabs/echoserver:1.0", (8080,), token=False)])
    return [*simple_deployment("echoserver", labels, 1, tmpl, "10.244.4", T["green"]),
            service("echoserver", labels, 8080, "10.96.80.80", node_port=30080, labels=labels)]


def backend() -> list[dict]:
    labels = {"app": "backend"}
    tmpl = template({**labels, "version": "v1"}, [container(
        "backend", "clabs/echoserver:1.0", (8080,), token=False,
        readinessProbe=probe(http("/", 8080), periodSeconds=2))])
    svc = service("backend", labels, 8080, "10.96.8.80", labels=labels)
    svc["spec"]["ports"][0]["name"] = "backend-http"
    ing = ch15_ingress("backend", "", "/api", "backend", 8080)
    rule = ing["spec"]["rules"][0]
    rule.pop("host")
    ing["metadata"].pop("annotations", None)
    ing["metadata"]["namespace"] = BACKEND_NS
    return [*simple_deployment("backend", labels, 1, tmpl, "10.244.5", T["secret"]), svc, ing]


def namespaces() -> list[dict]:
    out = [ch15_namespace(NS), ch15_namespace(BACKEND_NS), ch15_namespace("kube-system")]
    for ns in out[:2]:
        ns["metadata"]["labels"].update(LAB_LABELS)
    return out


def settle(objects: list[dict]) -> list[dict]:
    return s16.settle(objects)


def solved() -> list[dict]:
    """Every object of the solved ch10 cluster part."""
    ch10 = moved([*user_pod(), *user_deployment(), *secrets(), *labelled_pods(), *echoserver()], NS)
    k8sdemo = moved(backend(), BACKEND_NS)
    return settle([*namespaces(), node(NODE), *control_plane(), *ch10, *k8sdemo])


def lab_dump(objects: list[dict] | None, **extra) -> dict:
    """Our dump format (``lab dump ch10``) with no Docker part: the cluster's List."""
    return {"apiVersion": "container-labs/v1", "kind": "LabDump", "chapter": "ch10",
            "namespace": NS, "docker": None, "swarm": None,
            "kube": s16.as_list(objects) if objects is not None else None, **extra}


find = s16.find
owned = s16.owned
as_list = s16.as_list
