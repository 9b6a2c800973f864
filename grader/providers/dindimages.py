"""Images for the ``swarm-dind`` nodes: which ones they need, and getting them inside.

The inner engines of the nodes start empty and cannot pull. So the chapter's images are
saved once from the outer engine into a tarball and streamed into every node in parallel
(``docker load`` through an exec); an image built on node-1 is saved from node-1's engine
and loaded into the other nodes the same way. The functions take the engines and node
containers as arguments: they know nothing of :class:`grader.providers.swarm_dind.DindSwarm`.
"""

from __future__ import annotations

import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.errors import LabError

NODE_IMAGE = "clabs/dind:20.10"
BASE_IMAGE = "clabs/debian:bookworm"


def node_images(chapter_id: str) -> list[str]:
    """The images the nodes need: the chapter's own (not the node image) and their base."""
    from grader import images

    specs = images.images_for(chapter_id)
    mine = [s.name for s in specs if chapter_id in s.chapters and s.name != NODE_IMAGE]
    base = [BASE_IMAGE] if mine and any(s.name == BASE_IMAGE for s in specs) else []
    return base + [name for name in mine if name not in base]


def load_images(client, names: list[str], ctrs: list, *, progress: bool) -> int:
    """Save ``names`` once from the outer engine ``client``, load them into every node at once.

    Returns the size of the tarball in bytes.
    """
    from grader import images

    with tempfile.TemporaryDirectory(prefix="clabs-dind-") as tmp:
        tarball = Path(tmp) / "images.tar"
        images.save(tarball, names, client=client, progress=progress)
        load_everywhere(client, tarball, ctrs, progress=progress)
        return tarball.stat().st_size


def share_images(source, client, names: list[str], ctrs: list, *, progress: bool) -> None:
    """Save ``names`` from the engine ``source`` (node-1's) and load them into ``ctrs``.

    ``client`` is the outer engine, which runs the node containers ``ctrs``. The images are
    saved even when ``ctrs`` is empty, so a name node-1 lacks is an error either way.
    """
    from docker.errors import APIError

    with tempfile.TemporaryDirectory(prefix="clabs-dind-") as tmp:
        tarball = Path(tmp) / "images.tar"
        try:
            # the SDK's images.get() saves one image; /images/get with several names
            # makes one tarball whose shared layers are stored once
            response = source.api._get(source.api._url("/images/get"), params={"names": names},
                                       stream=True, timeout=None)
            source.api._raise_for_status(response)
        except APIError as err:
            raise LabError(f"node-1 cannot save {', '.join(names)}: {err.explanation or err}") from None
        with open(tarball, "wb") as out:
            out.writelines(response.iter_content(chunk_size=1 << 20))
        if ctrs:
            load_everywhere(client, tarball, ctrs, progress=progress)


def load_everywhere(client, tarball: Path, ctrs: list, *, progress: bool) -> None:
    """``docker load`` the tarball into every container of ``ctrs``, in parallel.

    ``client`` is the outer engine that runs the containers; LabError names the first
    node whose load failed.
    """
    from grader import images

    pool = ThreadPoolExecutor(len(ctrs))
    try:
        with images._Progress(progress, tarball.stat().st_size * len(ctrs),
                              f"loading into {len(ctrs)} nodes", transfer=True) as ui:
            results = list(pool.map(lambda c: (c.name, *_load_into(client, c, tarball, ui.advance)), ctrs))
    finally:  # Ctrl-C: do not wait for the loads, up() removes the nodes under them
        pool.shutdown(wait=False, cancel_futures=True)
    for name, code, out in results:
        if code != 0:
            raise LabError(f"{name}: docker load failed: {(out.strip().splitlines() or [code])[-1]}")


def _load_into(client, ctr, tarball: Path, advance) -> tuple[int, str]:
    """``docker exec -i NODE docker load -q < tarball`` through the SDK."""
    from docker.utils.socket import frames_iter

    api = client.api
    exec_id = api.exec_create(ctr.id, ["docker", "load", "-q"], stdin=True)["Id"]
    sock = api.exec_start(exec_id, socket=True)
    # the SDK returns a SocketIO wrapper on unix sockets; sendall/shutdown need the socket
    raw = getattr(sock, "_sock", sock)
    try:
        raw.settimeout(600)
        with open(tarball, "rb") as f:
            while block := f.read(1 << 20):
                raw.sendall(block)
                advance(len(block))
        # end of stdin: `docker load` reads to EOF before it answers
        raw.shutdown(socket.SHUT_WR)
        out = b"".join(data for _, data in frames_iter(raw, tty=False))
    finally:
        sock.close()
    return api.exec_inspect(exec_id)["ExitCode"], out.decode(errors="replace")
