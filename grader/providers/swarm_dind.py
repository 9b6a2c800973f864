"""A multi-node Docker Swarm made of Docker-in-Docker nodes: the ``swarm-dind`` provider.

Like the book's five docker-machine VMs, the nodes are called ``node-1`` … ``node-N``:
containers of ``clabs/dind:20.10`` (container names ``<chapter>-node-<i>``, hostnames
``node-<i>``) on a labelled bridge network ``<chapter>-nodes``. The first ``managers``
nodes are managers (``node-1`` is the leader), the rest workers; default 1 manager and
4 workers, or ``LAB_DIND_MANAGERS`` / ``LAB_DIND_WORKERS``. The inner engines start
empty and cannot pull, so the chapter's images are saved once from the outer engine
and loaded into every node in parallel (:mod:`grader.providers.dindimages`).

Only node-1's inner dockerd listens on TCP (2375, no TLS), published on the outer
engine's 127.0.0.1 with an ephemeral port: that address is the notebooks' DOCKER_HOST.
Workers serve only their unix socket; the grader reaches them with ``docker exec``.
See docs/swarm-dind.md for what this machine's engine allows.
"""

from __future__ import annotations

import contextlib
import time

from grader import engine, labels, poll
from grader.chapters import Chapter
from grader.errors import LabError
from grader.providers import dindimages, dindreach
from grader.providers.base import Ledger, Provider, Removed, Status
from grader.providers.dindimages import BASE_IMAGE, NODE_IMAGE, node_images  # noqa: F401  BASE_IMAGE: re-exported
from grader.providers.dindnodes import (
    API_PORT,
    CAPABILITY_FLAGS,
    CREATED_BY,
    ENGINE_TIMEOUT,
    JOIN_TIMEOUT,
    NODE_LABEL,
    ROLE_LABEL,
    Node,
    blame,
    container_name,
    env_count,
    join_command,
    label_filters,
    plan_nodes,
    run_options,
)
from grader.providers.dockerlab import undo_docker


class DindSwarm(Provider):
    """A swarm of docker-in-docker nodes on the local engine (see the module docstring)."""

    name = "swarm-dind"
    family = "swarm"

    def __init__(self, chapter: Chapter, client=None, *, managers: int | None = None,
                 workers: int | None = None, images: list[str] | None = None):
        super().__init__(chapter, client)
        self.nodes = plan_nodes(env_count("LAB_DIND_MANAGERS", 1) if managers is None else managers,
                                env_count("LAB_DIND_WORKERS", 4) if workers is None else workers)
        self.network = f"{chapter.id}-nodes"
        self.lab_network = chapter.network or f"{chapter.id}-lab"
        self._images = images

    @property
    def client(self):
        """The outer engine (DOCKER_HOST of the environment), pinged."""
        if self._client is None:
            self._client = engine.client()
        return self._client

    # --- reading what exists ------------------------------------------------------

    def _containers(self) -> list:
        return self.client.containers.list(all=True, filters=label_filters(self.chapter.id))

    def _node1(self):
        from docker.errors import NotFound
        try:
            return self.client.containers.get(container_name(self.chapter.id, self.nodes[0]))
        except NotFound:
            return None

    def docker_host(self) -> str | None:
        """``tcp://127.0.0.1:PORT`` of node-1's engine, or None when node-1 is not running."""
        ctr = self._node1()
        if ctr is None or ctr.status != "running":
            return None
        bound = (ctr.attrs["NetworkSettings"].get("Ports") or {}).get(API_PORT) or []
        return f"tcp://127.0.0.1:{bound[0]['HostPort']}" if bound else None

    def _host(self) -> str:
        host = self.docker_host()
        if host is None:
            raise LabError(f"{self.chapter.id}: the {self.name} environment is not up: "
                           f"run `lab env up {self.chapter.id}`")
        return host

    def inner(self, timeout: int = 30):
        """A docker SDK client for node-1's engine; LabError when it is not up."""
        import docker
        return docker.DockerClient(base_url=self._host(), timeout=timeout)

    def params(self) -> dict:
        """Parameters for the notebooks; DOCKER_HOST is node-1's engine."""
        return {"LAB": self.chapter.id, "LAB_NETWORK": self.lab_network, "DOCKER_HOST": self._host()}

    def activate(self) -> None:
        """Point DOCKER_HOST at node-1, after remembering the outer engine (the one that
        runs the nodes) in LAB_DIND_OUTER_HOST: checks reach the workers through it, and
        notebooks share the images they build (:func:`share_built_images`)."""
        import os
        if not os.environ.get(dindreach.OUTER_ENV):
            outer = engine.endpoint()
            if outer == self.docker_host():  # DOCKER_HOST is node-1 already: not the outer one
                outer = dindreach.DEFAULT_ENDPOINT
            os.environ[dindreach.OUTER_ENV] = outer
        super().activate()

    def nodes_status(self) -> dict:
        """Each swarm node's role and readiness as node-1 sees it, the lab network, the
        images missing inside, and an ``error`` line when node-1's engine does not answer."""
        from docker.errors import DockerException

        found: dict = {"docker_host": self.docker_host(), "nodes": {}, "lab_network": None,
                       "missing_images": []}
        if found["docker_host"] is None:
            return found
        try:
            inner = self.inner(timeout=10)
            for n in inner.nodes.list():
                a = n.attrs
                found["nodes"][a["Description"]["Hostname"]] = {
                    "role": a["Spec"]["Role"], "state": a["Status"]["State"],
                    "availability": a["Spec"]["Availability"],
                    "leader": bool((a.get("ManagerStatus") or {}).get("Leader")),
                    "ready": a["Status"]["State"] == "ready"}
            names = [n.name for n in inner.networks.list(names=[self.lab_network])]
            found["lab_network"] = self.lab_network if self.lab_network in names else None
            have = {tag for img in inner.images.list() for tag in img.tags}
            found["missing_images"] = [n for n in self._wanted_images() if n not in have]
        except (DockerException, OSError) as err:  # node-1's engine starting or stopped
            found["error"] = f"node-1's engine: {type(err).__name__}: {err}"
        return found

    def status(self) -> Status:
        """The node containers, and each swarm node's role and readiness from node-1."""
        ctrs = {c.name: c.status for c in self._containers()}
        nets = self.client.networks.list(filters=label_filters(self.chapter.id))
        has_net = any(n.name == self.network for n in nets)
        inner = self.nodes_status()
        objects = dict(ctrs)
        for host, n in inner["nodes"].items():
            objects[f"node {host}"] = f"{n['role']}{' leader' if n['leader'] else ''}, {n['state']}"
        ready = self._ready(inner)
        summary = (f"{len(inner['nodes'])} swarm node(s) ready" if ready else
                   "not up" if not ctrs else "incomplete")
        if inner["lab_network"]:
            summary += f"; network {inner['lab_network']}"
        return Status(self.chapter.id, self.name, ready, summary,
                      network=self.network if has_net else None, objects=objects,
                      missing_images=inner["missing_images"], endpoint=inner["docker_host"],
                      error=inner.get("error"))

    def _wanted_images(self) -> list[str]:
        return node_images(self.chapter.id) if self._images is None else list(self._images)

    def _ready(self, st: dict | None = None) -> bool:
        st = self.nodes_status() if st is None else st
        want = {n.hostname for n in self.nodes}
        return (set(st["nodes"]) == want and all(n["ready"] for n in st["nodes"].values())
                and st["lab_network"] is not None)

    # --- up -----------------------------------------------------------------------

    def _up(self, ledger: Ledger, *, progress: bool) -> list[str]:
        """Start the nodes, form the swarm, load the images, create the overlay network.

        Returns what was done ([] when the swarm is already up). Every node container,
        volume and the network are recorded in the ledger before they are created, so
        an interrupted ``up`` removes them (:meth:`undo`).
        """
        from grader import images

        client, flt = self.client, label_filters(self.chapter.id)
        if self._containers() or client.networks.list(filters=flt) or client.volumes.list(filters=flt):
            if self._ready():
                return []
            raise LabError(f"{self.chapter.id}: a {self.name} environment exists but is not "
                           f"complete: run `lab env down {self.chapter.id}` first")
        done: list[str] = []
        need = images.missing(images.resolve([NODE_IMAGE, *self._wanted_images()]), client)
        if need:
            images.build([s.name for s in need], client=client, progress=progress)
            done.append(f"built {len(need)} image(s): " + ", ".join(s.name for s in need))
        ledger.about_to("network", self.network)
        client.networks.create(self.network, driver="bridge",
                               labels=labels.lab_labels(self.chapter.id, CREATED_BY))
        done.append(f"created network {self.network}")
        start = time.monotonic()
        mode, why, ctrs = self._start_nodes(ledger)
        if mode == "capabilities":
            done.append(f"the engine refuses --privileged ({why}): nodes run with "
                        f"{CAPABILITY_FLAGS} instead")
        for node in self.nodes:
            self._wait_engine(ctrs[node.hostname])
        self._form_swarm(ctrs)
        managers = sum(n.role == "manager" for n in self.nodes)
        done.append(f"swarm of {len(self.nodes)} nodes ({managers} manager(s), node-1 leader; "
                    f"{len(self.nodes) - managers} worker(s)) in {time.monotonic() - start:.1f} s")
        wanted = self._wanted_images()
        if wanted:
            start = time.monotonic()
            size = self._load_images(wanted, list(ctrs.values()), progress)
            done.append(f"loaded {len(wanted)} image(s) ({size / 1e6:.0f} MB) into "
                        f"{len(ctrs)} nodes in {time.monotonic() - start:.1f} s")
        self.inner().networks.create(self.lab_network, driver="overlay", attachable=True,
                                     labels=labels.lab_labels(self.chapter.id, "env"))
        done.append(f"created overlay network {self.lab_network} (attachable)")
        done.append(f"DOCKER_HOST={self.docker_host()}")
        return done

    def undo(self, entries: list[dict]) -> list[str]:
        """Remove what an interrupted ``up`` recorded: containers first (newest first),
        then their volumes and the network; the label sweep of :meth:`down` follows."""
        gone = undo_docker(self.client, entries)
        self.down()
        return gone

    def _start_nodes(self, ledger: Ledger) -> tuple[str, str, dict]:
        """Create and start every node: (mode, why --privileged was refused, hostname -> container)."""
        from docker.errors import APIError

        mode, why, ctrs = "privileged", "", {}
        for node in self.nodes:
            while True:
                try:
                    ctrs[node.hostname] = self._create_node(node, mode, ledger)
                    ctrs[node.hostname].start()
                    break
                except APIError as err:
                    text = str(err.explanation or err)
                    refused = ctrs.pop(node.hostname, None)
                    if refused is not None:  # created, but the engine would not start it
                        refused.remove(force=True)
                    if mode == "privileged":
                        mode, why = "capabilities", text.rpartition("container process: ")[2]
                        continue
                    option = blame(text)
                    raise LabError((f"the engine refuses to start a dind node with {option}" if option
                                    else "the engine cannot start a dind node") + f" ({text.strip()}): "
                                   "use an engine that allows --privileged containers, or the "
                                   "single-engine `swarm` provider") from None
        return mode, why, ctrs

    def _create_node(self, node: Node, mode: str, ledger: Ledger):
        """Create (not start) the container of ``node`` and, once, its labelled volume."""
        api, cid = self.client.api, self.chapter.id
        name = container_name(cid, node)
        volume = f"{name}-docker"
        if not any(e["name"] == volume for e in ledger.entries()):
            ledger.about_to("volume", volume)
            self.client.volumes.create(volume, labels=labels.lab_labels(cid, CREATED_BY))
        first = node == self.nodes[0]
        from grader import workspace
        binds = {volume: {"bind": "/var/lib/docker", "mode": "rw"}}
        # the notebooks bind-mount lab files (`-v $PWD/dev-secrets:/run/secrets`): the
        # node's engine resolves that path in the node, so the workspaces must be there
        home = workspace.home()
        home.mkdir(parents=True, exist_ok=True)
        binds[str(home)] = {"bind": str(home), "mode": "ro"}
        host_config = api.create_host_config(binds=binds,
                                             port_bindings={API_PORT: ("127.0.0.1", None)} if first else None)
        host_config.update(run_options(mode))
        ledger.about_to("container", name)
        created = api.create_container(
            NODE_IMAGE, name=name, hostname=node.hostname, detach=True, host_config=host_config,
            labels={**labels.lab_labels(cid, CREATED_BY), NODE_LABEL: node.hostname, ROLE_LABEL: node.role},
            environment={"DOCKERD_TCP": "1"} if first else None, ports=[2375] if first else None,
            networking_config=api.create_networking_config({self.network: api.create_endpoint_config()}))
        return self.client.containers.get(created["Id"])

    def _wait_engine(self, ctr) -> None:
        def answers():
            ctr.reload()
            if ctr.status != "running":
                tail = ctr.logs(tail=3).decode(errors="replace").strip().replace("\n", " | ")
                raise poll.GaveUp(f"{ctr.name} stopped: {tail}")
            return ctr.exec_run(["docker", "version", "--format", "{{.Server.Version}}"]).exit_code == 0
        try:
            poll.wait_for(answers, timeout=ENGINE_TIMEOUT, interval=0.3,
                          what=f"the Docker engine inside {ctr.name}")
        except (poll.Timeout, poll.GaveUp) as err:
            raise LabError(str(err).splitlines()[0]) from None

    def _address(self, ctr) -> str:
        ctr.reload()
        return ctr.attrs["NetworkSettings"]["Networks"][self.network]["IPAddress"]

    def _run(self, ctr, argv: list[str]) -> str:
        res = ctr.exec_run(argv)
        out = res.output.decode(errors="replace").strip()
        if res.exit_code != 0:
            raise LabError(f"{ctr.name}: `{' '.join(argv[:3])}` failed: {out.splitlines()[-1] if out else res.exit_code}")
        return out

    def _form_swarm(self, ctrs: dict) -> None:
        leader = ctrs[self.nodes[0].hostname]
        lead_ip = self._address(leader)
        self._run(leader, ["docker", "swarm", "init", "--advertise-addr", lead_ip])
        tokens = {role: self._run(leader, ["docker", "swarm", "join-token", "-q", role])
                  for role in ("manager", "worker")}
        for node in self.nodes[1:]:
            ctr = ctrs[node.hostname]
            self._run(ctr, join_command(tokens[node.role], lead_ip, self._address(ctr)))
        inner = self.inner()
        want = {n.hostname for n in self.nodes}
        try:
            poll.wait_for(lambda: {n.attrs["Description"]["Hostname"] for n in inner.nodes.list()
                                   if n.attrs["Status"]["State"] == "ready"} >= want,
                          timeout=JOIN_TIMEOUT, interval=0.5, what="every node Ready in the swarm")
        except poll.Timeout as err:
            raise LabError(str(err)) from None

    def _load_images(self, names: list[str], ctrs: list, progress: bool) -> int:
        """Save ``names`` once from the outer engine, load them into every node at once."""
        # a method of its own, so that a test can interrupt up() right after the swarm forms
        return dindimages.load_images(self.client, names, ctrs, progress=progress)

    def share_images(self, names: list[str], *, progress: bool = False) -> None:
        """Copy images from node-1 (built there, e.g. by the notebooks) to every other node.

        The nodes cannot pull, so a service whose image exists only on node-1 has its tasks
        rejected elsewhere ("No such image"); this makes the image available on every node.
        """
        inner, others = self.inner(timeout=600), [c for c in self._containers()
                                                  if c.labels.get(NODE_LABEL) != self.nodes[0].hostname]
        dindimages.share_images(inner, self.client, names, others, progress=progress)

    # --- down ---------------------------------------------------------------------

    def down(self) -> Removed:
        """Remove exactly the node containers, their volumes and the nodes network (by
        label), and what a ledger left by an ``up`` that was killed outright names."""
        from docker.errors import APIError

        c, flt, gone = self.client, label_filters(self.chapter.id), Removed()
        undo_docker(c, self.ledger().entries(), late=0)
        self.ledger().clear()
        for ctr in c.containers.list(all=True, filters=flt):
            ctr.remove(force=True, v=True)
            gone.containers.append(ctr.name)
        for vol in c.volumes.list(filters=flt):
            with contextlib.suppress(APIError):  # gone already, or used by a stranger
                vol.remove(force=True)
                gone.volumes.append(vol.name)
        for net in c.networks.list(filters=flt):
            with contextlib.suppress(APIError):
                net.remove()
                gone.networks.append(net.name)
        return gone


def share_built_images(chapter_id: str, names: list[str]) -> str:
    """For the notebooks, right after they build ``names`` on node-1: on a ``swarm-dind``
    environment, copy the images to every other node (they cannot pull, and swarm
    rejects a task whose image its node lacks); elsewhere there is nothing to do.
    Returns one line saying which."""
    from grader import chapters, providers

    chapter = chapters.get(chapter_id, need_ready=False)
    if providers.chosen(chapter) != DindSwarm.name:
        return f"{', '.join(names)}: one engine runs every task here, nothing to share"
    prov = DindSwarm(chapter, dindreach.outer_client())
    others = len(prov._containers()) - 1
    start = time.monotonic()
    prov.share_images(names)
    return (f"{', '.join(names)}: copied from node-1 to the {others} other node(s) of the "
            f"swarm in {time.monotonic() - start:.1f} s")
