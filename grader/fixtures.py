"""The fixtures checks ask for (``lab``, ``state``, ``kube``, ``swarm``, ``docker_client``,
``container_host``, ``grader_labels``, ``details`` ...), what they know about the run
(:class:`LabContext`), and reading the run's options. grader/plugin.py, the hooks that
record outcomes, loads this module as a plugin of its own (``pytest_plugins``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.checks import SANDBOX_ENV, NeedsLive

DETAILS = pytest.StashKey[dict]()
NOT_RESTORED = pytest.StashKey[list]()   # the run's log of changes a check could not undo


@dataclass
class LabContext:
    """What a check knows about the run: chapter, the student's folder, parameters."""

    chapter: str
    lab_dir: Path
    params: dict = field(default_factory=dict)
    namespace: str | None = None  # Kubernetes chapters: the namespace being graded
    dump: Path | None = None      # grading a dump (`--from-dump`), not a live environment
    # checking what a class-grading sandbox left (`lab grade`: grader.grading.checking)
    sandboxed: bool = False

    def supplied_by_grader(self, what: str) -> None:
        """In a grading sandbox, ``what`` (something a check looks for) was put there by
        the grader, not the student: the check is n/a there (never a free pass)."""
        if self.sandboxed:
            raise SuppliedByGrader(f"not graded in a class-grading sandbox: {what}")

    def path(self, relative: str) -> Path:
        """A file in the student's lab folder."""
        return self.lab_dir / relative

    def require(self, relative: str) -> Path:
        """A file the student must have written; a failing assertion if it is missing."""
        p = self.path(relative)
        assert p.is_file(), f"{relative} not found in {self.lab_dir}"
        return p


class SuppliedByGrader(NeedsLive):
    """A check of something a grading sandbox holds because the grader put it there
    (ch10's Redis image: a sandbox has no registry, so the grader loads the lab's
    images into it): n/a there, graded everywhere else."""


class NeedsCluster(NeedsLive):
    """A Docker chapter's Kubernetes check (ch10) when its cluster part is not up: n/a,
    and the message says how to bring it up."""


class Preread:
    """A dump the runner has read already, handed to the run as a plugin object."""

    def __init__(self, snapshots):
        self.snapshots = snapshots


def chapter_id(config) -> str:
    """The chapter of the run: --lab-chapter, else the folder the checks come from."""
    given = config.getoption("--lab-chapter")
    if given:
        return given
    for arg in config.args:
        p = Path(arg)
        if p.name.startswith("ch") and p.name[2:].isdigit():
            return p.name
        if p.parent.name.startswith("ch"):
            return p.parent.name
    return ""


def dump_path(config) -> Path | None:
    d = config.getoption("--lab-dump")
    return Path(d).expanduser().resolve() if d else None


def _namespace(config, chapter_id: str) -> str | None:
    given = config.getoption("--lab-namespace")
    if given:
        return given
    from grader import chapters
    ch = chapters.CHAPTERS.get(chapter_id)
    return ch.namespace if ch else None


@pytest.fixture(scope="session")
def lab_context(request) -> LabContext:
    """The run's chapter, lab folder, parameters, namespace and dump (once per run)."""
    config = request.config
    chapter = chapter_id(config)
    opt = config.getoption("--lab-dir")
    if opt:
        lab_dir = Path(opt).expanduser().resolve()
    else:
        from grader import workspace
        lab_dir = workspace.path(chapter)
    params = dict(p.split("=", 1) for p in config.getoption("--lab-param") if "=" in p)
    import os
    return LabContext(chapter, lab_dir, params, _namespace(config, chapter), dump_path(config),
                      sandboxed=os.environ.get(SANDBOX_ENV) == "1")


@pytest.fixture
def lab(lab_context) -> LabContext:
    """The chapter, the student's lab folder, parameters, namespace, dump."""
    return lab_context


@pytest.fixture(scope="session")
def snapshots(request, lab_context):
    """The dump being graded (``--from-dump``), read once; None for a live run."""
    if lab_context.dump is None:
        return None
    for p in request.config.pluginmanager.get_plugins():
        if isinstance(p, Preread):
            return p.snapshots
    from grader.state import dumpfile
    return dumpfile.read(lab_context.dump,
                         namespace=request.config.getoption("--lab-namespace"),
                         default=lab_context.namespace or "default")


def _live_only(lab_context, what: str) -> None:
    if lab_context.dump is not None:
        raise NeedsLive(what)


def _cluster_only(chapter_id: str):
    """The chapter, after making sure its Kubernetes objects can be read live (ch10:
    its cluster part is up); NeedsCluster, saying how to bring it up, otherwise."""
    from grader import chapters, providers
    ch = chapters.get(chapter_id, need_ready=False) if chapter_id else None
    reason = providers.cluster_missing(ch) if ch else None
    if reason:
        raise NeedsCluster(reason)
    return ch


@pytest.fixture(scope="session")
def docker_client(lab_context):
    """A docker SDK client; the check errors with one clear line if the engine is down."""
    _live_only(lab_context, "it talks to the Docker engine")
    from grader import engine
    return engine.client()


@pytest.fixture(scope="session")
def state(lab_context, snapshots, request):
    """The engine's containers, images and networks, read once for the whole run (or
    from the dump)."""
    from grader.state.docker import DockerState
    if snapshots is not None:
        if snapshots.docker is None:
            raise NeedsLive("the dump holds no Docker engine state")
        return snapshots.docker
    client = request.getfixturevalue("docker_client")  # one client (and ping) per run
    t0 = time.perf_counter()
    snapshot = DockerState.collect(client)
    snapshot.seconds = time.perf_counter() - t0
    return snapshot


@pytest.fixture(scope="session")
def kube(lab_context, snapshots):
    """The graded namespace's objects and the cluster-scoped ones the chapter's checks
    read: one LIST per kind, once for the whole run (or from the dump)."""
    if snapshots is not None:
        if snapshots.kube is None:
            raise NeedsLive("the dump holds no Kubernetes objects")
        return snapshots.kube
    from grader.kube import client, collect
    ch = _cluster_only(lab_context.chapter)
    t0 = time.perf_counter()
    snapshot = collect.collect(client.api_client(), lab_context.namespace or "default",
                               ch.kube_kinds, also=ch.kube_also)
    snapshot.seconds = time.perf_counter() - t0
    return snapshot


@pytest.fixture(scope="session")
def kube_api(lab_context):
    """A Kubernetes ApiClient for checks that act or exec (behaviour, file contents)."""
    _live_only(lab_context, "it talks to the cluster")
    _cluster_only(lab_context.chapter)
    from grader.kube import client
    return client.api_client()


@pytest.fixture(scope="session")
def container_host(lab_context, request):
    """``container_host("redis-7.0")`` → a testinfra host inside that container (its
    commands exec through the engine API: no docker CLI process per command)."""
    _live_only(lab_context, "it looks inside a running container")
    from grader import containerhost
    client = request.getfixturevalue("docker_client")
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = containerhost.get_host(name, client)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def local_host(lab_context):
    """A testinfra host for this machine."""
    _live_only(lab_context, "it runs commands on the grading machine")
    import testinfra
    return testinfra.get_host("local://")


@pytest.fixture(scope="session")
def dockerfiles():
    """``dockerfiles(path)`` → the parsed Dockerfile, read and linted once per run."""
    from grader.dockerfiles import Dockerfile
    cache: dict = {}

    def get(path: Path):
        key = Path(path).resolve()
        if key not in cache:
            cache[key] = Dockerfile.read(key)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def grader_labels(lab_context) -> dict:
    """Labels for anything a behaviour check creates, so tear-down can find it."""
    from grader.labels import lab_labels
    return lab_labels(lab_context.chapter, "grader")


@pytest.fixture(scope="session")
def swarm(lab_context, snapshots, request):
    """The swarm's services, tasks, configs, secrets and nodes, read once for the run
    (or from the dump)."""
    from grader.state.swarm import SwarmState
    if snapshots is not None:
        if snapshots.swarm is None:
            raise NeedsLive("the dump holds no swarm state")
        return snapshots.swarm
    client = request.getfixturevalue("docker_client")  # one client (and ping) per run
    t0 = time.perf_counter()
    snapshot = SwarmState.collect(client)
    snapshot.seconds = time.perf_counter() - t0
    return snapshot


@pytest.fixture(scope="session")
def not_restored(request):
    """``not_restored(line)``: say that a change the grader made (a service update, a
    secret…) could not be put back. The line reaches the result of the check that was
    running, and every report shows it (table, JSON ``not_restored``, JUnit, HTML)."""
    log = request.config.stash.setdefault(NOT_RESTORED, [])
    return log.append


@pytest.fixture
def details(request) -> dict:
    """A dict a check fills with figures (requests, latency…); they reach the report."""
    found: dict = {}
    request.node.stash[DETAILS] = found
    return found
