"""The parts of a cluster ch15's behaviour checks rely on, played by the test against
the API mock: a kubelet and a ReplicaSet controller (:class:`Controllers`), and the
container runtime's exec (:class:`FakeExec`)."""

from __future__ import annotations

import copy

from tests.checks.ch15.objects import (
    LATER,
    NODE,
    NODE_IP,
    NS,
    container,
    pod,
    set_condition,
    settle,
    suffix,
)

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
