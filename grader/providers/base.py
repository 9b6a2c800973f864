"""What every environment provider is: up / down / status / params, one typed status,
and a ledger that makes an interrupted ``up`` take back what it was creating.

A provider records each object in the ledger *before* it asks for it to be created
(:meth:`Ledger.about_to`). When ``up`` fails or is interrupted, :meth:`Provider.up`
hands the ledger to the provider's ``undo``, which removes every recorded object,
including one whose creation was cut off half-way: the engine or cluster may finish
creating it after our call was abandoned, so ``undo`` looks again for a short while
(:func:`remove_all`). A second Ctrl-C cannot cut the clean-up short.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.chapters import Chapter

# how long undo keeps looking for an object whose creation request was cut off
LATE_CREATION_SECONDS = 3.0


@dataclass
class Removed:
    """What a tear-down removed, by kind."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    configs: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    swarm: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, other: Removed) -> Removed:
        for key, values in vars(other).items():
            getattr(self, key).extend(v for v in values if v not in getattr(self, key))
        return self

    def __str__(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in vars(self).items() if v and k != "notes"]
        text = ", ".join(parts) if parts else "nothing"
        return text + "".join(f"; {n}" for n in self.notes)


@dataclass
class Status:
    """The one shape every provider's ``status`` has (``lab env status`` prints it).

    ``objects`` maps what exists (containers, services, nodes, namespaces) to its state;
    ``missing_images`` are lab images the environment still lacks; ``up`` says whether
    the chapter can be worked on now.
    """

    chapter: str
    provider: str
    up: bool
    summary: str
    network: str | None = None
    objects: dict[str, str] = field(default_factory=dict)
    missing_images: list[str] = field(default_factory=list)
    endpoint: str | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class Ledger:
    """A file listing what an ``up`` is about to create, one JSON line per object.

    Written before each creation, so that even an ``up`` killed outright leaves a
    record (``lab env down`` reads it too); cleared when ``up`` completes.
    """

    def __init__(self, path: Path):
        self.path = path

    def about_to(self, kind: str, name: str, **extra) -> None:
        """Record that ``kind``/``name`` is about to be created."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"kind": kind, "name": name, **extra}) + "\n")
            f.flush()

    def entries(self) -> list[dict]:
        """Everything recorded, in the order it was recorded."""
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                found.append(json.loads(line))
        return found

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Ignore Ctrl-C while a clean-up runs (main thread only), so it runs to the end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def remove_all(entries: list[dict], remove: Callable[[dict], bool],
               late: float = LATE_CREATION_SECONDS) -> list[str]:
    """Remove every ledger entry, newest first. ``remove(entry)`` returns True when it
    removed the object, False when the object does not exist (yet). Entries not found
    are looked for again until ``late`` seconds pass, since a creation request cut off
    by Ctrl-C may still complete on the server. Returns the names removed."""
    gone: list[str] = []
    pending = list(reversed(entries))
    deadline = time.monotonic() + late
    while pending:
        still = []
        for entry in pending:
            try:
                if remove(entry):
                    gone.append(entry["name"])
                else:
                    still.append(entry)
            except Exception:  # noqa: BLE001  a clean-up goes on with the rest
                still.append(entry)
        pending = still
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    return gone


class Provider:
    """The interface of an environment provider. Subclasses set ``name`` and implement
    ``_up``, ``undo``, ``down``, ``status`` and ``params``.

    ``family`` groups providers that can run the same chapters (``docker``, ``swarm``,
    ``kube``); ``lab env up --provider`` accepts any provider of the chapter's family.
    """

    name = ""
    family = ""

    def __init__(self, chapter: Chapter, client=None):
        self.chapter = chapter
        self._client = client

    # -- the interface -------------------------------------------------------------

    def up(self, *, progress: bool = True) -> list[str]:
        """Create what the chapter needs; returns lines saying what was done ([] if it
        was up already). Failing or interrupted half-way, it removes what it created."""
        ledger = self.ledger()
        ledger.clear()
        try:
            done = self._up(ledger, progress=progress)
        except BaseException:
            with shielded():
                self.undo(ledger.entries())
                ledger.clear()
            raise
        ledger.clear()
        return done

    def _up(self, ledger: Ledger, *, progress: bool) -> list[str]:
        raise NotImplementedError

    def undo(self, entries: list[dict]) -> list[str]:
        """Remove what a failed ``up`` recorded in its ledger; returns the names removed."""
        raise NotImplementedError

    def down(self) -> Removed:
        """Remove what the environment created (and the lab's labelled objects), nothing else."""
        raise NotImplementedError

    def status(self) -> Status:
        raise NotImplementedError

    def params(self) -> dict:
        """Parameters for the chapter's notebooks (papermill) and for the checks."""
        raise NotImplementedError

    def activate(self) -> None:
        """Point this process (and the notebooks and checks it starts) at the environment
        where it has its own endpoint; a variable the user set wins."""
        import os
        for key in ("DOCKER_HOST", "KUBECONFIG"):
            value = self.params().get(key)
            if value and not os.environ.get(key):
                os.environ[key] = value

    # -- shared --------------------------------------------------------------------

    def ledger(self) -> Ledger:
        from grader.rootfs import cache_dir
        return Ledger(cache_dir() / "env" / f"{self.chapter.id}-{self.name}-creating.jsonl")
