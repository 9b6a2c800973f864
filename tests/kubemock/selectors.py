"""Label and field selectors as the API server reads them from a LIST or WATCH query."""

from __future__ import annotations

import re
from typing import Any

_SPLIT = re.compile(r",(?![^()]*\))")  # commas outside "in (a,b)"
_REQUIREMENT = re.compile(
    r"\s*(?P<neg>!)?\s*(?P<key>[^\s,=!<>()]+)\s*"
    r"(?:(?P<op>==|=|!=|<|>)\s*(?P<value>[^\s,()]*)|\s+(?P<set>in|notin)\s*\((?P<values>[^)]*)\))?\s*")
_FIELD = re.compile(r"\s*([\w.\-/]+)\s*(==|=|!=)\s*(.*?)\s*")


class BadSelector(ValueError):
    """The server answers 400 for it."""


def label_selector_matches(selector: str, labels: dict) -> bool:
    """``a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3``: every requirement holds. As on a
    real server, ``!=`` and ``notin`` also select objects without the label."""
    for part in _SPLIT.split(selector or ""):
        if not part.strip():
            continue
        m = _REQUIREMENT.fullmatch(part)
        if not m:
            raise BadSelector(f"unable to parse requirement: {part!r}")
        key, have = m["key"], labels.get(m["key"])
        if m["neg"]:
            ok = key not in labels
        elif m["set"]:
            values = {v.strip() for v in m["values"].split(",")}
            ok = (have in values) if m["set"] == "in" else (have not in values)
        elif m["op"] in ("=", "=="):
            ok = have == m["value"]
        elif m["op"] == "!=":
            ok = have != m["value"]
        elif m["op"] in ("<", ">"):
            try:
                a, b = int(have), int(m["value"])
            except (TypeError, ValueError):
                ok = False
            else:
                ok = a < b if m["op"] == "<" else a > b
        else:
            ok = key in labels
        if not ok:
            return False
    return True


def field_selector_matches(selector: str, obj: dict) -> bool:
    """``metadata.name=x,status.phase!=Running``. Any dotted path is accepted; a real
    server knows only some fields per kind (metadata.name, metadata.namespace,
    status.phase, spec.nodeName, ...) and answers 400 for the others."""
    for part in (selector or "").split(","):
        if not part.strip():
            continue
        m = _FIELD.fullmatch(part)
        if not m:
            raise BadSelector(f"invalid field selector: {part!r}")
        value: Any = obj
        for step in m[1].split("."):
            value = value.get(step) if isinstance(value, dict) else None
        if isinstance(value, bool):
            value = str(value).lower()
        value = "" if value is None else str(value)
        if (value == m[3]) != (m[2] != "!="):
            return False
    return True


def selected(obj: dict, params) -> bool:
    """Whether a LIST/WATCH with query ``params`` includes ``obj``."""
    return (label_selector_matches(params.get("labelSelector", ""),
                                   (obj.get("metadata") or {}).get("labels") or {})
            and field_selector_matches(params.get("fieldSelector", ""), obj))
