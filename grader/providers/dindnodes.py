"""The nodes of a ``swarm-dind`` swarm: their names, roles, the container options that
let dockerd run inside, and the swarm commands; pure functions, no engine calls."""

from __future__ import annotations

import os
from dataclasses import dataclass

from grader import labels
from grader.errors import LabError

CREATED_BY = "swarm-dind"
NODE_LABEL = "org.container-labs.node"
ROLE_LABEL = "org.container-labs.swarm-role"
API_PORT = "2375/tcp"
MAX_NODES = 9
ENGINE_TIMEOUT = 90.0  # seconds for an inner dockerd to answer
JOIN_TIMEOUT = 60.0    # seconds for every node to be Ready in `docker node ls`

# HostConfig fields of the Docker API (the SDK has no MaskedPaths/ReadonlyPaths: the CLI's
# `--security-opt systempaths=unconfined` is the client turning them into empty lists).
PRIVILEGED = {"Privileged": True}
# Where the engine refuses --privileged (its own dockerd lacks a capability, e.g. a
# sandboxed VM without CAP_SYS_RESOURCE: "unable to apply caps"), these come close.
CAPABILITIES = {
    "CapAdd": ["ALL"],
    "CapDrop": ["SYS_RESOURCE"],
    "SecurityOpt": ["seccomp=unconfined", "apparmor=unconfined"],
    "MaskedPaths": [],
    "ReadonlyPaths": [],
    "DeviceCgroupRules": ["a *:* rwm"],
}
CAPABILITY_FLAGS = ("--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined "
                    "--security-opt apparmor=unconfined --security-opt systempaths=unconfined "
                    "--device-cgroup-rule 'a *:* rwm'")
# words of an engine error -> the option it refuses
_BLAME = {("seccomp",): "--security-opt seccomp=unconfined",
          ("systempaths", "maskedpaths", "readonlypaths"): "--security-opt systempaths=unconfined",
          ("apparmor",): "--security-opt apparmor=unconfined",
          ("device cgroup", "devices.allow", "cgroup rule"): "--device-cgroup-rule 'a *:* rwm'",
          ("apply caps", "capabilit"): "--cap-add ALL",
          ("privileged",): "--privileged"}


@dataclass(frozen=True)
class Node:
    """One swarm node: its hostname inside the swarm and its role."""

    hostname: str
    role: str  # "manager" or "worker"


def plan_nodes(managers: int, workers: int) -> list[Node]:
    """node-1 … node-N, the first ``managers`` of them managers; LabError if out of range."""
    if managers < 1 or workers < 0 or managers + workers > MAX_NODES:
        raise LabError(f"a dind swarm needs 1 to {MAX_NODES} nodes, at least one manager "
                       f"(asked: {managers} manager(s), {workers} worker(s))")
    return [Node(f"node-{i}", "manager" if i <= managers else "worker")
            for i in range(1, managers + workers + 1)]


def container_name(chapter_id: str, node: Node) -> str:
    """The outer container of ``node``: ``<chapter>-node-<i>`` (node-1 stays its hostname)."""
    return f"{chapter_id}-{node.hostname}"


def run_options(mode: str) -> dict:
    """HostConfig fields that let dockerd run inside: mode ``privileged`` or ``capabilities``."""
    if mode == "privileged":
        return dict(PRIVILEGED)
    if mode == "capabilities":
        return {k: list(v) for k, v in CAPABILITIES.items()}
    raise ValueError(mode)


def blame(error: str) -> str | None:
    """The node option an engine error message refuses; None when it names none."""
    text = error.lower()
    return next((opt for words, opt in _BLAME.items() if any(w in text for w in words)), None)


def join_command(token: str, manager_addr: str, advertise_addr: str) -> list[str]:
    """``docker swarm join`` argv for a node at ``advertise_addr`` joining ``manager_addr``."""
    return ["docker", "swarm", "join", "--token", token,
            "--advertise-addr", advertise_addr, f"{manager_addr}:2377"]


def label_filters(chapter_id: str) -> dict:
    """The filter that selects exactly what this provider made on the outer engine."""
    return {"label": [labels.lab_label(chapter_id), f"{labels.CREATED_BY}={CREATED_BY}"]}


def env_count(var: str, default: int) -> int:
    value = os.environ.get(var, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise LabError(f"{var}={value!r} is not a number of nodes")
    return int(value)
