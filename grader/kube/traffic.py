"""Drive HTTP traffic at a Service inside the cluster while the grader changes
something, and count what failed: a pod of ``clabs/loadgen:1.0`` (the generator ch14
runs as a container, grader/traffic.py) in the graded namespace, aimed at the Service
by its name. loadgen resolves the name for every request and opens a new connection
each time, so it follows the Service wherever kube-proxy sends it.

The pod's life, all through the API:

1. created with the grader's labels, ``restartPolicy: Never`` and an
   ``activeDeadlineSeconds`` bound (``limit``), so it ends even if the grader dies;
2. its log is read until loadgen's ``first-answer`` line: until then nothing is
   counted (a target that never answers is an error, not a count of failures: a
   LabError after ``warmup`` seconds, as in ch14);
3. :meth:`ClusterTraffic.stop`: ``activeDeadlineSeconds`` lowered to 1 (the only way
   to signal a container through the API; a pod's deadline may be lowered while it
   runs): the kubelet sends SIGTERM, loadgen finishes the requests in flight, prints
   its JSON summary and exits; the pod ends ``Failed`` (``DeadlineExceeded``) and its
   log stays readable until the pod is deleted;
4. the summary is read from the log; the pod is deleted in a ``finally`` (``left``
   says so when it cannot be).

Summaries are :class:`grader.traffic.Summary` (requests, failed, p50/p99, answers).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Self

from grader import poll
from grader.errors import LabError
from grader.kube.pods import describe
from grader.traffic import Summary

IMAGE = "clabs/loadgen:1.0"
CONTAINER = "loadgen"
# the grader's container cannot start: its trouble, not the student's
_CANNOT_START = {"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName",
                 "CreateContainerConfigError", "CreateContainerError", "RunContainerError"}


def events(log: str) -> list[dict]:
    """loadgen's JSON lines in a log (other lines left out)."""
    found = []
    for line in log.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                found.append(json.loads(line))
            except ValueError:
                pass
    return found


def summary_of(log: str) -> Summary | None:
    """loadgen's last summary in a log (percentiles it could not take, null when no
    request succeeded, as 0), or None."""
    found = [e for e in events(log) if e.get("event") == "summary"]
    if not found:
        return None
    return Summary.from_json({k: (0.0 if v is None else v) for k, v in found[-1].items()})


def manifest(name: str, url: str, *, concurrency: int, timeout: str, limit: int,
             image: str = IMAGE) -> dict:
    """The loadgen pod (the Session adds its labels)."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"restartPolicy": "Never", "activeDeadlineSeconds": int(limit),
                     "terminationGracePeriodSeconds": 15,
                     "automountServiceAccountToken": False,
                     "containers": [{"name": CONTAINER, "image": image,
                                     "imagePullPolicy": "IfNotPresent",
                                     "args": ["-url", url, "-concurrency", str(concurrency),
                                              "-timeout", timeout]}]}}


class ClusterTraffic:
    """``with ClusterTraffic(session, "http://web:3000/") as t: ...; s = t.stop()``.

    ``concurrency`` workers send requests back to back, each with ``timeout``;
    ``warmup``: seconds for the first answer; ``limit``: the pod's deadline, the most
    the traffic can last. :meth:`stop` returns the :class:`Summary`; leaving the block
    without calling it (an exception) still removes the pod.
    """

    def __init__(self, session, url: str, *, concurrency: int = 4, timeout: str = "2s",
                 warmup: float = 60.0, limit: float = 1800.0, image: str = IMAGE,
                 prefix: str = "grader-loadgen"):
        self.session, self.url = session, url
        self.concurrency, self.timeout, self.warmup, self.limit = concurrency, timeout, warmup, limit
        self.image = image
        self.name = f"{prefix}-{secrets.token_hex(3)}"
        self.summary: Summary | None = None
        self.started: float | None = None
        self._created = False
        self._stopping = False

    # -- the pod -------------------------------------------------------------------

    def _container(self, pod: dict | None) -> dict:
        for cs in ((pod or {}).get("status") or {}).get("containerStatuses") or []:
            if cs.get("name") == CONTAINER:
                return cs
        return {}

    def _first_answer(self):
        pod = self.session.pod(self.name)
        if pod is None:
            raise poll.GaveUp(f"the grader's traffic pod {self.name} is gone")
        state = self._container(pod).get("state") or {}
        why = (state.get("waiting") or {}).get("reason")
        if why in _CANNOT_START:
            raise poll.GaveUp(f"{why}: {(state['waiting'].get('message') or '')[:160]}")
        if state.get("terminated") or pod["status"].get("phase") in ("Succeeded", "Failed"):
            tail = self.session.log(self.name).strip()[-300:]
            raise poll.GaveUp(f"the traffic generator stopped: {tail or describe(pod)}")
        if state.get("running"):
            return any(e.get("event") == "first-answer" for e in events(self.session.log(self.name)))
        return None

    def __enter__(self) -> Self:
        self.session.create_pod(manifest(self.name, self.url, concurrency=self.concurrency,
                                         timeout=self.timeout, limit=self.limit, image=self.image))
        self._created = True
        try:
            try:
                self.session._wait(self._first_answer, self.warmup, f"a first answer from {self.url}")
            except poll.GaveUp as err:  # the grader's own tool: an error, not a fail
                raise LabError(f"the grader's traffic pod ({self.image}) for {self.url}: {err}") from None
            except poll.Timeout:
                raise LabError(f"no first answer from {self.url} within {self.warmup:g}s "
                               f"through the grader's traffic pod: "
                               f"{describe(self.session.pod(self.name))}") from None
        except BaseException:
            self._remove()
            raise
        self.started = time.monotonic()
        return self

    def stop(self, timeout: float = 60.0) -> Summary:
        """Stop the traffic (SIGTERM through the pod's deadline) and return what it
        counted. LabError when the summary cannot be had."""
        if self.summary is not None:
            return self.summary
        self._stopping = True
        from grader.kube.rollouts import patch_pod
        patch_pod(self.session, self.name,
                  [{"op": "replace", "path": "/spec/activeDeadlineSeconds", "value": 1}],
                  f"stop the traffic of pod {self.name}")

        def ended():
            pod = self.session.pod(self.name)
            if pod is None:
                raise poll.GaveUp(f"the grader's traffic pod {self.name} went away before "
                                  "its summary was read")
            return (self._container(pod).get("state") or {}).get("terminated")
        try:
            self.session._wait(ended, timeout, f"the traffic pod {self.name} stopped")
        except (poll.GaveUp, poll.Timeout) as err:
            raise LabError(f"the grader's traffic could not be stopped: {err}") from None
        log = self.session.log(self.name)
        self.summary = summary_of(log)
        if self.summary is None:
            raise LabError(f"the traffic generator printed no summary: {log.strip()[-300:]!r}")
        return self.summary

    def _remove(self) -> None:
        if not self._created:
            return
        try:
            self.session.delete_pod(self.name, grace_seconds=0)
            self._created = False
        except LabError as err:
            self.session.left.append(f"the grader's traffic pod {self.name} ({err}): kubectl "
                                     f"delete pod {self.name} -n {self.session.namespace}")

    def __exit__(self, *exc) -> None:
        try:
            if self.summary is None and exc[0] is None and not self._stopping:
                self.stop()
        finally:
            self._remove()
