"""A connection to a Kubernetes cluster through the official ``kubernetes`` client, proven
to answer before anything is read, and every failure as one :class:`LabError` line.

``import kubernetes`` runs the package's ``__init__``, which imports
``kubernetes.dynamic``; that imports ``kubernetes_validate`` when it is installed (it is:
the static checks use it), which imports ``jsonschema``, whose format checker imports
``rfc3987_syntax``, which compiles a grammar: 0.8 s here (2.2 s measured elsewhere), for
nothing the grader uses from the dynamic client. :func:`kubernetes_module` imports the
client with ``kubernetes_validate`` hidden for that one import (0.12 s), so the dynamic
client of this process works without its optional validation. Import it only through
here, after which ``from kubernetes import client`` anywhere costs nothing.

Requests go through :func:`request` (``ApiClient.param_serialize`` + ``call_api``): the
generic path, which neither loads the typed API classes nor builds models.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from grader.errors import LabError

DEFAULT_KUBECONFIG = "~/.kube/config"


def kubernetes_module():
    """The ``kubernetes`` package with ``client`` and ``config`` loaded, imported without
    ``kubernetes_validate`` (see the module docstring)."""
    if "kubernetes.client" in sys.modules and "kubernetes.config" in sys.modules:
        return sys.modules["kubernetes"]
    hide = "kubernetes_validate" not in sys.modules
    if hide:
        sys.modules["kubernetes_validate"] = None  # makes `import kubernetes_validate` fail
    try:
        import kubernetes.client
        import kubernetes.config
    finally:
        if hide and sys.modules.get("kubernetes_validate", 0) is None:
            del sys.modules["kubernetes_validate"]
    return kubernetes


# -- kubeconfig ------------------------------------------------------------------------


def kubeconfig_path(kubeconfig: str | os.PathLike | None = None) -> str:
    """The kubeconfig to read: ``kubeconfig``, else $KUBECONFIG (may list several files,
    separated by ``:``), else ~/.kube/config."""
    return str(kubeconfig or os.environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG)


def _contexts(path: str) -> tuple[dict[str, dict], str | None]:
    """The contexts of the kubeconfig(s) at ``path`` by name (the first file naming a
    context wins), and the current one (the first file setting it wins), as kubectl
    reads them."""
    files = [p for p in path.split(os.pathsep) if p]
    if not any(Path(p).expanduser().is_file() for p in files):
        raise LabError(f"no kubeconfig at {path}: run `lab env up <chapter>` for a kind "
                       "cluster, or set KUBECONFIG to your cluster's kubeconfig")
    kubernetes = kubernetes_module()
    try:
        merger = kubernetes.config.kube_config.KubeConfigMerger(path)
        merged = merger.config
    except kubernetes.config.ConfigException as err:
        raise LabError(f"the kubeconfig {path} cannot be used: {_first_line(err)}") from None
    except Exception as err:  # yaml.YAMLError, OSError, a malformed file
        raise LabError(f"the kubeconfig {path} cannot be read: {_first_line(err)}") from None
    doc = merged.value if merged is not None and isinstance(merged.value, dict) else {}
    contexts = {}
    for item in doc.get("contexts") or []:
        item = getattr(item, "value", item)
        if isinstance(item, dict) and item.get("name"):
            contexts[item["name"]] = item.get("context") or {}
    # kubectl: the first file that sets current-context wins (the merger keeps the last)
    current = next((c.get("current-context") for c in merger.config_files.values()
                    if isinstance(c, dict) and c.get("current-context")), None)
    return contexts, current


def _pick_context(path: str, context: str | None) -> tuple[str, dict]:
    by_name, current = _contexts(path)
    name = context or current
    known = ", ".join(sorted(n for n in by_name if n)) or "none"
    if not name:
        raise LabError(f"the kubeconfig {path} has no current context: pass --context, or "
                       f"run `kubectl config use-context NAME` (contexts: {known})")
    if name not in by_name:
        raise LabError(f"no context {name!r} in the kubeconfig {path} (contexts: {known})")
    return name, by_name[name]


def current_context(kubeconfig: str | os.PathLike | None = None) -> tuple[str, str]:
    """(context name, its namespace or ``default``), read from the kubeconfig alone."""
    name, ctx = _pick_context(kubeconfig_path(kubeconfig), None)
    return name, ctx.get("namespace") or "default"


# -- the client -------------------------------------------------------------------------


def api_client(kubeconfig: str | os.PathLike | None = None, context: str | None = None, *,
               timeout: float = 5.0):
    """A ``kubernetes.client.ApiClient`` for ``context`` (default: the kubeconfig's
    current one) that has just answered ``GET /version`` within ``timeout`` seconds."""
    path = kubeconfig_path(kubeconfig)
    name, _ctx = _pick_context(path, context)
    kubernetes = kubernetes_module()
    config = kubernetes.client.Configuration()
    try:
        kubernetes.config.load_kube_config(config_file=path, context=name,
                                           client_configuration=config, persist_config=False)
    except kubernetes.config.ConfigException as err:
        raise LabError(f"the credentials of context {name} in {path} cannot be loaded: "
                       f"{_first_line(err)}") from None
    except Exception as err:  # a credential plugin that fails, a certificate file missing
        raise LabError(f"context {name} in {path} cannot be loaded: "
                       f"{type(err).__name__}: {_first_line(err)}") from None
    config.retries = 0  # one try each: "does not answer" comes after `timeout`, not 4x
    api = kubernetes.client.ApiClient(config)
    api.lab_context = name
    api.lab_kubeconfig = path
    status, body = request(api, "GET", "/version", timeout=timeout)
    if status != 200:
        raise http_error(api, status, body, "GET /version")
    api.lab_server_version = _json(body).get("gitVersion") or ""
    return api


def describe(api) -> str:
    """``the cluster of context kind-ch15 at https://127.0.0.1:41234``"""
    name = getattr(api, "lab_context", None)
    host = api.configuration.host
    return f"the cluster of context {name} at {host}" if name else f"the cluster at {host}"


def request(api, method: str, path: str, *, query: list[tuple[str, str]] | None = None,
            body=None, timeout: float | None = 30.0,
            content_type: str = "application/json") -> tuple[int, bytes]:
    """One HTTP request through ``api`` (its credentials, TLS, proxy): (status, raw
    body). ``content_type`` of the body: a PATCH names its kind
    (``application/merge-patch+json``, ``application/strategic-merge-patch+json``,
    ``application/json-patch+json``); a real API server refuses a PATCH sent as plain
    ``application/json`` (415). Unreachable servers and TLS failures become a LabError;
    HTTP errors are returned for the caller to judge (:func:`http_error` words them)."""
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type
    try:
        req = api.param_serialize(method=method, resource_path=path, query_params=query or [],
                                  header_params=headers, body=body,
                                  auth_settings=["BearerToken"])
        response = api.call_api(*req, _request_timeout=timeout)
        return response.status, response.read() or b""
    except LabError:
        raise
    except Exception as err:
        raise _connection_error(api, err, timeout) from None


def http_error(api, status: int, body: bytes, doing: str) -> LabError:
    """One line for an HTTP error answer of the API server."""
    message = _json(body).get("message") or body[:200].decode("utf-8", "replace").strip()
    where = describe(api)
    if status == 401:
        return LabError(f"{where} refused the credentials of the kubeconfig (401 Unauthorized): "
                        "they may have expired; get a fresh kubeconfig (kind: `kind export "
                        "kubeconfig --name CLUSTER`) or log in again")
    if status == 403:
        return LabError(f"{where}: the credentials may not {doing} (403 Forbidden: {message})")
    return LabError(f"{where} answered {status} to {doing}: {message}")


def server_version(api) -> str:
    """The server's version (``v1.33.1``): remembered from :func:`api_client`'s check,
    else asked."""
    known = getattr(api, "lab_server_version", None)
    if known:
        return known
    status, body = request(api, "GET", "/version")
    if status != 200:
        raise http_error(api, status, body, "GET /version")
    api.lab_server_version = _json(body).get("gitVersion") or ""
    return api.lab_server_version


def namespace_exists(api, namespace: str) -> bool:
    """Whether ``namespace`` exists; LabError when the server does not say (403...)."""
    status, body = request(api, "GET", f"/api/v1/namespaces/{namespace}")
    if status == 200:
        return True
    if status == 404:
        return False
    raise http_error(api, status, body, f"read namespace {namespace}")


# -- failures ---------------------------------------------------------------------------


def _connection_error(api, err: Exception, timeout: float | None) -> LabError:
    """Why the server could not be talked to, in a few words."""
    cause = getattr(err, "reason", None)
    if not isinstance(cause, BaseException):
        cause = err
    text = f"{type(cause).__name__} {cause}"
    if "SSL" in text or "CERTIFICATE" in text.upper():
        detail = _first_line(cause).split("] ", 1)[-1] if "] " in str(cause) else _first_line(cause)
        return LabError(f"{describe(api)}: TLS failed ({detail.strip()[:160]}); the kubeconfig "
                        "may belong to an older cluster: get a fresh one")
    if "Connection refused" in text:
        why = "ConnectionRefused"
    elif "NameResolution" in text or "Name or service not known" in text:
        why = "its host name does not resolve"
    elif "Timeout" in text or "timed out" in text:
        why = f"no answer within {timeout:g} s" if timeout else "timed out"
    elif "RemoteDisconnected" in text or "ProtocolError" in text:
        why = "the connection was closed"
    else:
        why = f"{type(cause).__name__}: {_first_line(cause)[:160]}"
    return LabError(f"{describe(api)} does not answer ({why}): is the cluster running? "
                    "(`lab env status`, `kubectl cluster-info`)")


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]


def _json(body: bytes) -> dict:
    import json
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
