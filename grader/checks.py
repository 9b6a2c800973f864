"""What a check is: an id, a title, points, a hint and a layer, next to its function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

LAYERS = ("static", "live", "behaviour")


class NeedsLive(Exception):
    """Raised by a fixture that must reach a live engine or cluster (exec, HTTP, acting)
    when the run grades a dump: the check is reported n/a, never failed."""
STATUSES = ("pass", "fail", "error", "n/a")
# set to "1" by `lab grade` for the checks of a class-grading sandbox (grader.grading.checking)
SANDBOX_ENV = "LAB_GRADING_SANDBOX"


@dataclass(frozen=True)
class Check:
    """The declaration of one check. ``id`` is stable: gradebooks refer to it."""

    id: str
    title: str
    points: int
    hint: str
    layer: str

    @property
    def chapter(self) -> str:
        """``ch10`` for ``ch10.pull-run.ping``."""
        return self.id.split(".", 1)[0]

    @property
    def step(self) -> str:
        """The curriculum step, ``ch10.pull-run`` for ``ch10.pull-run.ping``."""
        return ".".join(self.id.split(".")[:2])

    def selected_by(self, patterns: list[str] | None) -> bool:
        """True when no patterns are given, or one is this id or a dotted prefix of it."""
        if not patterns:
            return True
        return any(self.id == p or self.id.startswith(p.rstrip(".") + ".") for p in patterns)


@dataclass
class Result:
    """What happened when a check ran (or why it did not)."""

    check: Check
    status: str
    message: str = ""
    seconds: float = 0.0
    details: dict = field(default_factory=dict)
    # what the check changed (a service, a secret…) and could not put back: shown in
    # every report, because the student's environment is no longer as they left it
    not_restored: list[str] = field(default_factory=list)

    @property
    def earned(self) -> int:
        return self.check.points if self.status == "pass" else 0

    def as_dict(self) -> dict:
        """The JSON form used by ``lab check --json``."""
        c = self.check
        return {
            "id": c.id, "step": c.step, "title": c.title, "layer": c.layer,
            "status": self.status, "points": self.earned, "max_points": c.points,
            "hint": c.hint if self.status in ("fail", "error") else "",
            "message": self.message, "seconds": round(self.seconds, 3),
            "not_restored": list(self.not_restored),
            **({"details": self.details} if self.details else {}),
        }


def check(id: str, title: str, *, points: int, hint: str, layer: str) -> Callable:
    """Declare a pytest function as a lab check.

    The function is an ordinary pytest test: it asserts, with a message that says
    what it saw. ``hint`` tells the student what to do when it fails.
    """
    if layer not in LAYERS:
        raise ValueError(f"{id}: layer must be one of {LAYERS}, not {layer!r}")
    if points < 0:
        raise ValueError(f"{id}: points must be >= 0")

    def mark(fn: Callable) -> Callable:
        fn.__lab_check__ = Check(id, title, points, hint.strip(), layer)
        return fn

    return mark


def pending(id: str, title: str, *, points: int, layer: str, reason: str) -> Check:
    """A check that is planned but not available yet: listed as n/a, never run."""
    return Check(id, title, points, reason, layer)


def summary(results: list[Result]) -> dict:
    """Totals over results; n/a checks count in neither earned nor possible points."""
    counted = [r for r in results if r.status != "n/a"]
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
    return {
        "earned": sum(r.earned for r in counted),
        "possible": sum(r.check.points for r in counted),
        "counts": counts,
        "exit_code": exit_code(results),
        "not_restored": not_restored(results),
    }


def not_restored(results: list[Result]) -> list[str]:
    """Every change a check could not undo, once each, in the order they happened."""
    return list(dict.fromkeys(line for r in results for line in r.not_restored))


def exit_code(results: list[Result]) -> int:
    """0 all counted checks pass, 2 a check could not run or left something changed
    that it could not restore, 1 some check fails."""
    statuses = {r.status for r in results}
    if "error" in statuses or not_restored(results):
        return 2
    if "fail" in statuses:
        return 1
    return 0
