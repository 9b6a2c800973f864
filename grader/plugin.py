"""The pytest plugin behind ``lab check``: fixtures for checks, and outcome recording.

Loaded through the ``pytest11`` entry point, so ``pytest checks/ch10 --lab-dir DIR``
works without the CLI too. Its hooks only touch items declared with ``@check``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.checks import Check, NeedsLive, Result

RESULTS = pytest.StashKey[list]()
PER_ITEM = pytest.StashKey[dict]()
DETAILS = pytest.StashKey[dict]()
NOT_RESTORED = pytest.StashKey[list]()   # the run's log of changes a check could not undo
LOG_START = pytest.StashKey[int]()       # where that log stood when an item started
OBSERVED = pytest.StashKey[int]()        # assertions the check's own code evaluated
DECLARED = pytest.StashKey[list]()       # every check collected, selected or not


@dataclass
class LabContext:
    """What a check knows about the run: chapter, the student's folder, parameters."""

    chapter: str
    lab_dir: Path
    params: dict = field(default_factory=dict)
    namespace: str | None = None  # Kubernetes chapters: the namespace being graded
    dump: Path | None = None      # grading a dump (`--from-dump`), not a live environment

    def path(self, relative: str) -> Path:
        """A file in the student's lab folder."""
        return self.lab_dir / relative

    def require(self, relative: str) -> Path:
        """A file the student must have written; a failing assertion if it is missing."""
        p = self.path(relative)
        assert p.is_file(), f"{relative} not found in {self.lab_dir}"
        return p


class NeedsCluster(NeedsLive):
    """A Docker chapter's Kubernetes check (ch10) when its cluster part is not up: n/a,
    and the message says how to bring it up."""


class Preread:
    """A dump the runner has read already, handed to the run as a plugin object."""

    def __init__(self, snapshots):
        self.snapshots = snapshots


def pytest_addoption(parser):
    group = parser.getgroup("container-labs")
    group.addoption("--lab-dir", default=None,
                    help="the student's lab folder (default: the workspace of the chapter)")
    group.addoption("--lab-only", action="append", default=[],
                    help="run only checks with this id or id prefix (repeatable)")
    group.addoption("--lab-layer", action="append", default=[],
                    help="run only checks of this layer: static, live, behaviour (repeatable)")
    group.addoption("--lab-param", action="append", default=[],
                    help="KEY=VALUE parameter for checks (repeatable)")
    group.addoption("--lab-chapter", default=None,
                    help="the chapter (default: the folder of the check modules)")
    group.addoption("--lab-namespace", default=None,
                    help="Kubernetes namespace to grade (default: the chapter's)")
    group.addoption("--lab-dump", default=None,
                    help="grade this dump (lab dump) instead of the live environment")


def pytest_configure(config):
    config.stash[RESULTS] = []
    config.stash[NOT_RESTORED] = []


def check_of(item) -> Check | None:
    """The Check a pytest item declares with ``@check`` (None for other tests)."""
    fn = getattr(item, "function", None)
    return getattr(fn, "__lab_check__", None)


def pytest_collection_modifyitems(config, items):
    # the chapter's whole catalogue, before selection: its points total
    config.stash[DECLARED] = [c for c in map(check_of, items) if c is not None]
    only = config.getoption("--lab-only")
    layers = config.getoption("--lab-layer")
    if not only and not layers:
        return
    keep, drop = [], []
    for item in items:
        c = check_of(item)
        wanted = c is None or (c.selected_by(only) and (not layers or c.layer in layers))
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _chapter_id(config) -> str:
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


def _dump_path(config) -> Path | None:
    d = config.getoption("--lab-dump")
    return Path(d).expanduser().resolve() if d else None


def pytest_runtest_setup(item):
    """Grading a dump, a behaviour check (the grader acts) cannot run: n/a."""
    c = check_of(item)
    if c is not None and c.layer == "behaviour" and _dump_path(item.config):
        raise NeedsLive("a behaviour check acts on a live environment")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Remember where the log of unrestored changes stood, so what this item's setup,
    call and teardown add to it reaches this item's result."""
    item.stash[LOG_START] = len(item.config.stash.get(NOT_RESTORED, []))
    yield


def pytest_assertion_pass(item, lineno, orig, expl):
    """Count the assertions a check evaluated in its own module while its function ran
    (fixtures and library helpers do not count). Needs ``enable_assertion_pass_hook``,
    which checks/pytest.ini sets."""
    fn = getattr(item, "function", None)
    if fn is None or check_of(item) is None:
        return
    frame = sys._getframe(1)
    while frame is not None and "@pytest_ar" not in frame.f_globals:
        frame = frame.f_back  # up to the (rewritten) code that asserted
    if frame is None or frame.f_code.co_filename != fn.__code__.co_filename:
        return
    while frame is not None and frame.f_code is not fn.__code__:
        frame = frame.f_back
    if frame is not None:
        item.stash[OBSERVED] = item.stash.get(OBSERVED, 0) + 1


def _instrumented(code) -> bool:
    """True when ``code`` (a check function) holds assertions rewritten to report passes:
    only then does a count of 0 mean that none of them ran."""
    return "_check_if_assertion_pass_impl" in code.co_names or any(
        _instrumented(c) for c in code.co_consts if hasattr(c, "co_names"))


def _needs_live(excinfo) -> bool:
    return excinfo is not None and isinstance(excinfo.value, NeedsLive)


def _message(excinfo) -> str:
    """One readable line or two from an exception, without pytest's rewrite detail."""
    err = excinfo.value
    text = str(err).split("\nassert ")[0].strip()
    if not isinstance(err, AssertionError) and type(err).__name__ not in ("Failed",):
        from grader.errors import LabError
        if not isinstance(err, LabError):
            text = f"{type(err).__name__}: {text}" if text else type(err).__name__
    # a message may list several problems, one a line (every unanswered question):
    # keep the lines, each one short, without the indent pytest gives the lines after
    # the first
    lines = [ln.strip()[:500] for ln in text.splitlines() if ln.strip()][:20]
    return "\n".join(lines)[:4000] or "assertion failed"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    c = check_of(item)
    if c is None:
        return
    report = outcome.get_result()
    store = item.stash.setdefault(PER_ITEM, {"seconds": 0.0, "result": None})
    store["seconds"] += report.duration
    if store["result"] is not None:
        return
    if report.failed and _needs_live(call.excinfo):
        err = call.excinfo.value
        store["result"] = Result(c, "n/a", str(err) if isinstance(err, NeedsCluster)
                                 else f"needs a live environment: {err}")
    elif report.when == "setup" and report.failed:
        # a fixture that asserts (a behaviour check's service is missing) is the
        # student's to fix: fail; anything else means the check could not run
        err = call.excinfo.value
        store["result"] = Result(c, "fail" if isinstance(err, AssertionError) else "error",
                                 _message(call.excinfo))
    elif report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        store["result"] = Result(c, "error", f"could not run: {reason}")
    elif report.when == "call":
        if report.passed and not item.stash.get(OBSERVED, 0) and \
                _instrumented(item.function.__code__):
            # every assertion sat in a branch or loop that did not run: nothing was seen
            store["result"] = Result(c, "error", "the check passed without evaluating any of "
                                     "its assertions: it observed nothing (a grader defect)")
        elif report.passed:
            store["result"] = Result(c, "pass")
        else:
            err = call.excinfo.value
            is_fail = isinstance(err, AssertionError) or type(err).__name__ == "Failed"
            store["result"] = Result(c, "fail" if is_fail else "error", _message(call.excinfo))


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    store = item.stash.get(PER_ITEM, None)
    if store and store["result"] is not None:
        res = store["result"]
        res.seconds = store["seconds"]
        res.details = item.stash.get(DETAILS, {}) or res.details
        log = item.config.stash.get(NOT_RESTORED, [])
        res.not_restored = list(dict.fromkeys(log[item.stash.get(LOG_START, len(log)):]))
        item.config.stash[RESULTS].append(res)


# ---- fixtures ---------------------------------------------------------------


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
    chapter = _chapter_id(config)
    opt = config.getoption("--lab-dir")
    if opt:
        lab_dir = Path(opt).expanduser().resolve()
    else:
        from grader import workspace
        lab_dir = workspace.path(chapter)
    params = dict(p.split("=", 1) for p in config.getoption("--lab-param") if "=" in p)
    return LabContext(chapter, lab_dir, params, _namespace(config, chapter), _dump_path(config))


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
