"""Fixtures shared by the project's own tests."""

from __future__ import annotations

import os

import pytest


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def engine():
    """A docker client for the engine of the environment (DOCKER_HOST or the default socket).

    When the engine cannot be reached the test is skipped with the reason, except in CI
    (CI=true), where an engine is part of the contract and the test fails instead.
    """
    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        import docker

        client = docker.from_env()
        client.ping()
    except Exception as err:  # ImportError, DockerException, requests errors, OSError
        reason = f"Docker engine not reachable at {where}: {type(err).__name__}: {err}"
        if _in_ci():
            pytest.fail(reason + " (CI=true: an engine is required)", pytrace=False)
        pytest.skip(reason)
    yield client
    client.close()
