"""A Kubernetes API server for the tests: kmock's emulator on https://127.0.0.1, in a
daemon thread with its own event loop, loaded with objects shaped like a real server's.

    with KubeMock([pod, service, slice_]) as mock:
        api = client.api_client(mock.kubeconfig)   # context "mock", namespace ch15
        mock.add(replacement_pod)                  # play a controller (watches see it)
        mock.delete("Pod", "web-abc12")            # namespace: ch15 unless given
        mock.objects("Pod")                        # what the server holds now
        mock.requests                              # [("GET", "/api/v1/namespaces/ch15/pods"), ...]

or with the ``kube_mock`` fixture (tests/conftest.py): ``mock = kube_mock(objects)``.
Subprocesses (``lab``, kubectl) reach it with ``env=mock.env()`` (sets KUBECONFIG).

The server runs in a thread of its own because the kubernetes client is synchronous:
called on the event loop of kmock's own pytest fixture it blocks the loop that should
answer it. What the server fixes in kmock is listed in :mod:`tests.kubemock.emulator`;
what it still does not do, in docs/kubernetes.md ("The API mock").

Objects: build them with :mod:`tests.kubemock.objects`, or write them as ``kubectl get
-o json`` prints them; each is checked by :func:`validate_shape` when loaded or added.
Server-side fields (uid, resourceVersion, creationTimestamp) are filled in when
missing; a given uid is kept (ownerReferences point at uids).
"""

from __future__ import annotations

import asyncio
import copy
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import aiohttp.test_utils
import kmock

from grader.state.kube import TARGET_VERSION, kind_of
from tests.kubemock.emulator import Emulator
from tests.kubemock.shape import validate_shape
from tests.kubemock.tls import (
    CONTEXT,
    NAMESPACE,
    TOKEN,
    TLSTestServer,
    certificates,
    write_kubeconfig,
)

__all__ = ["KubeMock", "validate_shape", "write_kubeconfig", "certificates",
           "CONTEXT", "NAMESPACE", "TOKEN"]

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


class KubeMock:
    """A mock API server loaded with ``objects``, for the duration of a ``with`` block.

    ``namespace``: the kubeconfig context's namespace, and where objects without one
    go. It exists only if an object is in it or a Namespace object names it (so a test
    can have it missing); the system namespaces (default, kube-system, ...) always do.
    ``token``: the bearer token the server wants (None: no authentication).
    ``missing_apis=("discovery.k8s.io/v1",)``: a server without that group/version.
    ``watch_timeout``: how long a WATCH without timeoutSeconds lasts (a real server:
    30-60 min). ``latency``: seconds added to every answer (a remote cluster).
    ``tls=False``: plain http (kubectl then sends no token: use ``token=None``).
    ``validate=False``: skip :func:`validate_shape` (only to measure the mock itself).
    """

    def __init__(self, objects: Iterable[dict] = (), *, namespace: str = NAMESPACE,
                 token: str | None = TOKEN, missing_apis: Iterable[str] = (),
                 watch_timeout: float = 5.0, latency: float = 0.0,
                 version: str = f"v{TARGET_VERSION}.0", tls: bool = True,
                 validate: bool = True):
        self.namespace = namespace
        self.token = token
        self.tls = tls
        self.validate = validate
        self._options = dict(token=token, namespace=namespace, missing_apis=tuple(missing_apis),
                             watch_timeout=watch_timeout, latency=latency, version=version)
        self._initial = [copy.deepcopy(o) for o in objects]
        for obj in self._initial:
            self._check(obj)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._stop: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.handler: Emulator | None = None  # kmock's DSL works on it: handler[...] << 500
        self.url = ""
        self.kubeconfig = ""

    def _check(self, obj: dict) -> None:
        if self.validate:
            validate_shape(obj)
        api_version = kind_of(obj["kind"]).api_version
        if api_version in self._options["missing_apis"]:
            raise ValueError(f"{obj['kind']} {obj['metadata']['name']}: this server has "
                             f"no {api_version}")

    # -- lifecycle -----------------------------------------------------------------

    def __enter__(self) -> KubeMock:
        if self.tls:
            certificates()
        self._thread = threading.Thread(target=self._serve, name="kubemock", daemon=True)
        self._thread.start()
        if not self._ready.wait(15) or self._error is not None:
            raise RuntimeError(f"the mock API server did not start: {self._error!r}")
        self._tmp = tempfile.TemporaryDirectory(prefix="kubemock-")
        self.kubeconfig = write_kubeconfig(Path(self._tmp.name) / "kubeconfig", self.url,
                                           token=self.token, namespace=self.namespace)
        namespaces = set(SYSTEM_NAMESPACES)
        for obj in self._initial:
            if kind_of(obj["kind"]).namespaced:
                namespaces.add((obj.get("metadata") or {}).get("namespace") or self.namespace)
        given = {o["metadata"]["name"] for o in self._initial if o["kind"] == "Namespace"}
        self._call(self._load([namespace(n) for n in sorted(namespaces - given)]
                              + self._initial))
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server (open watches end first) and remove the kubeconfig."""
        if self.loop is not None and self._thread is not None and self._thread.is_alive():
            try:
                self._call(self.handler.close_watches(), timeout=5)
            finally:
                self.loop.call_soon_threadsafe(self._stop.set)
                self._thread.join(10)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as err:  # reported by __enter__
            self._error = err
            self._ready.set()

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server_cls = TLSTestServer if self.tls else aiohttp.test_utils.RawTestServer
        async with Emulator(**self._options) as handler, \
                kmock.Server(handler, server_cls=server_cls) as server:
            self.handler = handler
            self.url = str(server.url).rstrip("/")
            self._ready.set()
            await self._stop.wait()

    def _call(self, coro, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _load(self, objects: list[dict]) -> None:
        for obj in objects:
            await self.handler.put(obj)

    # -- the test's side -------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, str]]:
        """Every request so far as (method, path without the query), in order;
        ``collections.Counter(mock.requests)`` counts them, ``.clear()`` starts anew."""
        return self.handler.log

    def objects(self, kind: str | None = None, namespace: str | None = None) -> list[dict]:
        """What the server holds now, with kind and apiVersion, sorted by kind, namespace
        and name; ``namespace`` None: every namespace."""
        spec = kind_of(kind) if kind else None
        return self._call(_call_async(self.handler.current, spec, namespace))

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        """One object (``namespace`` default: the mock's), or None."""
        spec = kind_of(kind)
        ns = (namespace or self.namespace) if spec.namespaced else None
        return next((o for o in self.objects(kind, ns) if o["metadata"]["name"] == name), None)

    def add(self, obj: dict) -> dict:
        """Create, or replace, ``obj`` as a controller would (it must pass
        :func:`validate_shape`); watches see it. Returns it as stored."""
        self._check(obj)
        return self._call(self.handler.put(obj))

    def delete(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        """Delete at once (no grace period, no finalizers, no dependents); the deleted
        object, or None when there was none."""
        spec = kind_of(kind)
        ns = (namespace or self.namespace) if spec.namespaced else None
        return self._call(self.handler.remove(spec, name, ns))

    def env(self, base: dict | None = None) -> dict:
        """Environment for a subprocess (``lab``, kubectl) that should use this mock."""
        return {**(os.environ if base is None else base), "KUBECONFIG": self.kubeconfig}


def namespace(name: str) -> dict:
    """A Namespace as the API server returns it."""
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


async def _call_async(fn, *args):
    return fn(*args)
