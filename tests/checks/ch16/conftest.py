"""What the ch16 tests need of the chapter's declaration (grader/chapters.py), in one
place: until the lead sets it there, the tests run the checks with it patched in."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader import chapters
from tests.checks.helpers import release_with_solutions

# what ch16's checks read: one LIST per kind in the namespace (no cluster-scoped kind,
# nothing outside the namespace)
KUBE_KINDS = ("Pod", "Service", "EndpointSlice", "Deployment", "ReplicaSet", "StatefulSet",
              "PersistentVolumeClaim", "Secret", "Event")
NEEDS = {"ready": True, "kube_kinds": KUBE_KINDS, "kube_also": (), "reads": ("kube",)}


def chapter() -> chapters.Chapter:
    return dataclasses.replace(chapters.CHAPTERS["ch16"], **NEEDS)


@pytest.fixture(scope="module", autouse=True)
def ch16_chapter():
    """CHAPTERS["ch16"] with what the checks need, for each test module of this
    folder while it runs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(chapters.CHAPTERS, "ch16", chapter())
        yield chapters.CHAPTERS["ch16"]


@pytest.fixture
def solved(tmp_path) -> Path:
    """A lab folder as a student who solved everything has it."""
    return release_with_solutions("ch16", tmp_path / "ch16")
