"""The two ways a check dials a service it reached through a published port: one HTTP
request, and a Redis PING. Standard library only, and runnable as a script
(``python3 dial.py '{"do": "http", ...}'`` prints the answer as JSON), because when a
class is graded the same code runs inside the submission's network namespace, where
127.0.0.1 is the submission's engine and not the grader's host
(:mod:`grader.probes` sends it there; docs/grading.md)."""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.request


def http(method: str, url: str, data: dict | None = None, timeout: float = 3.0) -> tuple[int, str]:
    """(status, body) of one request; an HTTP error status is an answer too, and no
    answer at all is status 0 with the reason as the body."""
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")
    except OSError as err:  # refused, reset, timed out, no route
        return 0, f"no answer: {getattr(err, 'reason', err)}"


def redis_ping(host: str, port: int, timeout: float = 2.0) -> str:
    """The first reply line to PING in Redis's wire protocol, or ``no answer: <reason>``."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).decode(errors="replace").strip()
    except OSError as err:
        return f"no answer: {err}"


def answer(request: dict):
    """What :func:`http` or :func:`redis_ping` says to ``request`` (plain data both ways)."""
    if request["do"] == "http":
        return list(http(request["method"], request["url"], request.get("data"),
                         request.get("timeout", 3.0)))
    if request["do"] == "redis_ping":
        return redis_ping(request["host"], request["port"], request.get("timeout", 2.0))
    raise ValueError(f"unknown request {request['do']!r}")


if __name__ == "__main__":
    print(json.dumps(answer(json.loads(sys.argv[1]))))
