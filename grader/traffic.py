"""Drive HTTP traffic at a swarm service while the grader changes it, and count what
failed: a ``clabs/loadgen`` container on the lab's overlay network.

Why a container and not this process: task addresses live on the overlay network, which
the host cannot route to, and the routing mesh (IPVS) is missing on some machines.
loadgen resolves ``tasks.<service>`` for every request, so it follows tasks as they
come and go, and like curl it tries the next address when one refuses the connection.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from grader import poll
from grader.errors import LabError

IMAGE = "clabs/loadgen:1.0"


@dataclass
class Summary:
    """What loadgen counted: requests, failures, latency percentiles, answers seen."""

    requests: int = 0
    failed: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)
    failed_at: list = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict) -> Summary:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def line(self) -> str:
        """One line for a person: counts, rate and latency."""
        text = (f"{self.failed} of {self.requests} requests failed "
                f"({self.rate:.0f}/s over {self.seconds:.1f}s; p50 {self.p50_ms:.1f} ms, "
                f"p99 {self.p99_ms:.1f} ms)")
        if self.errors:
            worst = sorted(self.errors.items(), key=lambda kv: -kv[1])[:2]
            text += "; errors: " + ", ".join(f"{k} ×{v}" for k, v in worst)
        return text

    def as_details(self) -> dict:
        """The figures for ``lab check --json`` details."""
        return {"requests": self.requests, "failed": self.failed,
                "rate_per_s": round(self.rate, 1), "p50_ms": round(self.p50_ms, 2),
                "p99_ms": round(self.p99_ms, 2), "max_ms": round(self.max_ms, 2),
                "answers": self.answers, "errors": self.errors}


def _events(ctr) -> list[dict]:
    out = []
    for line in ctr.logs(stdout=True, stderr=False).decode(errors="replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


class Traffic:
    """``with Traffic(client, url, network, labels) as t: ...; summary = t.stop()``.

    Starts loadgen, waits for its first answer (so a dead target is an error, not a
    count of failures: no first answer within ``warmup`` seconds, or loadgen stopping,
    raises a LabError), and always removes the container on the way out.
    """

    def __init__(self, client, url: str, network: str, labels: dict, *,
                 concurrency: int = 4, warmup: float = 30):
        self.client, self.url, self.network, self.labels = client, url, network, labels
        self.concurrency, self.warmup = concurrency, warmup
        self.ctr = None
        self.summary: Summary | None = None

    def __enter__(self) -> Traffic:
        self.ctr = self.client.containers.run(
            IMAGE, ["-url", self.url, "-concurrency", str(self.concurrency)],
            name=f"clabs-loadgen-{uuid.uuid4().hex[:8]}", network=self.network,
            labels=self.labels, detach=True)
        try:
            poll.wait_for(self._first_answer, timeout=self.warmup,
                          what=f"a first answer from {self.url}")
        except poll.GaveUp as err:  # the grader's own tool died: an error, not a fail
            self._remove()
            raise LabError(str(err)) from None
        except BaseException:  # poll.Timeout (a LabError) included: the check errors
            self._remove()
            raise
        return self

    def _first_answer(self) -> bool:
        self.ctr.reload()
        if self.ctr.status == "exited":
            logs = self.ctr.logs().decode(errors="replace").strip()[-300:]
            raise poll.GaveUp(f"the traffic generator stopped: {logs}")
        return any(e.get("event") == "first-answer" for e in _events(self.ctr))

    def stop(self) -> Summary:
        """Stop the traffic and return what it counted."""
        if self.summary is None:
            self.ctr.kill(signal="SIGTERM")
            self.ctr.wait(timeout=30)
            found = [e for e in _events(self.ctr) if e.get("event") == "summary"]
            if not found:
                tail = self.ctr.logs().decode(errors="replace").strip()[-300:]
                raise LabError(f"the traffic generator printed no summary: {tail}")
            self.summary = Summary.from_json(found[-1])
        return self.summary

    def _remove(self) -> None:
        from docker.errors import NotFound
        if self.ctr is not None:
            try:
                self.ctr.remove(force=True, v=True)
            except NotFound:
                pass

    def __exit__(self, *exc) -> None:
        try:
            if self.summary is None and exc[0] is None:
                self.stop()
        finally:
            self._remove()
