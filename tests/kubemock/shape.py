"""Objects shaped like a real API server's: checked against the kubernetes client's models."""

from __future__ import annotations

import json
from typing import Any

from grader.state.kube import KINDS, Kind

_API_CLIENT = None


def model_name(kind: Kind) -> str:
    """The kubernetes client's model of ``kind`` (``V1Pod``; core events: ``CoreV1Event``)."""
    return "CoreV1Event" if kind.kind == "Event" else f"V1{kind.kind}"


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path, ``spec.containers[].name`` style (a null value counts as absent)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, sub in value.items():
            if sub is None:
                continue
            path = f"{prefix}.{key}" if prefix else key
            found.add(path)
            found |= _paths(sub, path)
    elif isinstance(value, list):
        for sub in value:
            found |= _paths(sub, prefix + "[]")
    return found


def validate_shape(obj: dict) -> None:
    """Fail (AssertionError saying what) unless ``obj`` could come from a real API server:
    a kind the snapshot knows, with that kind's apiVersion and a metadata.name, no
    top-level field the kind lacks, and every field known to the kubernetes client's
    model of the kind: the object is deserialised into it (``ApiClient().deserialize``
    into V1Pod etc.: a wrong type or a missing required field fails there) and
    serialised back, and a field lost on the way is not in the API."""
    global _API_CLIENT
    from grader.kube.client import kubernetes_module
    kubernetes = kubernetes_module()
    what = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
    kind = KINDS.get(obj.get("kind") or "")
    assert kind is not None, f"{what}: not a kind the snapshot knows ({', '.join(KINDS)})"
    assert obj.get("apiVersion") == kind.api_version, \
        f"{what}: apiVersion {obj.get('apiVersion')!r}, a {kind.kind} is {kind.api_version}"
    assert (obj.get("metadata") or {}).get("name"), f"{what}: no metadata.name"
    model = getattr(kubernetes.client, model_name(kind))
    unknown = set(obj) - set(model.attribute_map.values())
    assert not unknown, f"{what}: top-level fields a {kind.kind} does not have: {sorted(unknown)}"
    if _API_CLIENT is None:
        _API_CLIENT = kubernetes.client.ApiClient()
    try:
        parsed = _API_CLIENT.deserialize(json.dumps(obj), model_name(kind), "application/json")
    except Exception as err:  # pydantic.ValidationError, ValueError
        first = str(err).strip().splitlines()
        raise AssertionError(f"{what}: not a valid {kind.kind}: {' '.join(first[:3])}") from None
    lost = _paths(obj) - _paths(_API_CLIENT.sanitize_for_serialization(parsed))
    assert not lost, f"{what}: fields a {kind.kind} does not have: {sorted(lost)}"
