"""Wait for eventually-consistent state with a bounded timeout, never a bare sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from grader.errors import LabError

T = TypeVar("T")


class Timeout(LabError):
    """The condition did not become true in time; the message says what was last seen.

    A LabError, not an AssertionError: running out of time is the grader's trouble (a
    slow machine, a busy engine), so a check that lets it through reports **error**,
    never the student's fail. A check that has observed enough to blame the student
    catches it and asserts with what it saw.
    """


class GaveUp(AssertionError):
    """Raised by a probe when waiting longer cannot help (the process it waits on died)."""


def wait_for(probe: Callable[[], T], *, timeout: float, interval: float = 0.1,
             what: str = "condition") -> T:
    """Call ``probe`` until it returns a truthy value or ``timeout`` seconds pass.

    Exceptions from the probe count as "not yet" (the last one is reported on timeout),
    except :class:`GaveUp`, which ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            value = probe()
            if value:
                return value
            last = value
        except GaveUp:
            raise
        except Exception as err:  # a probe failing is "not yet", until the deadline
            last = err
        if time.monotonic() >= deadline:
            raise Timeout(f"{what} not reached within {timeout:g}s (last: {last!r})")
        time.sleep(interval)
