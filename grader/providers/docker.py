"""The ``docker`` provider: the local Docker engine, the chapter's images, and a
labelled lab network."""

from __future__ import annotations

from grader import engine, labels
from grader.providers.base import Ledger, Removed, Status
from grader.providers.dockerlab import (
    EngineProvider,
    down_ledger,
    lab_filters,
    network_exists,
    remove_labelled,
    undo_docker,
)


class LocalDocker(EngineProvider):
    """The local Docker engine: lab images built, a labelled network for the lab."""

    name = "docker"
    family = "docker"

    def _up(self, ledger: Ledger, *, progress: bool) -> list[str]:
        from grader import images

        done: list[str] = []
        client = self.client  # the engine first: its absence is the likelier problem
        net = self.chapter.network
        if net and not network_exists(client, net):
            ledger.about_to("network", net)
            client.networks.create(net, driver="bridge",
                                   labels=labels.lab_labels(self.chapter.id, "env"))
            done.append(f"created network {net}")
        need = images.missing(images.images_for(self.chapter.id), client)
        if need:
            images.build([s.name for s in need], client=client, progress=progress)
            done.append(f"built {len(need)} image(s): " + ", ".join(s.name for s in need))
        return done

    def undo(self, entries: list[dict]) -> list[str]:
        return undo_docker(self.client, entries)

    def down(self) -> Removed:
        """Remove every container, network, volume and image that belongs to the lab."""
        gone = down_ledger(self.client, self.ledger())
        return gone.add(remove_labelled(self.client, self.chapter))

    def status(self) -> Status:
        """The network, the lab's containers, the images still missing."""
        from grader import images

        ctrs: dict[str, str] = {}
        for flt in lab_filters(self.chapter):
            for ctr in self.client.containers.list(all=True, filters=flt):
                ctrs[ctr.name] = ctr.status
        net = self.chapter.network
        has_net = bool(net) and network_exists(self.client, net)
        missing = [s.name for s in images.missing(images.images_for(self.chapter.id), self.client)]
        up = (has_net or not net) and not missing
        summary = (f"network {net}" if has_net else "no lab network") + \
            (f"; {len(missing)} image(s) missing" if missing else "")
        return Status(self.chapter.id, self.name, up, summary, network=net if has_net else None,
                      objects=ctrs, missing_images=missing, endpoint=engine.endpoint())
