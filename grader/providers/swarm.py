"""The ``swarm`` provider: the local engine as a single-node swarm manager, an
attachable overlay network for the lab, and a tear-down that removes the lab's stacks,
services, configs, secrets, containers and networks — nothing else.

A swarm cannot carry a label, so when ``up`` initialises one it leaves a marker file in
the cache; ``down`` leaves the swarm only when that marker says the lab made it.
"""

from __future__ import annotations

import json

from grader import engine, labels, poll
from grader.errors import LabError
from grader.providers.base import Ledger, Removed, Status
from grader.providers.dockerlab import (
    EngineProvider,
    down_ledger,
    lab_filters,
    network_exists,
    remove_labelled,
    undo_docker,
)

STACK = "com.docker.stack.namespace"
SERVICE = "com.docker.swarm.service.name"


def _marker(chapter: str):
    from grader.rootfs import cache_dir
    return cache_dir() / "env" / f"{chapter}-swarm.json"


def swarm_state(client) -> tuple[str, bool]:
    """(``LocalNodeState``, is this node a manager) from ``docker info``."""
    info = client.info().get("Swarm") or {}
    return info.get("LocalNodeState") or "inactive", bool(info.get("ControlAvailable"))


class LocalSwarm(EngineProvider):
    """The local engine as a swarm manager (initialised when it is in no swarm)."""

    name = "swarm"
    family = "swarm"

    def _owned(self, labels_of: dict) -> bool:
        """True when an object's labels say it belongs to this chapter."""
        return (labels_of.get(labels.LAB) == self.chapter.id
                or labels_of.get(STACK) in self.chapter.stacks)

    def _up(self, ledger: Ledger, *, progress: bool) -> list[str]:
        """Make sure of a swarm, the lab network and the images."""
        from grader import images

        client = self.client
        done: list[str] = []
        state, manager = swarm_state(client)
        if state == "inactive":
            ledger.about_to("swarm", "local")
            marker = _marker(self.chapter.id)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"created": True}))
            client.swarm.init(advertise_addr="127.0.0.1", listen_addr="127.0.0.1:2377")
            done.append("initialised a single-node swarm (docker swarm init)")
        elif state != "active":
            raise LabError(f"this engine's swarm is {state!r}: fix it (docker swarm leave "
                           "--force, if it is yours) and run lab env up again")
        elif not manager:
            raise LabError("this engine is a swarm worker: run the lab against a manager "
                           "(set DOCKER_HOST to one)")
        net = self.chapter.network
        if net and not network_exists(client, net):
            ledger.about_to("network", net)
            client.networks.create(net, driver="overlay", attachable=True, scope="swarm",
                                   labels=labels.lab_labels(self.chapter.id, "env"))
            done.append(f"created overlay network {net} (attachable)")
        need = images.missing(images.images_for(self.chapter.id), client)
        if need:
            images.build([s.name for s in need], client=client, progress=progress)
            done.append(f"built {len(need)} image(s): " + ", ".join(s.name for s in need))
        return done

    def undo(self, entries: list[dict]) -> list[str]:
        gone = undo_docker(self.client, entries)
        if any(e["kind"] == "swarm" for e in entries):
            state, _ = swarm_state(self.client)
            if state != "inactive":
                self.client.swarm.leave(force=True)
                gone.append("swarm")
            _marker(self.chapter.id).unlink(missing_ok=True)
        return gone

    def _services(self) -> list:
        return [s for s in self.client.services.list()
                if self._owned(s.attrs["Spec"].get("Labels") or {})]

    def down(self) -> Removed:
        """Remove the lab's services first (their tasks hold configs, secrets and
        networks), then those, then containers, images, and the swarm if the lab made it."""
        from docker.errors import APIError, NotFound

        c = self.client
        gone = down_ledger(c, self.ledger())
        state, manager = swarm_state(c)
        if state == "active" and manager:
            services = self._services()
            for svc in services:
                try:
                    svc.remove()
                    gone.services.append(svc.name)
                except NotFound:
                    pass
            ids = {s.id for s in services}
            if ids:
                # tasks keep secrets, configs and networks in use until their containers go
                poll.wait_for(lambda: not any(t["ServiceID"] in ids for t in c.api.tasks()),
                              timeout=60, what="the lab's services to stop")
                poll.wait_for(lambda: not any(
                    ctr.labels.get("com.docker.swarm.service.id") in ids
                    for ctr in c.containers.list(all=True, filters={"label": SERVICE})),
                    timeout=60, what="the lab's task containers to go")
            for kind, items in (("configs", c.configs.list()), ("secrets", c.secrets.list())):
                for obj in items:
                    if self._owned(obj.attrs["Spec"].get("Labels") or {}):
                        try:
                            obj.remove()
                            getattr(gone, kind).append(obj.name)
                        except (NotFound, APIError):
                            pass
        gone.add(remove_labelled(c, self.chapter))
        for net in c.networks.list():
            if (net.attrs.get("Labels") or {}).get(STACK) in self.chapter.stacks:
                try:
                    net.remove()
                    gone.networks.append(net.name)
                except (NotFound, APIError):
                    pass
        marker = _marker(self.chapter.id)
        if marker.exists() and state == "active":
            others = [s.name for s in c.services.list()]
            if others:
                gone.swarm.append(f"kept (services not of this lab: {', '.join(others[:5])})")
            else:
                c.swarm.leave(force=True)
                gone.swarm.append("left the swarm the lab had initialised")
            marker.unlink(missing_ok=True)
        return gone

    def status(self) -> Status:
        """Swarm state, the lab network, the lab's services, configs and secrets."""
        from grader import images

        c = self.client
        ctrs: dict[str, str] = {}
        for flt in lab_filters(self.chapter):
            for ctr in c.containers.list(all=True, filters=flt):
                ctrs[ctr.name] = ctr.status
        state, manager = swarm_state(c)
        net = self.chapter.network
        has_net = bool(net) and network_exists(c, net)
        missing = [s.name for s in images.missing(images.images_for(self.chapter.id), c)]
        objects = dict(ctrs)
        if state == "active" and manager:
            running: dict[str, int] = {}
            for t in c.api.tasks(filters={"desired-state": "running"}):
                if t["Status"]["State"] == "running":
                    running[t["ServiceID"]] = running.get(t["ServiceID"], 0) + 1
            for s in self._services():
                want = (s.attrs["Spec"].get("Mode", {}).get("Replicated") or {}).get("Replicas", "-")
                objects[f"service {s.name}"] = f"{running.get(s.id, 0)}/{want}"
            for kind, items in (("config", c.configs.list()), ("secret", c.secrets.list())):
                for o in items:
                    if self._owned(o.attrs["Spec"].get("Labels") or {}):
                        objects[f"{kind} {o.name}"] = "present"
        swarm = state + (" (manager)" if manager else "")
        up = state == "active" and manager and (has_net or not net) and not missing
        summary = f"swarm {swarm}; " + (f"network {net}" if has_net else "no lab network")
        return Status(self.chapter.id, self.name, up, summary, network=net if has_net else None,
                      objects=objects, missing_images=missing, endpoint=engine.endpoint())
