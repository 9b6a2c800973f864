"""Small tools behaviour and live checks use: HTTP from the host, a throwaway
container started by the grader (labelled, always removed), a Redis PING."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

from grader.poll import GaveUp, wait_for


@dataclass
class Reply:
    """An HTTP answer: status and body text."""

    status: int
    body: str

    def json(self):
        return json.loads(self.body)


def http(method: str, url: str, *, data: dict | None = None, timeout: float = 3.0) -> Reply:
    """One HTTP request; an HTTP error status is a Reply too (not an exception), and so is
    no answer at all: status 0 with the reason as the body."""
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, resp.read().decode(errors="replace"))
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read().decode(errors="replace"))
    except OSError as err:  # refused, reset, timed out, no route
        return Reply(0, f"no answer: {getattr(err, 'reason', err)}")


def host_url(container, container_port: str, path: str = "/") -> str:
    """``http://127.0.0.1:<published port><path>`` for a container's published port."""
    bindings = container.published(container_port)
    assert bindings, f"{container.name} does not publish {container_port} to the host"
    ip, port = bindings[0]
    ip = "127.0.0.1" if ip in ("0.0.0.0", "", "::") else ip
    return f"http://{ip}:{port}{path}"


def wait_http(url: str, *, timeout: float, expect: int = 200, container=None) -> Reply:
    """Poll ``url`` until it answers ``expect``; Timeout (an AssertionError) if it never does.

    With ``container`` (a docker-py container that serves ``url``), stop waiting as soon
    as it has exited, and say so with its exit code and last output.
    """
    def probe():
        reply = http("GET", url, timeout=1.5)
        if reply.status == expect:
            return reply
        if container is not None:
            container.reload()
            if container.status not in ("created", "running"):
                code = container.attrs.get("State", {}).get("ExitCode")
                logs = container.logs(tail=3).decode(errors="replace").strip().replace("\n", " | ")
                raise GaveUp(f"the container stopped (status {container.status}, exit code "
                             f"{code}) before it answered; its last output: {logs or 'none'}")
        return None
    return wait_for(probe, timeout=timeout, interval=0.1, what=f"HTTP {expect} from {url}")


def redis_ping(host: str, port: int, timeout: float = 2.0) -> str:
    """Send PING in Redis's wire protocol and return the first reply line, or
    ``no answer: <reason>`` when nothing listens or nothing comes back."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).decode(errors="replace").strip()
    except OSError as err:
        return f"no answer: {err}"


@contextmanager
def throwaway(client, image: str, *, labels: dict, port: str, environment: dict | None = None):
    """Run ``image`` with ``port`` published on a free loopback port; yield the container
    and its host port; remove the container however the block ends."""
    ctr = client.containers.run(image, detach=True, labels=labels, environment=environment or {},
                                ports={port: ("127.0.0.1", None)})
    try:
        ctr.reload()
        bindings = (ctr.attrs["NetworkSettings"].get("Ports") or {}).get(port)
        if ctr.status != "running" or not bindings:
            logs = ctr.logs(tail=3).decode(errors="replace").strip().replace("\n", " | ")
            raise AssertionError(f"a container from {image} stopped at once "
                                 f"(status {ctr.status}); its last output: {logs or 'none'}")
        yield ctr, int(bindings[0]["HostPort"])
    finally:
        ctr.remove(force=True, v=True)
