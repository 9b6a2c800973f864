"""The labels of what grading creates on the host engine, and removing it by label.

Every container, volume and network of a sandbox carries ``org.container-labs.grading=
<batch>``, ``org.container-labs.grading.student=<student>`` and the owner
``org.container-labs.grading.owner=<host>:<pid>`` of the ``lab grade`` process. A run
that was killed outright (SIGKILL, power cut) cannot clean up after itself: the next
``lab grade`` removes whatever carries the grading label of an owner that no longer
runs on this host (:func:`recover`), and never the sandboxes of a run still going.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
from pathlib import Path

from grader import labels as core_labels

BATCH = "org.container-labs.grading"
STUDENT = "org.container-labs.grading.student"
OWNER = "org.container-labs.grading.owner"
CREATED_BY = "grading"


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def labels(batch: str, student: str) -> dict[str, str]:
    return {BATCH: batch, STUDENT: student, OWNER: owner(), core_labels.CREATED_BY: CREATED_BY}


def _alive(owner_value: str) -> bool:
    host, _, pid = owner_value.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return host != socket.gethostname()   # another machine's run: not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove(client, filters: dict) -> list[str]:
    """Remove the containers (with their anonymous volumes), then the volumes and
    networks matching ``filters``; returns what is still there afterwards."""
    from docker.errors import APIError, NotFound

    for ctr in client.containers.list(all=True, filters=filters):
        folders = socket_folders(ctr)
        with contextlib.suppress(NotFound):
            ctr.remove(force=True, v=True)
            for folder in folders:  # the node's engine socket, useless once it is gone
                shutil.rmtree(folder, ignore_errors=True)
    left = []
    for vol in client.volumes.list(filters=filters):
        try:
            vol.remove(force=True)
        except NotFound:
            pass
        except APIError as err:
            left.append(f"volume {vol.name}: {err.explanation or err}")
    for net in client.networks.list(filters=filters):
        try:
            net.remove()
        except NotFound:
            pass
        except APIError as err:
            left.append(f"network {net.name}: {err.explanation or err}")
    left += [f"container {c.name}" for c in client.containers.list(all=True, filters=filters)]
    return left


def socket_folders(ctr) -> list[Path]:
    """The host folders ``clabs-g-*`` (made by the sandbox for its engine's socket) that
    a grading container has bind-mounted: nothing else is ever removed with it."""
    tmp = Path(tempfile.gettempdir()).resolve()
    found = []
    for mount in ctr.attrs.get("Mounts") or []:
        source = Path(mount.get("Source") or "")
        if mount.get("Type") == "bind" and source.parent == tmp and source.name.startswith("clabs-g-"):
            found.append(source)
    return found


def stale_owners(client) -> set[str]:
    """Owners of labelled grading objects whose ``lab grade`` process is gone."""
    found: set[str] = set()
    flt = {"label": [BATCH]}
    for ctr in client.containers.list(all=True, filters=flt):
        found.add(ctr.labels.get(OWNER, ""))
    for vol in client.volumes.list(filters=flt):
        found.add((vol.attrs.get("Labels") or {}).get(OWNER, ""))
    for net in client.networks.list(filters=flt):
        found.add((net.attrs.get("Labels") or {}).get(OWNER, ""))
    return {o for o in found if o and not _alive(o)}


def recover(client) -> tuple[int, list[str]]:
    """Remove every grading object of a dead owner: (owners cleaned, what is left)."""
    stale = stale_owners(client)
    left: list[str] = []
    for o in sorted(stale):
        left += remove(client, {"label": [f"{OWNER}={o}"]})
    return len(stale), left


def count(client, filters: dict | None = None) -> int:
    """How many labelled grading objects exist (all of them, or those of ``filters``)."""
    flt = filters or {"label": [BATCH]}
    return (len(client.containers.list(all=True, filters=flt)) + len(client.volumes.list(filters=flt))
            + len(client.networks.list(filters=flt)))
