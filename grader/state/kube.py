"""A snapshot of a Kubernetes namespace (and the cluster-scoped objects the checks
read), as plain data: every object exactly as the API server returns it, the way
``kubectl get <kinds> -o json`` prints it. Taken once per run by
:mod:`grader.kube.collect`, or read from a dump; checks only read it.

Targets Kubernetes 1.37 (``TARGET_VERSION``), what the node image of current kind
releases (v0.33) runs; everything the labs use is stable API (v1, apps/v1,
networking.k8s.io/v1, discovery.k8s.io/v1), so older clusters back to 1.21 work too.
Service endpoints come from EndpointSlices (``discovery.k8s.io/v1``); the v1 Endpoints
API, deprecated since 1.33, is the fallback for older clusters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from grader.errors import LabError

TARGET_VERSION = "1.37"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True)
class Kind:
    """A resource kind the snapshot knows: its API group/version, plural, scope."""

    kind: str
    api_version: str
    plural: str
    namespaced: bool = True


KINDS: dict[str, Kind] = {k.kind: k for k in (
    Kind("Pod", "v1", "pods"),
    Kind("Service", "v1", "services"),
    Kind("Endpoints", "v1", "endpoints"),
    Kind("EndpointSlice", "discovery.k8s.io/v1", "endpointslices"),
    Kind("Deployment", "apps/v1", "deployments"),
    Kind("ReplicaSet", "apps/v1", "replicasets"),
    Kind("StatefulSet", "apps/v1", "statefulsets"),
    Kind("PersistentVolumeClaim", "v1", "persistentvolumeclaims"),
    Kind("Secret", "v1", "secrets"),
    Kind("ConfigMap", "v1", "configmaps"),
    Kind("Ingress", "networking.k8s.io/v1", "ingresses"),
    Kind("Event", "v1", "events"),
    Kind("Node", "v1", "nodes", namespaced=False),
    Kind("Namespace", "v1", "namespaces", namespaced=False),
    Kind("StorageClass", "storage.k8s.io/v1", "storageclasses", namespaced=False),
    Kind("IngressClass", "networking.k8s.io/v1", "ingressclasses", namespaced=False),
)}
# a list's kind ("PodList") → the kind of its items, for dumps of one kind
_LIST_KINDS = {f"{k}List": k for k in KINDS}


def kind_of(name: str) -> Kind:
    """A kind by its name (``Pod``) or plural (``pods``); LabError if unknown."""
    found = KINDS.get(name) or next((k for k in KINDS.values() if k.plural == name.lower()), None)
    if found is None:
        raise LabError(f"unknown kind {name!r}: the snapshot knows " + ", ".join(KINDS))
    return found


@dataclass(frozen=True)
class Endpoint:
    """One address behind a service: the pod it belongs to and whether it is ready."""

    ip: str
    ready: bool
    pod: str | None


def labels(obj: dict) -> dict:
    return (obj.get("metadata") or {}).get("labels") or {}


def name(obj: dict) -> str:
    return (obj.get("metadata") or {}).get("name") or ""


def selects(selector: dict | None, obj_labels: dict) -> bool:
    """True when a label selector selects ``obj_labels``: a plain map (a Service's
    selector) or a ``{matchLabels, matchExpressions}`` LabelSelector. An empty or
    missing selector selects nothing here (a Service without one has no endpoints)."""
    if not selector:
        return False
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        return all(obj_labels.get(k) == v for k, v in selector.items())
    if not all(obj_labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        have = key in obj_labels
        if op == "In" and not (have and obj_labels[key] in values):
            return False
        if op == "NotIn" and have and obj_labels[key] in values:
            return False
        if op == "Exists" and not have:
            return False
        if op == "DoesNotExist" and have:
            return False
    return bool(selector.get("matchLabels") or selector.get("matchExpressions"))


@dataclass
class KubeState:
    """The objects of one namespace and the cluster-scoped ones, read once.

    ``namespace`` is the namespace being graded; ``source`` says where the objects came
    from (``cluster kind-container-labs`` or ``dump solved.json``).
    """

    namespace: str
    items: list[dict] = field(default_factory=list)
    source: str = ""
    server_version: str | None = None
    # kinds that were read; a kind not read is not the same as a kind with no objects
    kinds_read: tuple[str, ...] = ()

    # -- reading -------------------------------------------------------------------

    @cached_property
    def _index(self) -> dict[tuple[str, str | None], list[dict]]:
        index: dict = {}
        for obj in self.items:
            kind = obj.get("kind") or ""
            spec = KINDS.get(kind)
            ns = (obj.get("metadata") or {}).get("namespace") if (spec is None or spec.namespaced) else None
            index.setdefault((kind, ns), []).append(obj)
        return index

    def of(self, kind: str, namespace: str | None = "") -> list[dict]:
        """Objects of ``kind`` in ``namespace`` (default: the graded namespace; None:
        every namespace). Cluster-scoped kinds ignore the namespace."""
        spec = kind_of(kind)
        if not spec.namespaced:
            return list(self._index.get((spec.kind, None), []))
        if namespace is None:
            return [o for (k, _), objs in self._index.items() if k == spec.kind for o in objs]
        return list(self._index.get((spec.kind, namespace or self.namespace), []))

    def get(self, kind: str, obj_name: str, namespace: str | None = "") -> dict | None:
        """The object ``kind``/``obj_name`` in ``namespace`` (default: the graded one)."""
        return next((o for o in self.of(kind, namespace) if name(o) == obj_name), None)

    def read(self, kind: str) -> bool:
        """Whether ``kind`` was read at all (a dump may hold only some kinds)."""
        return not self.kinds_read or kind_of(kind).kind in self.kinds_read

    def pods_selected(self, selector: dict | None, namespace: str | None = "") -> list[dict]:
        """Pods of the namespace that ``selector`` selects (not terminating ones)."""
        return [p for p in self.of("Pod", namespace)
                if selects(selector, labels(p)) and not p["metadata"].get("deletionTimestamp")]

    def owned_by(self, kind: str, owner: dict, namespace: str | None = "") -> list[dict]:
        """Objects of ``kind`` whose ownerReferences name ``owner`` (by uid, else name)."""
        uid = (owner.get("metadata") or {}).get("uid")
        own_name, own_kind = name(owner), owner.get("kind")
        found = []
        for obj in self.of(kind, namespace):
            for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
                if (uid and ref.get("uid") == uid) or (
                        not uid and ref.get("kind") == own_kind and ref.get("name") == own_name):
                    found.append(obj)
                    break
        return found

    def endpoints(self, service: dict) -> list[Endpoint]:
        """The addresses behind ``service``: from its EndpointSlices when the snapshot
        has any, else from its v1 Endpoints object (clusters before discovery/v1)."""
        ns = (service.get("metadata") or {}).get("namespace") or self.namespace
        svc = name(service)
        slices = [s for s in self.of("EndpointSlice", ns) if labels(s).get(SERVICE_NAME_LABEL) == svc]
        found: list[Endpoint] = []
        if slices:
            for sl in slices:
                for ep in sl.get("endpoints") or []:
                    cond = ep.get("conditions") or {}
                    # "ready" unset means ready (discovery/v1 API reference)
                    ready = cond.get("ready") is not False and not cond.get("terminating")
                    pod = (ep.get("targetRef") or {}).get("name")
                    found += [Endpoint(ip, ready, pod) for ip in ep.get("addresses") or []]
            return _unique(found)
        legacy = self.get("Endpoints", svc, ns)
        for subset in (legacy or {}).get("subsets") or []:
            for key, ready in (("addresses", True), ("notReadyAddresses", False)):
                for a in subset.get(key) or []:
                    found.append(Endpoint(a.get("ip", ""), ready, (a.get("targetRef") or {}).get("name")))
        return _unique(found)

    def events_for(self, kind: str, obj_name: str, namespace: str | None = "") -> list[dict]:
        """Events whose involvedObject (core/v1) or regarding (events/v1) is the object."""
        found = []
        for ev in self.of("Event", namespace):
            ref = ev.get("involvedObject") or ev.get("regarding") or {}
            if ref.get("kind") == kind and ref.get("name") == obj_name:
                found.append(ev)
        return found

    # -- as a file -----------------------------------------------------------------

    def to_list(self) -> dict:
        """The snapshot as a Kubernetes ``List`` (what ``kubectl get -o json`` prints),
        with where it came from in the List's metadata annotations-free fields."""
        return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                "items": self.items}

    @classmethod
    def from_items(cls, items: Iterable[dict], namespace: str, *, source: str = "",
                   server_version: str | None = None, kinds_read: Iterable[str] = ()) -> KubeState:
        return cls(namespace, list(items), source, server_version, tuple(kinds_read))

    @classmethod
    def from_document(cls, doc, namespace: str, *, source: str = "") -> KubeState:
        """A snapshot from a parsed dump: a ``List`` (``kubectl get ... -o json``), a
        ``PodList``-style list of one kind, a single object, or a list of those (several
        YAML documents). LabError naming what is wrong otherwise."""
        items: list[dict] = []
        for part in (doc if isinstance(doc, list) else [doc]):
            items += _items_of(part, source)
        unknown = sorted({o.get("kind") or "?" for o in items} - set(KINDS))
        if unknown:
            raise LabError(f"{source or 'the dump'}: objects of kind {', '.join(unknown)} "
                           "are not used by any chapter; the kinds are " + ", ".join(KINDS))
        return cls(namespace, items, source)


def _items_of(doc, source: str) -> list[dict]:
    where = source or "the dump"
    if doc is None:
        return []
    if not isinstance(doc, dict):
        raise LabError(f"{where} is not a Kubernetes List or object (found a {type(doc).__name__})")
    kind = doc.get("kind")
    if kind == "List" or (kind in _LIST_KINDS) or (kind is None and "items" in doc):
        items = doc.get("items")
        if not isinstance(items, list):
            raise LabError(f"{where}: a {kind or 'list'} without an items list")
        out = []
        for i, obj in enumerate(items):
            if not isinstance(obj, dict):
                raise LabError(f"{where}: item {i} is not an object")
            if not obj.get("kind") and kind in _LIST_KINDS:
                # the API server's typed lists leave kind out of their items
                obj = {"kind": _LIST_KINDS[kind], "apiVersion": doc.get("apiVersion", "v1"), **obj}
            if not obj.get("kind") or not (obj.get("metadata") or {}).get("name"):
                raise LabError(f"{where}: item {i} has no kind or no metadata.name")
            out.append(obj)
        return out
    if not kind:
        raise LabError(f"{where} is not a Kubernetes List: it has no kind "
                       "(make it with `kubectl get <kinds> -A -o json`)")
    if not (doc.get("metadata") or {}).get("name"):
        raise LabError(f"{where}: a {kind} without metadata.name")
    return [doc]


def _unique(endpoints: list[Endpoint]) -> list[Endpoint]:
    seen, out = set(), []
    for ep in endpoints:
        if (ep.ip, ep.pod) not in seen:
            seen.add((ep.ip, ep.pod))
            out.append(ep)
    return out
