"""Run a chapter's checks in-process with pytest and return one Result per check.

Progress is one stream of :class:`Event` objects (``on_event``): the terminal's rich
bar and the notebook's live line both read it."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.chapters import CHECKS, Chapter
from grader.checks import Check, Result
from grader.errors import LabError


@dataclass(frozen=True)
class Event:
    """What the run is doing now. ``kind``, in order: ``configured`` (pytest is set up),
    ``collected`` (``total`` known), then per check ``start`` (check ``index`` of
    ``total`` begins: ``check``) and ``done`` (its ``result``), ``checked`` (the last
    one ran), ``finished`` (results gathered). ``at``: ``time.perf_counter()`` then."""

    kind: str
    at: float
    total: int = 0
    index: int = 0
    check: Check | None = None
    result: Result | None = None


class RunResults(list):
    """The results of a run (a list of Result), and every check the chapter's modules
    declare (``declared``: run or deselected; planned ones are not), for the chapter's
    points total."""

    def __init__(self, results, declared: list[Check]):
        super().__init__(results)
        self.declared = declared


class _Collector:
    """A pytest plugin object that keeps the config, reports collection problems and
    turns pytest's hooks into Events."""

    def __init__(self, on_event: Callable[[Event], None] | None):
        self.config = None
        self.broken: list[str] = []
        self.on_event = on_event
        self.total = 0
        self.index = 0
        self.items: list = []
        self.results_before = 0

    def _emit(self, kind: str, **kw) -> None:
        if self.on_event:
            self.on_event(Event(kind, time.perf_counter(), total=self.total, **kw))

    def pytest_configure(self, config):
        self.config = config
        # results come from the exceptions themselves (grader.plugin): a traceback
        # report per failing check, which nothing shows, cost ~50 ms each
        config.option.tbstyle = "value"

    def pytest_collectreport(self, report):
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.broken.append(f"{report.nodeid}: {text[-1] if text else 'collection failed'}")

    def pytest_sessionstart(self, session):
        self._emit("configured")

    def pytest_sessionfinish(self, session):
        self._emit("checked")

    def pytest_collection_finish(self, session):
        self.total = len(session.items)
        self._emit("collected")

    def pytest_collection_modifyitems(self, items):
        self.items = items  # the list pytest runs: grader.plugin's deselection edits it

    def pytest_runtest_logstart(self, nodeid, location):
        from grader import plugin
        self.index += 1
        self.results_before = len(self.config.stash[plugin.RESULTS])
        item = next((i for i in self.items if i.nodeid == nodeid), None)
        self._emit("start", index=self.index, check=plugin.check_of(item) if item else None)

    def pytest_runtest_logfinish(self, nodeid, location):
        from grader import plugin
        done = self.config.stash[plugin.RESULTS]
        last = done[-1] if len(done) > self.results_before else None
        self._emit("done", index=self.index, check=last.check if last else None, result=last)


# pytest's own plugins that no check uses; unraisableexception and threadexception run
# gc.collect() at the end of every session (~50 ms), debugging imports pdb
UNUSED_PLUGINS = [arg for name in ("unraisableexception", "threadexception", "debugging",
                                   "doctest", "junitxml", "pastebin", "stepwise", "setuponly",
                                   "setupplan", "unittest", "faulthandler", "legacypath")
                  for arg in ("-p", f"no:{name}")]


def pending(chapter: Chapter, only: list[str] | None) -> list[Result]:
    """Planned checks of a chapter (``checks/chNN/pending.py``), reported as n/a."""
    try:
        mod = importlib.import_module(f"checks.{chapter.id}.pending")
    except ModuleNotFoundError:
        return []
    return [Result(c, "n/a", c.hint) for c in mod.PENDING if c.selected_by(only)]


def run(chapter: Chapter, lab_dir: Path, *, only: list[str] | None = None,
        params: dict | None = None, layers: list[str] | None = None,
        on_event: Callable[[Event], None] | None = None,
        dump: Path | None = None, namespace: str | None = None) -> RunResults:
    """Run the chapter's checks against ``lab_dir`` and the live environment, or the
    snapshots in ``dump`` (``lab dump``; checks that must act or look inside a live
    container are then n/a). ``namespace``: the Kubernetes namespace to grade.
    ``on_event`` hears every :class:`Event` of the run."""
    import pytest

    from grader import fixtures, plugin

    if not chapter.checks_dir.is_dir():
        raise LabError(f"{chapter.id} has no checks yet")
    args = [str(chapter.checks_dir), "-c", str(CHECKS / "pytest.ini"),
            "--rootdir", str(CHECKS), "--disable-plugin-autoload", "-p", "grader.plugin",
            "-p", "no:terminal", "-p", "no:warnings", *UNUSED_PLUGINS, "--lab-dir", str(lab_dir),
            "--lab-chapter", chapter.id]
    preread = None
    if dump is not None:
        from grader.state import dumpfile
        # read here, once: bad input is one line before any check runs
        preread = fixtures.Preread(dumpfile.read(dump, namespace=namespace,
                                                 default=namespace or chapter.namespace or "default"))
        args += ["--lab-dump", str(dump)]
    if namespace:
        args += ["--lab-namespace", namespace]
    for pattern in only or []:
        args += ["--lab-only", pattern]
    for layer in layers or []:
        args += ["--lab-layer", layer]
    for key, value in (params or {}).items():
        args += ["--lab-param", f"{key}={value}"]
    collector = _Collector(on_event)
    code = pytest.main(args, plugins=[collector] + ([preread] if preread else []))
    if collector.broken:
        raise LabError(f"{chapter.id} checks could not be loaded: {collector.broken[0]}")
    if code not in (0, 1, 5) or collector.config is None:
        raise LabError(f"{chapter.id} checks did not run (pytest exit code {int(code)})")
    results = list(collector.config.stash[plugin.RESULTS])
    results += [r for r in pending(chapter, only) if not layers or r.check.layer in layers]
    if only and not results:
        raise LabError(f"no {chapter.id} check matches {' '.join(only)}: "
                       f"run `lab check {chapter.id}` to see the check ids")
    collector._emit("finished")
    return RunResults(results, list(collector.config.stash.get(plugin.DECLARED, [])))
