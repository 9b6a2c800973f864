"""Builders of ch15's cluster objects as a real API server returns them (uid,
resourceVersion, creationTimestamp, the defaults it fills in, the status the kubelet and
the controllers write), and :func:`settle`, which recomputes what the controllers derive
(a Service's EndpointSlice from the pods it selects, a ReplicaSet's counts from the pods
it owns), so a broken variant changes only what the student would have changed.
states.py assembles the solved chapter from these; variants.py breaks it."""

from __future__ import annotations

import copy
import hashlib
import uuid

from tests.kubemock.objects import endpoint_slice, owner_ref

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
