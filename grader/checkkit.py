"""Everything a check module imports, from one place.

A check module writes ``from grader.checkkit import check, answers, poll, ...`` and
takes its fixtures (``lab``, ``state``, ``swarm``, ``kube``, ``kube_api``,
``docker_client``, ``container_host``, ``details``, ``grader_labels``) from the
pytest plugin :mod:`grader.plugin`. Helpers shared by several chapters live here or
in the modules this file names, never in a chapter's conftest.
"""

from __future__ import annotations

import base64
import shlex

from grader import answers, poll, rollout, stackfile  # noqa: F401  (re-exported)
from grader.checks import NeedsLive, check, pending  # noqa: F401
from grader.probes import host_url, http, redis_ping, throwaway, wait_http  # noqa: F401
from grader.traffic import Traffic  # noqa: F401


def read_files(host, *paths: str) -> dict:
    """``{path: (mode, text) or None}`` read with one exec for all paths inside a
    testinfra host (testinfra's File would take three execs per file)."""
    script = "; ".join(
        f"if [ -e {shlex.quote(p)} ]; then printf '%s %s\\n' \"$(stat -c %a {shlex.quote(p)})\" "
        f"\"$(base64 -w0 {shlex.quote(p)})\"; else echo missing; fi" for p in paths)
    lines = host.check_output(script).splitlines()
    assert len(lines) == len(paths), (
        f"reading {', '.join(paths)} gave {len(lines)} line(s) of output, not {len(paths)}")
    found = {}
    for path, line in zip(paths, lines, strict=True):
        if line == "missing":
            found[path] = None
        else:
            mode, _, data = line.partition(" ")
            found[path] = (int(mode, 8), base64.b64decode(data).decode(errors="replace"))
    return found


def params_number(lab, key: str, default: float) -> float:
    """A numeric ``--param KEY=VALUE`` of the run; an AssertionError-free LabError-style
    message when it is not a number (the grader's input, not the student's)."""
    from grader.errors import LabError
    try:
        return float(lab.params.get(key, default))
    except ValueError:
        raise LabError(f"--param {key} must be a number") from None


# --- Kubernetes helpers ---
# For checks that read manifests (static) and the cluster snapshot ``kube`` (live).
# Nothing here imports the Kubernetes client: behaviour checks make a
# ``kube_actions.Session`` from the ``kube_api`` fixture, which imports it then.

from grader.errors import LabError
from grader.kube import actions as kube_actions  # noqa: F401
from grader.kube import manifests, subset  # noqa: F401
from grader.kube.actions import describe as describe_pod  # noqa: F401
from grader.kube.actions import is_ready as pod_ready  # noqa: F401
from grader.state.kube import selects  # noqa: F401  (label selector semantics)


def kube_require(kube, *kinds: str) -> None:
    """LabError (the check errors) when the snapshot did not read one of ``kinds``: a
    kind that was not read is not a kind with no objects, and never a pass."""
    missing = [k for k in kinds if not kube.read(k)]
    if missing:
        raise LabError(f"the cluster snapshot{' ' + kube.source if kube.source else ''} did "
                       f"not read {', '.join(missing)}: take the dump with "
                       "`lab dump` or `kubectl get <kinds> -A -o json`")


def kube_object(kube, kind: str, name: str) -> dict:
    """The object ``kind``/``name`` of the graded namespace; a failing assertion that
    names what is there otherwise."""
    kube_require(kube, kind)
    obj = kube.get(kind, name)
    if obj is None:
        there = sorted((o.get("metadata") or {}).get("name", "?") for o in kube.of(kind))
        raise AssertionError(f"no {kind} {name} in namespace {kube.namespace}"
                             + (f" (there: {', '.join(there[:8])})" if there else ""))
    return obj


def manifest_object(lab, relative: str, kind: str, name: str) -> dict:
    """The object ``kind``/``name`` of a manifest in the lab folder, after the file has
    parsed and validated against the Kubernetes schema (a failing assertion with the
    file, line and field otherwise)."""
    objs = manifests.read(lab.require(relative))
    obj = manifests.find(objs, kind, name)
    if obj is None:
        have = ", ".join(f"{o.get('kind')} {(o.get('metadata') or {}).get('name')}" for o in objs)
        raise AssertionError(f"{relative} has no {kind} named {name} (it has {have})")
    return obj


def labels_text(labels: dict | None) -> str:
    """``app=web`` (or ``no labels``) for messages."""
    return ", ".join(f"{k}={v}" for k, v in (labels or {}).items()) or "no labels"


def condition(obj: dict, kind: str) -> dict | None:
    """The status condition of type ``kind`` (``Ready``) of an object, if any."""
    return next((c for c in (obj.get("status") or {}).get("conditions") or []
                 if c.get("type") == kind), None)


def pod_container(obj: dict, name: str) -> dict | None:
    """Container ``name`` of a Pod, or of the pod template of a ReplicaSet/Deployment."""
    spec = obj.get("spec") or {}
    spec = (spec.get("template") or {}).get("spec") or spec
    return next((c for c in spec.get("containers") or [] if c.get("name") == name), None)
