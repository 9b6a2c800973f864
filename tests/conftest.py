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


@pytest.fixture
def kube_mock():
    """A factory for Kubernetes API mocks: ``mock = kube_mock(objects, **options)`` starts a
    :class:`tests.kubemock.KubeMock` serving ``objects`` (``mock.kubeconfig``, context
    ``mock``, namespace ch15); every mock started is stopped when the test ends."""
    from tests.kubemock import KubeMock

    started = []

    def start(objects=(), **options):
        mock = KubeMock(objects, **options)
        mock.__enter__()
        started.append(mock)
        return mock

    yield start
    for mock in reversed(started):
        mock.close()
