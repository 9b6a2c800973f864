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


# how long ``lab doctor`` waits for a kube API server to answer
KUBE_PROBE_TIMEOUT = 0.6


def probe_api(server: str | None, timeout: float = KUBE_PROBE_TIMEOUT) -> tuple[bool, str]:
    """Whether the API server at ``server`` answers ``GET /version`` within ``timeout``,
    and what it said. No credentials are sent (``/version`` is public in Kubernetes'
    default RBAC) and the kubernetes client is not imported (it takes seconds), so this
    says the server answers, not that the credentials are still valid."""
    import json
    import ssl
    import urllib.error
    import urllib.request

    if not server:
        return False, "the context names no server"
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(server.rstrip("/") + "/version", timeout=timeout,
                                    context=ctx) as r:
            version = json.loads(r.read() or b"{}").get("gitVersion", "")
    except urllib.error.HTTPError as err:
        if err.code in (401, 403):  # it answered; it wants credentials for /version
            return True, f"answers at {server} (HTTP {err.code} without credentials)"
        return False, (f"answered HTTP {err.code} at {server}: not a Kubernetes API server "
                       "(a proxy in between?)")
    except (OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        return False, f"does not answer at {server} within {timeout:g}s ({reason})"
    if not version:
        return False, f"{server} answered, but not like a Kubernetes API server"
    return True, f"answers at {server} (Kubernetes {version})"


def _cgroup_v1_blocks_kind(kind_version: str, cgroup: str | None) -> bool:
    """kind v0.31+ defaults to Kubernetes 1.35+, which dropped cgroup v1 (kind v0.31.0
    release notes); LAB_KIND_IMAGE picks another node image."""
    import re

    m = re.search(r"v(\d+)\.(\d+)", kind_version or "")
    newer = bool(m) and (int(m.group(1)), int(m.group(2))) >= (0, 31)
    return newer and str(cgroup) == "1" and not os.environ.get("LAB_KIND_IMAGE")


def existing_context() -> tuple[bool, str]:
    """Whether the ``existing`` provider works: a current kube context (or
    LAB_KUBE_CONTEXT) whose API server answers within :data:`KUBE_PROBE_TIMEOUT`."""
    from grader.kube import labconfig

    try:
        doc, _ = labconfig.load()
    except Exception as err:  # noqa: BLE001  a broken kubeconfig is a finding, not a crash
        return False, str(err)
    context = os.environ.get("LAB_KUBE_CONTEXT") or labconfig.current_context(doc)
    if not context:
        return False, "no current kube context (`kubectl config use-context NAME`)"
    ok, said = probe_api(labconfig.server(doc, context))
    return ok, f"context {context} {said}"


def provider_facts(facts: dict, existing: tuple[bool, str] | None = None) -> dict:
    """For each environment provider: whether it works on this machine, and if not, why.
    Built from the facts already gathered; ``existing`` is :func:`existing_context`'s
    answer when it was found already (it is asked here otherwise)."""
    from grader.providers import REGISTRY
    from grader.providers.dindimages import NODE_IMAGE

    d = facts["docker"]
    engine = (True, f"engine at {d['endpoint']}") if d["reachable"] else \
        (False, d.get("error") or "Docker engine not reachable")
    found: dict[str, dict] = {}
    for name in REGISTRY:
        ok, why = engine
        if name == "swarm" and ok:
            worker = d.get("swarm") == "active" and not d.get("swarm_manager")
            ok, why = (False, ("this engine is a swarm worker: run on a manager, or "
                               "`docker swarm leave`")) if worker else \
                (True, "this engine is a swarm manager" if d.get("swarm") == "active"
                 else "`lab env up` makes this engine a single-node swarm manager")
        elif name == "swarm-dind" and ok:
            imgs = d.get("lab_images") or {}
            if "error" in imgs:
                ok, why = False, f"cannot tell whether {NODE_IMAGE} is built: {imgs['error']}"
            elif NODE_IMAGE in imgs.get("missing", []):
                ok, why = False, f"{NODE_IMAGE} is not built: run `lab images build dind`"
            else:
                ok, why = True, f"{NODE_IMAGE} built, {why}"
        elif name == "kind":
            if not facts.get("kind"):
                ok, why = False, ("kind is not installed: "
                                  "https://kind.sigs.k8s.io/docs/user/quick-start/#installation")
            elif ok and _cgroup_v1_blocks_kind(facts["kind"], d.get("cgroup_version")):
                ok, why = False, (f"{facts['kind']} on a cgroup v1 engine: its default node "
                                  "image (Kubernetes 1.35+) needs cgroup v2; set LAB_KIND_IMAGE "
                                  "to a kindest/node:v1.34 image from your kind release notes")
            elif ok:
                why = f"{facts['kind']}, {why}"
        elif name == "existing":
            ok, why = existing if existing is not None else existing_context()
        found[name] = {"works": ok, "why": why}
    return found


def gather() -> dict:
    """Every fact ``lab doctor`` reports, as plain data."""
    import threading

    # the kube API probe waits for the network: it runs while the rest is gathered
    existing: list = []
    probe = threading.Thread(target=lambda: existing.append(existing_context()), daemon=True)
    probe.start()
    compose_v2 = _run(["docker", "compose", "version", "--short"])
    compose_v1 = _run(["docker-compose", "version", "--short"])
    kubectl = _tool("kubectl")
    hadolint = _tool("hadolint")
    facts = {
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
    probe.join(KUBE_PROBE_TIMEOUT + 2)
    facts["providers"] = provider_facts(facts, existing[0] if existing else None)
    return facts


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
    found = [
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
    for name, p in (facts.get("providers") or {}).items():
        found.append((f"provider {name}", ("works: " if p["works"] else "no: ") + p["why"],
                      p["works"]))
    return found
