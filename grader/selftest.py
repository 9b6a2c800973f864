"""``lab selftest CH``: prove a chapter end to end on this machine before a class.

env up → run the reference solution (``lab run CH --solution``) → every check, the
behaviour checks included, against the solution's workspace → env down (always, in a
``finally``, unless ``keep``) → a report of the steps (seconds, ok or failed) and the
check results. The selftest is ok when every step is and every check that counts
passes (planned n/a checks are shown, not counted).

Trouble with the environment itself (no engine, kind missing, a cluster that does
not answer) is a LabError: one line, exit 2. A solution notebook or a check that
fails is a failed report: exit 1.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from grader.checks import Result, summary


@dataclass
class Step:
    """One step of a selftest: its name, how long it took, whether it went well."""

    name: str
    seconds: float = 0.0
    ok: bool | None = None
    detail: str = ""


@dataclass
class SelfTestReport:
    """What a selftest did and found."""

    chapter: str
    provider: str
    steps: list[Step] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    kept: bool = False

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)

    @property
    def ok(self) -> bool:
        counted = [r for r in self.results if r.status != "n/a"]
        return (bool(self.steps) and all(s.ok for s in self.steps) and bool(counted)
                and all(r.status == "pass" for r in counted))

    def summary(self) -> dict:
        """Plain data: the verdict, the steps, the check totals."""
        return {"chapter": self.chapter, "provider": self.provider, "ok": self.ok,
                "seconds": round(self.seconds, 1), "kept": self.kept,
                "steps": [{"name": s.name, "seconds": round(s.seconds, 1), "ok": bool(s.ok),
                           "detail": s.detail} for s in self.steps],
                "checks": summary(self.results) if self.results else None}


def _one_line(err: BaseException) -> str:
    if isinstance(err, KeyboardInterrupt):
        return "interrupted"
    text = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
    return text if type(err).__name__ == "LabError" else f"{type(err).__name__}: {text}"


def selftest(chapter: str, *, provider: str | None = None, keep: bool = False,
             on_step: Callable[[str], None] | None = None,
             progress: bool = False) -> SelfTestReport:
    """Run the selftest of ``chapter`` on ``provider`` (default: the chapter's chosen
    one). ``on_step(name)`` is called as each step starts. Raises LabError when the
    environment cannot be brought up; env down runs whatever happens, unless ``keep``."""
    from grader import chapters, execute, providers, runner

    ch = chapters.get(chapter)
    before = providers.chosen(ch)
    if provider:
        providers.choose(ch, provider)
    prov = providers.for_chapter(ch)
    report = SelfTestReport(ch.id, prov.name)

    @contextlib.contextmanager
    def step(name: str) -> Iterator[Step]:
        if on_step:
            on_step(name)
        s = Step(name)
        report.steps.append(s)
        t0 = time.perf_counter()
        try:
            yield s
        except BaseException as err:
            s.ok, s.detail = False, s.detail or _one_line(err)
            raise
        finally:
            s.seconds = time.perf_counter() - t0
        if s.ok is None:
            s.ok = True

    try:
        with step("env up") as s:
            providers.activate(prov)
            done = prov.up(progress=progress)
            s.detail = "; ".join(done) or "already up"
        with step("run solution") as s:
            notebooks, cwd, note = execute.plan(ch, solution=True, notebook=None)
            runs = execute.run(notebooks, cwd, prov.params(),
                               on_start=(lambda nb: on_step(f"run solution: {nb.name}"))
                               if on_step else None)
            failed = next((r for r in runs if not r.ok), None)
            s.ok = failed is None and len(runs) == len(notebooks)
            s.detail = (f"{failed.notebook.name}: {failed.error}" if failed else
                        f"{len(runs)} notebook(s) in {cwd}") + (f" ({note})" if note else "")
        with step("checks") as s:
            report.results = runner.run(ch, cwd)
            c = summary(report.results)["counts"]
            s.ok = c["fail"] == 0 and c["error"] == 0
            s.detail = (f"{c['pass']} passed, {c['fail']} failed, {c['error']} errors"
                        + (f", {c['n/a']} n/a" if c["n/a"] else ""))
    finally:
        if keep:
            report.kept = True
        else:
            try:
                with step("env down") as s:
                    s.detail = f"removed {prov.down()}"
            except Exception:  # noqa: BLE001, S110  recorded in the step; the report says it
                pass
            if provider:
                providers.choose(ch, None)
                if before != ch.provider:
                    providers.choose(ch, before)
    return report


def render(report: SelfTestReport):
    """A rich renderable: the steps, the check table, the verdict."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from grader import report as checks_report

    t = Table(title=f"lab selftest {report.chapter} on {report.provider}", title_justify="left")
    t.add_column("step", style="bold", no_wrap=True)
    t.add_column("seconds", justify="right", no_wrap=True)
    t.add_column("result", no_wrap=True)
    t.add_column("detail")
    for s in report.steps:
        t.add_row(s.name, f"{s.seconds:.1f}",
                  Text("✔ ok", style="green") if s.ok else Text("✘ failed", style="red"),
                  s.detail)
    parts = [t]
    if report.results:
        parts.append(checks_report.table(report.results, f"checks of {report.chapter}"))
    if report.kept:
        parts.append(Text(f"environment kept: `lab env down {report.chapter}` removes it",
                          style="dim"))
    verdict = "ok" if report.ok else "FAILED"
    parts.append(Text(f"selftest {report.chapter} on {report.provider}: {verdict} in "
                      f"{report.seconds:.0f} s", style="bold " + ("green" if report.ok else "red")))
    return Group(*parts)


def command(chapter: str, provider: str | None, keep: bool) -> int:
    """``lab selftest CH [--provider P] [--keep]``: run, print the report, return the exit
    code (0 all passed, 1 something failed). LabError (exit 2) for environment trouble."""
    from rich.console import Console

    err = Console(stderr=True, highlight=False)
    tty = sys.stderr.isatty()
    if tty:
        with err.status(f"selftest {chapter}") as status:
            report = selftest(chapter, provider=provider, keep=keep, progress=False,
                              on_step=lambda name: status.update(f"selftest {chapter}: {name}"))
    else:
        report = selftest(chapter, provider=provider, keep=keep,
                          on_step=lambda name: err.print(f"selftest {chapter}: {name}"))
    Console(highlight=False).print(render(report))
    return 0 if report.ok else 1
