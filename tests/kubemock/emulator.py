"""The server side of the mock: kmock 0.8's ``KubernetesEmulator`` with what it lacks
for us (measured with kubernetes 37 and kubectl 1.37), each fixed where kmock leaves a
hook (its fallback handlers ``_serve_list``, ``_serve_watch``, ``_serve_version``, and
``_handle``, through which every request passes):

- every kind of :data:`grader.state.kube.KINDS` is declared with its kind, scope, short
  names and verbs, so discovery, and LISTs of kinds without objects, answer as a real
  server does (``missing_apis`` leaves a group/version out: an older cluster);
- ``/api/v1`` discovery says ``groupVersion: v1`` (kmock: ``/v1``, and ``kubectl get
  pods`` fails), ``/version`` reports :data:`TARGET_VERSION`;
- ``/api/v1/namespaces[/NAME]`` is a resource (kmock's path parser reads NAME as the
  namespace of a nameless resource, and raises on ``/api/v1/namespaces``): its parser
  is wrapped for these two paths;
- LIST: ``labelSelector`` and ``fieldSelector``; ``kind: PodList`` and ``apiVersion``;
  items without ``kind``/``apiVersion`` as a real server sends them, sorted by
  namespace and name; the current ``resourceVersion``;
- writes: ``resourceVersion`` grows on every write, ``uid``, ``creationTimestamp`` and
  ``generation`` are set on create; PUT and JSON patch; a create in a namespace that
  does not exist is refused (404); deleting a namespace deletes what is in it;
- WATCH: ``timeoutSeconds`` ends the stream (``watch_timeout`` when not given: kmock
  never ends it), ``resourceVersion`` resumes after that version, selectors apply;
- a bearer token is required (401 otherwise);
- kmock's own request log is trimmed to the last few: kmock scans it on every request,
  and kept whole it slows each request down (13 ms to 125 ms after 700 requests).
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import re
import uuid

import aiohttp.web
import attrs
import jsonpatch
import kmock
from kmock._internal import enums, parsing, rendering

from grader.state.kube import KINDS, TARGET_VERSION, Kind, kind_of
from tests.kubemock.selectors import BadSelector, selected
from tests.kubemock.tls import NAMESPACE, TOKEN

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
SHORT_NAMES = {"Pod": ["po"], "Service": ["svc"], "Endpoints": ["ep"], "Deployment": ["deploy"],
               "ReplicaSet": ["rs"], "StatefulSet": ["sts"], "PersistentVolumeClaim": ["pvc"],
               "ConfigMap": ["cm"], "Ingress": ["ing"], "Event": ["ev"], "Node": ["no"],
               "Namespace": ["ns"], "StorageClass": ["sc"]}
KEEP_REQUESTS = 32  # of kmock's own request log


def _group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _resource(kind: Kind) -> kmock.resource:
    return kmock.resource(*_group_version(kind.api_version), kind.plural)


_BY_RESOURCE = {(*_group_version(k.api_version), k.plural): k for k in KINDS.values()}


def _kind_of_resource(res) -> Kind | None:
    return _BY_RESOURCE.get((res.group, res.version, res.plural)) if res is not None else None


_NAMESPACE_PATH = re.compile(r"/api/v1/namespaces(?:/([^/]+)(?:/(status|finalize))?)?/?")
_kmock_parse_path = getattr(parsing.parse_path, "wrapped", parsing.parse_path)


def _parse_path(path: str) -> parsing.ParsedPath:
    m = _NAMESPACE_PATH.fullmatch(path)
    if m:
        return parsing.ParsedPath("", "v1", "namespaces", None, m.group(1), m.group(2))
    return _kmock_parse_path(path)


_parse_path.wrapped = _kmock_parse_path
parsing.parse_path = _parse_path  # kmock's Request._parse looks it up on each request


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(code: int, reason: str, message: str, **details) -> kmock.KubernetesError:
    return kmock.KubernetesError(status=code, reason=reason, message=message,
                                 details=details or {})


@attrs.define(kw_only=True)
class Emulator(kmock.KubernetesEmulator):
    """kmock's emulator with what the module docstring lists."""

    token: str | None = TOKEN
    namespace: str = NAMESPACE  # where objects without one go
    version: str = f"v{TARGET_VERSION}.0"
    watch_timeout: float = 5.0
    latency: float = 0.0
    missing_apis: tuple[str, ...] = ()
    log: list = attrs.field(factory=list)
    _rv: int = 1000
    _events: list = attrs.field(factory=list)  # (rv, resource, type, object)
    _changed: asyncio.Condition = attrs.field(factory=asyncio.Condition)
    _closing: bool = False

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        for kind in KINDS.values():
            if kind.api_version not in self.missing_apis:
                self.resources[_resource(kind)] = kmock.ResourceInfo(
                    kind=kind.kind, singular=kind.kind.lower(), namespaced=kind.namespaced,
                    verbs=set(VERBS), shortnames=set(SHORT_NAMES.get(kind.kind, ())))

    # -- request entry -------------------------------------------------------------

    async def _handle(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        self.log.append((request.method.value, request.url.path))
        del self._requests[:-KEEP_REQUESTS]
        for reaction in self._payloads:
            del reaction._requests[:-KEEP_REQUESTS]
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.token and request.headers.get("Authorization") != f"Bearer {self.token}":
            raise _status(401, "Unauthorized", "Unauthorized")
        kind = _kind_of_resource(request.resource)
        if request.resource is not None and request.resource.plural and kind is None:
            raise _status(404, "NotFound", "the server could not find the requested resource")
        if kind is not None and kind.api_version in self.missing_apis:
            raise _status(404, "NotFound", "the server could not find the requested resource")
        if kind is None:
            return await super()._handle(request)

        method, action = request.method.value, request.action
        if action == enums.action.CREATE and isinstance(request.data, dict):
            await self._before_create(kind, request)
        elif method == "PUT" and request.name and isinstance(request.data, dict):
            return await self._replace(kind, request, request.data)
        elif action == enums.action.UPDATE and isinstance(request.data, list):
            obj = await self._current(kind, request)
            try:
                new = jsonpatch.apply_patch(obj, request.data)
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as err:
                raise _status(422, "Invalid", f"the JSON patch does not apply: {err}")
            return await self._replace(kind, request, new)
        elif action == enums.action.UPDATE and isinstance(request.data, dict):
            request.data.setdefault("metadata", {})["resourceVersion"] = str(self._next_rv())
        elif action == enums.action.DELETE and kind.kind == "Namespace" and request.name:
            await self._delete_namespace_contents(request.name)

        response = await super()._handle(request)
        if response.status < 400 and action in (enums.action.CREATE, enums.action.UPDATE,
                                                enums.action.DELETE):
            await self._record(kind, request, action)
        return response

    # -- writes --------------------------------------------------------------------

    def _next_rv(self) -> int:
        self._rv += 1
        return self._rv

    def _key(self, kind: Kind, namespace: str | None, name: str):
        return (_resource(kind), namespace if kind.namespaced else None, name)

    def _live(self, key) -> dict | None:
        if key in self._objects and not self._objects[key].deleted:
            return self._objects[key].raw
        return None

    def _namespace_exists(self, name: str) -> bool:
        return self._live(self._key(KINDS["Namespace"], None, name)) is not None

    def stamp(self, kind: Kind, obj: dict, namespace: str | None, old: dict | None = None) -> dict:
        """What the API server fills in on a write."""
        meta = obj.setdefault("metadata", {})
        if kind.namespaced:
            meta["namespace"] = namespace or meta.get("namespace")
        else:
            meta.pop("namespace", None)
        old_meta = (old or {}).get("metadata") or {}
        meta["uid"] = old_meta.get("uid") or meta.get("uid") or str(uuid.uuid4())
        meta["creationTimestamp"] = (old_meta.get("creationTimestamp")
                                     or meta.get("creationTimestamp") or _now())
        meta["resourceVersion"] = str(self._next_rv())
        if "spec" in obj:
            meta.setdefault("generation", old_meta.get("generation", 1))
        obj.setdefault("kind", kind.kind)
        obj.setdefault("apiVersion", kind.api_version)
        return obj

    async def _before_create(self, kind: Kind, request) -> None:
        data = request.data
        ns = request.namespace or (data.get("metadata") or {}).get("namespace")
        if kind.namespaced and not self._namespace_exists(ns or ""):
            raise _status(404, "NotFound", f'namespaces "{ns}" not found',
                          name=ns, kind="namespaces")
        if kind.kind == "Namespace":
            data.setdefault("status", {"phase": "Active"})
            data.setdefault("spec", {"finalizers": ["kubernetes"]})
        self.stamp(kind, data, ns)

    async def _current(self, kind: Kind, request) -> dict:
        obj = self._live(self._key(kind, request.namespace, request.name))
        if obj is None:
            raise _status(404, "NotFound", f'{kind.plural} "{request.name}" not found',
                          name=request.name, kind=kind.plural)
        return copy.deepcopy(obj)

    async def _replace(self, kind: Kind, request, new: dict) -> aiohttp.web.StreamResponse:
        old = await self._current(kind, request)
        new = self.stamp(kind, copy.deepcopy(new), request.namespace, old)
        async with self._lock:
            self._objects[self._key(kind, request.namespace, request.name)].create(new)
        await self._emit(kind, "MODIFIED", new)
        return aiohttp.web.json_response(new)

    async def _record(self, kind: Kind, request, action) -> None:
        data = request.data if isinstance(request.data, dict) else {}
        meta = data.get("metadata") or {}
        key = self._key(kind, request.namespace or meta.get("namespace"),
                        request.name or meta.get("name"))
        if key not in self._objects:
            return
        obj = self._objects[key]
        if obj.deleted:
            last = copy.deepcopy(obj.last.raw)
            last.setdefault("metadata", {})["resourceVersion"] = str(self._next_rv())
            await self._emit(kind, "DELETED", last)
        else:
            await self._emit(kind, "ADDED" if action == enums.action.CREATE else "MODIFIED",
                             obj.raw)

    async def _emit(self, kind: Kind, type_: str, obj: dict) -> None:
        rv = int((obj.get("metadata") or {}).get("resourceVersion") or self._rv)
        async with self._changed:
            self._events.append((rv, _resource(kind), type_, copy.deepcopy(obj)))
            del self._events[:-2000]
            self._changed.notify_all()

    async def put(self, obj: dict) -> dict:
        """Create or replace ``obj`` the way a controller's write would."""
        kind = kind_of(obj["kind"])
        obj = copy.deepcopy(obj)
        ns = (obj.get("metadata") or {}).get("namespace") or (self.namespace if kind.namespaced else None)
        key = self._key(kind, ns, obj["metadata"]["name"])
        old = self._live(key)
        self.stamp(kind, obj, ns, old)
        async with self._lock:
            if key in self._objects:
                self._objects[key].create(obj)
            else:
                self._objects[key] = obj
        await self._emit(kind, "MODIFIED" if old else "ADDED", obj)
        return copy.deepcopy(obj)

    async def remove(self, kind: Kind, name: str, namespace: str | None) -> dict | None:
        key = self._key(kind, namespace, name)
        obj = self._live(key)
        if obj is None:
            return None
        if kind.kind == "Namespace":
            await self._delete_namespace_contents(name)
        async with self._lock:
            self._objects[key].delete()
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(self._next_rv())
        await self._emit(kind, "DELETED", obj)
        return obj

    async def _delete_namespace_contents(self, namespace: str) -> None:
        for (res, ns, name), obj in list(self._objects.items()):
            kind = _kind_of_resource(res)
            if ns == namespace and kind is not None and not obj.deleted:
                await self.remove(kind, name, ns)

    def current(self, kind: Kind | None = None, namespace: str | None = None) -> list[dict]:
        found = []
        for (res, ns, _name), obj in list(self._objects.items()):
            k = _kind_of_resource(res)
            if k is None or obj.deleted or (kind is not None and k is not kind):
                continue
            if namespace is not None and k.namespaced and ns != namespace:
                continue
            found.append(copy.deepcopy(obj.raw))
        return sorted(found, key=_sort_key)

    # -- reads ---------------------------------------------------------------------

    async def _serve_list(self, request: rendering.Request) -> rendering.Payload:
        kind = _kind_of_resource(request.resource)
        if kind is None:
            raise _status(404, "NotFound", "the server could not find the requested resource")
        try:
            items = [o for o in self.current(kind, request.namespace)
                     if selected(o, request.params)]
        except BadSelector as err:
            raise _status(400, "BadRequest", str(err))
        for item in items:  # a real server leaves them out of a typed list's items
            item.pop("kind", None)
            item.pop("apiVersion", None)
        return {"kind": f"{kind.kind}List", "apiVersion": kind.api_version,
                "metadata": {"resourceVersion": str(self._rv)}, "items": items}

    async def _serve_watch(self, request: rendering.Request):
        yield b""  # send the headers now
        kind = _kind_of_resource(request.resource)
        params = request.params
        timeout = float(params.get("timeoutSeconds") or self.watch_timeout)
        deadline = asyncio.get_running_loop().time() + timeout

        def wanted(obj: dict) -> bool:
            meta = obj.get("metadata") or {}
            return ((request.namespace is None or meta.get("namespace") == request.namespace)
                    and (request.name is None or meta.get("name") == request.name)
                    and selected(obj, params))

        since = params.get("resourceVersion") or "0"
        if since == "0":  # "start at most recent": the current objects first
            since = self._rv
            for obj in self.current(kind, request.namespace):
                if wanted(obj):
                    yield {"type": "ADDED", "object": obj}
        since = int(since)
        res = _resource(kind)
        while not self._closing:
            async with self._changed:
                events = [e for e in self._events if e[0] > since and e[1] == res]
                if not events:
                    left = deadline - asyncio.get_running_loop().time()
                    if left <= 0:
                        return
                    try:
                        await asyncio.wait_for(self._changed.wait(), left)
                    except TimeoutError:
                        return
                    continue
            for rv, _res, type_, obj in events:
                since = rv
                if wanted(obj):
                    yield {"type": type_, "object": obj}

    async def _serve_version(self, request: rendering.Request) -> rendering.Payload:
        if request.resource is not None and request.resource.group == "" \
                and request.resource.version == "v1":
            kinds = [k for k in KINDS.values() if k.api_version == "v1"]
            return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
                    "resources": [_discovery_entry(k) for k in kinds]}
        if request.resource is not None and \
                f"{request.resource.group}/{request.resource.version}" in self.missing_apis:
            raise _status(404, "NotFound", "the server could not find the requested resource")
        return await super()._serve_version(request)

    async def _serve_server_version(self, request: rendering.Request) -> rendering.Payload:
        major, minor = self.version.lstrip("v").split(".")[:2]
        return {"major": major, "minor": minor, "gitVersion": self.version,
                "gitCommit": "0" * 40, "gitTreeState": "clean",
                "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.24",
                "compiler": "gc", "platform": "linux/amd64"}

    async def close_watches(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()


def _discovery_entry(kind: Kind) -> dict:
    return {"name": kind.plural, "singularName": kind.kind.lower(), "namespaced": kind.namespaced,
            "kind": kind.kind, "verbs": list(VERBS), "shortNames": SHORT_NAMES.get(kind.kind, [])}


def _sort_key(obj: dict) -> tuple:
    meta = obj.get("metadata") or {}
    return (obj.get("kind") or "", meta.get("namespace") or "", meta.get("name") or "")
