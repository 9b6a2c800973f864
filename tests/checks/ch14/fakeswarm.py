"""A stand-in for the Docker engine of a swarm, for the ch14 behaviour checks: just
what they call (service inspect and update, task list, the loadgen container), with
each scenario deciding what an update does. No engine needed, so the states that are
hard to make on a real swarm (an engine that loses every task sample, an update that
never ends, a restore the engine refuses) are made in milliseconds.
"""

from __future__ import annotations

import copy
import itertools
import json

from docker.errors import APIError, NotFound

_clock = itertools.count(1)


def stamp() -> str:
    return f"2030-01-01T00:00:{next(_clock):02d}.000000000Z"


def service_spec(name: str, image: str, replicas: int, **update_config) -> dict:
    return {"Name": name, "Labels": {},
            "TaskTemplate": {"ContainerSpec": {"Image": image}},
            "Mode": {"Replicated": {"Replicas": replicas}},
            "UpdateConfig": {"Parallelism": 2, "Delay": 10_000_000_000, **update_config}}


class _Response:
    def __init__(self, error: str | None = None):
        self.error = error


class FakeApi:
    """``docker_client.api``: services by name, what happens on an update decided by
    ``on_update(api, name, spec) -> UpdateStatus state`` (None: the update never ends),
    tasks from ``tasks_of(api, name)`` (raise to lose a sample)."""

    def __init__(self, services: dict[str, dict], *, on_update=None, tasks_of=None,
                 refuse=None):
        self.services = {name: {"ID": f"id-{name}", "Version": {"Index": 1}, "Spec": spec}
                         for name, spec in services.items()}
        self.on_update = on_update or (lambda api, name, spec: "completed")
        self.tasks_of = tasks_of or (lambda api, name: [
            {"Spec": {"ContainerSpec": {"Image": api.spec(name)["TaskTemplate"][
                "ContainerSpec"]["Image"]}}, "Status": {"State": "running"}}
            for _ in range(api.spec(name)["Mode"]["Replicated"]["Replicas"])])
        self.refuse = refuse or (lambda api, name, spec: None)  # an error text refuses
        self.posted: list[tuple[str, dict]] = []

    def _name(self, ident: str) -> str:
        for name, attrs in self.services.items():
            if ident in (name, attrs["ID"]):
                return name
        raise NotFound(f"service {ident} not found")

    def spec(self, name: str) -> dict:
        return self.services[name]["Spec"]

    def inspect_service(self, ident: str) -> dict:
        return copy.deepcopy(self.services[self._name(ident)])

    def _url(self, template: str, *args) -> str:
        return template.format(*args)

    def _post_json(self, url: str, data: dict, params: dict) -> _Response:
        name = self._name(url.split("/")[2])
        error = self.refuse(self, name, data)
        if error:
            return _Response(error)
        attrs = self.services[name]
        self.posted.append((name, copy.deepcopy(data)))
        attrs["PreviousSpec"], attrs["Spec"] = attrs["Spec"], copy.deepcopy(data)
        attrs["Version"]["Index"] += 1
        state = self.on_update(self, name, data)
        attrs["UpdateStatus"] = ({"State": state, "StartedAt": stamp(), "Message": f"update {state}"}
                                 if state else {"State": "updating", "StartedAt": stamp()})
        return _Response()

    def _raise_for_status(self, res: _Response) -> None:
        if res.error:
            raise APIError(res.error)

    def tasks(self, filters: dict) -> list[dict]:
        return self.tasks_of(self, self._name(filters["service"]))


class FakeLoadgen:
    """The traffic generator: answers at once, counts ``requests`` with none failed."""

    def __init__(self, requests: int = 500, answers: bool = True):
        self.status, self.name = "running", "clabs-loadgen-fake"
        self.events = ([{"event": "first-answer"}] if answers else [])
        self.requests = requests
        self.removed = False

    def reload(self) -> None:
        pass

    def logs(self, **kwargs) -> bytes:
        return "".join(json.dumps(e) + "\n" for e in self.events).encode()

    def kill(self, signal: str) -> None:
        self.events.append({"event": "summary", "requests": self.requests, "failed": 0,
                            "seconds": 1.0, "rate": float(self.requests), "p50_ms": 1.0,
                            "p99_ms": 2.0})
        self.status = "exited"

    def wait(self, timeout: float) -> None:
        pass

    def remove(self, **kwargs) -> None:
        self.removed = True


class FakeContainers:
    def __init__(self, answers: bool = True):
        self.started: list[FakeLoadgen] = []
        self.answers = answers

    def run(self, image, command=None, **kwargs) -> FakeLoadgen:
        ctr = FakeLoadgen(answers=self.answers)
        self.started.append(ctr)
        return ctr


class FakeClient:
    """``docker_client``: ``.api`` and ``.containers`` (loadgen only)."""

    def __init__(self, api: FakeApi, *, loadgen_answers: bool = True):
        self.api = api
        self.containers = FakeContainers(loadgen_answers)
