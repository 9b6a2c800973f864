"""Fixtures of the ch14 checks: stack files, a running task's container, and the
parameters of the behaviour checks (short update delays for CI; what is checked stays)."""

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


def read_files(host, *paths: str) -> dict:
    """``{path: (mode, text) or None}`` read with one ``docker exec`` for all paths
    (testinfra's File would take three execs per file)."""
    import base64
    import shlex

    script = "; ".join(
        f"if [ -e {shlex.quote(p)} ]; then printf '%s %s\\n' \"$(stat -c %a {shlex.quote(p)})\" "
        f"\"$(base64 -w0 {shlex.quote(p)})\"; else echo missing; fi" for p in paths)
    lines = host.check_output(script).splitlines()
    found = {}
    for path, line in zip(paths, lines, strict=False):
        if line == "missing":
            found[path] = None
        else:
            mode, _, data = line.partition(" ")
            found[path] = (int(mode, 8), base64.b64decode(data).decode(errors="replace"))
    return found
