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

FINAL = {"completed", "paused", "rollback_completed", "rollback_paused"}
BUSY = {"updating", "rollback_started"}


@dataclass
class Rollout:
    """What one update did."""

    service: str
    state: str = ""
    message: str = ""
    seconds: float = 0.0
    max_down: int = 0
    samples: int = 0
    images: dict = field(default_factory=dict)

    def line(self) -> str:
        return (f"{self.service}: update {self.state or 'unknown'} in {self.seconds:.1f}s, "
                f"at most {self.max_down} task(s) down at once ({self.samples} samples)")


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
                 delay_s: float | None = None, order: str | None = None) -> dict:
    """A copy of ``spec`` with another image, secret list, update delay or update order."""
    new = copy.deepcopy(spec)
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


def apply(api, name: str, spec: dict, *, timeout: float, interval: float = 0.2) -> Rollout:
    """Post ``spec`` to service ``name`` and watch until the update ends (or ``timeout``).

    A sampler counts running tasks every ``interval`` seconds; ``max_down`` is the most
    tasks short of the wanted replica count at any sample.
    """
    attrs = inspect(api, name)
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
            except Exception:  # a sample lost to a busy engine is just a gap
                pass
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


def restore(api, name: str, spec: dict, *, timeout: float) -> str:
    """Put ``spec`` back; returns what was done, or what could not be, in one line."""
    try:
        attrs = inspect(api, name)
        current = attrs["Spec"]
        if current == spec:
            return f"{name} unchanged"
        if current["TaskTemplate"] == spec["TaskTemplate"]:
            _post(api, attrs["ID"], attrs["Version"]["Index"], spec)  # settings only
            return f"{name} settings restored"
        apply(api, name, spec, timeout=timeout)
        return f"{name} restored"
    except Exception as err:  # report, never hide: the student must know what is left
        return f"could not restore {name}: {err}"
