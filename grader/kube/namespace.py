"""The chapter's namespace: created labelled, deleted only when the lab made it.

A namespace an environment creates carries ``org.container-labs.lab=<chapter>`` and
``org.container-labs.created-by=<provider>``; :func:`delete` removes a namespace only
when both labels say it is the lab's and that provider's, so a namespace the student
(or their cluster) had before is never touched. Every call takes an ``ApiClient``
from :func:`grader.kube.client.api_client` and goes through its generic
:func:`~grader.kube.client.request`; API trouble is a one-line LabError.
"""

from __future__ import annotations

import json

from grader import labels
from grader.errors import LabError

# how long ``create`` waits for a namespace still terminating from an earlier ``down``
TERMINATING_WAIT = 90.0


def _path(name: str = "") -> str:
    return "/api/v1/namespaces" + (f"/{name}" if name else "")


def get(api, name: str) -> dict | None:
    """The namespace as the server returns it, None when it does not exist."""
    from grader.kube.client import http_error, request

    status, body = request(api, "GET", _path(name))
    if status == 404:
        return None
    if status != 200:
        raise http_error(api, status, body, f"read namespace {name}")
    return json.loads(body)


def phase(obj: dict | None) -> str:
    """``Active``, ``Terminating``, or ``missing``."""
    if obj is None:
        return "missing"
    return ((obj.get("status") or {}).get("phase")) or "Active"


def owned(obj: dict | None, chapter_id: str, created_by: str) -> bool:
    """True when the namespace carries the lab's label for ``chapter_id`` and was made
    by the provider ``created_by``."""
    found = ((obj or {}).get("metadata") or {}).get("labels") or {}
    return found.get(labels.LAB) == chapter_id and found.get(labels.CREATED_BY) == created_by


def _wait_gone(api, name: str, timeout: float) -> None:
    from grader.poll import Timeout, wait_for

    try:
        wait_for(lambda: get(api, name) is None, timeout=timeout, interval=0.5,
                 what=f"namespace {name} gone")
    except Timeout:
        raise LabError(f"namespace {name} is still terminating after {timeout:g}s: "
                       "wait a little and run `lab env up` again") from None


def create(api, name: str, chapter_id: str, created_by: str) -> bool:
    """Create ``name`` with the lab's labels; False when it exists already. A namespace
    still terminating (an earlier ``down``) is waited for, then created anew."""
    from grader.kube.client import http_error, request

    existing = get(api, name)
    if existing is not None:
        if phase(existing) != "Terminating":
            return False
        _wait_gone(api, name, TERMINATING_WAIT)
    body = {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels.lab_labels(chapter_id, created_by)}}
    status, answer = request(api, "POST", _path(), body=body)
    if status == 409:
        return False
    if status not in (200, 201, 202):
        raise http_error(api, status, answer, f"create namespace {name}")
    return True


def delete(api, name: str, chapter_id: str, created_by: str) -> bool:
    """Delete ``name`` if it is the lab's (see :func:`owned`); True when a deletion was
    requested (or is under way), False when it does not exist or is not the lab's.
    Does not wait for the namespace to finish terminating."""
    from grader.kube.client import http_error, request

    obj = get(api, name)
    if obj is None or not owned(obj, chapter_id, created_by):
        return False
    if phase(obj) == "Terminating":
        return True
    status, answer = request(api, "DELETE", _path(name))
    if status == 404:
        return False
    if status not in (200, 202):
        raise http_error(api, status, answer, f"delete namespace {name}")
    return True


def states(api, name: str) -> dict[str, str]:
    """What ``lab env status`` shows of the cluster: ``node/<name>`` → ``Ready v1.x`` or
    ``NotReady v1.x`` (none when the credentials may not list nodes, as on many shared
    clusters), and ``namespace/<name>`` → its :func:`phase`."""
    from grader.kube.client import http_error, request

    found: dict[str, str] = {}
    status, body = request(api, "GET", "/api/v1/nodes")
    if status == 200:
        for node in json.loads(body).get("items") or []:
            st = node.get("status") or {}
            ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                        for c in st.get("conditions") or [])
            version = (st.get("nodeInfo") or {}).get("kubeletVersion") or ""
            found[f"node/{node['metadata']['name']}"] = \
                ("Ready" if ready else "NotReady") + (f" {version}" if version else "")
    elif status not in (401, 403):
        raise http_error(api, status, body, "list nodes")
    found[f"namespace/{name}"] = phase(get(api, name))
    return found
