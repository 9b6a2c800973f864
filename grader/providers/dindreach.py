"""Reaching the nodes of a ``swarm-dind`` swarm from outside it.

``lab`` commands and the notebooks talk to node-1's engine (DOCKER_HOST). The other
nodes serve only their unix socket inside their container: the grader reaches them with
``docker exec`` into the node container, through the *outer* engine that runs the
nodes. :meth:`grader.providers.swarm_dind.DindSwarm.activate` remembers that engine in
``LAB_DIND_OUTER_HOST`` before it points DOCKER_HOST at node-1, so the processes it
starts (checks, notebook kernels) find it again.
"""

from __future__ import annotations

import os

from grader.errors import LabError
from grader.providers.dindnodes import NODE_LABEL, label_filters

OUTER_ENV = "LAB_DIND_OUTER_HOST"
DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"


def outer_client(timeout: int = 60):
    """A docker SDK client for the engine that runs the node containers."""
    import docker
    from docker.errors import DockerException

    base = os.environ.get(OUTER_ENV) or DEFAULT_ENDPOINT
    try:
        client = docker.DockerClient(base_url=base, timeout=timeout)
        client.ping()
    except (DockerException, OSError) as err:
        raise LabError(f"the engine that runs the swarm-dind nodes does not answer at {base} "
                       f"({type(err).__name__}): set {OUTER_ENV} to it") from None
    return client


def node_container(client, chapter_id: str, hostname: str, node_id: str | None = None):
    """The running container of swarm node ``hostname`` of the chapter's dind swarm on
    the outer engine ``client``, or None. With ``node_id``, only if the engine inside
    it is that swarm node (not a node of another swarm with the same name)."""
    flt = label_filters(chapter_id)
    flt = {"label": [*flt["label"], f"{NODE_LABEL}={hostname}"], "status": "running"}
    found = client.containers.list(filters=flt)
    if not found:
        return None
    ctr = found[0]
    if node_id is not None:
        res = ctr.exec_run(["docker", "info", "--format", "{{.Swarm.NodeID}}"])
        if res.exit_code != 0 or res.output.decode(errors="replace").strip() != node_id:
            return None
    return ctr


def task_access(task: dict, *, client, local_node: str | None, chapter_id: str,
                hostname: str, outer=None):
    """A :class:`grader.probes.ContainerAccess` for the container of swarm task
    ``task`` (``docker inspect`` of the task): directly through ``client`` when the task
    runs on ``local_node`` (the node that engine is), else through the node container
    on the outer engine (``outer``, by default :func:`outer_client`). None when the
    task's node cannot be reached that way (a swarm that is not a swarm-dind one)."""
    from grader.probes import ContainerAccess

    cid = ((task.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID")
    if not cid:
        return None
    where = f"node {hostname}"
    if task.get("NodeID") == local_node:
        return ContainerAccess(cid, client=client, where=where)
    try:
        outer = outer or outer_client()
    except LabError:
        return None
    node = node_container(outer, chapter_id, hostname, task.get("NodeID"))
    return ContainerAccess(cid, node=node, where=where) if node is not None else None
