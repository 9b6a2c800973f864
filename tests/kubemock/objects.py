"""Objects as a Kubernetes API server returns them (what ``kubectl get -o json`` prints),
with the status a controller, the kubelet or the scheduler would have written. Every
builder returns a plain dict that passes :func:`tests.kubemock.validate_shape`.

    web = replica_set("web", {"app": "web"}, replicas=3)
    pods = [pod(f"web-{i}", {"app": "web"}, owner=web, ip=f"10.244.0.{10 + i}") for i in range(3)]
    svc = service("web", {"app": "web"}, port=80, target_port=80)
    objects = [web, *pods, svc, endpoint_slice(svc, pods), pvc("data")]
"""

from __future__ import annotations

import hashlib
import uuid

from tests.kubemock.tls import NAMESPACE

CREATED = "2025-06-02T09:00:00Z"
NODE = "container-labs-control-plane"


def _uid(*parts: str) -> str:
    """A stable uid, so a test's objects can point at each other by uid."""
    return str(uuid.UUID(hashlib.md5("/".join(parts).encode()).hexdigest()))


def _meta(kind: str, name: str, namespace: str | None, labels: dict | None = None,
          owner: dict | None = None, **extra) -> dict:
    meta = {"name": name, "uid": _uid(kind, namespace or "", name),
            "resourceVersion": "1", "creationTimestamp": CREATED, **extra}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if owner is not None:
        meta["ownerReferences"] = [owner_ref(owner)]
    return meta


def owner_ref(owner: dict) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def container(name: str = "web", image: str = "clabs/nginx:v1", port: int | None = 80,
              mounts: list[dict] | None = None) -> dict:
    c = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
         "resources": {}, "terminationMessagePath": "/dev/termination-log",
         "terminationMessagePolicy": "File"}
    if port:
        c["ports"] = [{"containerPort": port, "protocol": "TCP"}]
    if mounts:
        c["volumeMounts"] = mounts
    return c


def pod(name: str, labels: dict | None = None, *, namespace: str = NAMESPACE,
        ip: str = "10.244.0.10", ready: bool = True, phase: str = "Running",
        owner: dict | None = None, image: str = "clabs/nginx:v1", port: int | None = 80,
        claim: str | None = None, mount_path: str = "/data", restarts: int = 0,
        node: str = NODE) -> dict:
    """A Pod as the kubelet reports it: Running and Ready by default; ``ready=False``
    gives a running pod whose readiness probe fails, ``phase="Pending"`` one not yet
    scheduled. ``claim``: a PVC mounted at ``mount_path``."""
    mounts = [{"name": "data", "mountPath": mount_path}] if claim else None
    spec = {"containers": [container("web", image, port, mounts)], "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
            "serviceAccountName": "default", "terminationGracePeriodSeconds": 30,
            "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0, "securityContext": {}}
    if claim:
        spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
    status: dict = {"phase": phase, "qosClass": "BestEffort"}
    if phase == "Pending":
        status["conditions"] = [{"type": "PodScheduled", "status": "False",
                                 "reason": "Unschedulable", "lastTransitionTime": CREATED,
                                 "message": "0/1 nodes are available"}]
    else:
        spec["nodeName"] = node
        flag = "True" if ready else "False"
        status.update({
            "hostIP": "172.18.0.2", "hostIPs": [{"ip": "172.18.0.2"}],
            "podIP": ip, "podIPs": [{"ip": ip}], "startTime": CREATED,
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": CREATED},
                {"type": "Initialized", "status": "True", "lastTransitionTime": CREATED},
                {"type": "Ready", "status": flag, "lastTransitionTime": CREATED},
                {"type": "ContainersReady", "status": flag, "lastTransitionTime": CREATED},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": CREATED}],
            "containerStatuses": [{
                "name": "web", "image": image, "imageID": f"docker.io/library/import-{name}",
                "containerID": f"containerd://{_uid('c', name).replace('-', '')}",
                "ready": ready, "started": True, "restartCount": restarts,
                "state": {"running": {"startedAt": CREATED}}}]})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": _meta("Pod", name, namespace, labels, owner),
            "spec": spec, "status": status}


def replica_set(name: str, labels: dict, *, replicas: int = 3, ready: int | None = None,
                namespace: str = NAMESPACE, image: str = "clabs/nginx:v1",
                owner: dict | None = None) -> dict:
    """A ReplicaSet whose controller has ``ready`` (default: all) of ``replicas`` ready."""
    ready = replicas if ready is None else ready
    status = {"replicas": replicas, "fullyLabeledReplicas": replicas, "observedGeneration": 1}
    if ready:
        status.update(readyReplicas=ready, availableReplicas=ready)
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": _meta("ReplicaSet", name, namespace, labels, owner, generation=1),
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [container("web", image)]}}},
            "status": status}


def service(name: str, selector: dict | None, *, port: int = 80, target_port: int | str = 80,
            namespace: str = NAMESPACE, type_: str = "ClusterIP", cluster_ip: str = "10.96.12.34",
            node_port: int | None = None) -> dict:
    port_spec: dict = {"port": port, "protocol": "TCP", "targetPort": target_port}
    if type_ in ("NodePort", "LoadBalancer"):
        port_spec["nodePort"] = node_port or 30080
    spec = {"type": type_, "clusterIP": cluster_ip, "clusterIPs": [cluster_ip],
            "ports": [port_spec], "sessionAffinity": "None", "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"}
    if type_ in ("NodePort", "LoadBalancer"):
        spec["externalTrafficPolicy"] = "Cluster"
    if selector:
        spec["selector"] = dict(selector)
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": _meta("Service", name, namespace),
            "spec": spec, "status": {"loadBalancer": {}}}


def _target(p: dict) -> dict:
    return {"kind": "Pod", "name": p["metadata"]["name"],
            "namespace": p["metadata"]["namespace"], "uid": p["metadata"]["uid"]}


def _is_ready(p: dict) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in p["status"].get("conditions") or [])


def endpoint_slice(svc: dict, pods: list[dict], *, port: int | None = None) -> dict:
    """The EndpointSlice the endpoint-slice controller writes for ``svc`` and the
    ``pods`` it selects (a pod that is not Ready is listed with ready: false)."""
    name, ns = svc["metadata"]["name"], svc["metadata"]["namespace"]
    port = port or svc["spec"]["ports"][0]["targetPort"]
    endpoints = [{"addresses": [p["status"]["podIP"]], "nodeName": p["spec"].get("nodeName"),
                  "targetRef": _target(p),
                  "conditions": {"ready": _is_ready(p), "serving": _is_ready(p),
                                 "terminating": False}}
                 for p in pods if p["status"].get("podIP")]
    labels = {"kubernetes.io/service-name": name,
              "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}
    meta = _meta("EndpointSlice", f"{name}-{_uid(name)[:5]}", ns, labels, svc,
                 generateName=f"{name}-", generation=1)
    slice_ = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": meta,
              "addressType": "IPv4", "endpoints": endpoints,
              "ports": [{"name": "", "port": port if isinstance(port, int) else 80,
                         "protocol": "TCP"}]}
    return slice_


def endpoints(svc: dict, pods: list[dict], *, port: int | None = None) -> dict:
    """The v1 Endpoints object of ``svc`` (clusters before EndpointSlices; deprecated
    since 1.33): ready pods under addresses, the others under notReadyAddresses."""
    name, ns = svc["metadata"]["name"], svc["metadata"]["namespace"]
    port = port or svc["spec"]["ports"][0]["targetPort"]
    subset: dict = {"ports": [{"port": port if isinstance(port, int) else 80, "protocol": "TCP"}]}
    for key, want in (("addresses", True), ("notReadyAddresses", False)):
        found = [{"ip": p["status"]["podIP"], "nodeName": p["spec"].get("nodeName"),
                  "targetRef": _target(p)}
                 for p in pods if p["status"].get("podIP") and _is_ready(p) == want]
        if found:
            subset[key] = found
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": _meta("Endpoints", name, ns, {"app": name}),
            "subsets": [subset] if len(subset) > 1 else []}


def endpoints_instead_of_slices(objects: list[dict]) -> list[dict]:
    """The same cluster as one from before discovery.k8s.io/v1 shows it: a v1 Endpoints
    for every Service (from the pods of its namespace it selects), no EndpointSlice."""
    pods = [o for o in objects if o["kind"] == "Pod"]
    out = [o for o in objects if o["kind"] != "EndpointSlice"]
    for svc in [o for o in objects if o["kind"] == "Service"]:
        sel = svc["spec"].get("selector") or {}
        chosen = [p for p in pods if sel and p["metadata"]["namespace"] == svc["metadata"]["namespace"]
                  and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())]
        out.append(endpoints(svc, chosen))
    return out


def pvc(name: str, *, namespace: str = NAMESPACE, size: str = "1Gi", phase: str = "Bound",
        access_modes: tuple[str, ...] = ("ReadWriteOnce",), storage_class: str = "standard") -> dict:
    """A PersistentVolumeClaim, Bound to a provisioned volume unless ``phase`` says not."""
    spec = {"accessModes": list(access_modes), "resources": {"requests": {"storage": size}},
            "storageClassName": storage_class, "volumeMode": "Filesystem"}
    status: dict = {"phase": phase}
    if phase == "Bound":
        spec["volumeName"] = f"pvc-{_uid('pvc', namespace, name)}"
        status.update(accessModes=list(access_modes), capacity={"storage": size})
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": _meta("PersistentVolumeClaim", name, namespace,
                              annotations={"volume.kubernetes.io/storage-provisioner":
                                           "rancher.io/local-path"}),
            "spec": spec, "status": status}


def ingress(name: str, host: str, service_name: str, *, port: int = 80, path: str = "/",
            namespace: str = NAMESPACE, ingress_class: str = "nginx") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": _meta("Ingress", name, namespace, generation=1),
            "spec": {"ingressClassName": ingress_class, "rules": [{
                "host": host, "http": {"paths": [{
                    "path": path, "pathType": "Prefix",
                    "backend": {"service": {"name": service_name, "port": {"number": port}}}}]}}]},
            "status": {"loadBalancer": {"ingress": [{"hostname": "localhost"}]}}}


def event(obj: dict, reason: str, message: str, *, type_: str = "Normal",
          component: str = "kubelet", count: int = 1) -> dict:
    """A core/v1 Event about ``obj``."""
    meta = obj["metadata"]
    name = f"{meta['name']}.{_uid('event', meta['name'], reason)[:16].replace('-', '')}"
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": _meta("Event", name, meta.get("namespace") or "default"),
            "involvedObject": {"apiVersion": obj["apiVersion"], "kind": obj["kind"],
                               "name": meta["name"], "namespace": meta.get("namespace"),
                               "uid": meta["uid"]},
            "reason": reason, "message": message, "type": type_, "count": count,
            "source": {"component": component}, "firstTimestamp": CREATED,
            "lastTimestamp": CREATED, "reportingComponent": component, "reportingInstance": ""}


def node(name: str = NODE, *, ready: bool = True, version: str = "v1.33.1") -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": _meta("Node", name, None, {"kubernetes.io/hostname": name,
                                                   "kubernetes.io/os": "linux"}),
            "spec": {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"]},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                       "reason": "KubeletReady", "message": "kubelet is ready",
                                       "lastHeartbeatTime": CREATED,
                                       "lastTransitionTime": CREATED}],
                       "addresses": [{"type": "InternalIP", "address": "172.18.0.2"},
                                     {"type": "Hostname", "address": name}],
                       "nodeInfo": {"kubeletVersion": version, "kubeProxyVersion": "",
                                    "containerRuntimeVersion": "containerd://2.1.1",
                                    "operatingSystem": "linux", "architecture": "amd64",
                                    "osImage": "Debian GNU/Linux 12 (bookworm)",
                                    "kernelVersion": "6.1.0", "machineID": "0" * 32,
                                    "systemUUID": _uid("node", name), "bootID": _uid("boot", name)}}}
