"""The pytest plugin behind ``lab check``: fixtures for checks, and outcome recording.

Loaded through the ``pytest11`` entry point, so ``pytest checks/ch10 --lab-dir DIR``
works without the CLI too. Its hooks only touch items declared with ``@check``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.checks import Check, Result

RESULTS = pytest.StashKey[list]()
PER_ITEM = pytest.StashKey[dict]()
DETAILS = pytest.StashKey[dict]()


@dataclass
class LabContext:
    """What a check knows about the run: chapter, the student's folder, parameters."""

    chapter: str
    lab_dir: Path
    params: dict = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        """A file in the student's lab folder."""
        return self.lab_dir / relative

    def require(self, relative: str) -> Path:
        """A file the student must have written; a failing assertion if it is missing."""
        p = self.path(relative)
        assert p.is_file(), f"{relative} not found in {self.lab_dir}"
        return p


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


def pytest_configure(config):
    config.stash[RESULTS] = []


def _check_of(item) -> Check | None:
    fn = getattr(item, "function", None)
    return getattr(fn, "__lab_check__", None)


def pytest_collection_modifyitems(config, items):
    only = config.getoption("--lab-only")
    layers = config.getoption("--lab-layer")
    if not only and not layers:
        return
    keep, drop = [], []
    for item in items:
        c = _check_of(item)
        wanted = c is None or (c.selected_by(only) and (not layers or c.layer in layers))
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _message(excinfo) -> str:
    """One readable line or two from an exception, without pytest's rewrite detail."""
    err = excinfo.value
    text = str(err).split("\nassert ")[0].strip()
    if not isinstance(err, AssertionError) and type(err).__name__ not in ("Failed",):
        from grader.errors import LabError
        if not isinstance(err, LabError):
            text = f"{type(err).__name__}: {text}" if text else type(err).__name__
    return text[:500] or "assertion failed"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    c = _check_of(item)
    if c is None:
        return
    report = outcome.get_result()
    store = item.stash.setdefault(PER_ITEM, {"seconds": 0.0, "result": None})
    store["seconds"] += report.duration
    if store["result"] is not None:
        return
    if report.when == "setup" and report.failed:
        # a fixture that asserts (a behaviour check's service is missing) is the
        # student's to fix: fail; anything else means the check could not run
        err = call.excinfo.value
        store["result"] = Result(c, "fail" if isinstance(err, AssertionError) else "error",
                                 _message(call.excinfo))
    elif report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        store["result"] = Result(c, "error", f"could not run: {reason}")
    elif report.when == "call":
        if report.passed:
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
        item.config.stash[RESULTS].append(res)


# ---- fixtures ---------------------------------------------------------------


@pytest.fixture
def lab(request) -> LabContext:
    """The chapter (from the check module's folder), lab folder and parameters."""
    chapter = Path(str(request.path)).parent.name
    opt = request.config.getoption("--lab-dir")
    if opt:
        lab_dir = Path(opt).expanduser().resolve()
    else:
        from grader import workspace
        lab_dir = workspace.path(chapter)
    params = dict(p.split("=", 1) for p in request.config.getoption("--lab-param") if "=" in p)
    return LabContext(chapter, lab_dir, params)


@pytest.fixture(scope="session")
def docker_client():
    """A docker SDK client; the check errors with one clear line if the engine is down."""
    from grader import engine
    return engine.client()


@pytest.fixture(scope="session")
def state(docker_client):
    """The engine's containers, images and networks, read once for the whole run."""
    from grader.state import DockerState
    t0 = time.perf_counter()
    snapshot = DockerState.collect(docker_client)
    snapshot.seconds = time.perf_counter() - t0
    return snapshot


@pytest.fixture(scope="session")
def container_host():
    """``container_host("redis-7.0")`` → a testinfra host inside that container."""
    import testinfra
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = testinfra.get_host(f"docker://{name}")
        return cache[name]

    return get


@pytest.fixture(scope="session")
def local_host():
    """A testinfra host for this machine."""
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


@pytest.fixture
def grader_labels(lab) -> dict:
    """Labels for anything a behaviour check creates, so tear-down can find it."""
    from grader.labels import lab_labels
    return lab_labels(lab.chapter, "grader")


@pytest.fixture(scope="session")
def swarm(docker_client):
    """The swarm's services, tasks, configs, secrets and nodes, read once for the run."""
    from grader.swarmstate import SwarmState
    t0 = time.perf_counter()
    snapshot = SwarmState.collect(docker_client)
    snapshot.seconds = time.perf_counter() - t0
    return snapshot


@pytest.fixture
def details(request) -> dict:
    """A dict a check fills with figures (requests, latency…); they reach the report."""
    found: dict = {}
    request.node.stash[DETAILS] = found
    return found
