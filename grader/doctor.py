"""``lab doctor``: what this machine can do, found out rather than assumed."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path


def _run(argv: list[str], timeout: float = 10) -> str | None:
    """First line of a command's output, or None if it is absent or fails."""
    if shutil.which(argv[0]) is None and not Path(argv[0]).exists():
        return None
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = (p.stdout or p.stderr).strip()
    return out.splitlines()[0] if p.returncode == 0 and out else None


def _tool(name: str) -> str | None:
    """A tool next to this Python (wheels install there) or on PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


def kube_context() -> dict:
    """The current context of the kubeconfig, read as YAML (no cluster call)."""
    import yaml

    path = Path(os.environ.get("KUBECONFIG", "~/.kube/config").split(os.pathsep)[0]).expanduser()
    if not path.is_file():
        return {"kubeconfig": str(path), "current_context": None, "contexts": []}
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError:
        return {"kubeconfig": str(path), "current_context": None, "contexts": [],
                "error": "not valid YAML"}
    return {"kubeconfig": str(path), "current_context": doc.get("current-context"),
            "contexts": [c.get("name") for c in doc.get("contexts") or []]}


def docker_facts() -> dict:
    """Engine reachability, version, storage driver, swarm state, lab images present."""
    from grader import engine
    from grader.errors import LabError

    facts: dict = {"endpoint": engine.endpoint(), "reachable": False}
    try:
        c = engine.client(timeout=10)
    except LabError as err:
        facts["error"] = str(err)
        return facts
    info = c.info()
    facts.update(reachable=True, server_version=c.version().get("Version"),
                 storage_driver=info.get("Driver"), cgroup_version=info.get("CgroupVersion"),
                 swarm=(info.get("Swarm") or {}).get("LocalNodeState") or "inactive",
                 swarm_manager=bool((info.get("Swarm") or {}).get("ControlAvailable")),
                 containers_running=info.get("ContainersRunning"))
    try:
        from grader import images
        specs = images.load_manifest()
        missing = images.missing(specs, c)
        facts["lab_images"] = {"total": len(specs), "missing": [s.name for s in missing]}
    except Exception as err:  # a broken manifest must not hide the other facts
        facts["lab_images"] = {"error": f"{type(err).__name__}: {err}"}
    return facts


def gather() -> dict:
    """Every fact ``lab doctor`` reports, as plain data."""
    compose_v2 = _run(["docker", "compose", "version", "--short"])
    compose_v1 = _run(["docker-compose", "version", "--short"])
    kubectl = _tool("kubectl")
    hadolint = _tool("hadolint")
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "root": hasattr(os, "geteuid") and os.geteuid() == 0,
        "docker_cli": _run(["docker", "--version"]),
        "docker": docker_facts(),
        "compose": (f"docker compose {compose_v2}" if compose_v2 else
                    f"docker-compose {compose_v1}" if compose_v1 else None),
        "kind": _run(["kind", "version"]),
        "kubectl": _run([kubectl, "version", "--client"]) if kubectl else None,
        "kube": kube_context(),
        "hadolint": _run([hadolint, "--version"]) if hadolint else None,
        "debootstrap": shutil.which("debootstrap") or (
            "/usr/sbin/debootstrap" if Path("/usr/sbin/debootstrap").exists() else None),
    }


def rows(facts: dict) -> list[tuple[str, str, bool]]:
    """(what, finding, ok) rows for the table."""
    d = facts["docker"]
    if d["reachable"]:
        eng = (f"{d['server_version']} at {d['endpoint']} · storage {d['storage_driver']} · "
               f"cgroup v{d['cgroup_version']}")
    else:
        eng = d.get("error", "not reachable")
    imgs = d.get("lab_images") or {}
    if "error" in imgs:
        img_text, img_ok = imgs["error"], False
    elif imgs:
        miss = imgs["missing"]
        img_text = (f"all {imgs['total']} built" if not miss else
                    f"{imgs['total'] - len(miss)}/{imgs['total']} built; run `lab images build`")
        img_ok = not miss
    else:
        img_text, img_ok = "unknown (engine not reachable)", False
    kube = facts["kube"]
    ctx = kube["current_context"] or f"none ({kube['kubeconfig']})"
    return [
        ("Python", f"{facts['python']} on {facts['platform']}", True),
        ("Docker engine", eng, d["reachable"]),
        ("Docker swarm", (d.get("swarm", "?") + (" (manager)" if d.get("swarm_manager") else ""))
         if d["reachable"] else "unknown", d["reachable"]),
        ("Compose", facts["compose"] or "not found (needed for ch10.compose)", bool(facts["compose"])),
        ("Lab images", img_text, img_ok),
        ("kind", facts["kind"] or "not found (install it for ch15/ch16 on your machine)",
         bool(facts["kind"])),
        ("kubectl", facts["kubectl"] or "not found", bool(facts["kubectl"])),
        ("Kube context", ctx, bool(kube["current_context"])),
        ("hadolint", facts["hadolint"] or "not found (static Dockerfile hints are fewer)",
         bool(facts["hadolint"])),
        ("debootstrap", (facts["debootstrap"] or "not found") +
         ("" if facts["root"] else " (building the base image needs root)"),
         bool(facts["debootstrap"]) and facts["root"]),
    ]
