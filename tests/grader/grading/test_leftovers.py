"""Which host folders go with a grading container: only the sandbox's socket folders."""

import tempfile
from pathlib import Path
from types import SimpleNamespace

from grader.grading import leftovers


def container(*mounts: dict):
    return SimpleNamespace(attrs={"Mounts": list(mounts)})


def test_only_the_sandbox_socket_folder_is_named():
    tmp = Path(tempfile.gettempdir()).resolve()
    ours = {"Type": "bind", "Source": str(tmp / "clabs-g-abc123"), "Destination": "/run/clabs"}
    elsewhere = {"Type": "bind", "Source": "/home/someone/clabs-g-x", "Destination": "/x"}
    other_name = {"Type": "bind", "Source": str(tmp / "notes"), "Destination": "/y"}
    volume = {"Type": "volume", "Source": str(tmp / "clabs-g-vol"), "Destination": "/z"}
    assert leftovers.socket_folders(container(ours, elsewhere, other_name, volume)) == \
        [tmp / "clabs-g-abc123"]
    assert leftovers.socket_folders(container()) == []
