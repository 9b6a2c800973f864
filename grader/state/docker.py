"""A snapshot of the Docker engine, read once per check run and shared by every check."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass
class Container:
    """The parts of ``docker inspect`` the checks read, plus the raw attrs."""

    attrs: dict

    @property
    def name(self) -> str:
        return self.attrs["Name"].lstrip("/")

    @property
    def id(self) -> str:
        return self.attrs["Id"]

    @property
    def status(self) -> str:
        return self.attrs["State"]["Status"]

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def health(self) -> str | None:
        h = self.attrs["State"].get("Health")
        return h.get("Status") if h else None

    @property
    def image(self) -> str:
        """The image reference the container was created from (``Config.Image``)."""
        return self.attrs["Config"]["Image"]

    @property
    def image_id(self) -> str:
        return self.attrs["Image"]

    @property
    def labels(self) -> dict:
        return self.attrs["Config"].get("Labels") or {}

    @property
    def env(self) -> dict[str, str]:
        pairs = (e.split("=", 1) for e in self.attrs["Config"].get("Env") or [])
        return {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}

    @property
    def network_mode(self) -> str:
        return self.attrs["HostConfig"].get("NetworkMode") or ""

    @property
    def networks(self) -> dict[str, dict]:
        return self.attrs["NetworkSettings"].get("Networks") or {}

    def published(self, container_port: str) -> list[tuple[str, int]]:
        """Host (ip, port) pairs publishing ``container_port`` (``"6379/tcp"``)."""
        bindings = (self.attrs["NetworkSettings"].get("Ports") or {}).get(container_port) or []
        return [(b.get("HostIp") or "0.0.0.0", int(b["HostPort"])) for b in bindings]


class Image:
    """A local image: tags, id and size from the image list, and, for the images the
    checks look into (see :meth:`DockerState.collect`), ``docker image inspect`` and
    ``docker history`` read when the snapshot was taken."""

    def __init__(self, summary: dict, inspect: dict | None = None,
                 history: list[dict] | None = None):
        self.summary = summary
        self._inspect = inspect
        self._history = history

    @property
    def id(self) -> str:
        return self.summary["Id"]

    @property
    def tags(self) -> list[str]:
        return self.summary.get("RepoTags") or []

    @property
    def size(self) -> int:
        return int(self.summary.get("Size") or 0)

    @property
    def labels(self) -> dict:
        return self.summary.get("Labels") or {}

    @property
    def detailed(self) -> bool:
        return self._inspect is not None

    def _need_detail(self) -> None:
        if self._inspect is None:
            from grader.errors import LabError
            raise LabError(f"image {(self.tags or [self.id])[0]} was not inspected when the "
                           "state was read (only student-built images and those of containers are)")

    @property
    def attrs(self) -> dict:
        """``docker image inspect`` as read with the snapshot."""
        self._need_detail()
        return self._inspect

    @property
    def config(self) -> dict:
        return self.attrs.get("Config") or {}

    def history(self) -> list[dict]:
        """``docker history``: the commands each layer was made with."""
        self._need_detail()
        return self._history or []

    def as_dict(self) -> dict:
        return {"summary": self.summary, "inspect": self._inspect, "history": self._history}

    @classmethod
    def from_dict(cls, data: dict) -> Image:
        return cls(data["summary"], data.get("inspect"), data.get("history"))


def _lab_image(summary: dict) -> bool:
    """A lab image of ours (``lab images build``), not one a student built from it:
    images inherit the label, so it must name one of the image's own tags."""
    own = (summary.get("Labels") or {}).get(IMAGE_LABEL)
    return bool(own) and own in (summary.get("RepoTags") or [])


IMAGE_LABEL = "org.container-labs.image"


@dataclass
class DockerState:
    """Everything a chapter's live checks read from the engine, fetched once; plain
    data (no client): :meth:`as_dict` / :meth:`from_dict` write and read it."""

    containers: list[Container] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    networks: list[dict] = field(default_factory=list)
    endpoint: str = ""

    @classmethod
    def collect(cls, client) -> DockerState:
        """Read containers, images and networks with a handful of API calls; inspect
        and history only for the images checks look into: tagged images that are not
        lab images (the student's builds) and the images of containers."""
        api = client.api
        containers = [Container(api.inspect_container(c["Id"]))
                      for c in api.containers(all=True)]
        used = {c.image_id for c in containers}
        images = []
        for summary in api.images():
            if (summary.get("RepoTags") and not _lab_image(summary)) or summary["Id"] in used:
                images.append(Image(summary, api.inspect_image(summary["Id"]),
                                    api.history(summary["Id"])))
            else:
                images.append(Image(summary))
        return cls(containers, images, api.networks(), str(api.base_url))

    def as_dict(self) -> dict:
        return {"endpoint": self.endpoint, "containers": [c.attrs for c in self.containers],
                "images": [i.as_dict() for i in self.images], "networks": self.networks}

    @classmethod
    def from_dict(cls, data: dict) -> DockerState:
        return cls([Container(a) for a in data.get("containers") or []],
                   [Image.from_dict(i) for i in data.get("images") or []],
                   list(data.get("networks") or []), data.get("endpoint") or "")

    @cached_property
    def _by_name(self) -> dict[str, Container]:
        return {c.name: c for c in self.containers}

    def container(self, name: str) -> Container | None:
        """The container called ``name``, or None."""
        return self._by_name.get(name)

    def image(self, ref: str) -> Image | None:
        """The image tagged ``ref`` (``user:v1``; ``:latest`` implied), or with that id."""
        if ":" not in ref.rsplit("/", 1)[-1]:
            ref += ":latest"
        for img in self.images:
            if ref in img.tags or img.id == ref:
                return img
        return None

    def image_by_id(self, image_id: str) -> Image | None:
        return next((i for i in self.images if i.id == image_id), None)

    def network(self, name: str) -> dict | None:
        return next((n for n in self.networks if n["Name"] == name), None)

    def compose_containers(self, project: str) -> list[Container]:
        """Containers of a Compose project (v1 and v2 set the same label)."""
        return [c for c in self.containers
                if c.labels.get("com.docker.compose.project") == project]

    def compose_service(self, project: str, service: str) -> Container | None:
        """The first container of ``service`` in Compose ``project``."""
        return next((c for c in self.compose_containers(project)
                     if c.labels.get("com.docker.compose.service") == service), None)
