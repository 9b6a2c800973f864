"""Fixtures of the ch14 checks: stack files, a service that must exist, a running
task's container."""

from __future__ import annotations

import pytest

from grader import stackfile


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


@pytest.fixture
def task_host(swarm, container_host):
    """``task_host(service)`` → a testinfra host inside one running task's container."""
    def get(svc):
        running = [t for t in swarm.running_tasks(svc) if swarm.task_container(t)]
        assert running, f"service {svc.name} has no running task"
        return container_host(swarm.task_container(running[0]))
    return get
