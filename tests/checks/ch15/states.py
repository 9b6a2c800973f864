"""The ch15 cluster as a real API server would return it once the lab is solved, and
the Docker part; the broken variants are in variants.py, the cluster parts the behaviour
tests play in cluster.py, the object builders in objects.py.

``solved()`` is what ``kubectl get pods,svc,endpointslices,rs,pvc,ing,nodes -A -o json``
prints on the lab's kind cluster after the reference solution ran: every object with
the fields the API server sets (uid, resourceVersion, creationTimestamp, defaults such
as imagePullPolicy and terminationMessagePath, the injected service-account token
volume), the status the kubelet and the controllers write (pod phase, conditions,
containerStatuses, podIP; ReplicaSet counts; PVC Bound with its volume; Ingress load
balancer), ownerReferences (ReplicaSet → pods, Service → EndpointSlice), an
EndpointSlice for every service, the node Ready and the control plane's static pods in
kube-system. tests/checks/ch15/test_state.py proves each object deserialises into the
kubernetes client's model of its kind, and that every object the solution manifests
declare is here with the same names, labels and spec.

objects.settle recomputes what the endpoint-slice and
ReplicaSet controllers derive (slices from the pods a service selects, a ReplicaSet's
counts from the pods it owns), so a variant changes only what the student would have
changed, and the rest follows as on a real cluster.

``docker()`` is the Docker part of ch15 (ch15.pause): ``pause`` and ``main`` as ``docker
inspect`` shows them.
"""

from __future__ import annotations

import hashlib

from tests.checks.ch15.objects import (
    CREATED,
    NODE,
    NS,
    claim,
    container,
    control_plane,
    ingress,
    namespace,
    pod,
    replica_set,
    service,
    settle,
    suffix,
)
from tests.kubemock.objects import node

# ---- the solved chapter -------------------------------------------------------------------


def solved() -> list[dict]:
    """Every object of the solved ch15, as ``kubectl get ... -A -o json`` lists them."""
    nginx = pod("nginx", [container("nginx", ports=(80, 443))], labels={"app": "nginx"},
                ip="10.244.0.10")
    nginx_svc = service("nginx-service", {"app": "nginx"}, type_="LoadBalancer", port=8080,
                        target_port=80, cluster_ip="10.96.87.12", node_port=31734)
    data = claim("my-data-claim", "2Gi")
    web_pod = pod("web-pod", [container("web", mounts=({"name": "my-data", "mountPath": "/data"},))],
                  ip="10.244.0.11",
                  volumes=({"name": "my-data",
                            "persistentVolumeClaim": {"claimName": "my-data-claim"}},))
    web_labels = {"app": "web"}
    rs = replica_set("rs-web", web_labels, [container("nginx")], replicas=3)
    rs_pods = []
    for i in range(3):
        name = f"rs-web-{suffix('rs-web', str(i))}"
        rs_pods.append(pod(name, [container("nginx")], labels=web_labels, ip=f"10.244.0.{12 + i}",
                           owner=rs, generate_name="rs-web-"))
    web_svc = service("web", web_labels, type_="ClusterIP", port=80, target_port=80,
                      cluster_ip="10.96.140.7")
    ing = ingress("web", "example.com", "/web", "web", 80)
    return settle([namespace(NS), node(NODE), *control_plane(),
                   nginx, nginx_svc, data, web_pod, rs, *rs_pods, web_svc, ing])


def as_list(objects: list[dict]) -> dict:
    """A Kubernetes List, as ``kubectl get -o json`` prints it."""
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
            "items": objects}


# ---- the Docker part (ch15.pause) -----------------------------------------------------------


PAUSE_ID = hashlib.sha256(b"pause").hexdigest()
MAIN_ID = hashlib.sha256(b"main").hexdigest()


def _docker_container(name: str, cid: str, image: str, network_mode: str, networks: dict,
                      cmd: list[str], labels: dict) -> dict:
    return {"Id": cid, "Name": f"/{name}", "Created": CREATED, "Path": cmd[0], "Args": cmd[1:],
            "State": {"Status": "running", "Running": True, "Paused": False, "Restarting": False,
                      "OOMKilled": False, "Dead": False, "Pid": 4242, "ExitCode": 0,
                      "Error": "", "StartedAt": CREATED, "FinishedAt": "0001-01-01T00:00:00Z"},
            "Image": "sha256:" + hashlib.sha256(image.encode()).hexdigest(),
            "Config": {"Hostname": cid[:12], "Image": image, "Labels": dict(labels),
                       "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                       "Cmd": cmd, "Tty": name == "main", "OpenStdin": name == "main"},
            "HostConfig": {"NetworkMode": network_mode, "PortBindings": {}},
            "NetworkSettings": {"Networks": networks, "Ports": {}}}


def docker() -> dict:
    """``pause`` (nginx) and ``main`` (toolbox, ``--net container:pause``), labelled for
    the lab, as the Docker snapshot records them (``docker inspect``)."""
    labels = {"org.container-labs.lab": "ch15"}
    bridge = {"bridge": {"IPAddress": "172.17.0.2", "Gateway": "172.17.0.1", "IPPrefixLen": 16,
                         "MacAddress": "02:42:ac:11:00:02", "NetworkID": "b" * 64}}
    pause = _docker_container("pause", PAUSE_ID, "clabs/nginx:v1", "bridge", bridge,
                              ["nginx", "-g", "daemon off;"], labels)
    main = _docker_container("main", MAIN_ID, "clabs/toolbox:1.0", f"container:{PAUSE_ID}", {},
                             ["sh"], labels)
    return {"endpoint": "unix:///var/run/docker.sock", "containers": [pause, main],
            "images": [], "networks": []}


def lab_dump(objects: list[dict] | None, docker_part: dict | None = None) -> dict:
    """Our dump format (``lab dump ch15``): the cluster's List and the Docker part."""
    return {"apiVersion": "container-labs/v1", "kind": "LabDump", "chapter": "ch15",
            "namespace": NS, "docker": docker_part,
            "kube": as_list(objects) if objects is not None else None}
