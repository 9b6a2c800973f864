"""Environment providers, chosen by name from a registry of dotted paths.

Like testinfra's backends, each provider lives in a module of its own and is imported
only when it is asked for; no provider imports another (what two share lives in
:mod:`grader.providers.base` or :mod:`grader.providers.dockerlab`).

| name | family | what it is |
|---|---|---|
| ``docker`` | docker | the local engine and a labelled lab network |
| ``swarm`` | swarm | the local engine as a single-node swarm manager |
| ``swarm-dind`` | swarm | a multi-node swarm of docker-in-docker nodes |
| ``kind`` | kube | a kind cluster made for the labs, images loaded into its nodes |
| ``existing`` | kube | the current kube context; only the chapter's namespace is made |

A Docker chapter with Kubernetes steps (ch10, ``Chapter.cluster``) takes the kube
providers too: its cluster part comes on top of its Docker environment
(:class:`grader.providers.kubelab.KubeProvider` brings up both, takes down both).
"""

from __future__ import annotations

import importlib

from grader.chapters import Chapter
from grader.errors import LabError
from grader.providers.base import Provider, Removed, Status  # noqa: F401  (the interface)

REGISTRY: dict[str, str] = {
    "docker": "grader.providers.docker:LocalDocker",
    "swarm": "grader.providers.swarm:LocalSwarm",
    "swarm-dind": "grader.providers.swarm_dind:DindSwarm",
    "kind": "grader.providers.kind:KindCluster",
    "existing": "grader.providers.existing:ExistingContext",
}
FAMILIES: dict[str, str] = {"docker": "docker", "swarm": "swarm", "swarm-dind": "swarm",
                            "kind": "kube", "existing": "kube"}


def load(name: str) -> type[Provider]:
    """The provider class registered as ``name``; LabError if there is none."""
    path = REGISTRY.get(name)
    if path is None:
        raise LabError(f"no environment provider {name!r}: the providers are "
                       + ", ".join(REGISTRY))
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def family_of(chapter: Chapter) -> list[str]:
    """The providers that can run ``chapter`` (its default first); for a chapter with a
    cluster part (ch10), the kube providers too, its ``cluster`` default first."""
    fam = FAMILIES.get(chapter.provider)
    names = [n for n, f in FAMILIES.items() if f == fam]
    if chapter.cluster:
        names += [n for n, f in FAMILIES.items() if f == "kube" and n not in names]
    order = [chapter.provider, chapter.cluster]
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


def cluster_missing(chapter: Chapter) -> str | None:
    """Why the chapter's Kubernetes objects cannot be read now, or None when they can.
    A Kubernetes chapter always has its cluster; ch10 runs on Docker and has one only
    once its cluster part is up (`lab env up ch10 --provider kind`, remembered)."""
    if FAMILIES.get(chapter.provider) == "kube":
        return None
    if not chapter.cluster:
        return f"{chapter.id} has no Kubernetes steps"
    if FAMILIES.get(chosen(chapter)) == "kube":
        return None
    return (f"needs a Kubernetes cluster: run `lab env up {chapter.id} --provider "
            f"{chapter.cluster}` (or --provider existing for your own cluster)")


def _choice(chapter_id: str):
    from grader.rootfs import cache_dir
    return cache_dir() / "env" / f"{chapter_id}-provider"


def chosen(chapter: Chapter) -> str:
    """The provider chosen at ``env up`` for ``chapter``, else the chapter's default."""
    f = _choice(chapter.id)
    return f.read_text().strip() if f.exists() else chapter.provider


def check_family(chapter: Chapter, name: str) -> None:
    """LabError unless ``name`` is a provider that can run ``chapter``."""
    family = family_of(chapter)
    if name not in family:
        raise LabError(f"{chapter.id} runs on {' or '.join(family)}, not {name!r}")


def choose(chapter: Chapter, name: str | None) -> None:
    """Remember ``name`` as the chapter's provider (``lab env up ch14 --provider
    swarm-dind``); None forgets the choice. Only providers of the chapter's family
    qualify: a swarm chapter takes ``swarm`` or ``swarm-dind``."""
    f = _choice(chapter.id)
    if name is None:
        f.unlink(missing_ok=True)
        return
    check_family(chapter, name)
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(name)


def for_chapter(chapter: Chapter, client=None) -> Provider:
    """The provider instance for ``chapter``: the one chosen at ``env up``, else the
    chapter's default."""
    name = chosen(chapter)
    if name not in REGISTRY:
        raise LabError(f"{chapter.id} needs the {name!r} environment, "
                       "which this version does not provide")
    return load(name)(chapter, client)


def activate(provider: Provider) -> None:
    """Point this process at the provider's endpoints (see :meth:`Provider.activate`)."""
    provider.activate()
