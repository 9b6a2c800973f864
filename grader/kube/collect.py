"""Read a namespace once: one LIST per resource kind (cluster-scoped kinds once), into a
:class:`grader.state.kube.KubeState` that every check of the run shares.

The LISTs go through the client's generic path (:func:`grader.kube.client.request`) and
``json.loads`` of the raw body: the objects stay exactly as the server sent them, and no
models are built (measured in docs/kubernetes.md). A LIST response leaves ``kind`` and
``apiVersion`` out of its items; they are put back, so the snapshot holds what
``kubectl get -o json`` prints. Services' endpoints are read from EndpointSlices
(``discovery.k8s.io/v1``); a server that answers 404 for them (older than 1.21) is read
for v1 Endpoints instead. The LISTs run in a few threads at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from grader.errors import LabError
from grader.kube import client
from grader.state.kube import KINDS, TARGET_VERSION, Kind, KubeState, kind_of

WORKERS = 6  # parallel requests; see docs/kubernetes.md for what it buys


def list_path(kind: Kind, namespace: str) -> str:
    """The URL path that LISTs ``kind`` in ``namespace`` (or cluster-wide)."""
    base = "/api/v1" if kind.api_version == "v1" else f"/apis/{kind.api_version}"
    return f"{base}/namespaces/{namespace}/{kind.plural}" if kind.namespaced else f"{base}/{kind.plural}"


def collect(api, namespace: str, kinds: Iterable[str], *, also: Iterable[tuple[str, str]] = (),
            source: str = "", workers: int = WORKERS, timeout: float = 30.0) -> KubeState:
    """The objects of ``kinds`` in ``namespace`` (cluster-scoped kinds: all of them),
    read through ``api`` (from :func:`grader.kube.client.api_client`) with one LIST
    each, plus one LIST per (kind, namespace) of ``also`` (``[("Pod", "kube-system")]``:
    a chapter that looks at the control plane). LabError for an unknown kind, a
    namespace that does not exist, a kind the server does not serve, credentials it
    refuses. A cluster-scoped kind, or an ``also`` list, the credentials may not read
    (403) is left out of ``kinds_read`` rather than failing the run."""
    jobs: dict[tuple[str, str | None], str] = {}
    for name, ns in [(k, namespace) for k in kinds] + list(also):
        kind = kind_of(name)  # LabError for a kind the snapshot does not know
        key = (kind.kind, ns if kind.namespaced else None)
        jobs.setdefault(key, list_path(kind, ns))
    optional = {(kind_of(k).kind, ns if kind_of(k).namespaced else None) for k, ns in also}
    optional -= {(kind_of(k).kind, namespace if kind_of(k).namespaced else None) for k in kinds}
    if any(ns == namespace for _, ns in jobs):
        jobs[("-namespace", None)] = f"/api/v1/namespaces/{namespace}"
    answers = _run(api, jobs, workers, timeout)

    if ("-namespace", None) in answers:
        status, body = answers.pop(("-namespace", None))
        if status == 404:
            raise _no_namespace(api, namespace)
        if status == 401:
            raise client.http_error(api, status, body, f"read namespace {namespace}")
        # 403: a role bound in the namespace only may not read the namespace object;
        # the LISTs below say whether it may read what is in it

    for key in [k for k in answers if k[0] == "EndpointSlice" and answers[k][0] == 404]:
        del answers[key]  # a cluster before discovery.k8s.io/v1
        legacy = ("Endpoints", key[1])
        if legacy not in answers:
            path = list_path(KINDS["Endpoints"], key[1])
            answers[legacy] = _run(api, {legacy: path}, 1, timeout)[legacy]

    items: list[dict] = []
    read: list[str] = []
    for (kind_name, ns), (status, body) in answers.items():
        kind = KINDS[kind_name]
        if status == 200:
            items += _items(kind, body)
            if kind.kind not in read:
                read.append(kind.kind)
        elif status == 403 and (not kind.namespaced or (kind.kind, ns) in optional):
            continue  # e.g. nodes for a namespace-bound student: not read, not fatal
        elif status == 404:
            raise LabError(f"{client.describe(api)} does not serve {kind.api_version} "
                           f"{kind.plural} (404): it is too old for these labs, which "
                           f"target Kubernetes {TARGET_VERSION}")
        else:
            where = f"in namespace {ns}" if kind.namespaced else "of the cluster"
            raise client.http_error(api, status, body, f"list the {kind.plural} {where}")
    source = source or f"cluster {getattr(api, 'lab_context', None) or api.configuration.host}"
    return KubeState.from_items(items, namespace, source=source,
                                server_version=client.server_version(api), kinds_read=read)


def _run(api, jobs: dict, workers: int, timeout: float) -> dict:
    """GET every path of ``jobs`` (key → path), ``workers`` at a time: key → (status, body)."""
    def get(path: str) -> tuple[int, bytes]:
        return client.request(api, "GET", path, timeout=timeout)

    if workers <= 1 or len(jobs) <= 1:
        return {name: get(path) for name, path in jobs.items()}
    with ThreadPoolExecutor(max_workers=min(workers, len(jobs)),
                            thread_name_prefix="kube-list") as pool:
        futures = {name: pool.submit(get, path) for name, path in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def _items(kind: Kind, body: bytes) -> list[dict]:
    try:
        doc = json.loads(body)
    except ValueError:
        raise LabError(f"the API server's list of {kind.plural} is not JSON") from None
    # LIST responses leave kind/apiVersion out of the items (kubectl puts them back too)
    return [{"apiVersion": kind.api_version, "kind": kind.kind, **item}
            for item in doc.get("items") or []]


def _no_namespace(api, namespace: str) -> LabError:
    status, body = client.request(api, "GET", "/api/v1/namespaces")
    names = []
    if status == 200:
        names = [(i.get("metadata") or {}).get("name") for i in json.loads(body).get("items") or []]
        names = [n for n in names if n and not n.startswith("kube-")]
    have = f" (it has: {', '.join(names)})" if names else ""
    context = getattr(api, "lab_context", None) or api.configuration.host
    return LabError(f"namespace {namespace} does not exist in context {context}{have}: "
                    "create it with `lab env up CHAPTER`, or pick the namespace you "
                    "worked in with --namespace")

