"""The ``swarm`` provider: the local engine as a single-node swarm manager, an
attachable overlay network for the lab, and a tear-down that removes the lab's stacks,
services, configs, secrets, containers and networks — nothing else.

A swarm cannot carry a label, so when ``up`` initialises one it leaves a marker file in
the cache; ``down`` leaves the swarm only when that marker says the lab made it.
"""

from __future__ import annotations

import json

from grader import labels, poll
from grader.errors import LabError
from grader.providers import LocalDocker, Removed

STACK = "com.docker.stack.namespace"
SERVICE = "com.docker.swarm.service.name"


def _marker(chapter: str):
    from grader.rootfs import cache_dir
    return cache_dir() / "env" / f"{chapter}-swarm.json"


def swarm_state(client) -> tuple[str, bool]:
    """(``LocalNodeState``, is this node a manager) from ``docker info``."""
    info = client.info().get("Swarm") or {}
    return info.get("LocalNodeState") or "inactive", bool(info.get("ControlAvailable"))


class LocalSwarm(LocalDocker):
    """The local engine as a swarm manager (initialised when it is in no swarm)."""

    name = "swarm"

    def _owned(self, labels_of: dict) -> bool:
        """True when an object's labels say it belongs to this chapter."""
        return (labels_of.get(labels.LAB) == self.chapter.id
                or labels_of.get(STACK) in self.chapter.stacks)

    def up(self, *, progress: bool = True) -> list[str]:
        """Make sure of a swarm, the lab network and the images; returns what was done.

        Ctrl-C or a failure half-way takes back what this call created.
        """
        from grader import images

        client = self.client
        done: list[str] = []
        created_swarm = created_net = None
        try:
            state, manager = swarm_state(client)
            if state == "inactive":
                client.swarm.init(advertise_addr="127.0.0.1", listen_addr="127.0.0.1:2377")
                created_swarm = True
                marker = _marker(self.chapter.id)
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text(json.dumps({"created": True}))
                done.append("initialised a single-node swarm (docker swarm init)")
            elif state != "active":
                raise LabError(f"this engine's swarm is {state!r}: fix it (docker swarm leave "
                               "--force, if it is yours) and run lab env up again")
            elif not manager:
                raise LabError("this engine is a swarm worker: run the lab against a manager "
                               "(set DOCKER_HOST to one)")
            net = self.chapter.network
            if net and not self._network_exists(net):
                created_net = client.networks.create(
                    net, driver="overlay", attachable=True, scope="swarm",
                    labels=labels.lab_labels(self.chapter.id, "env"))
                done.append(f"created overlay network {net} (attachable)")
            need = images.missing(images.images_for(self.chapter.id), client)
            if need:
                images.build([s.name for s in need], client=client, progress=progress)
                done.append(f"built {len(need)} image(s): " + ", ".join(s.name for s in need))
        except BaseException:
            if created_net is not None:
                created_net.remove()
            if created_swarm:
                client.swarm.leave(force=True)
                _marker(self.chapter.id).unlink(missing_ok=True)
            raise
        return done

    def _services(self) -> list:
        return [s for s in self.client.services.list()
                if self._owned(s.attrs["Spec"].get("Labels") or {})]

    def down(self) -> Removed:
        """Remove the lab's services first (their tasks hold configs, secrets and
        networks), then those, then containers, images, and the swarm if the lab made it."""
        from docker.errors import APIError, NotFound

        c = self.client
        gone = Removed()
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
        rest = super().down()  # labelled containers, networks, volumes, images
        for key in ("containers", "networks", "volumes", "images"):
            getattr(gone, key).extend(getattr(rest, key))
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

    def status(self) -> dict:
        """Swarm state, the lab network, the lab's services, configs and secrets."""
        base = super().status()
        state, manager = swarm_state(self.client)
        base["swarm"] = state + (" (manager)" if manager else "")
        if state == "active" and manager:
            tasks = self.client.api.tasks(filters={"desired-state": "running"})
            running: dict[str, int] = {}
            for t in tasks:
                if t["Status"]["State"] == "running":
                    running[t["ServiceID"]] = running.get(t["ServiceID"], 0) + 1
            base["services"] = {
                s.name: f"{running.get(s.id, 0)}/"
                        f"{(s.attrs['Spec'].get('Mode', {}).get('Replicated') or {}).get('Replicas', '-')}"
                for s in self._services()}
            base["configs"] = [o.name for o in self.client.configs.list()
                               if self._owned(o.attrs["Spec"].get("Labels") or {})]
            base["secrets"] = [o.name for o in self.client.secrets.list()
                               if self._owned(o.attrs["Spec"].get("Labels") or {})]
        return base
