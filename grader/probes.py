"""Small tools behaviour and live checks use: HTTP from the host, a throwaway
container started by the grader (labelled, always removed), a Redis PING, the files
of an image, and a look inside a container wherever it runs (a swarm task on another
node of a docker-in-docker swarm included)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass

from grader.errors import LabError
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
    status, body = _dial({"do": "http", "method": method, "url": url, "data": data,
                          "timeout": timeout})
    return Reply(status, body)


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
    return _dial({"do": "redis_ping", "host": host, "port": port, "timeout": timeout})


# When a class is graded (docs/grading.md) the checks run on the grader's host, but the
# ports a submission published are in its sandbox's network namespace: there 127.0.0.1
# is the submission's engine. ``lab grade`` then names a container of its own that
# shares that namespace (DIAL_VIA, on the host engine DIAL_ENGINE) and every dial runs
# in it: grader.dial's code, sent with the request, in a fresh container the student's
# code never ran in (so it cannot answer for the student).
DIAL_VIA = "LAB_DIAL_VIA"
DIAL_ENGINE = "LAB_DIAL_ENGINE"
_dial_client: list = []


def _dial(request: dict):
    import os

    from grader import dial
    via = os.environ.get(DIAL_VIA)
    if not via:
        return dial.answer(request)
    return _dial_inside(via, request)


def _dial_inside(via: str, request: dict):
    import os
    from pathlib import Path

    import docker
    from docker.errors import DockerException

    from grader import dial
    if not _dial_client:
        base_url = os.environ.get(DIAL_ENGINE) or "unix:///var/run/docker.sock"
        _dial_client.append(docker.APIClient(base_url=base_url, timeout=60))
    api = _dial_client[0]
    what = f"{request['do']} {request.get('url') or request.get('port')}"
    try:
        exec_id = api.exec_create(via, ["python3", "-c", Path(dial.__file__).read_text(),
                                        json.dumps(request)])["Id"]
        out, err = api.exec_start(exec_id, demux=True) or (None, None)
        code = api.exec_inspect(exec_id)["ExitCode"]
    except DockerException as exc:
        raise LabError(f"the grader could not dial inside the sandbox ({what}): {exc}") from None
    try:
        if code != 0:
            raise ValueError((err or b"").decode(errors="replace").strip()[-200:])
        return json.loads(out or b"")
    except ValueError as exc:
        raise LabError(f"the grader could not dial inside the sandbox ({what}): exit code "
                       f"{code}: {exc}") from None


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


# --- looking into images and containers --------------------------------------------------

_MAX_FILE = 1 << 20  # files larger than this are not read into memory


def _scan_cache(client, image: str, what: str, compute):
    """``compute()``, remembered per image ID: an image's content never changes under
    its ID (the ID is a digest of it), so a look into an image made once holds until the
    image is rebuilt. Kept in ``$XDG_CACHE_HOME/container-labs/image-scans`` (``what``
    is hashed into the key; values looked for are never written there in clear)."""
    import hashlib
    import os
    from pathlib import Path

    image_id = image if image.startswith("sha256:") else client.api.inspect_image(image)["Id"]
    key = hashlib.sha256(f"{image_id}\0{what}".encode()).hexdigest()
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") \
        / "container-labs" / "image-scans"
    cached = folder / f"{key}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))["value"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    value = compute()
    try:  # a cache that cannot be written only costs the next run the same look again
        folder.mkdir(parents=True, exist_ok=True)
        part = cached.with_suffix(f".{os.getpid()}.part")
        part.write_text(json.dumps({"image": image_id, "value": value}), encoding="utf-8")
        os.replace(part, cached)
    except OSError:
        pass
    return value


def image_files(client, image: str, path: str, *, labels: dict) -> dict[str, str] | None:
    """The files at ``path`` in ``image`` (a file, or a folder and what is under it):
    ``{path inside the image: text}``; None when the image has nothing at ``path``.

    Reads the image, not a running container: a container is created from it (never
    started, labelled, always removed) and ``path`` copied out of it; once per image ID
    (:func:`_scan_cache`).
    """
    return _scan_cache(client, image, f"files\0{path}",
                       lambda: _image_files(client, image, path, labels=labels))


def _image_files(client, image: str, path: str, *, labels: dict) -> dict[str, str] | None:
    import io
    import posixpath
    import tarfile

    from docker.errors import NotFound

    cid = client.api.create_container(image, command=["true"], labels=labels)["Id"]
    try:
        try:
            stream, _ = client.api.get_archive(cid, path)
        except NotFound:
            return None
        data = b"".join(stream)
    finally:
        client.api.remove_container(cid, force=True, v=True)
    found: dict[str, str] = {}
    parent = posixpath.dirname(path.rstrip("/")) or "/"
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.size <= _MAX_FILE:
                content = tar.extractfile(member).read()
                found[posixpath.join(parent, member.name)] = content.decode(errors="replace")
    return found


def image_holds(client, image: str, values: dict[str, str]) -> list[str]:
    """The names of ``values`` whose text appears anywhere in ``image``: its files (every
    layer), its configuration and its history, read as ``docker save`` streams them.
    Layers are plain tar archives there, so a file's content shows as it is. Once per
    image ID and set of values (:func:`_scan_cache`): streaming a whole image is the
    slowest thing a live check does."""
    import hashlib
    what = "holds\0" + "\0".join(f"{name}={hashlib.sha256(v.encode()).hexdigest()}"
                                  for name, v in sorted(values.items()))
    return _scan_cache(client, image, what, lambda: _image_holds(client, image, values))


def _image_holds(client, image: str, values: dict[str, str]) -> list[str]:
    needles = {name: v.encode() for name, v in values.items() if v}
    keep = max((len(v) for v in needles.values()), default=1) - 1
    found: set[str] = set()
    tail = b""
    for chunk in client.api.get_image(image, chunk_size=1 << 20):
        window = tail + chunk
        found.update(name for name, v in needles.items() if v in window)
        tail = window[-keep:] if keep else b""
    return sorted(found)


class ContainerAccess:
    """Look inside one container, wherever it runs: run a shell script, read its
    ``docker inspect``. Directly through the engine that runs it (``client``), or
    through the container of a docker-in-docker node (``node``), whose own docker CLI
    talks to the engine inside it. ``where`` names the place for messages."""

    def __init__(self, container_id: str, *, client=None, node=None, where: str = ""):
        if (client is None) == (node is None):
            raise ValueError("ContainerAccess needs a client or a node, not both")
        self.id, self.client, self.node = container_id, client, node
        self.where = where or "this engine"

    def run(self, script: str) -> tuple[int, str, str]:
        """(exit code, stdout, stderr) of ``sh -c script`` inside the container."""
        if self.client is not None:  # the exec API itself: no inspect of the container first
            api = self.client.api
            exec_id = api.exec_create(self.id, ["sh", "-c", script])["Id"]
            out, err = api.exec_start(exec_id, demux=True) or (None, None)
            code = api.exec_inspect(exec_id)["ExitCode"]
        else:
            res = self.node.exec_run(["docker", "exec", self.id, "sh", "-c", script], demux=True)
            (out, err), code = res.output or (None, None), res.exit_code
        return (code, (out or b"").decode(errors="replace"),
                (err or b"").decode(errors="replace"))

    def check_output(self, script: str) -> str:
        """stdout of ``script``; a LabError when it could not run there (the grader's
        trouble: the container is gone, the node does not answer)."""
        from docker.errors import DockerException
        try:
            code, out, err = self.run(script)
        except DockerException as exc:
            raise LabError(f"the grader could not look inside container {self.id[:12]} "
                           f"on {self.where}: {exc}") from None
        if code != 0:
            raise LabError(f"the grader could not look inside container {self.id[:12]} on "
                           f"{self.where} (exit code {code}): {(err or out).strip()[:200]}")
        return out

    def inspect(self) -> dict:
        """``docker inspect`` of the container."""
        from docker.errors import DockerException
        try:
            if self.client is not None:
                return self.client.api.inspect_container(self.id)
            res = self.node.exec_run(["docker", "inspect", self.id], demux=True)
        except DockerException as exc:
            raise LabError(f"the grader could not inspect container {self.id[:12]} on "
                           f"{self.where}: {exc}") from None
        out, err = res.output or (None, None)
        if res.exit_code != 0:
            raise LabError(f"the grader could not inspect container {self.id[:12]} on "
                           f"{self.where}: {(err or b'').decode(errors='replace').strip()[:200]}")
        return json.loads(out)[0]
