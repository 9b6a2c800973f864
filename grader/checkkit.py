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
from grader.probes import (  # noqa: F401
    host_url, http, image_files, image_holds, redis_ping, throwaway, wait_http)
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
from grader.kube import inside as kube_inside  # noqa: F401
from grader.kube import rollouts as kube_rollouts  # noqa: F401
from grader.kube import services as kube_services  # noqa: F401
from grader.kube.traffic import ClusterTraffic  # noqa: F401
from grader.kube.pods import describe as describe_pod  # noqa: F401
from grader.kube.pods import is_ready as pod_ready  # noqa: F401
from grader.state.kube import selects  # noqa: F401  (label selector semantics)


def kube_require(kube, *kinds: str) -> None:
    """LabError (the check errors) when the snapshot did not read one of ``kinds``: a
    kind that was not read is not a kind with no objects, and never a pass.
    ``"EndpointSlice|Endpoints"``: either will do (older clusters have only the second)."""
    missing = [k for k in kinds if not any(kube.read(alt) for alt in k.split("|"))]
    if missing:
        raise LabError(f"the cluster snapshot{' ' + kube.source if kube.source else ''} did "
                       f"not read {', '.join(k.replace('|', ' or ') for k in missing)}: take the dump with "
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


def secret_data(secret: dict) -> dict[str, bytes]:
    """The values of a Secret (a manifest, or as the API server returns it), decoded:
    ``data`` is base64, ``stringData`` plain text and wins for a key in both (as on the
    server). A failing assertion naming a ``data`` value that is not base64."""
    import binascii
    found: dict[str, bytes] = {}
    for key, value in ((secret.get("data") or {})).items():
        try:
            found[key] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            raise AssertionError(f"Secret {(secret.get('metadata') or {}).get('name')}: "
                                 f"data.{key} is not base64 ({str(value)[:40]!r}): under "
                                 "data every value is base64 (plain text goes under "
                                 "stringData)") from None
    for key, value in ((secret.get("stringData") or {})).items():
        found[key] = str(value).encode()
    return found


def workload_pods(kube, owner: dict) -> list[dict]:
    """The pods of a Deployment (through the ReplicaSets it owns), a StatefulSet or a
    ReplicaSet in the snapshot, terminating ones left out."""
    owners = kube.owned_by("ReplicaSet", owner) if owner.get("kind") == "Deployment" else [owner]
    return [p for o in owners for p in kube.owned_by("Pod", o)
            if not (p.get("metadata") or {}).get("deletionTimestamp")]


def container_port(container: dict | None, port) -> int | None:
    """A probe's (or a Service's target) port as a number: a name resolves through the
    container's named ports; None when it does not."""
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    return next((p.get("containerPort") for p in (container or {}).get("ports") or []
                 if p.get("name") == port), None)


def workload_problem(obj: dict, where: str, labels: dict) -> str | None:
    """A Deployment/StatefulSet/ReplicaSet whose selector does not select its own pod
    template (the API server refuses it), or not ``labels`` (what the lab's Services
    select): what is wrong, else None."""
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    template = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not selects(selector, template):
        return (f"{where}: the selector ({labels_text(selector.get('matchLabels'))}) does not "
                f"select the pod template's labels ({labels_text(template)}): the API server "
                "refuses it")
    narrow = all((selector.get("matchLabels") or {}).get(k) == v for k, v in labels.items())
    if not (selects(selector, labels) and selects(labels, template) and narrow):
        return (f"{where}: selects {labels_text(selector.get('matchLabels'))} with pod labels "
                f"{labels_text(template)}; the lab uses {labels_text(labels)} for both (a "
                "selector with fewer labels takes in other workloads' pods)")
    return None


def container_problem(obj: dict, where: str, name: str, image: str, port: int | None = None) -> str | None:
    """Container ``name`` of a pod (template) missing, running another image, pulling
    always (lab images are on the nodes, in no registry) or not declaring ``port``/TCP."""
    c = pod_container(obj, name)
    if c is None:
        spec = obj.get("spec") or {}
        names = [x.get("name") for x in ((spec.get("template") or {}).get("spec") or spec).get("containers") or []]
        return f"{where}: no container named {name} (it has {', '.join(map(str, names)) or 'none'})"
    if c.get("image") != image:
        return f"{where}: container {name} runs {c.get('image')!r}, not {image}"
    if c.get("imagePullPolicy") == "Always":
        return (f"{where}: container {name} has imagePullPolicy Always, but {image} is in no "
                "registry, only on the cluster's nodes: use IfNotPresent")
    ports = [(p.get("containerPort"), p.get("protocol", "TCP")) for p in c.get("ports") or []]
    if port is not None and (port, "TCP") not in ports:
        return f"{where}: container {name} declares ports {ports or 'none'}, not {port}/TCP"
    return None


def service_problem(svc: dict, where: str, kind: str, port: int) -> str | None:
    """A Service not of type ``kind``, without ``port``, sending it to another
    targetPort, or with a nodePort outside 30000-32767: what is wrong, else None."""
    spec = svc.get("spec") or {}
    name = (svc.get("metadata") or {}).get("name")
    if spec.get("type", "ClusterIP") != kind:
        return f"{where}: Service {name} is of type {spec.get('type', 'ClusterIP')}, not {kind}"
    ports = spec.get("ports") or []
    mine = next((p for p in ports if p.get("port") == port), None)
    if mine is None:
        return f"{where}: Service {name} has ports {[p.get('port') for p in ports]}, not {port}"
    if mine.get("targetPort", port) != port:
        return f"{where}: port {port} goes to targetPort {mine['targetPort']!r}, not {port}"
    node_port = mine.get("nodePort")
    if node_port is not None and not 30000 <= node_port <= 32767:
        return (f"{where}: nodePort {node_port} is outside 30000-32767, the range the API "
                "server accepts (leave it out: Kubernetes picks one)")
    return None


def workload_object(lab, relative: str, kind: str, name: str) -> dict:
    """:func:`manifest_object` for a Deployment, StatefulSet or ReplicaSet, first naming
    an apiVersion Kubernetes removed in 1.16 (``extensions/v1beta1``, ``apps/v1beta2``)
    for what it is (the schema alone would say there is no such kind)."""
    found = manifests.find(manifests.load(lab.require(relative)), kind, name)
    if found is not None and found.get("apiVersion") != "apps/v1":
        raise AssertionError(
            f"{relative}: {kind} {name} has apiVersion {found.get('apiVersion')}, which "
            "Kubernetes removed in 1.16: use apps/v1, where spec.selector is required")
    return manifest_object(lab, relative, kind, name)


def workload_ready_pod(kube, kind: str, name: str) -> dict:
    """A ready pod of workload ``kind``/``name`` in the snapshot; a failing assertion
    naming its pods otherwise."""
    kube_require(kube, "Pod", "ReplicaSet")
    pods = workload_pods(kube, kube_object(kube, kind, name))
    ready = [p for p in pods if pod_ready(p)]
    assert ready, f"{kind} {name} has no ready pod: " + \
        (", ".join(describe_pod(p) for p in pods) or "no pod at all")
    return ready[0]
