"""Environment providers: one class each with up/down/status, chosen by name.

``docker`` is the local engine plus a lab network. Swarm and Kubernetes providers
join this table with their chapters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader import engine, labels
from grader.chapters import Chapter
from grader.errors import LabError


@dataclass
class Removed:
    """What a tear-down removed, by kind."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    configs: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    swarm: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in vars(self).items() if v]
        return ", ".join(parts) if parts else "nothing"


class LocalDocker:
    """The local Docker engine: lab images built, a labelled network for the lab."""

    name = "docker"

    def __init__(self, chapter: Chapter, client=None):
        self.chapter = chapter
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = engine.client()
        return self._client

    def _filters(self) -> list[dict]:
        """Label filters that select what belongs to this lab."""
        found = [{"label": labels.lab_label(self.chapter.id)}]
        found += [{"label": f"com.docker.compose.project={p}"}
                  for p in self.chapter.compose_projects]
        return found

    def params(self) -> dict:
        """Parameters injected into the chapter's notebooks."""
        import os
        # LAB_LABEL is derived from LAB inside the notebook: papermill cannot parse a
        # parameter whose value holds "=".
        return {"LAB": self.chapter.id,
                "LAB_NETWORK": self.chapter.network or "",
                "DOCKER_HOST": os.environ.get("DOCKER_HOST", "")}

    def _network_exists(self, name: str) -> bool:
        # the engine's name filter matches substrings, so compare exactly
        return any(n.name == name for n in self.client.networks.list(names=[name]))

    def up(self, *, progress: bool = True) -> list[str]:
        """Build the chapter's missing images, create its network; returns what was done.

        Interrupted (Ctrl-C) or failing half-way, it removes what it created itself.
        """
        from grader import images

        done: list[str] = []
        created_network = None
        client = self.client  # the engine first: its absence is the likelier problem
        try:
            net = self.chapter.network
            if net and not self._network_exists(net):
                created_network = client.networks.create(
                    net, driver="bridge", labels=labels.lab_labels(self.chapter.id, "env"))
                done.append(f"created network {net}")
            need = images.missing(images.images_for(self.chapter.id), client)
            if need:
                images.build([s.name for s in need], client=client, progress=progress)
                done.append(f"built {len(need)} image(s): " + ", ".join(s.name for s in need))
        except BaseException:
            # Ctrl-C or a failed build: take back what this call created, then re-raise
            if created_network is not None:
                created_network.remove()
            raise
        return done

    def down(self) -> Removed:
        """Remove every container, network, volume and image that belongs to the lab."""
        from docker.errors import APIError, NotFound

        c = self.client
        gone = Removed()
        seen: set[str] = set()
        for flt in self._filters():
            for ctr in c.containers.list(all=True, filters=flt):
                if ctr.id not in seen:
                    seen.add(ctr.id)
                    ctr.remove(force=True, v=True)
                    gone.containers.append(ctr.name)
        for flt in self._filters():
            for net in c.networks.list(filters=flt):
                try:
                    net.remove()
                    gone.networks.append(net.name)
                except NotFound:
                    pass
            for vol in c.volumes.list(filters=flt):
                try:
                    vol.remove(force=True)
                    gone.volumes.append(vol.name)
                except NotFound:
                    pass
        for img in c.images.list(filters={"label": labels.lab_label(self.chapter.id)}):
            for tag in img.tags or [img.id]:
                try:
                    c.images.remove(tag, force=True)
                    gone.images.append(tag)
                except (NotFound, APIError):
                    pass
        return gone

    def status(self) -> dict:
        """What exists now: the network, the lab's containers, missing images."""
        from grader import images

        ctrs = {}
        for flt in self._filters():
            for ctr in self.client.containers.list(all=True, filters=flt):
                ctrs[ctr.name] = ctr.status
        net = self.chapter.network
        missing = images.missing(images.images_for(self.chapter.id), self.client)
        return {
            "chapter": self.chapter.id,
            "provider": self.name,
            "network": net if net and self._network_exists(net) else None,
            "containers": ctrs,
            "missing_images": [s.name for s in missing],
        }


def _providers() -> dict:
    from grader.dind import DindSwarm
    from grader.swarm import LocalSwarm
    return {LocalDocker.name: LocalDocker, LocalSwarm.name: LocalSwarm,
            DindSwarm.name: DindSwarm}


def _choice(chapter_id: str):
    from grader.rootfs import cache_dir
    return cache_dir() / "env" / f"{chapter_id}-provider"


def choose(chapter: Chapter, name: str | None) -> None:
    """Remember ``name`` as the chapter's provider (``lab env up ch14 --provider
    swarm-dind``); None forgets the choice. Only providers of the same family qualify:
    a swarm chapter takes ``swarm`` or ``swarm-dind``."""
    f = _choice(chapter.id)
    if name is None:
        f.unlink(missing_ok=True)
        return
    family = [n for n in _providers() if n.split("-")[0] == chapter.provider.split("-")[0]]
    if name not in family:
        raise LabError(f"{chapter.id} runs on {' or '.join(family)}, not {name!r}")
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(name)


def for_chapter(chapter: Chapter, client=None):
    """The provider instance for ``chapter``: the one chosen at ``env up``, else the
    chapter's default; LabError if that provider does not exist yet."""
    f = _choice(chapter.id)
    name = f.read_text().strip() if f.exists() else chapter.provider
    cls = _providers().get(name)
    if cls is None:
        raise LabError(f"{chapter.id} needs the {name!r} environment, "
                       "which this version does not provide yet")
    return cls(chapter, client)


def activate(provider) -> None:
    """Point this process (and the notebooks and checks it starts) at the provider's
    engine when it has its own (a dind swarm's node-1), unless DOCKER_HOST is set."""
    import os
    host = provider.params().get("DOCKER_HOST")
    if host and not os.environ.get("DOCKER_HOST"):
        os.environ["DOCKER_HOST"] = host
