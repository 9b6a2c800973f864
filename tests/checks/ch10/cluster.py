"""The cluster parts the ch10 behaviour checks rely on, played by the test against the
API mock: ch16's :class:`~tests.checks.ch16.cluster.Cluster` (the Deployment and
ReplicaSet controllers, the endpoint-slice controller, the kubelet, the toolbox's
requests), working in the namespace ch10, with the echo server's program: a request
to a Service whose ready pods run clabs/echoserver is answered with its path, as the
real program does (environments/images/echoserver/main.go)."""

from __future__ import annotations

import shlex
from urllib.parse import urlsplit

from tests.checks.ch10 import states
from tests.checks.ch16.cluster import Cluster

ECHO_IMAGE = "clabs/echoserver:1.0"


class _InNamespace:
    """The mock, except that objects the shared controllers add (built by the ch16
    builders) land in the namespace being played."""

    def __init__(self, mock, namespace: str):
        self._mock, self._ns = mock, namespace

    def __getattr__(self, name):
        return getattr(self._mock, name)

    def add(self, obj: dict):
        if "namespace" in obj.get("metadata", {}):
            obj["metadata"]["namespace"] = self._ns
        return self._mock.add(obj)


class Ch10Cluster(Cluster):
    def __init__(self, mock, **options):
        super().__init__(_InNamespace(mock, states.NS), namespace=states.NS, **options)

    def toolbox(self, p: dict) -> dict:
        argv = shlex.split(p["spec"]["containers"][0]["command"][-1].split(" >/tmp/out", 1)[0])
        if argv[0] != "wget":
            return super().toolbox(p)
        self.requests.append(argv)
        parts = urlsplit(argv[-1])
        host = parts.hostname.split(".")[0]
        answer, _error = self.request(host, parts.port or 80)
        eps = self.ready_endpoints(host)
        if answer is not None and eps and eps[0]["spec"]["containers"][0]["image"] == ECHO_IMAGE:
            answer = (f"Hostname: {eps[0]['metadata']['name']}\n\nRequest:\n\tmethod=GET\n"
                      f"\tpath={parts.path}\n")
        code, out = (0, answer) if answer else (4, "")
        st = self._terminated(p, code, out, "toolbox")
        st["phase"] = "Succeeded" if code == 0 else "Failed"
        return st
