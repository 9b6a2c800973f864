"""What behaviour checks do to Services: switch one label of a Service's selector (the
blue-green switch, ``kubectl patch``), read which pods are behind it (its
EndpointSlices), wait for that to change, and make a Service of the grader's own. Every
function takes a :class:`grader.kube.actions.Session`; requests and JSON patches go
through :mod:`grader.kube.rollouts`.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager

from grader import poll
from grader.errors import LabError
from grader.kube import rollouts


def service(session, name: str) -> dict | None:
    """Service ``name`` as the server has it now, or None."""
    return rollouts.call(session, "GET", rollouts.api_path(session, "services", name),
                         f"read service {name}", missing_ok=True)


def set_selector_label(session, name: str, key: str, old: str, new: str) -> dict:
    """Change one label of Service ``name``'s selector (``color: blue`` -> ``green``),
    what ``kubectl patch service NAME -p '{"spec":{"selector":{KEY:NEW}}}'`` does;
    refused if it is no longer ``old``."""
    where = f"/spec/selector/{key.replace('~', '~0').replace('/', '~1')}"
    return rollouts.patch(session, "services", name,
                          [{"op": "test", "path": where, "value": old},
                           {"op": "replace", "path": where, "value": new}],
                          f"set {key}={new} in the selector of service {name}")


def endpoint_pods(session, name: str) -> list[tuple[str, bool]]:
    """(pod name, ready) of every address behind Service ``name`` (its EndpointSlices)."""
    slices = rollouts.listed(session, "endpointslices", f"list the endpoints of service {name}",
                             query=[("labelSelector", f"kubernetes.io/service-name={name}")])
    found = []
    for sl in slices:
        for ep in sl.get("endpoints") or []:
            cond = ep.get("conditions") or {}
            ready = cond.get("ready") is not False and not cond.get("terminating")
            found.append(((ep.get("targetRef") or {}).get("name") or "?", ready))
    return found


def wait_endpoints(session, name: str, want, timeout: float, what: str) -> list[str]:
    """Until ``want(ready pod names)`` holds for Service ``name``; the ready pods then.
    AssertionError with the last endpoints seen otherwise."""
    seen: dict = {"ready": []}

    def ok():
        seen["ready"] = sorted(p for p, ready in endpoint_pods(session, name) if ready)
        return seen["ready"] if want(seen["ready"]) else None
    try:
        return session._wait(ok, timeout, what)
    except poll.Timeout:
        raise AssertionError(f"Service {name}: {what} did not happen within {timeout:g}s "
                             f"(ready endpoints: {', '.join(seen['ready']) or 'none'})") from None


@contextmanager
def grader_service(session, selector: dict, port: int, *, prefix: str = "grader-svc"):
    """A ClusterIP Service of the grader's own (its labels) selecting ``selector`` on
    ``port``; yields its name, deletes it on the way out (``left`` if it cannot)."""
    name = f"{prefix}-{secrets.token_hex(3)}"
    body = {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": session.namespace, "labels": dict(session.labels)},
            "spec": {"type": "ClusterIP", "selector": dict(selector),
                     "ports": [{"port": port, "targetPort": port, "protocol": "TCP"}]}}
    rollouts.call(session, "POST", rollouts.api_path(session, "services"), f"create service {name}",
                  body=body)
    try:
        yield name
    finally:
        try:
            rollouts.call(session, "DELETE", rollouts.api_path(session, "services", name),
                          f"delete service {name}", missing_ok=True)
        except LabError as err:
            session.left.append(f"the grader's service {name} ({err}): "
                                f"kubectl delete service {name} -n {session.namespace}")
