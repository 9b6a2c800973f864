"""The provider interface: an interrupted up undoes exactly what its ledger recorded."""

import pytest

from grader.chapters import Chapter
from grader.providers import base

CH = Chapter("chX", "test chapter", provider="docker")


class Recording(base.Provider):
    """A provider whose 'objects' live in a set; creation can be cut off half-way."""

    name = "recording"

    def __init__(self, chapter, fail_at=None, late=False):
        super().__init__(chapter)
        self.made: set[str] = set()
        self.fail_at, self.late = fail_at, late
        self.undone: list[str] = []

    def _up(self, ledger, *, progress):
        for thing in ("network", "volume", "node-1", "node-2"):
            ledger.about_to("thing", thing)
            if thing == self.fail_at:
                if self.late:  # the server completes the request after we gave up
                    import threading
                    threading.Timer(0.3, self.made.add, [thing]).start()
                raise KeyboardInterrupt
            self.made.add(thing)
        return ["made it all"]

    def undo(self, entries):
        def remove(entry):
            if entry["name"] in self.made:
                self.made.remove(entry["name"])
                return True
            return False
        self.undone = base.remove_all(entries, remove, late=1.0)
        return self.undone


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))


@pytest.mark.parametrize("fail_at", ["network", "volume", "node-1", "node-2"])
def test_interrupted_up_undoes_what_it_made(fail_at):
    p = Recording(CH, fail_at=fail_at)
    with pytest.raises(KeyboardInterrupt):
        p.up(progress=False)
    assert p.made == set()
    assert not p.ledger().path.exists()


def test_an_object_created_after_the_interrupt_is_found_and_removed():
    p = Recording(CH, fail_at="node-2", late=True)
    with pytest.raises(KeyboardInterrupt):
        p.up(progress=False)
    assert p.made == set() and "node-2" in p.undone


def test_a_complete_up_clears_its_ledger():
    p = Recording(CH)
    assert p.up(progress=False) == ["made it all"]
    assert p.made == {"network", "volume", "node-1", "node-2"}
    assert p.ledger().entries() == []


def test_ledger_survives_a_kill_and_lists_in_order(tmp_path):
    ledger = base.Ledger(tmp_path / "l.jsonl")
    ledger.about_to("container", "a", extra=1)
    ledger.about_to("volume", "b")
    with ledger.path.open("a") as f:
        f.write("{half a line")  # killed while writing
    assert [e["name"] for e in ledger.entries()] == ["a", "b"]
    assert ledger.entries()[0]["extra"] == 1


def test_removed_adds_without_repeats():
    a, b = base.Removed(containers=["x"]), base.Removed(containers=["x", "y"], notes=["kept z"])
    a.add(b)
    assert a.containers == ["x", "y"] and str(a) == "2 containers; kept z"
