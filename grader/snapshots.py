"""Taking, live, the snapshots a chapter's checks read: what ``lab dump`` writes."""

from __future__ import annotations

from grader.chapters import Chapter
from grader.state.dumpfile import Snapshots


def take(chapter: Chapter, *, namespace: str | None = None) -> Snapshots:
    """Read every part ``chapter.reads`` names (``docker``, ``swarm``, ``kube``) from
    the environment the process points at (DOCKER_HOST, KUBECONFIG)."""
    snaps = Snapshots(chapter.id, namespace or chapter.namespace)
    if "docker" in chapter.reads or "swarm" in chapter.reads:
        from grader import engine
        client = engine.client()
        if "docker" in chapter.reads:
            from grader.state.docker import DockerState
            snaps.docker = DockerState.collect(client)
        if "swarm" in chapter.reads:
            from grader.state.swarm import SwarmState
            snaps.swarm = SwarmState.collect(client)
    if "kube" in chapter.reads and _cluster_up(chapter):
        from grader.kube import client as kube_client
        from grader.kube import collect
        snaps.kube = collect.collect(kube_client.api_client(), snaps.namespace or "default",
                                     chapter.kube_kinds, also=chapter.kube_also)
    return snaps


def _cluster_up(chapter: Chapter) -> bool:
    """ch10's Kubernetes part is read only once its cluster environment is up."""
    from grader import providers
    return providers.cluster_missing(chapter) is None


def describe(snaps: Snapshots) -> str:
    """``12 containers, 30 images; 41 Kubernetes objects in namespace ch15``."""
    parts = []
    if snaps.docker:
        parts.append(f"{len(snaps.docker.containers)} containers, {len(snaps.docker.images)} images")
    if snaps.swarm:
        parts.append(f"{len(snaps.swarm.services)} swarm services, {len(snaps.swarm.tasks)} tasks")
    if snaps.kube:
        parts.append(f"{len(snaps.kube.items)} Kubernetes objects (namespace {snaps.kube.namespace})")
    return "; ".join(parts) or "nothing"
