"""Reading the stack files students write: YAML with one clear line when it is not,
Go-style durations (``10s``, ``1m30s``, ``500ms``) as seconds."""

from __future__ import annotations

import re
from pathlib import Path

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")


def duration(value) -> float | None:
    """Seconds from a compose duration (``"10s"``, ``"1m30s"``); None when the value is
    not one. A bare number is not: ``docker stack deploy`` rejects ``delay: 10``
    ("must be a string")."""
    if not isinstance(value, str):
        return None
    text = str(value).strip()
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNITS[u] for n, u in parts)


def load(path: Path) -> dict:
    """The stack file as a dict; an AssertionError that names the file and line when it
    is not YAML or not a mapping with ``services``."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise AssertionError(f"{Path(path).name} is not valid YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise AssertionError(f"{Path(path).name} is not a text file") from None
    assert isinstance(data, dict) and isinstance(data.get("services"), dict), \
        f"{Path(path).name} has no `services:` mapping"
    return data


def service(data: dict, name: str, filename: str) -> dict:
    """One service of a loaded stack file; an AssertionError listing the ones it has."""
    services = data["services"]
    assert name in services and isinstance(services[name], dict), \
        f"{filename} has no service `{name}` (it has: {', '.join(services) or 'none'})"
    return services[name]


def healthcheck(svc: dict) -> dict:
    """The ``healthcheck`` block with its durations in seconds."""
    hc = svc.get("healthcheck") or {}
    out = dict(hc)
    for key in ("interval", "timeout", "start_period"):
        if key in hc:
            out[key] = duration(hc[key])
    return out
