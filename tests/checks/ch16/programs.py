"""The programs behind the grader's pods in the played ch16 cluster
(tests/checks/ch16/cluster.py): the boundary the behaviour tests fake. A toolbox pod's
request (``wget`` / ``getent`` + ``nc``), the loadgen pod's requests and what it counts,
and the ``peek`` container of a grader's copy of a pod, all answered from what the mock
holds: Services, EndpointSlices, the pods' images and specs, Secrets."""

from __future__ import annotations

import base64
import json
import math
import random
import shlex
import time
from collections import Counter
from urllib.parse import urlsplit

from tests.checks.ch16 import states as s


class Loadgen:
    """What loadgen counts, as it would count it (nearest-rank percentiles)."""

    def __init__(self, url: str, concurrency: int):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname.split(".")[0], parts.port or 80
        self.concurrency = concurrency
        self.started = time.monotonic()
        self.lines: list[str] = []
        self.requests = self.failed = 0
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.answers: Counter = Counter()
        self.failed_at: list[float] = []
        self.done = False
        self.rng = random.Random(16)

    def record(self, answer: str | None, error: str | None) -> None:
        self.requests += 1
        if error:
            self.failed += 1
            self.errors[error] += 1
            if len(self.failed_at) < 20:
                self.failed_at.append(round(time.monotonic() - self.started, 3))
            return
        if not self.answers:
            self.lines.append(json.dumps({"event": "first-answer", "answer": answer,
                                          "seconds": round(time.monotonic() - self.started, 3)}))
        self.answers[answer] += 1
        self.latencies.append(self.rng.uniform(0.8, 4.0))

    def summary(self) -> str:
        lat = sorted(self.latencies)

        def rank(q):
            return round(lat[max(1, math.ceil(q * len(lat))) - 1], 3) if lat else None
        secs = max(time.monotonic() - self.started, 0.001)
        return json.dumps({"event": "summary", "requests": self.requests, "failed": self.failed,
                           "seconds": round(secs, 3), "rate": round(self.requests / secs, 1),
                           "p50_ms": rank(0.5), "p99_ms": rank(0.99), "max_ms": rank(1.0),
                           "errors": dict(self.errors), "answers": dict(self.answers),
                           "failed_at": self.failed_at})


class Programs:
    """The programs' side of :class:`tests.checks.ch16.cluster.Cluster` (a mixin: it
    uses the cluster's ``mock``, ``ns``, ``answering``, ``loadgens``, ``requests``)."""


    def ready_endpoints(self, service: str) -> list[dict]:
        names = [e["targetRef"]["name"] for sl in self.mock.objects("EndpointSlice", self.ns)
                 if (sl["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == service
                 for e in sl.get("endpoints") or [] if (e.get("conditions") or {}).get("ready")]
        pods = {p["metadata"]["name"]: p for p in self.mock.objects("Pod", self.ns)}
        return [pods[n] for n in names if n in pods]

    def request(self, host: str, port: int) -> tuple[str | None, str | None]:
        """(answer, error) of one HTTP GET to a Service of the mock."""
        svc = self.mock.get("Service", host, self.ns)
        if svc is None:
            return None, "resolve: no such host"
        if port not in [x["port"] for x in svc["spec"].get("ports") or []]:
            return None, "connect: connection refused"
        eps = self.ready_endpoints(host)
        if not eps:
            return None, "connect: connection refused"
        self.rr += 1
        pod = eps[self.rr % len(eps)]
        if self.answering.get(pod["metadata"]["name"], 0) > time.monotonic():
            return None, "connect: connection refused"
        return s.TITLES.get(pod["spec"]["containers"][0]["image"], "?"), None

    def traffic(self, now: float) -> None:
        for name, gen in list(self.loadgens.items()):
            if gen.done or self.answering.get(name, now + 1) > now:
                continue
            for _ in range(gen.concurrency):
                gen.record(*self.request(gen.host, gen.port))

    def toolbox(self, p: dict) -> dict:
        argv = shlex.split(p["spec"]["containers"][0]["command"][-1].split(" >/tmp/out", 1)[0])
        self.requests.append(argv)
        if argv[0] == "wget":
            parts = urlsplit(argv[-1])
            answer, _error = self.request(parts.hostname.split(".")[0], parts.port or 80)
            code, out = (0, answer) if answer else (4, "")
        else:  # getent hosts NAME || ...; nc -z -w 5 NAME PORT && echo accepted
            nc = next(part.split() for part in argv[-1].replace("&&", ";").split(";") if " -z " in part)
            host, port = nc[-2], int(nc[-1])
            svc = self.mock.get("Service", host, self.ns)
            if svc is None:
                code, out = 3, "unresolved"
            else:
                ok = port in [x["port"] for x in svc["spec"]["ports"]] and self.ready_endpoints(host)
                code, out = (0, f"10.96.0.1 {host}\naccepted") if ok else (1, f"10.96.0.1 {host}")
        st = self._terminated(p, code, out, "toolbox")
        st["phase"] = "Succeeded" if code == 0 else "Failed"
        return st

    def peek(self, p: dict) -> dict:
        """The copy's peek container: what its script prints about the program's files
        and environment, as the kubelet would have set them up."""
        script = p["spec"]["containers"][-1]["command"][-1]
        web = p["spec"]["containers"][0]
        secrets = {o["metadata"]["name"]: {k: base64.b64decode(v) for k, v in (o.get("data") or {}).items()}
                   for o in self.mock.objects("Secret", self.ns)}
        env = {}
        for e in web.get("env") or []:
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref is None:
                env[e["name"]] = str(e.get("value", "")).encode()
            elif ref.get("key") in secrets.get(ref.get("name"), {}):
                env[e["name"]] = secrets[ref["name"]][ref["key"]]
            else:  # CreateContainerConfigError: the program never starts
                return self._terminated(p, 3, "no-process", "peek")
        lines = []
        if "mountinfo" in script:
            for m in web.get("volumeMounts") or []:
                if m["mountPath"] != "/etc/secrets":
                    continue
                vol = next(v for v in p["spec"]["volumes"] if v["name"] == m["name"])
                files = secrets.get((vol.get("secret") or {}).get("secretName"), {})
                lines.append("mount " + ("ro" if m.get("readOnly") else "rw") + ",relatime")
                lines += [f"file {k} {base64.b64encode(files[k]).decode()}" if k in files else f"missing {k}"
                          for k in ("username", "password")]
                lines.append("list " + " ".join(sorted(files)) + " ")
            if not lines:
                lines = ["mount ", "missing username", "missing password", "list "]
        if "environ" in script:
            raw = b"".join(f"{k}=".encode() + v + b"\0" for k, v in env.items() if k.startswith("PETS_"))
            lines.append("environ " + base64.b64encode(raw).decode())
        return self._terminated(p, 0, "\n".join(lines) + "\n", "peek")
