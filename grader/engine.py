"""Connecting to the Docker engine, with one clear line when it is not there."""

from __future__ import annotations

import os

from grader.errors import LabError


def endpoint() -> str:
    """Where the Docker client will connect: DOCKER_HOST or the default socket."""
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def unreachable(err: Exception | None = None) -> LabError:
    """The error for an engine that does not answer."""
    why = f" ({type(err).__name__})" if err else ""
    return LabError(f"Docker engine not reachable at {endpoint()}{why}: "
                    "start Docker, or set DOCKER_HOST to a running engine")


def client(timeout: int = 60):
    """A docker SDK client that has answered a ping; LabError when the engine is down."""
    import docker
    from docker.errors import DockerException

    try:
        c = docker.from_env(timeout=timeout)
        if c.api.base_url.startswith("http+docker://localhost"):
            # a unix socket is never reached through a proxy, and requests looks for
            # proxy settings in the environment on every call otherwise (about 50 ms of
            # the 130 calls of a ch14 state check)
            c.api.trust_env = False
        c.ping()
    except (DockerException, OSError) as err:
        raise unreachable(err) from None
    return c
