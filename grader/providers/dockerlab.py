"""What the Docker providers share: the engine and the notebooks' parameters, finding
and removing a lab's labelled objects, and undoing a ledger of Docker objects. Not a
provider itself."""

from __future__ import annotations

import os

from grader import engine, labels
from grader.chapters import Chapter
from grader.providers.base import Provider, Removed, remove_all


class EngineProvider(Provider):
    """A provider whose chapter runs on this process's Docker engine (DOCKER_HOST)."""

    @property
    def client(self):
        if self._client is None:
            self._client = engine.client()
        return self._client

    def params(self) -> dict:
        # LAB_LABEL is derived from LAB inside the notebook: papermill cannot parse a
        # parameter whose value holds "=".
        return {"LAB": self.chapter.id, "LAB_NETWORK": self.chapter.network or "",
                "DOCKER_HOST": os.environ.get("DOCKER_HOST", "")}


def lab_filters(chapter: Chapter) -> list[dict]:
    """Label filters that select what belongs to the lab (and its Compose projects)."""
    found = [{"label": labels.lab_label(chapter.id)}]
    found += [{"label": f"com.docker.compose.project={p}"} for p in chapter.compose_projects]
    return found


def network_exists(client, name: str) -> bool:
    """True when a network called exactly ``name`` exists (the name filter matches
    substrings)."""
    return any(n.name == name for n in client.networks.list(names=[name]))


def remove_labelled(client, chapter: Chapter) -> Removed:
    """Remove every container, network, volume and image that belongs to the lab."""
    from docker.errors import APIError, NotFound

    gone = Removed()
    seen: set[str] = set()
    for flt in lab_filters(chapter):
        for ctr in client.containers.list(all=True, filters=flt):
            if ctr.id not in seen:
                seen.add(ctr.id)
                try:
                    ctr.remove(force=True, v=True)
                    gone.containers.append(ctr.name)
                except NotFound:
                    pass
    for flt in lab_filters(chapter):
        for net in client.networks.list(filters=flt):
            try:
                net.remove()
                gone.networks.append(net.name)
            except NotFound:
                pass
        for vol in client.volumes.list(filters=flt):
            try:
                vol.remove(force=True)
                gone.volumes.append(vol.name)
            except NotFound:
                pass
    for img in client.images.list(filters={"label": labels.lab_label(chapter.id)}):
        for tag in img.tags or [img.id]:
            try:
                client.images.remove(tag, force=True)
                gone.images.append(tag)
            except (NotFound, APIError):
                pass
    return gone


def undo_docker(client, entries: list[dict], *, late: float | None = None) -> list[str]:
    """Remove the Docker objects a ledger recorded (``container``, ``volume``,
    ``network``), waiting a little (``late`` seconds) for those whose creation was cut
    off."""
    from docker.errors import NotFound

    getters = {"container": client.containers.get, "volume": client.volumes.get,
               "network": client.networks.get}

    def remove(entry: dict) -> bool:
        get = getters.get(entry["kind"])
        if get is None:
            return True  # not a Docker object: someone else's to undo
        try:
            obj = get(entry["name"])
        except NotFound:
            return False
        if entry["kind"] == "container":
            obj.remove(force=True, v=True)
        elif entry["kind"] == "volume":
            obj.remove(force=True)
        else:
            obj.remove()
        return True

    mine = [e for e in entries if e["kind"] in getters]
    return remove_all(mine, remove) if late is None else remove_all(mine, remove, late)


def down_ledger(client, ledger) -> Removed:
    """What an ``up`` killed outright (no chance to undo) left in its ledger, removed."""
    entries = ledger.entries()
    undone = set(undo_docker(client, entries, late=0))
    ledger.clear()
    gone = Removed()
    for e in entries:
        if e["name"] in undone and e["kind"] in ("container", "volume", "network"):
            getattr(gone, e["kind"] + "s").append(e["name"])
    return gone
