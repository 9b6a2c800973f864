"""What the Pod (ch10.pod) and the Deployment (ch10.deployment, ch10.rollout) of the user
service have in common: three containers in one pod, the stores reached on localhost,
and a probe instead of the source's sleep."""

from __future__ import annotations

from checks.ch10 import names as n
from grader.checkkit import container_port, container_problem, pod_container


def _spec(obj: dict) -> dict:
    spec = obj.get("spec") or {}
    return (spec.get("template") or {}).get("spec") or spec


def _env(container: dict) -> dict:
    return {e.get("name"): e.get("value") for e in container.get("env") or []}


def sleeps(container: dict) -> bool:
    """True when the container's command waits by sleeping (the source's time.Sleep)."""
    words = [*(container.get("command") or []), *(container.get("args") or [])]
    return any("sleep" in str(w) for w in words)


def pod_problem(obj: dict, where: str) -> str | None:
    """What is wrong with the user service's pod (spec or template), else None."""
    spec = _spec(obj)
    for name, image in n.POD_CONTAINERS.items():
        port = n.USER_HTTP_PORT if name == "user" else None
        problem = container_problem(obj, where, name, image, port)
        if problem:
            return problem
    extra = [c.get("name") for c in spec.get("containers") or [] if c.get("name") not in n.POD_CONTAINERS]
    if extra:
        return f"{where}: containers {', '.join(map(str, extra))} besides user, mysql and redis"
    user = pod_container(obj, "user")
    env = _env(user)
    for var, port in n.STORE_ADDRESSES.items():
        host, _, given = str(env.get(var) or "").rpartition(":")
        if host not in n.LOCAL_HOSTS or given != str(port):
            return (f"{where}: container user has {var}={env.get(var)!r}; the stores run in the "
                    f"same pod, which has one network: use localhost:{port}")
    for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        if sleeps(c):
            return (f"{where}: container {c.get('name')} sleeps to wait (the source's "
                    "time.Sleep): a fixed pause is too short on a slow node and wasted on a "
                    "fast one; let a readiness probe (or an init container) ask instead")
    probe = user.get("readinessProbe") or {}
    waits = bool(spec.get("initContainers"))
    if not probe and not waits:
        return (f"{where}: container user has no readinessProbe: the pod would be Ready (and "
                "get traffic) before Redis and MySQL answer; probe GET /ready on 8080")
    get = probe.get("httpGet")
    if probe and not (get and get.get("path") == "/ready"
                      and container_port(user, get.get("port")) == n.USER_HTTP_PORT):
        return (f"{where}: the readinessProbe of user is {_probe_text(probe)}; probe httpGet "
                "/ready on 8080, which answers 200 only when both stores answer")
    return None


def _probe_text(probe: dict) -> str:
    for kind in ("httpGet", "tcpSocket", "exec", "grpc"):
        if kind in probe:
            return f"{kind} {probe[kind]}"
    return "empty"
