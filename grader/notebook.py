"""Checks from inside a notebook: ``check("ch10.pull-run")`` shows the same report as
``lab check``, as HTML, and while the checks run, a line that says which check runs
now and for how long (updated in place). ``%load_ext grader.notebook`` adds
``%lab_check ID``.

The checks run in the kernel's process (``runner.run``): after the first check of a
session pytest and the check modules are imported already, so a check costs what its
own work costs."""

from __future__ import annotations

import html
import os
import threading
import time
from pathlib import Path
from typing import Self

DEFERRED_ENV = "LAB_CHECKS_DEFERRED"
DEFERRED_LINE = "checks are run by the course grader after the notebook, from outside"


def deferred() -> bool:
    """True inside a class-grading sandbox: the course grader runs the checks later."""
    return os.environ.get(DEFERRED_ENV, "").strip() == "1"


class Report:
    """Results that render as an HTML table in Jupyter and as text elsewhere."""

    def __init__(self, results, title: str):
        self.results = results
        self.title = title

    def _repr_html_(self) -> str:
        from grader import report
        return report.to_html(self.results, self.title, getattr(self.results, "declared", None))

    def __repr__(self) -> str:
        from grader import report
        from grader.checks import summary
        lines = [self.title, *report.headline(self.results,
                                              getattr(self.results, "declared", None))]
        for r in sorted(self.results, key=lambda r: report.ORDER[r.status]):
            lines.append(f"  {r.status:5} {r.check.id}  {r.earned}/{r.check.points}  "
                         f"{r.check.title}")
            if r.status in ("fail", "error"):
                seen = [ln for ln in r.message.splitlines() if ln.strip()]
                lines += [f"        {'seen:' if i == 0 else '     '} {ln}"
                          for i, ln in enumerate(seen)]
                lines.append(f"        do:   {r.check.hint}")
            lines += [f"        NOT RESTORED: {what}" for what in r.not_restored]
        lines.append(report.counts_line(summary(self.results)))
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return all(r.status in ("pass", "n/a") for r in self.results)


class Progress:
    """What the grader is doing now, in one output line of the running cell, updated
    in place (an IPython display handle) from the runner's events and, while one check
    takes long (a behaviour check acts for a minute), once a second by a ticker."""

    TICK = 1.0

    def __init__(self, what: str):
        self.what = what
        self.started = time.perf_counter()
        self.check = None
        self.check_started = self.started
        self.index = self.total = 0
        self.counts = {"pass": 0, "fail": 0, "error": 0, "n/a": 0}
        self.handle = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Self:
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
        except ImportError:
            return self
        if get_ipython() is None:  # plain Python: nothing to update in place
            return self
        self._HTML = HTML
        self.handle = display(HTML(self.html()), display_id=True)
        self._ticker = threading.Thread(target=self._tick, daemon=True,
                                        name="container-labs-progress")
        self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        self._show(self.html(final=True))

    def event(self, ev) -> None:
        """One runner Event (``grader.runner.Event``)."""
        with self._lock:
            if ev.kind == "collected":
                self.total = ev.total
            elif ev.kind == "start":
                self.index, self.check, self.check_started = ev.index, ev.check, ev.at
            elif ev.kind == "done" and ev.result is not None:
                self.counts[ev.result.status] += 1
        if ev.kind in ("collected", "start", "done"):
            self._show(self.html())

    def _tick(self) -> None:
        while not self._stop.wait(self.TICK):
            self._show(self.html())

    def _show(self, text: str) -> None:
        if self.handle is not None:
            try:
                self.handle.update(self._HTML(text))
            except Exception:  # noqa: BLE001  a closed kernel channel must not fail the check
                self.handle = None

    def html(self, final: bool = False) -> str:
        """The progress line: which check runs (id, title), how far, how long."""
        from grader.report import inline_html
        now = time.perf_counter()
        with self._lock:
            done = ", ".join(f"{n} {k}" for k, n in self.counts.items() if n)
            if final:
                text = (f"checked {html.escape(self.what)}: {self.total} check(s) in "
                        f"{now - self.started:.1f} s")
            elif self.check is None:
                text = f"checking {html.escape(self.what)}: loading the checks… " \
                       f"{now - self.started:.0f} s"
            else:
                text = (f"checking {html.escape(self.what)} · {self.index}/{self.total} "
                        f"<code>{html.escape(self.check.id)}</code> "
                        f"{inline_html(self.check.title)} · "
                        f"{now - self.check_started:.0f} s on this check, "
                        f"{now - self.started:.0f} s in all" + (f" · {done}" if done else ""))
        from grader.report import theme_colour
        return ("<div class='container-labs-progress' style='text-align:left;"
                f"{theme_colour('dim')}'>{text}</div>")


def check(what: str, lab_dir: str | Path | None = None) -> Report | None:
    """Run the checks of a chapter (``"ch10"``) or a step (``"ch10.pull-run"``).

    ``lab_dir`` defaults to the notebook's folder, where the student's files are.
    In a class-grading sandbox (``LAB_CHECKS_DEFERRED=1``) nothing runs: one line says
    that the course grader runs the checks after the notebook.
    """
    if deferred():
        print(f"{what}: {DEFERRED_LINE}")
        return None
    import sys

    from grader import chapters, runner
    from grader.errors import LabError

    folder = Path(lab_dir) if lab_dir else Path.cwd()
    try:
        chapter = chapters.get(what.split(".", 1)[0])
        only = [what] if "." in what else None
        with Progress(what) as progress:
            results = runner.run(chapter, folder.resolve(), only=only, on_event=progress.event)
    except LabError as err:  # one line, as `lab check` says it, never a traceback
        print(f"lab check: {err}", file=sys.stderr)
        return None
    return Report(results, f"lab check {what}")


def load_ipython_extension(ipython) -> None:
    """``%lab_check ch10.pull-run``."""
    from IPython.core.magic import register_line_magic

    @register_line_magic
    def lab_check(line: str):
        return check(line.strip() or "ch10")
