"""The pytest plugin behind ``lab check``: fixtures for checks, and outcome recording.

Loaded through the ``pytest11`` entry point, so ``pytest checks/ch10 --lab-dir DIR``
works without the CLI too. Its hooks only touch items declared with ``@check``.
"""

from __future__ import annotations

import sys

import pytest

from grader.checks import Check, NeedsLive, Result

pytest.register_assert_rewrite("grader.fixtures")  # as a plugin's asserts are; before the import
from grader.fixtures import (
    DETAILS,
    NOT_RESTORED,
    NeedsCluster,
    SuppliedByGrader,
    dump_path,
)

# the fixtures checks use are a plugin of their own, loaded with this one
pytest_plugins = ["grader.fixtures"]

RESULTS = pytest.StashKey[list]()
PER_ITEM = pytest.StashKey[dict]()
LOG_START = pytest.StashKey[int]()       # where that log stood when an item started
OBSERVED = pytest.StashKey[int]()        # assertions the check's own code evaluated
DECLARED = pytest.StashKey[list]()       # every check collected, selected or not

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


def pytest_runtest_setup(item):
    """Grading a dump, a behaviour check (the grader acts) cannot run: n/a."""
    c = check_of(item)
    if c is not None and c.layer == "behaviour" and dump_path(item.config):
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
        store["result"] = Result(c, "n/a", str(err) if isinstance(err, (NeedsCluster, SuppliedByGrader))
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
