"""The ch15 cluster as a real API server would return it once the lab is solved, and
named broken variants of it, each made by changing a deep copy of the solved state.

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

The test plays the controllers: :func:`settle` recomputes what the endpoint-slice and
ReplicaSet controllers derive (slices from the pods a service selects, a ReplicaSet's
counts from the pods it owns), so a variant changes only what the student would have
changed, and the rest follows as on a real cluster.

``docker()`` is the Docker part of ch15 (ch15.pause): ``pause`` and ``main`` as ``docker
inspect`` shows them.
"""

from __future__ import annotations

import copy
import hashlib
import uuid

from tests.kubemock.objects import endpoint_slice, node, owner_ref

NS = "ch15"
NODE = "container-labs-control-plane"
NODE_IP = "172.18.0.2"
CREATED = "2025-06-02T09:00:00Z"
LATER = "2025-06-02T09:05:00Z"
TOKEN_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


def uid(*parts: str) -> str:
    """A stable uid, so objects can point at each other."""
    return str(uuid.UUID(hashlib.md5("/".join(parts).encode()).hexdigest()))


def suffix(*parts: str, n: int = 5) -> str:
    """A stable random-looking name suffix (``rs-web-7xk2p``)."""
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    digest = hashlib.md5("/".join(parts).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:n])


def meta(kind: str, name: str, namespace: str | None = NS, **extra) -> dict:
    out = {"name": name, "uid": uid(kind, namespace or "", name), "resourceVersion": "1042",
           "creationTimestamp": CREATED}
    if namespace is not None:
        out["namespace"] = namespace
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


# ---- pods --------------------------------------------------------------------------


def container(name: str, image: str = "clabs/nginx:v1", ports=(80,), mounts=()) -> dict:
    """A container as the API server stores it: defaults filled in."""
    c = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent", "resources": {},
         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}
    if ports:
        c["ports"] = [{"containerPort": p, "protocol": "TCP"} for p in ports]
    c["volumeMounts"] = [*mounts, {"name": "TOKEN", "readOnly": True, "mountPath": TOKEN_MOUNT}]
    return c


def _token_volume(name: str) -> dict:
    return {"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}


def pod(name: str, containers: list[dict], *, labels: dict | None = None, ip: str,
        owner: dict | None = None, volumes: tuple = (), namespace: str = NS,
        generate_name: str | None = None) -> dict:
    """A Pod the kubelet runs: Running, every container ready."""
    token = f"kube-api-access-{suffix('token', name)}"
    containers = copy.deepcopy(containers)
    for c in containers:
        for m in c.get("volumeMounts") or []:
            if m["name"] == "TOKEN":
                m["name"] = token
    spec = {"containers": containers, "dnsPolicy": "ClusterFirst", "enableServiceLinks": True,
            "nodeName": NODE, "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
            "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {}, "serviceAccount": "default", "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [{"key": f"node.kubernetes.io/{t}", "operator": "Exists",
                             "effect": "NoExecute", "tolerationSeconds": 300}
                            for t in ("not-ready", "unreachable")],
            "volumes": [*copy.deepcopy(list(volumes)), _token_volume(token)]}
    m = meta("Pod", name, namespace, labels=dict(labels) if labels else None,
             generateName=generate_name,
             ownerReferences=[owner_ref(owner)] if owner else None)
    status = {"phase": "Running", "qosClass": "BestEffort", "hostIP": NODE_IP,
              "hostIPs": [{"ip": NODE_IP}], "podIP": ip, "podIPs": [{"ip": ip}],
              "startTime": CREATED, "conditions": [], "containerStatuses": []}
    out = {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec, "status": status}
    set_condition(out, ready=True)
    return out


def set_condition(p: dict, *, ready: bool, waiting: tuple[str, str] | None = None,
                  phase: str | None = None, restarts: int = 0) -> dict:
    """Write the kubelet's view of ``p``: ready, or a container waiting (reason,
    message) such as ImagePullBackOff or CrashLoopBackOff."""
    status = p["status"]
    if phase:
        status["phase"] = phase
    flag = "True" if ready else "False"
    why = {} if ready else {"reason": "ContainersNotReady", "message":
                            "containers with unready status: "
                            f"[{' '.join(c['name'] for c in p['spec']['containers'])}]"}
    status["conditions"] = [
        {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": CREATED},
        {"type": "Initialized", "status": "True", "lastTransitionTime": CREATED},
        {"type": "Ready", "status": flag, "lastTransitionTime": LATER, **why},
        {"type": "ContainersReady", "status": flag, "lastTransitionTime": LATER, **why},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": CREATED}]
    statuses = []
    for c in p["spec"]["containers"]:
        cs = {"name": c["name"], "image": c["image"], "imageID": "", "ready": ready,
              "restartCount": restarts, "started": ready,
              "volumeMounts": [{"name": m["name"], "mountPath": m["mountPath"],
                                **({"readOnly": True, "recursiveReadOnly": "Disabled"}
                                   if m.get("readOnly") else {})}
                               for m in c.get("volumeMounts") or []]}
        if waiting:
            cs["state"] = {"waiting": {"reason": waiting[0], "message": waiting[1]}}
            if waiting[0] == "CrashLoopBackOff":
                cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error",
                                                  "startedAt": CREATED, "finishedAt": LATER}}
        else:
            cs["state"] = {"running": {"startedAt": CREATED}}
            cs["imageID"] = f"docker.io/library/import-{suffix('img', c['image'], n=8)}"
            cs["containerID"] = f"containerd://{uid('ctr', p['metadata']['name'], c['name']).replace('-', '')}"
        statuses.append(cs)
    status["containerStatuses"] = statuses
    return p


def set_unscheduled(p: dict, message: str) -> dict:
    """A pod the scheduler cannot place: Pending, no node, no IP."""
    p["spec"].pop("nodeName", None)
    p["status"] = {"phase": "Pending", "qosClass": "BestEffort", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
         "message": message, "lastTransitionTime": CREATED}]}
    return p


def system_pod(name: str, labels: dict, *, owner_kind: str, owner_name: str, image: str,
               host_network: bool, container_name: str) -> dict:
    """A kube-system pod: kubeadm's static pods (owned by the Node) or a DaemonSet's or
    ReplicaSet's."""
    ip = NODE_IP if host_network else "10.244.0.2"
    p = pod(name, [container(container_name, image=image, ports=())], labels=labels, ip=ip,
            namespace="kube-system")
    p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1" if owner_kind != "Node" else "v1",
                                         "kind": owner_kind, "name": owner_name,
                                         "uid": uid(owner_kind, owner_name), "controller": True}]
    if host_network:
        p["spec"]["hostNetwork"] = True
        p["spec"]["priorityClassName"] = "system-node-critical"
        p["spec"]["priority"] = 2000001000
    return p


def control_plane() -> list[dict]:
    found = []
    for component in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        found.append(system_pod(f"{component}-{NODE}", {"component": component, "tier": "control-plane"},
                                owner_kind="Node", owner_name=NODE,
                                image=f"registry.k8s.io/{component}:v1.33.1"
                                if component != "etcd" else "registry.k8s.io/etcd:3.5.21-0",
                                host_network=True, container_name=component))
    found.append(system_pod(f"kube-proxy-{suffix('kube-proxy')}",
                            {"k8s-app": "kube-proxy", "controller-revision-hash": "6d4b8c9f7d",
                             "pod-template-generation": "1"},
                            owner_kind="DaemonSet", owner_name="kube-proxy",
                            image="registry.k8s.io/kube-proxy:v1.33.1", host_network=True,
                            container_name="kube-proxy"))
    coredns_rs = f"coredns-{suffix('coredns', n=10)}"
    for i in range(2):
        found.append(system_pod(f"{coredns_rs}-{suffix('coredns', str(i))}",
                                {"k8s-app": "kube-dns", "pod-template-hash": coredns_rs[8:]},
                                owner_kind="ReplicaSet", owner_name=coredns_rs,
                                image="registry.k8s.io/coredns/coredns:v1.12.0", host_network=False,
                                container_name="coredns"))
    for i, p in enumerate(found):
        if not p["spec"].get("hostNetwork"):
            p["status"]["podIP"] = p["status"]["podIPs"][0]["ip"] = f"10.244.0.{2 + i}"
    return found


# ---- the other kinds ------------------------------------------------------------------


def service(name: str, selector: dict | None, *, type_: str, port: int, target_port,
            cluster_ip: str, node_port: int | None = None) -> dict:
    port_spec = {"port": port, "protocol": "TCP", "targetPort": target_port}
    spec = {"clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "ports": [port_spec],
            "sessionAffinity": "None", "type": type_}
    if type_ in ("NodePort", "LoadBalancer"):
        port_spec["nodePort"] = node_port
        spec.update(externalTrafficPolicy="Cluster")
    if type_ == "LoadBalancer":
        spec["allocateLoadBalancerNodePorts"] = True
    if selector:
        spec["selector"] = dict(selector)
    # kind has no cloud load balancer: the LoadBalancer's external IP stays <pending>
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta("Service", name),
            "spec": spec, "status": {"loadBalancer": {}}}


def replica_set(name: str, labels: dict, containers: list[dict], replicas: int) -> dict:
    tmpl_containers = [{k: v for k, v in c.items() if k != "volumeMounts"} for c in containers]
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": meta("ReplicaSet", name, generation=1),
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": tmpl_containers,
                                           "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
                                           "schedulerName": "default-scheduler",
                                           "securityContext": {},
                                           "terminationGracePeriodSeconds": 30}}},
            "status": {}}


def claim(name: str, size: str, *, bound: bool = True, storage_class: str = "standard") -> dict:
    """A PersistentVolumeClaim; bound by kind's local-path provisioner."""
    annotations = {"volume.beta.kubernetes.io/storage-provisioner": "rancher.io/local-path",
                   "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path"}
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
            "storageClassName": storage_class, "volumeMode": "Filesystem"}
    status: dict = {"phase": "Pending"}
    if bound:
        annotations.update({"pv.kubernetes.io/bind-completed": "yes",
                            "pv.kubernetes.io/bound-by-controller": "yes",
                            "volume.kubernetes.io/selected-node": NODE})
        spec["volumeName"] = f"pvc-{uid('PersistentVolumeClaim', NS, name)}"
        status = {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}}
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": meta("PersistentVolumeClaim", name, annotations=annotations,
                             finalizers=["kubernetes.io/pvc-protection"]),
            "spec": spec, "status": status}


def ingress(name: str, host: str, path: str, service_name: str, port: int) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": meta("Ingress", name, generation=1, annotations={
                "nginx.ingress.kubernetes.io/rewrite-target": "/"}),
            "spec": {"ingressClassName": "nginx", "rules": [{"host": host, "http": {"paths": [
                {"path": path, "pathType": "Prefix",
                 "backend": {"service": {"name": service_name, "port": {"number": port}}}}]}}]},
            "status": {"loadBalancer": {"ingress": [{"hostname": "localhost"}]}}}


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": meta("Namespace", name, None, labels={"kubernetes.io/metadata.name": name}),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


# ---- the controllers ---------------------------------------------------------------------


def _ready(p: dict) -> bool:
    return p["status"].get("phase") == "Running" and any(
        c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions") or [])


def _selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def settle(objects: list[dict]) -> list[dict]:
    """What the controllers derive, recomputed: every Service's EndpointSlice from the
    pods it selects, every ReplicaSet's status from the pods it owns."""
    objs = [o for o in objects if o["kind"] != "EndpointSlice"]
    pods = [o for o in objs if o["kind"] == "Pod" and not o["metadata"].get("deletionTimestamp")]
    for rs in (o for o in objs if o["kind"] == "ReplicaSet"):
        owned = [p for p in pods if any(r["uid"] == rs["metadata"]["uid"]
                                        for r in p["metadata"].get("ownerReferences") or [])]
        ready = sum(map(_ready, owned))
        status = {"replicas": len(owned), "fullyLabeledReplicas": len(owned),
                  "observedGeneration": 1}
        if ready:  # the API server leaves zero counts out
            status.update(readyReplicas=ready, availableReplicas=ready)
        rs["status"] = status
    for svc in [o for o in objs if o["kind"] == "Service"]:
        selector = svc["spec"].get("selector")
        if selector:
            ns = svc["metadata"]["namespace"]
            chosen = [p for p in pods if p["metadata"]["namespace"] == ns
                      and _selects(selector, p["metadata"].get("labels") or {})]
            objs.append(endpoint_slice(svc, chosen))
    return objs


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


# ---- broken variants -----------------------------------------------------------------------


def _find(objects: list[dict], kind: str, name: str, namespace: str | None = NS) -> dict:
    for o in objects:
        if o["kind"] == kind and o["metadata"]["name"] == name and \
                o["metadata"].get("namespace") == namespace:
            return o
    raise KeyError(f"{kind} {name}")


def _rs_pods(objects: list[dict]) -> list[dict]:
    rs = _find(objects, "ReplicaSet", "rs-web")
    return [o for o in objects if o["kind"] == "Pod" and any(
        r["uid"] == rs["metadata"]["uid"] for r in o["metadata"].get("ownerReferences") or [])]


def _variant(change):
    """A broken variant: ``change`` edits a deep copy of the solved state (the student's
    mistake); the controllers then settle what follows from it."""
    def build() -> list[dict]:
        objs = copy.deepcopy(solved())
        return settle(change(objs) or objs)
    build.__doc__ = change.__doc__
    return build


@_variant
def pod_without_label(objs):
    """Erratum 4: the book's sample pod has no labels, so nginx-service selects nothing."""
    del _find(objs, "Pod", "nginx")["metadata"]["labels"]


@_variant
def sample_pod_image_pull_backoff(objs):
    """The book's image nginx:alpine, not in the cluster and no registry: ImagePullBackOff."""
    p = _find(objs, "Pod", "nginx")
    p["spec"]["containers"][0]["image"] = "nginx:alpine"
    why = ('Back-off pulling image "nginx:alpine": ErrImagePull: failed to pull and unpack '
           'image "docker.io/library/nginx:alpine": dial tcp: lookup registry-1.docker.io: '
           "no such host")
    set_condition(p, ready=False, phase="Pending", waiting=("ImagePullBackOff", why))


@_variant
def nodes_not_ready(objs):
    """The node's kubelet reports NotReady (its network plugin has not started)."""
    n = _find(objs, "Node", NODE, None)
    n["status"]["conditions"][0].update(
        status="False", reason="KubeletNotReady",
        message="container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady")


@_variant
def scheduler_crashing(objs):
    """kube-scheduler crash-loops: the control plane is not healthy."""
    p = _find(objs, "Pod", f"kube-scheduler-{NODE}", "kube-system")
    set_condition(p, ready=False, restarts=6, waiting=(
        "CrashLoopBackOff", "back-off 5m0s restarting failed container=kube-scheduler"))


@_variant
def no_kube_system(objs):
    """A dump taken in the lab's namespace only: kube-system was never read."""
    return [o for o in objs if o["metadata"].get("namespace") != "kube-system"]


@_variant
def web_pod_without_port(objs):
    """web-pod's container declares no port 80."""
    del _find(objs, "Pod", "web-pod")["spec"]["containers"][0]["ports"]


@_variant
def pvc_pending(objs):
    """The claim names a storage class the cluster does not have: it stays Pending,
    and web-pod, which needs it, cannot be scheduled."""
    i = objs.index(_find(objs, "PersistentVolumeClaim", "my-data-claim"))
    objs[i] = claim("my-data-claim", "2Gi", bound=False, storage_class="fast")
    set_unscheduled(_find(objs, "Pod", "web-pod"),
                    "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
                    "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")


@_variant
def web_pod_without_mount(objs):
    """The first web-pod (pod.yaml) still runs: no volume, so the claim waits for a
    first consumer (kind's storage class binds late) and stays Pending."""
    p = _find(objs, "Pod", "web-pod")
    token = [v for v in p["spec"]["volumes"] if v["name"].startswith("kube-api-access-")]
    p["spec"]["volumes"] = token
    c = p["spec"]["containers"][0]
    c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"].startswith("kube-api-access-")]
    set_condition(p, ready=True)
    i = objs.index(_find(objs, "PersistentVolumeClaim", "my-data-claim"))
    objs[i] = claim("my-data-claim", "2Gi", bound=False)


@_variant
def rs_two_of_three_ready(objs):
    """One rs-web pod crash-loops: 2 of 3 ready."""
    set_condition(_rs_pods(objs)[1], ready=False, restarts=4, waiting=(
        "CrashLoopBackOff", "back-off 40s restarting failed container=nginx"))


@_variant
def rs_selector_mismatch(objs):
    """rs-web selects (and labels its pods with) app: nginx-web: consistent in itself,
    but not what service web selects."""
    rs = _find(objs, "ReplicaSet", "rs-web")
    rs["spec"]["selector"]["matchLabels"] = {"app": "nginx-web"}
    rs["spec"]["template"]["metadata"]["labels"] = {"app": "nginx-web"}
    for p in _rs_pods(objs):
        p["metadata"]["labels"] = {"app": "nginx-web"}


@_variant
def service_selector_mismatch(objs):
    """Service web selects app: webapp; rs-web's pods have app: web."""
    _find(objs, "Service", "web")["spec"]["selector"] = {"app": "webapp"}


@_variant
def ingress_wrong_host(objs):
    """The ingress rule is for example.org."""
    _find(objs, "Ingress", "web")["spec"]["rules"][0]["host"] = "example.org"


@_variant
def ingress_wrong_path(objs):
    """The ingress rule's path is / (the book's /web is missing)."""
    _find(objs, "Ingress", "web")["spec"]["rules"][0]["http"]["paths"][0]["path"] = "/"


@_variant
def ingress_wrong_port(objs):
    """The ingress backend names port 8080; service web listens on 80."""
    path = _find(objs, "Ingress", "web")["spec"]["rules"][0]["http"]["paths"][0]
    path["backend"]["service"]["port"]["number"] = 8080


def main_on_bridge() -> dict:
    """ch15.pause: main was started without --net container:pause: its own namespace on
    the default bridge."""
    d = docker()
    main = d["containers"][1]
    main["HostConfig"]["NetworkMode"] = "bridge"
    main["NetworkSettings"]["Networks"] = {"bridge": {
        "IPAddress": "172.17.0.3", "Gateway": "172.17.0.1", "IPPrefixLen": 16,
        "MacAddress": "02:42:ac:11:00:03", "NetworkID": "b" * 64}}
    return d


def main_unlabelled() -> dict:
    """ch15.pause: main was started without --label "$LAB_LABEL"."""
    d = docker()
    d["containers"][1]["Config"]["Labels"] = {}
    return d


# variant name → (cluster objects, Docker part, {check id: text its message shows})
VARIANTS = {
    "pod-without-label": (pod_without_label, docker, {
        "ch15.first-pod.endpoints": "has no endpoints: it selects app=nginx and pod nginx has no labels"}),
    "sample-pod-image-pull-backoff": (sample_pod_image_pull_backoff, docker, {
        "ch15.first-pod.running": "ImagePullBackOff",
        "ch15.first-pod.endpoints": "endpoints are not ready"}),
    "nodes-not-ready": (nodes_not_ready, docker, {
        "ch15.local-cluster.nodes": f"{NODE} is NotReady (container runtime network not ready"}),
    "scheduler-crashing": (scheduler_crashing, docker, {
        "ch15.architecture.control-plane": "kube-scheduler: kube-scheduler-"}),
    "web-pod-without-port": (web_pod_without_port, docker, {
        "ch15.pod-spec.running": "declares ports [], not 80"}),
    "pvc-pending": (pvc_pending, docker, {
        "ch15.volume.bound": "is Pending, not Bound (storage class fast)",
        "ch15.volume.mounted": "Unschedulable: 0/1 nodes are available: pod has unbound",
        "ch15.pod-spec.running": "web-pod Pending"}),
    "web-pod-without-mount": (web_pod_without_mount, docker, {
        "ch15.volume.bound": "is Pending, not Bound",
        "ch15.volume.mounted": "no volume from claim my-data-claim"}),
    "rs-two-of-three-ready": (rs_two_of_three_ready, docker, {
        "ch15.replicaset.ready": "rs-web has 2 of 3 pods ready"}),
    "rs-selector-mismatch": (rs_selector_mismatch, docker, {
        "ch15.replicaset.ready": "rs-web selects app=nginx-web, not app=web",
        "ch15.deployment-service.service": "Service web has no endpoints: it selects app=web",
        "ch15.ingress.rule": "has no ready endpoint"}),
    "service-selector-mismatch": (service_selector_mismatch, docker, {
        "ch15.deployment-service.service": "it selects app=webapp; rs-web's pods have app=web",
        "ch15.ingress.rule": "has no ready endpoint"}),
    "ingress-wrong-host": (ingress_wrong_host, docker, {
        "ch15.ingress.rule": "routes example.org/web → web:80, not example.com/web → web:80"}),
    "ingress-wrong-path": (ingress_wrong_path, docker, {
        "ch15.ingress.rule": "routes example.com/ → web:80, not example.com/web"}),
    "ingress-wrong-port": (ingress_wrong_port, docker, {
        "ch15.ingress.rule": "routes example.com/web → web:8080"}),
    "main-on-bridge": (solved, main_on_bridge, {
        "ch15.pause.shared-net": "main's network mode is bridge: it has a network namespace of its own"}),
    "main-unlabelled": (solved, main_unlabelled, {
        "ch15.pause.containers": "main has no label org.container-labs.lab=ch15"}),
}
# variants whose trouble is the grader's input, not the student's work: an error
ERROR_VARIANTS = {
    "no-kube-system": (no_kube_system, docker, {
        "ch15.architecture.control-plane": "the snapshot holds no pod of namespace kube-system"}),
}


# ---- playing the cluster's parts against the API mock ----------------------------------------
# The mock stores objects; nothing in it acts. For behaviour checks the test plays the
# kubelet (new pods start, the grader's toolbox pods run their request and end), the
# ReplicaSet controller (a deleted rs-web pod is replaced) and, through a stand-in for
# kubernetes.stream, the container runtime's exec (reading files off the claim's volume).

NGINX_PAGE = ("<!DOCTYPE html><html><head><title>container-labs nginx v1</title></head><body>"
              "<main><h1>Version v1</h1><p>Welcome to clabs/nginx:v1</p></main></body></html>")


class Controllers:
    """A kubelet and a ReplicaSet controller for a :class:`tests.kubemock.KubeMock`, in a
    thread: ``with Controllers(mock): ...``. ``replace=False``: no ReplicaSet controller
    (a deleted pod is never replaced); ``start_delay``: seconds before a new pod is Ready."""

    def __init__(self, mock, *, replace: bool = True, start_delay: float = 0.3,
                 namespace: str = NS):
        import threading
        self.mock = mock
        self.replace = replace
        self.start_delay = start_delay
        self.namespace = namespace
        self.created: list[dict] = []      # every pod the grader created, as it sent it
        self.replacements: list[str] = []  # pods the ReplicaSet controller made
        self.requests: list[tuple[str, str]] = []  # (Host, URL) the toolbox pods asked for
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="controllers")
        self._pending: dict[str, float] = {}
        self._ip = 100

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)

    def _run(self):
        import time
        while not self._stop.is_set():
            try:
                self.step(time.monotonic())
            except Exception as err:  # noqa: BLE001  (the mock stopping at the end of a test)
                if not self._stop.is_set():
                    print(f"controllers: {type(err).__name__}: {err}")
            self._stop.wait(0.05)

    def _next_ip(self) -> str:
        self._ip += 1
        return f"10.244.1.{self._ip}"

    def step(self, now: float) -> None:
        pods = self.mock.objects("Pod", self.namespace)
        for p in pods:
            if (p.get("status") or {}).get("phase"):
                continue
            name = p["metadata"]["name"]
            if name not in self._pending:
                self._pending[name] = now
                self.created.append(copy.deepcopy(p))
            if now - self._pending[name] < self.start_delay:
                continue
            if name.startswith("grader-toolbox-"):
                self.mock.add(self.finish_toolbox(p))
            else:
                self.mock.add(self.start(p))
        if self.replace:
            self.reconcile(pods)
        for slice_ in [o for o in settle(self.mock.objects(None, self.namespace))
                       if o["kind"] == "EndpointSlice"]:
            current = [o for o in self.mock.objects("EndpointSlice", self.namespace)
                       if o["metadata"]["name"] == slice_["metadata"]["name"]]
            if not current or current[0].get("endpoints") != slice_.get("endpoints"):
                self.mock.add(slice_)

    def start(self, p: dict) -> dict:
        """The kubelet runs a new pod: Running, Ready, with an address."""
        p = copy.deepcopy(p)
        p["spec"]["nodeName"] = NODE
        ip = self._next_ip()
        p["status"] = {"phase": "Running", "qosClass": "BestEffort", "hostIP": NODE_IP,
                       "hostIPs": [{"ip": NODE_IP}], "podIP": ip, "podIPs": [{"ip": ip}],
                       "startTime": LATER}
        return set_condition(p, ready=True)

    def reconcile(self, pods: list[dict]) -> None:
        """The ReplicaSet controller: as many pods as rs-web wants."""
        for rs in self.mock.objects("ReplicaSet", self.namespace):
            owned = [p for p in pods if any(r.get("uid") == rs["metadata"]["uid"]
                                            for r in p["metadata"].get("ownerReferences") or [])]
            for i in range(rs["spec"]["replicas"] - len(owned)):
                name = f"{rs['metadata']['name']}-{suffix('again', str(len(self.replacements)), str(i))}"
                tmpl = rs["spec"]["template"]
                new = pod(name, [container(c["name"], c["image"],
                                           ports=[x["containerPort"] for x in c.get("ports") or []])
                                 for c in tmpl["spec"]["containers"]],
                          labels=tmpl["metadata"]["labels"], ip=self._next_ip(), owner=rs,
                          generate_name=f"{rs['metadata']['name']}-")
                for key in ("uid", "resourceVersion", "creationTimestamp"):
                    new["metadata"].pop(key)
                new.pop("status")  # the kubelet starts it (next step)
                self.replacements.append(name)
                self.mock.add(new)

    def finish_toolbox(self, p: dict) -> dict:
        """The grader's toolbox pod runs its request and ends: its exit code, and its
        output in the termination message (what the container wrote)."""
        import shlex
        script = p["spec"]["containers"][0]["command"][-1]
        argv = shlex.split(script.split(" >/tmp/out", 1)[0])
        rc, output = self.http(argv)
        p = copy.deepcopy(p)
        p["spec"]["nodeName"] = NODE
        state = {"terminated": {"exitCode": rc, "reason": "Completed" if rc == 0 else "Error",
                                "message": output, "startedAt": LATER, "finishedAt": LATER}}
        p["status"] = {"phase": "Succeeded" if rc == 0 else "Failed", "qosClass": "BestEffort",
                       "hostIP": NODE_IP, "podIP": self._next_ip(), "startTime": LATER,
                       "conditions": [{"type": "Ready", "status": "False",
                                       "reason": "PodCompleted", "lastTransitionTime": LATER}],
                       "containerStatuses": [{"name": "toolbox", "image": p["spec"]["containers"][0]["image"],
                                              "imageID": "", "ready": False, "restartCount": 0,
                                              "started": False, "state": state}]}
        return p

    def http(self, argv: list[str]) -> tuple[int, str]:
        """What `wget` in the cluster gets: service DNS names resolve to services of the
        mock; the ingress controller routes by the mock's Ingress rules. (exit code,
        output) as GNU wget gives them: 0 for 2xx, 4 for a network failure, 8 for an
        HTTP error."""
        from urllib.parse import urlsplit
        url = next(a for a in argv if a.startswith("http"))
        host_header = next((a.split(":", 1)[1].strip() for a in argv if a.startswith("Host:")), None)
        parts = urlsplit(url)
        self.requests.append((host_header or parts.hostname, url))
        headers = "-S" in argv
        if parts.hostname.startswith("ingress-nginx-controller."):
            backend = self._route(host_header or parts.hostname, parts.path or "/")
            if backend is None:
                return 8, "  HTTP/1.1 404 Not Found\n" if headers else ""
            service_name, port = backend
        else:
            service_name, port = parts.hostname.split(".")[0], parts.port or 80
        svc = next((s for s in self.mock.objects("Service", self.namespace)
                    if s["metadata"]["name"] == service_name), None)
        via_ingress = parts.hostname.startswith("ingress-nginx-controller.")
        unavailable = (8, "  HTTP/1.1 503 Service Temporarily Unavailable\n" if headers else "")
        if svc is None or port not in [p["port"] for p in svc["spec"].get("ports") or []]:
            # ingress-nginx answers 503 for a backend it cannot reach; a pod asking a
            # service name that does not resolve, or a port nothing listens on, fails
            return unavailable if via_ingress else (4, "")
        ready = [e for s in self.mock.objects("EndpointSlice", self.namespace)
                 if (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == service_name
                 for e in s.get("endpoints") or [] if (e.get("conditions") or {}).get("ready")]
        if not ready:  # a service without endpoints refuses the connection
            return unavailable if via_ingress else (4, "")
        return 0, ("  HTTP/1.1 200 OK\n  Server: nginx/1.22.1\n" if headers else NGINX_PAGE)

    def _route(self, host: str, path: str):
        for ing in self.mock.objects("Ingress", self.namespace):
            for rule in ing["spec"].get("rules") or []:
                if rule.get("host") not in (None, host):
                    continue
                for p in (rule.get("http") or {}).get("paths") or []:
                    prefix = p.get("path") or "/"
                    if path == prefix or path.startswith(prefix.rstrip("/") + "/") or prefix == "/":
                        svc = p["backend"]["service"]
                        return svc["name"], svc["port"].get("number")
        return None


class FakeExec:
    """A stand-in for ``kubernetes.stream.stream`` (the mock serves no exec): runs
    ``cat FILE`` in a pod of the mock by looking the file up on the volume the pod
    mounts there. ``files``: {claim name: {path inside the mount: text}} (the claim's
    volume, which outlives pods); a file elsewhere is missing."""

    ERROR_CHANNEL = 3

    def __init__(self, mock, files: dict[str, dict[str, str]], namespace: str = NS):
        self.mock = mock
        self.files = files
        self.namespace = namespace
        self.calls: list[dict] = []

    def __call__(self, api_method, name, namespace, **kwargs):
        self.calls.append({"method": getattr(api_method, "__name__", str(api_method)),
                           "pod": name, "namespace": namespace, **kwargs})
        p = next((o for o in self.mock.objects("Pod", namespace) if o["metadata"]["name"] == name), None)
        if p is None:
            err = Exception(f"pods \"{name}\" not found")
            err.status = 404
            raise err
        argv = kwargs["command"]
        assert argv[0] == "cat" and len(argv) == 2, argv
        return _FakeStream(*self._cat(p, kwargs.get("container"), argv[1]))

    def _cat(self, p: dict, container_name: str | None, path: str) -> tuple[str, str, dict]:
        containers = p["spec"]["containers"]
        c = next((c for c in containers if c["name"] == container_name), None) if container_name \
            else containers[0]
        if c is None:
            return "", "", {"status": "Failure", "reason": "BadRequest",
                            "message": f"container {container_name} is not valid for pod {p['metadata']['name']}"}
        for m in c.get("volumeMounts") or []:
            mount = m["mountPath"].rstrip("/")
            if path.startswith(mount + "/"):
                vol = next((v for v in p["spec"].get("volumes") or [] if v["name"] == m["name"]), {})
                claim_name = (vol.get("persistentVolumeClaim") or {}).get("claimName")
                text = self.files.get(claim_name, {}).get(path[len(mount):])
                if text is not None:
                    return text, "", {"metadata": {}, "status": "Success"}
        return "", f"cat: {path}: No such file or directory\n", {
            "metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
            "message": "command terminated with non-zero exit code: error executing command "
                       "[cat], exit code 1",
            "details": {"causes": [{"reason": "ExitCode", "message": "1"}]}}


class _FakeStream:
    """What ``stream(..., _preload_content=False)`` returns: a finished exec."""

    def __init__(self, stdout: str, stderr: str, status: dict, *, hangs: bool = False):
        import json
        self._out, self._err, self._status = stdout, stderr, json.dumps(status)
        self._open = hangs
        self.closed = False

    def run_forever(self, timeout=None):
        pass

    def is_open(self):
        return self._open

    def read_stdout(self, timeout=None):
        return self._out

    def read_stderr(self, timeout=None):
        return self._err

    def read_channel(self, channel, timeout=0):
        return self._status if channel == 3 else ""

    def close(self, **kwargs):
        self.closed = True
