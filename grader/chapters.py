"""The four labs: what each one is called, where it lives and what it needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import LabError

ROOT = Path(__file__).resolve().parent.parent
LABS = ROOT / "labs"
CHECKS = ROOT / "checks"


@dataclass(frozen=True)
class Chapter:
    """A lab chapter: its id, title, environment provider and readiness."""

    id: str
    title: str
    provider: str
    network: str | None = None
    compose_projects: tuple[str, ...] = ()
    stacks: tuple[str, ...] = ()
    namespace: str | None = None            # Kubernetes chapters: the namespace graded
    kube_kinds: tuple[str, ...] = ()        # kinds the chapter's checks read (one LIST each)
    # (kind, namespace) read besides the graded namespace, e.g. the control plane's pods
    kube_also: tuple[tuple[str, str], ...] = ()
    reads: tuple[str, ...] = ("docker",)    # snapshots its checks read: docker, swarm, kube
    # a chapter on Docker with Kubernetes steps too (ch10): the kube provider that brings
    # up its cluster part (`lab env up ch10 --provider kind`), and the namespaces besides
    # its own that this part creates and reads (ch10's backend lives in k8sdemo)
    cluster: str | None = None
    cluster_namespaces: tuple[str, ...] = ()
    ready: bool = True
    not_ready_reason: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def source_dir(self) -> Path:
        """The chapter's folder in the repository (nbgrader source notebooks)."""
        return LABS / self.id

    @property
    def checks_dir(self) -> Path:
        """The chapter's pytest check modules."""
        return CHECKS / self.id

    def notebooks(self) -> list[Path]:
        """The chapter's numbered notebooks, in reading order."""
        return sorted(self.source_dir.glob("[0-9][0-9]-*.ipynb"))


CHAPTERS: dict[str, Chapter] = {
    c.id: c
    for c in (
        Chapter(
            "ch10",
            "Containerise a microservice with Docker, then run it on Kubernetes",
            provider="docker",
            network="ch10-lab",
            compose_projects=("ch10",),
            namespace="ch10",
            cluster="kind",
            cluster_namespaces=("k8sdemo",),
            kube_kinds=("Pod", "Service", "EndpointSlice", "Deployment", "ReplicaSet", "Secret",
                        "Node", "Namespace"),
            kube_also=tuple((kind, "k8sdemo") for kind in (
                "Pod", "Service", "EndpointSlice", "Deployment", "ReplicaSet", "Ingress"))
            + (("Pod", "kube-system"),),
            reads=("docker", "kube"),
        ),
        Chapter(
            "ch14",
            "Zero-downtime deployments, configs and secrets on Docker Swarm",
            provider="swarm",
            network="ch14-lab",
            stacks=("web", "myapp", "shop"),
            reads=("docker", "swarm"),
        ),
        Chapter(
            "ch15",
            "Introduction to Kubernetes",
            provider="kind",
            namespace="ch15",
            kube_kinds=("Pod", "Service", "EndpointSlice", "ReplicaSet", "PersistentVolumeClaim",
                        "Ingress", "Node"),
            kube_also=(("Pod", "kube-system"),),
            reads=("docker", "kube"),
        ),
        Chapter(
            "ch16",
            "Deploy, update and secure an application on Kubernetes",
            provider="kind",
            namespace="ch16",
            kube_kinds=("Pod", "Service", "EndpointSlice", "Deployment", "ReplicaSet",
                        "StatefulSet", "PersistentVolumeClaim", "Secret", "Event"),
            reads=("kube",),
        ),
    )
}


def get(chapter_id: str, *, need_ready: bool = True) -> Chapter:
    """Look a chapter up by id (``ch10``, ``10`` or ``CH10``); LabError if unknown."""
    key = chapter_id.strip().lower()
    if key.isdigit():
        key = f"ch{key}"
    chapter = CHAPTERS.get(key)
    if chapter is None:
        known = ", ".join(CHAPTERS)
        raise LabError(f"unknown chapter {chapter_id!r}: the chapters are {known}")
    if need_ready and not chapter.ready:
        raise LabError(f"{chapter.id}: {chapter.not_ready_reason}; ready now: "
                       + ", ".join(c.id for c in CHAPTERS.values() if c.ready))
    return chapter
