"""What ``lab grade`` shows: a live line per submission (environment, run, checks,
score) while the batch runs, and a summary table at the end."""

from __future__ import annotations

import sys
import threading
import time

STEPS = ("environment", "run", "checks")


class Board:
    """Follows :func:`grader.grading.batch.run` events; renders a table (rich.live)."""

    def __init__(self, console):
        self.console = console
        self.rows: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.live = None

    def event(self, student: str, what: str, detail) -> None:
        with self.lock:
            row = self.rows.setdefault(student, {"step": "", "started": None, "done": set(),
                                                 "score": "", "status": "queued"})
            if what == "skipped":
                row.update(status="skipped (already graded)", score=_score(detail))
            elif what in STEPS or what == "teardown":
                row["started"] = row["started"] or time.monotonic()
                if row["step"]:
                    row["done"].add(row["step"])
                row.update(step=what, status=what)
            elif what == "done":
                row["done"].update(STEPS)
                row.update(step="", status=detail["status"], score=_score(detail))
                if not sys.stderr.isatty() or self.live is None:
                    self.console.print(f"{student}: {detail['status']} {_score(detail)}"
                                       + (f" — {detail['reason']}" if detail.get("reason") else ""))
        if self.live is not None:
            self.live.update(self.render())

    def render(self):
        from rich.table import Table

        t = Table("student", *STEPS, "score", "status", title_justify="left")
        with self.lock:
            for student, row in self.rows.items():
                marks = ["[green]done[/]" if s in row["done"] else "[yellow]…[/]" if s == row["step"]
                         else "" for s in STEPS]
                t.add_row(student, *marks, row["score"], row["status"])
        return t

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.live import Live
            self.live = Live(self.render(), console=self.console, refresh_per_second=4,
                             transient=True)
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.live is not None:
            self.live.__exit__(*exc)
            self.live = None


def _score(result: dict) -> str:
    s = result.get("score") or {}
    return f"{_num(s.get('earned', 0))}/{_num(s.get('possible', 0))}"


def _num(x) -> str:
    return f"{x:g}" if isinstance(x, (int, float)) else str(x)


def summary(outcomes, chapter: str, course_root) -> object:
    """The table printed at the end: one row per submission."""
    from rich.table import Column, Table

    # names and scores whole on a narrow terminal (or a log): the reason wraps instead
    t = Table(Column("student", no_wrap=True), Column("status", no_wrap=True),
              Column("score", no_wrap=True), "cells not ok", "locked cells edited", "seconds",
              Column("reason", ratio=1), title=f"lab grade {chapter}  (results in {course_root})",
              title_justify="left")
    for o in outcomes:
        r = o.result
        bad = [c for nb in r.get("notebooks", []) for c in nb.get("cells", [])]
        kinds = {}
        for c in bad:
            kinds[c["status"]] = kinds.get(c["status"], 0) + 1
        edited = sum(len(nb.get("edited_locked_cells", [])) for nb in r.get("notebooks", []))
        secs = sum(v for v in (r.get("timings") or {}).values() if isinstance(v, (int, float)))
        status = ("[green]graded[/]" if r["status"] == "graded" else f"[red]{r['status']}[/]")
        if o.skipped:
            status += " [dim](kept)[/]"
        t.add_row(o.student, status, _score(r), ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
                  str(edited or ""), "" if o.skipped else f"{secs:.0f}",
                  (r.get("reason") or "; ".join(r.get("problems") or []))[:80])
    return t
