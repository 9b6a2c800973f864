"""The environment of one submission: an engine of its own, on the host engine.

One ``clabs/dind:20.10`` container (the node) with **no network** (``--network none``):
its network namespace holds only its loopback and the bridges its own dockerd makes, so
nothing the student runs can reach the host, the host's other containers, another
submission or the outside (measured: on an ``internal`` bridge the host's own addresses
still answered, so that was not enough). The node's dockerd serves its API on a unix
socket in a short host folder (:attr:`Sandbox.docker_host`, for the checks, which run on
the host) and on 127.0.0.1:2375 inside the namespace (for the kernel container, which
joins it). For a swarm chapter (ch14) the node is a single-node swarm, advertised on its
own ``docker0``, with the chapter's attachable overlay network. The chapter's images are
loaded into it from a tarball saved once per batch (:func:`save_images`).

The student's work folder is bind-mounted into the node at the same path as in the
kernel container (``/lab/<chapter>``), so a notebook's ``-v $PWD/x:/y`` finds its files.
Every object carries the grading labels (:mod:`grader.grading.leftovers`) and
``down`` removes exactly them, the node's volume included.

Reused from the ``swarm-dind`` provider: the node image and the run options that let
dockerd run inside (``--privileged``, or the capability set where the engine refuses
it) and the streamed image load (see docs/swarm-dind.md).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import poll
from grader.chapters import Chapter
from grader.errors import LabError
from grader.grading import leftovers
from grader.providers import dindimages
from grader.providers.dindnodes import ENGINE_TIMEOUT, blame, run_options

WORK_ROOT = "/lab"          # the student's folder is /lab/<chapter> in the node and the kernel
API_PORT = 2375
SOCKET_DIR = "/run/clabs"   # in the node; a short host folder is mounted there
_mode_lock = threading.Lock()
_mode: list[str] = []       # "privileged" or "capabilities", once this engine has answered


# images only a chapter's Kubernetes steps use: a sandbox has no cluster (those steps'
# checks are n/a there), so they are not loaded into it
CLUSTER_ONLY = {"ch10": ("clabs/toolbox:1.0", "clabs/echoserver:1.0")}


def images_for(chapter: Chapter) -> list[str]:
    """The images a submission's engine needs: the chapter's runtime images and their base."""
    skip = CLUSTER_ONLY.get(chapter.id, ())
    return [name for name in dindimages.node_images(chapter.id) if name not in skip]


def save_images(client, names: list[str], folder: Path) -> Path:
    """Save ``names`` once for the whole batch; every sandbox loads this tarball."""
    from grader import images

    tarball = Path(folder) / "images.tar"
    images.save(tarball, names, client=client, progress=False)
    return tarball


@dataclass
class Sandbox:
    """The engine of one submission (see the module docstring)."""

    client: object                  # the host engine
    chapter: Chapter
    batch: str
    student: str
    work: Path                      # the host folder mounted at /lab/<chapter>
    timings: dict = field(default_factory=dict)
    node: object = None
    socket_dir: Path | None = None
    dialer: object = None           # dials the submission's published ports for the checks

    @property
    def prefix(self) -> str:
        return f"clabs-grade-{self.batch}-{self.student}".lower().replace("@", "-")[:60]

    @property
    def labels(self) -> dict:
        return leftovers.labels(self.batch, self.student)

    @property
    def docker_host(self) -> str:
        """The node's engine as the host reaches it: a unix socket (short path: a socket
        path has at most 107 characters)."""
        return f"unix://{self.socket_dir}/docker.sock"

    @property
    def work_in_sandbox(self) -> str:
        return f"{WORK_ROOT}/{self.chapter.id}"

    # --- up -----------------------------------------------------------------------

    def up(self, tarball: Path | None, *, swarm: bool) -> None:
        """Network, node, engine answering, swarm and its network, images loaded."""
        start = time.monotonic()
        self.socket_dir = Path(tempfile.mkdtemp(prefix="clabs-g-"))
        self.client.volumes.create(f"{self.prefix}-docker", labels=self.labels)
        self.node = self._start_node()
        self._wait_engine()
        if swarm:
            self._exec(["docker", "swarm", "init", "--advertise-addr", "docker0"])
        self.timings["node"] = round(time.monotonic() - start, 2)
        start = time.monotonic()
        if tarball is not None:
            dindimages.load_everywhere(self.client, tarball, [self.node], progress=False)
        self.timings["images"] = round(time.monotonic() - start, 2)
        if self.chapter.network:
            driver = ["--driver", "overlay", "--attachable"] if swarm else []
            self._exec(["docker", "network", "create", *driver, "--label",
                        f"org.container-labs.lab={self.chapter.id}", self.chapter.network])
        self.dialer = self._start_dialer()

    def _start_dialer(self):
        """A container of the grader's in the node's network namespace, where the ports
        the submission published are (on its 127.0.0.1): the checks dial them from
        here (:mod:`grader.probes`). Fresh from the kernel image on the host engine, so
        nothing the student ran could have changed it; it only ever runs the grader's
        own dial code."""
        from grader.grading.kernel import IMAGE
        return self.client.containers.run(
            IMAGE, ["sleep", "infinity"], name=f"{self.prefix}-dialer", detach=True,
            labels=self.labels, network_mode=f"container:{self.node.id}", read_only=True,
            cap_drop=["ALL"], security_opt=["no-new-privileges"], pids_limit=64,
            mem_limit="256m", environment={"HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"},
            tmpfs={"/tmp": "size=16m"}, init=True)

    def _start_node(self):
        from docker.errors import APIError

        modes = list(_mode) or ["privileged", "capabilities"]
        for mode in modes:
            try:
                ctr = self._create_node(mode)
            except APIError as err:
                raise LabError(f"cannot create the sandbox node: {err.explanation or err}") from None
            try:
                ctr.start()
            except APIError as err:
                ctr.remove(force=True, v=True)
                if mode != modes[-1]:
                    continue
                option = blame(str(err.explanation or err))
                raise LabError(f"the engine refuses to start a sandbox node"
                               f"{' with ' + option if option else ''}: {err.explanation or err}") from None
            with _mode_lock:
                if not _mode:
                    _mode.append(mode)
            return ctr
        raise AssertionError("unreachable")

    def _create_node(self, mode: str):
        api = self.client.api
        binds = {f"{self.prefix}-docker": {"bind": "/var/lib/docker", "mode": "rw"},
                 str(self.work): {"bind": self.work_in_sandbox, "mode": "rw"},
                 str(self.socket_dir): {"bind": SOCKET_DIR, "mode": "rw"}}
        host_config = api.create_host_config(binds=binds, network_mode="none")
        host_config.update(run_options(mode))
        # arguments starting with - go to dockerd (dind-entrypoint.sh); DOCKERD_TCP=1 adds
        # tcp://0.0.0.0:2375, which with no network is the namespace's own addresses only
        created = api.create_container(
            dindimages.NODE_IMAGE, command=[f"--host=unix://{SOCKET_DIR}/docker.sock"],
            name=f"{self.prefix}-node", hostname="node-1", detach=True,
            host_config=host_config, labels=self.labels, environment={"DOCKERD_TCP": "1"})
        return self.client.containers.get(created["Id"])

    def _wait_engine(self) -> None:
        def answers():
            self.node.reload()
            if self.node.status != "running":
                tail = self.node.logs(tail=3).decode(errors="replace").strip().replace("\n", " | ")
                raise poll.GaveUp(f"the sandbox node stopped: {tail}")
            return self.node.exec_run(["docker", "version", "--format", "{{.Server.Version}}"]).exit_code == 0
        try:
            poll.wait_for(answers, timeout=ENGINE_TIMEOUT, interval=0.3,
                          what="the Docker engine inside the sandbox node")
        except (poll.Timeout, poll.GaveUp) as err:
            raise LabError(str(err).splitlines()[0]) from None

    def _exec(self, argv: list[str]) -> str:
        res = self.node.exec_run(argv)
        out = res.output.decode(errors="replace").strip()
        if res.exit_code != 0:
            raise LabError(f"sandbox node: `{' '.join(argv[:3])}` failed: "
                           f"{out.splitlines()[-1] if out else res.exit_code}")
        return out

    # --- down ---------------------------------------------------------------------

    def down(self) -> list[str]:
        """Remove the node (its inner engine and everything the notebook made go with
        it), its volume and its network: exactly the objects with this submission's
        labels. Returns what could not be removed (empty when all is gone)."""
        start = time.monotonic()
        left = leftovers.remove(self.client, {"label": [f"{leftovers.BATCH}={self.batch}",
                                                        f"{leftovers.STUDENT}={self.student}"]})
        if self.socket_dir is not None:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
        self.timings["teardown"] = round(time.monotonic() - start, 2)
        return left


@contextlib.contextmanager
def batch_tarball(client, names: list[str]):
    """The images ``names`` saved once for the batch, in a folder removed at the end."""
    with tempfile.TemporaryDirectory(prefix="clabs-grade-") as tmp:
        yield save_images(client, names, Path(tmp)) if names else None
