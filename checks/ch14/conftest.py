"""Fixtures of the ch14 checks: stack files, a service that must exist, the containers
of a service's running tasks on whichever swarm node they run."""

from __future__ import annotations

import pytest

from checks.ch14 import names as n
from grader import stackfile
from grader.errors import LabError


@pytest.fixture
def stack(lab):
    """``stack("stack.yaml")`` → the parsed stack file (a failing assertion if not YAML)."""
    return lambda filename: stackfile.load(lab.require(filename))


@pytest.fixture
def service_of(swarm):
    """``service_of("web_web")`` → the service, after asserting that there is a swarm
    and that the service exists."""
    def get(name: str):
        swarm.require_manager()
        svc = swarm.service(name)
        assert svc, f"no service {name} in the swarm"
        return svc
    return get


@pytest.fixture(scope="session")
def _reach(lab_context, docker_client):
    """``reach(task, hostname)`` → a ContainerAccess for the task's container: on this
    engine's node directly, on the other nodes of a swarm-dind swarm through their node
    container on the outer engine (grader.providers.dindreach); None if unreachable."""
    from grader.providers import dindreach

    local = (docker_client.info().get("Swarm") or {}).get("NodeID")
    found: dict = {}  # the outer engine, looked for once

    def reach(task: dict, hostname: str):
        if task.get("NodeID") != local:
            if "outer" not in found:
                try:
                    found["outer"] = dindreach.outer_client()
                except LabError:
                    found["outer"] = None
            if found["outer"] is None:
                return None
        return dindreach.task_access(task, client=docker_client, local_node=local,
                                     chapter_id=lab_context.chapter, hostname=hostname,
                                     outer=found.get("outer"))
    return reach


def _task_accesses(swarm, reach, svc) -> list:
    """A ContainerAccess for the container of every running task of ``svc`` (see
    task_containers)."""
    names = {n["ID"]: (n.get("Description") or {}).get("Hostname") or n["ID"][:12]
             for n in swarm.nodes}
    running = [t for t in swarm.running_tasks(svc) if swarm.task_container(t)]
    assert running, f"service {svc.name} has no running task"
    found = []
    for task in running:
        host = names.get(task.get("NodeID"), (task.get("NodeID") or "?")[:12])
        access = reach(task, host)
        if access is None:
            raise LabError(f"a task of {svc.name} runs on node {host}, which the grader "
                           "cannot reach: it looks into containers on the engine it "
                           "talks to, and into the nodes of a swarm-dind swarm")
        found.append(access)
    return found


@pytest.fixture
def task_containers(swarm, _reach):
    """``task_containers(svc)`` → a :class:`grader.probes.ContainerAccess` for the
    container of every running task of ``svc``, on whichever node it runs. A failing
    assertion when no task runs (nothing to look at is never a pass); a LabError (the
    check errors) when a task runs on a node the grader cannot reach."""
    return lambda svc: _task_accesses(swarm, _reach, svc)


@pytest.fixture(scope="session")
def task_files(swarm, _reach):
    """``task_files(svc, *paths)`` → ``[(access, {path: (mode, text) or None})]``, one
    entry per running task of ``svc`` (task_containers' rules: no task running is a
    failing assertion, an unreachable node a LabError), for the live checks.

    Each look inside a task is an exec (about 50 ms on an engine here), and five live
    checks make seven of them: the first call reads everything in names.TASK_FILES at
    once, in threads, and later calls get those reads (or their errors) as they were
    taken. Paths not declared there are read when asked. Behaviour checks, which change
    the tasks, read for themselves (task_containers)."""
    from concurrent.futures import ThreadPoolExecutor

    from grader.checkkit import read_files

    taken: dict = {}

    def read_all(svc, paths):
        accesses = _task_accesses(swarm, _reach, svc)
        with ThreadPoolExecutor(len(accesses)) as pool:
            return list(zip(accesses, pool.map(lambda a: read_files(a, *paths), accesses),
                            strict=True))

    def outcome(svc, paths):
        try:
            return read_all(svc, paths)
        except (AssertionError, LabError) as err:
            return err

    def prefetch():
        wanted = [(svc, paths) for name, paths in n.TASK_FILES
                  if (svc := swarm.service(name)) is not None]
        with ThreadPoolExecutor(max(1, len(wanted))) as pool:
            done = pool.map(lambda w: outcome(*w), wanted)
            taken.update({(svc.name, paths): got for (svc, paths), got in zip(wanted, done, strict=True)})
        taken[None] = True

    def get(svc, *paths):
        if None not in taken:
            prefetch()
        got = taken.get((svc.name, paths))
        if got is None:
            return read_all(svc, paths)
        if isinstance(got, BaseException):
            raise got
        return got
    return get
