"""Change a swarm service the way ``docker service update`` does, and watch it happen:
how many tasks were down at once, how the update ended, how long it took.

Behaviour checks use this; they hand back the spec they started from so the service can
be restored exactly (image, secrets and update settings).
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field

from grader import poll
from grader.errors import LabError

FINAL = {"completed", "paused", "rollback_completed", "rollback_paused"}
BUSY = {"updating", "rollback_started"}


@dataclass
class Rollout:
    """What one update did. ``samples`` counts the looks at the tasks that worked,
    ``lost`` those that failed (``last_error`` says why): a figure such as ``max_down``
    means something only when ``samples`` is not 0 (:meth:`require_samples`)."""

    service: str
    state: str = ""
    message: str = ""
    seconds: float = 0.0
    max_down: int = 0
    samples: int = 0
    lost: int = 0
    last_error: str = ""
    images: dict = field(default_factory=dict)

    def line(self) -> str:
        lost = f", {self.lost} lost" if self.lost else ""
        return (f"{self.service}: update {self.state or 'unknown'} in {self.seconds:.1f}s, "
                f"at most {self.max_down} task(s) down at once ({self.samples} samples{lost})")

    def require_samples(self) -> None:
        """LabError (the check errors) when the sampler never saw the tasks: zero
        samples say nothing about how many tasks were down, so they never pass."""
        if self.samples == 0:
            why = f": {self.last_error}" if self.last_error else ""
            raise LabError(f"the grader could not sample the tasks of {self.service} during "
                           f"its update ({self.lost} attempt(s) failed{why})")


@dataclass
class Restore:
    """What putting a service back did: ``ok`` False when something is left changed."""

    ok: bool
    line: str

    def __str__(self) -> str:
        return self.line


def inspect(api, name: str) -> dict:
    """``docker service inspect``; an AssertionError naming the service if it is missing."""
    from docker.errors import NotFound
    try:
        return api.inspect_service(name)
    except NotFound:
        raise AssertionError(f"no service {name}") from None


def ensure_idle(attrs: dict) -> None:
    """Refuse to touch a service that is already being updated."""
    state = (attrs.get("UpdateStatus") or {}).get("State")
    if state in BUSY:
        raise AssertionError(f"service {attrs['Spec']['Name']} is being updated ({state}): "
                             "wait until `docker service ps` settles, then check again")


def spec_to_restore(api, name: str) -> dict:
    """The spec of an idle service ``name``, which a behaviour check puts back at the end;
    an AssertionError when the service is missing or being updated."""
    attrs = inspect(api, name)
    ensure_idle(attrs)
    return attrs["Spec"]


def with_changes(spec: dict, *, image: str | None = None, secrets: list | None = None,
                 delay_s: float | None = None, order: str | None = None,
                 labels: dict | None = None) -> dict:
    """A copy of ``spec`` with another image, secret list, update delay or update order,
    or more service labels (not the tasks': they do not restart for it)."""
    new = copy.deepcopy(spec)
    if labels:
        new["Labels"] = {**(new.get("Labels") or {}), **labels}
    cs = new["TaskTemplate"]["ContainerSpec"]
    if image is not None:
        cs["Image"] = image
    if secrets is not None:
        cs["Secrets"] = secrets
    if delay_s is not None:
        new.setdefault("UpdateConfig", {})["Delay"] = int(delay_s * 1e9)
    if order is not None:
        new.setdefault("UpdateConfig", {})["Order"] = order
    return new


def _post(api, service_id: str, version: int, spec: dict) -> None:
    # the SDK's update_service rebuilds the spec from keyword arguments; posting the
    # inspected spec back, changed in one place, is what `docker service update` does
    res = api._post_json(api._url("/services/{0}/update", service_id), data=spec,
                         params={"version": version})
    api._raise_for_status(res)


def _down(api, service_id: str, replicas: int) -> tuple[int, dict]:
    tasks = api.tasks(filters={"service": service_id, "desired-state": "running"})
    running = [t for t in tasks if t["Status"]["State"] == "running"]
    images: dict[str, int] = {}
    for t in running:
        img = t["Spec"]["ContainerSpec"]["Image"].split("@", 1)[0]
        images[img] = images.get(img, 0) + 1
    return max(0, replicas - len(running)), images


def apply(api, name: str, spec: dict, *, timeout: float, interval: float = 0.2,
          idle: bool = True) -> Rollout:
    """Post ``spec`` to service ``name`` and watch until the update ends; after
    ``timeout`` seconds :class:`grader.poll.Timeout` (the check errors).

    A sampler counts running tasks every ``interval`` seconds; ``max_down`` is the most
    tasks short of the wanted replica count at any sample. ``idle=False`` (restoring)
    posts even while an update runs: the new spec supersedes it.
    """
    attrs = inspect(api, name)
    if idle:
        ensure_idle(attrs)
    before = (attrs.get("UpdateStatus") or {}).get("StartedAt")
    replicas = (spec.get("Mode", {}).get("Replicated") or {}).get("Replicas") or 1
    result = Rollout(name)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            try:
                down, images = _down(api, attrs["ID"], replicas)
                result.max_down = max(result.max_down, down)
                result.images = images
                result.samples += 1
            except Exception as err:  # a gap, counted: all gaps and nothing is known
                result.lost += 1
                result.last_error = f"{type(err).__name__}: {err}"[:200]
            stop.wait(interval)

    t0 = time.monotonic()
    _post(api, attrs["ID"], attrs["Version"]["Index"], spec)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def ended():
        now = api.inspect_service(attrs["ID"])
        st = now.get("UpdateStatus") or {}
        if st.get("StartedAt") != before and st.get("State") in FINAL:
            return st
        return None

    try:
        status = poll.wait_for(ended, timeout=timeout, interval=0.5,
                               what=f"the update of {name} to end")
    finally:
        stop.set()
        sampler.join(timeout=5)
    result.seconds = time.monotonic() - t0
    result.state = status.get("State", "")
    result.message = status.get("Message", "")
    return result


def tasks_now(api, name: str) -> list[dict]:
    """``[{"image", "state", "error"}]`` of the tasks swarm wants running for ``name``."""
    attrs = inspect(api, name)
    return [{"image": t["Spec"]["ContainerSpec"]["Image"].split("@", 1)[0],
             "state": t["Status"]["State"], "error": t["Status"].get("Err", "")}
            for t in api.tasks(filters={"service": attrs["ID"], "desired-state": "running"})]


def settled_on(api, name: str, image: str, replicas: int, *, timeout: float) -> list[dict]:
    """Wait until ``replicas`` tasks of ``name`` run ``image`` and no other task is
    wanted; returns the tasks. On timeout an AssertionError with what was last seen:
    call this only where swarm has said it is done (so waiting longer would not help)."""
    seen: dict = {"tasks": []}

    def settled():
        seen["tasks"] = tasks_now(api, name)
        ok = [t for t in seen["tasks"] if t["image"] == image and t["state"] == "running"]
        return seen["tasks"] if len(ok) == len(seen["tasks"]) == replicas else None
    try:
        return poll.wait_for(settled, timeout=timeout, interval=0.5,
                             what=f"every task of {name} running {image}")
    except poll.Timeout:
        counts: dict = {}
        for t in seen["tasks"]:
            key = f"{t['image']} {t['state']}"
            counts[key] = counts.get(key, 0) + 1
        shown = ", ".join(f"{v} × {k}" for k, v in sorted(counts.items())) or "no task"
        raise AssertionError(f"{timeout:g}s later {name} still does not run {replicas} task(s) "
                             f"of {image}: {shown}") from None


def _idle(api, service_id: str) -> dict | None:
    attrs = api.inspect_service(service_id)
    return None if (attrs.get("UpdateStatus") or {}).get("State") in BUSY else attrs


def restore(api, name: str, spec: dict, *, timeout: float) -> Restore:
    """Put ``spec`` back, even while an update of the grader's is still running; says
    what was done, or (``ok`` False) what could not be, in one line."""
    try:
        attrs = inspect(api, name)
        current = attrs["Spec"]
        if current["TaskTemplate"] == spec["TaskTemplate"]:
            if (attrs.get("UpdateStatus") or {}).get("State") in BUSY:
                # a rollback to this very template is under way: let it finish
                sid = attrs["ID"]
                attrs = poll.wait_for(lambda: _idle(api, sid), timeout=timeout,
                                      interval=0.5, what=f"the update of {name} to end")
            if attrs["Spec"] == spec:
                return Restore(True, f"{name} unchanged")
            _post(api, attrs["ID"], attrs["Version"]["Index"], spec)  # settings only
            return Restore(True, f"{name} settings restored")
        back = apply(api, name, spec, timeout=timeout, idle=False)
        if back.state != "completed":
            return Restore(False, f"could not restore {name}: putting its spec back ended "
                                  f"{back.state!r} ({back.message})")
        return Restore(True, f"{name} restored")
    except Exception as err:  # report, never hide: the student must know what is left
        return Restore(False, f"could not restore {name}: {err}")


# --- the grader's own updates ------------------------------------------------------------
# Swarm resets a service's UpdateStatus at every `docker service update`, the grader's
# too: after a behaviour check has rolled a service and put its spec back, UpdateStatus
# tells about the grader's update, not the student's. So the specs the grader posts carry
# a service label with the status it found; after the restore that spec is the
# service's PreviousSpec, where a later run (or a dump) reads it.

FOUND_LABEL = "org.container-labs.grader.found-update"


def students_update_status(attrs: dict) -> str | None:
    """The state of the student's last update of a service (``docker service inspect``):
    UpdateStatus.State, unless the last update was the grader's putting the service
    back, then the state the grader found before it changed anything."""
    spec_labels = (attrs.get("Spec") or {}).get("Labels") or {}
    previous = ((attrs.get("PreviousSpec") or {}).get("Labels") or {}).get(FOUND_LABEL)
    if previous is not None and FOUND_LABEL not in spec_labels:
        return None if previous == "none" else previous
    return (attrs.get("UpdateStatus") or {}).get("State")


def found_mark(attrs: dict) -> dict:
    """The label the grader's specs for this service carry: the student's update state."""
    return {FOUND_LABEL: students_update_status(attrs) or "none"}
