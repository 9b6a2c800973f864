"""Run a chapter's checks in-process with pytest and return one Result per check."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from grader.chapters import CHECKS, Chapter
from grader.checks import Result
from grader.errors import LabError


class _Collector:
    """A pytest plugin object that keeps the config and reports collection problems."""

    def __init__(self, on_start: Callable[[str], None] | None, on_total: Callable[[int], None] | None):
        self.config = None
        self.broken: list[str] = []
        self.on_start = on_start
        self.on_total = on_total

    def pytest_configure(self, config):
        self.config = config

    def pytest_collectreport(self, report):
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.broken.append(f"{report.nodeid}: {text[-1] if text else 'collection failed'}")

    def pytest_collection_finish(self, session):
        if self.on_total:
            self.on_total(len(session.items))

    def pytest_runtest_logstart(self, nodeid, location):
        if self.on_start:
            self.on_start(nodeid)


def pending(chapter: Chapter, only: list[str] | None) -> list[Result]:
    """Planned checks of a chapter (``checks/chNN/pending.py``), reported as n/a."""
    try:
        mod = importlib.import_module(f"checks.{chapter.id}.pending")
    except ModuleNotFoundError:
        return []
    return [Result(c, "n/a", c.hint) for c in mod.PENDING if c.selected_by(only)]


def run(chapter: Chapter, lab_dir: Path, *, only: list[str] | None = None,
        params: dict | None = None, layers: list[str] | None = None, on_start=None,
        on_total=None, dump: Path | None = None, namespace: str | None = None) -> list[Result]:
    """Run the chapter's checks against ``lab_dir`` and the live environment, or the
    snapshots in ``dump`` (``lab dump``; checks that must act or look inside a live
    container are then n/a). ``namespace``: the Kubernetes namespace to grade."""
    import pytest

    from grader import plugin

    if not chapter.checks_dir.is_dir():
        raise LabError(f"{chapter.id} has no checks yet")
    args = [str(chapter.checks_dir), "-c", str(CHECKS / "pytest.ini"),
            "--rootdir", str(CHECKS), "--disable-plugin-autoload", "-p", "grader.plugin",
            "-p", "no:terminal", "-p", "no:warnings", "--lab-dir", str(lab_dir),
            "--lab-chapter", chapter.id]
    preread = None
    if dump is not None:
        from grader.state import dumpfile
        # read here, once: bad input is one line before any check runs
        preread = plugin.Preread(dumpfile.read(dump, namespace=namespace,
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
    collector = _Collector(on_start, on_total)
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
    return results
