"""Partial matching of Kubernetes objects, the way kuttl asserts (its
``pkg/test/utils/subset.go``): the expected object lists only the fields that matter,
the actual one may hold more, and every difference is reported by its path::

    mismatches({"spec": {"replicas": 3}}, rs)  ->  [".spec.replicas is 2, want 3"]

Maps match key by key. Lists match by position, except lists of maps that all carry a
``name`` (containers, volumes, volumeMounts, ports with names): those match by name, in
any order, the way the API server merges them (``x-kubernetes-list-map-keys: name``).
Scalars match by value and type: ``80`` is not ``"80"`` (a named port), ``true`` is not
``1``.
"""

from __future__ import annotations

import json
import re

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def mismatches(expected, actual, path: str = "") -> list[str]:
    """Every way ``actual`` differs from the partial object ``expected``; [] if none."""
    found: list[str] = []
    _compare(expected, actual, path, found)
    return found


def matches(expected, actual) -> bool:
    """True when ``actual`` holds everything ``expected`` states."""
    return not mismatches(expected, actual)


def key_path(path: str, key) -> str:
    """``.metadata.labels.app``; keys that are not plain words in brackets:
    ``.metadata.annotations["nginx.ingress.kubernetes.io/rewrite-target"]``."""
    key = str(key)
    return f"{path}.{key}" if _PLAIN_KEY.match(key) else f"{path}[{json.dumps(key)}]"


def show(value) -> str:
    """A value as the messages print it: JSON, shortened."""
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind_of(value) -> str:
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return show(value)


def _same_scalar(want, have) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return isinstance(want, bool) and isinstance(have, bool) and want == have
    if isinstance(want, (int, float)) and isinstance(have, (int, float)):
        return want == have
    return type(want) is type(have) and want == have


def _by_name(items: list) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def _compare(want, have, path: str, out: list[str]) -> None:
    where = path or "."
    if isinstance(want, dict):
        if not isinstance(have, dict):
            out.append(f"{where} is {_kind_of(have)}, want a map")
            return
        for key, sub in want.items():
            sub_path = key_path(path, key)
            if key not in have or have[key] is None and sub is not None:
                out.append(f"{sub_path} is missing, want {show(sub)}")
            else:
                _compare(sub, have[key], sub_path, out)
        return
    if isinstance(want, list):
        if not isinstance(have, list):
            out.append(f"{where} is {_kind_of(have)}, want a list")
            return
        if _by_name(want):
            names = {i.get("name"): i for i in have if isinstance(i, dict)}
            for item in want:
                sub_path = f"{path}[name={item['name']}]"
                if item["name"] not in names:
                    have_names = ", ".join(str(n) for n in names) or "none"
                    out.append(f"{sub_path} is missing (there: {have_names})")
                else:
                    _compare(item, names[item["name"]], sub_path, out)
            return
        if len(have) < len(want):
            out.append(f"{where} has {len(have)} item(s), want {len(want)}: {show(want)}")
            return
        for i, item in enumerate(want):
            _compare(item, have[i], f"{path}[{i}]", out)
        return
    if not _same_scalar(want, have):
        out.append(f"{where} is {show(have)}, want {show(want)}")
