"""Build, save and load the lab images listed in ``environments/images/images.toml``.

Every image is built locally, in manifest order, with the Docker engine's build cache;
nothing is pulled. ``clabs/debian:bookworm`` is the base of all the others: it comes
from a debootstrap root filesystem (:mod:`grader.rootfs`), or from ``debian:bookworm-slim``
/ ``debian:bookworm`` when one is already present, and is skipped when an image built
from the same recipe exists. docker and rich are imported inside the functions that use
them, so importing this module stays cheap.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader import labels, rootfs
from grader.errors import LabError

IMAGES_DIR = Path(os.environ.get("LAB_IMAGES_DIR") or Path(__file__).resolve().parents[1] / "environments" / "images")
BASE = "clabs/debian:bookworm"
LOCAL_DEBIAN = ("debian:bookworm-slim", "debian:bookworm")
RECIPE_LABEL = "org.container-labs.recipe"
SOURCE_LABEL = "org.container-labs.base-source"


@dataclass(frozen=True)
class ImageSpec:
    name: str
    context: Path
    dockerfile: str = "Dockerfile"
    args: dict[str, str] = field(default_factory=dict, hash=False)
    depends: tuple[str, ...] = ()
    chapters: tuple[str, ...] = ()
    description: str = ""

    @property
    def repository(self) -> str:
        return self.name.rpartition(":")[0]

    @property
    def tag(self) -> str:
        return self.name.rpartition(":")[2]


@dataclass(frozen=True)
class BuildResult:
    name: str
    seconds: float
    cached: bool
    size: int


# --- the manifest -------------------------------------------------------------------

def load_manifest(path: Path | None = None) -> list[ImageSpec]:
    """The images of ``images.toml``, in build order, checked for consistency."""
    path = path or IMAGES_DIR / "images.toml"
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise LabError(f"cannot read the image manifest {path}: {err}") from None
    specs: list[ImageSpec] = []
    seen: set[str] = set()
    for entry in data.get("image", []):
        name = entry.get("name", "")
        if not name.startswith("clabs/") or ":" not in name or name in seen:
            raise LabError(f"{path}: bad or duplicate image name {name!r} (clabs/NAME:TAG, once)")
        for dep in entry.get("depends", []):
            if dep not in seen:
                raise LabError(f"{path}: {name} depends on {dep}, which is not listed before it")
        spec = ImageSpec(
            name=name,
            context=(path.parent / entry["context"]).resolve(),
            dockerfile=entry.get("dockerfile", "Dockerfile"),
            args={k: str(v) for k, v in entry.get("args", {}).items()},
            depends=tuple(entry.get("depends", [])),
            chapters=tuple(entry.get("chapters", [])),
            description=entry.get("description", ""),
        )
        if not (spec.context / spec.dockerfile).is_file():
            raise LabError(f"{path}: {name}: no {spec.dockerfile} in {spec.context}")
        specs.append(spec)
        seen.add(name)
    return specs


def _matches(query: str, spec: ImageSpec) -> bool:
    query = query.removeprefix("clabs/")
    short = spec.name.removeprefix("clabs/")
    return query == short or query == short.rpartition(":")[0]


def resolve(names: Iterable[str], specs: list[ImageSpec] | None = None) -> list[ImageSpec]:
    """The specs ``names`` designate (``redis``, ``nginx:v2``, ``clabs/redis:7.0``), in manifest order."""
    specs = load_manifest() if specs is None else specs
    chosen: set[str] = set()
    for query in names:
        hits = [s.name for s in specs if _matches(query, s)]
        if not hits:
            known = ", ".join(s.name.removeprefix("clabs/") for s in specs)
            raise LabError(f"unknown image {query!r}; known images: {known}")
        chosen.update(hits)
    return [s for s in specs if s.name in chosen]


def _with_dependencies(wanted: list[ImageSpec], specs: list[ImageSpec], keep=lambda s: True) -> list[ImageSpec]:
    """``wanted`` plus the images they build FROM (those for which ``keep`` holds), in order."""
    by_name = {s.name: s for s in specs}
    chosen = {s.name for s in wanted}
    for spec in reversed(specs):  # dependencies come earlier, so one backward pass suffices
        if spec.name in chosen:
            chosen.update(d for d in spec.depends if d in chosen or keep(by_name[d]))
    return [s for s in specs if s.name in chosen]


def images_for(chapter: str) -> list[ImageSpec]:
    """The images a chapter uses plus everything they build FROM, in build order."""
    specs = load_manifest()
    return _with_dependencies([s for s in specs if chapter in s.chapters], specs)


# --- the engine ---------------------------------------------------------------------

def docker_client(client=None):
    """``client``, or a client for the engine of the environment; LabError if unreachable."""
    if client is not None:
        return client
    import docker

    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        client = docker.from_env()
        client.ping()
    except Exception:  # docker raises DockerException, requests errors or OSError here
        raise LabError(f"Docker engine not reachable at {where}: start Docker, or set DOCKER_HOST") from None
    return client


def _inspect(client, name: str) -> dict | None:
    import docker.errors

    try:
        return client.api.inspect_image(name)
    except docker.errors.ImageNotFound:
        return None


def missing(specs: Iterable[ImageSpec], client) -> list[ImageSpec]:
    """The specs whose image is not present on the engine."""
    return [s for s in specs if _inspect(client, s.name) is None]


# --- building -----------------------------------------------------------------------

class _Progress:
    """A rich progress bar over images, the current build step as description; or silence."""

    def __init__(self, enabled: bool, total: int | None, what: str = "images", transfer: bool = False):
        self.enabled, self.total, self.what, self.transfer = enabled, total, what, transfer
        self.bar = self.task = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TransferSpeedColumn,
            )

            count = [DownloadColumn(), TransferSpeedColumn()] if self.transfer else [MofNCompleteColumn()]
            self.bar = Progress(SpinnerColumn(), BarColumn(bar_width=24), *count, TimeElapsedColumn(),
                                TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task(self.what, total=self.total)
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)

    def describe(self, text: str) -> None:
        if self.bar:
            text = " ".join(text.split())
            self.bar.update(self.task, description=text if len(text) <= 72 else text[:71] + "…")

    def advance(self, amount: float = 1) -> None:
        if self.bar:
            self.bar.advance(self.task, amount)

    def print(self, text: str) -> None:
        if self.bar:
            self.bar.console.print(text, highlight=False)


def _human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def build(names: list[str] | None = None, *, client=None, progress: bool = True,
          force: bool = False) -> list[BuildResult]:
    """Build ``names`` (all when None) and the missing images they build FROM, in order.

    ``force`` rebuilds without the build cache, the base image included (from the cached
    root filesystem). Returns one BuildResult per image built or checked.
    """
    specs = load_manifest()
    wanted = specs if not names else resolve(names, specs)
    client = docker_client(client)
    absent = {s.name for s in missing(specs, client)}
    plan = _with_dependencies(wanted, specs, keep=lambda s: s.name in absent)
    results = []
    with _Progress(progress, len(plan)) as ui:
        for spec in plan:
            ui.describe(spec.name)
            before = _inspect(client, spec.name)
            start = time.monotonic()
            if spec.name == BASE:
                _build_base(client, spec, ui, before, force)
            else:
                _run_build(client, spec, ui, path=str(spec.context), dockerfile=spec.dockerfile,
                           buildargs=spec.args, nocache=force)
            after = _inspect(client, spec.name) or {}
            if before and before["Id"] != after.get("Id"):
                _discard(client, before["Id"])
            result = BuildResult(spec.name, time.monotonic() - start,
                                 cached=bool(before) and before["Id"] == after.get("Id"), size=after.get("Size", 0))
            results.append(result)
            ui.advance()
            ui.print(f"{'cached' if result.cached else 'built ':<7} {spec.name:<24} "
                     f"{result.seconds:6.1f} s {_human(result.size):>9}")
    return results


def _run_build(client, spec: ImageSpec, ui: _Progress, *, extra_labels=None, **kwargs) -> None:
    """One ``docker build`` through the low-level API, streamed; LabError on failure."""
    import docker.errors

    step, tail = "the start", []
    try:
        stream = client.api.build(tag=spec.name, labels={labels.IMAGE: spec.name, **(extra_labels or {})},
                                  rm=True, forcerm=True, pull=False, decode=True, **kwargs)
        for chunk in stream:
            for line in chunk.get("stream", "").splitlines():
                if line.startswith("Step "):  # "Step 3/9 : RUN apt-get update ..."
                    number, _, instruction = line.removeprefix("Step ").partition(" : ")
                    step, tail = f"{number} ({instruction[:80]})", []
                    ui.describe(f"{spec.name}: {line}")
                elif line.strip() and not line.startswith((" ---> ", "Removing intermediate container")):
                    tail = (tail + [line.strip()])[-6:]
            if "error" in chunk:
                raise LabError(f"building {spec.name} failed at step {step}: {chunk['error'].strip()}"
                               + (" -- last output: " + " | ".join(tail) if tail else ""))
    except docker.errors.APIError as err:
        raise LabError(f"building {spec.name} failed: {err.explanation or err}") from None


def _discard(client, image_id: str) -> None:
    """Remove an image a rebuild replaced, unless a container or another tag still uses it."""
    import docker.errors

    try:
        client.api.remove_image(image_id)
    except docker.errors.APIError:
        pass


def base_recipe(spec: ImageSpec) -> str:
    """A hash of everything that decides the base image: its Dockerfiles, overlay, rootfs recipe."""
    digest = hashlib.sha256(rootfs.recipe_hash().encode())
    for file in sorted(p for p in spec.context.rglob("*") if p.is_file() and p.name != "rootfs.tar"):
        digest.update(str(file.relative_to(spec.context)).encode() + b"\0" + file.read_bytes()
                      + str(file.stat().st_mode & 0o111).encode())
    return digest.hexdigest()[:16]


def _build_base(client, spec: ImageSpec, ui: _Progress, before: dict | None, force: bool) -> None:
    recipe = base_recipe(spec)
    if before and (before["Config"].get("Labels") or {}).get(RECIPE_LABEL) == recipe and not force:
        return
    local = next((name for name in LOCAL_DEBIAN if _inspect(client, name)), None)
    if local:
        _run_build(client, spec, ui, path=str(spec.context), dockerfile="Dockerfile.local",
                   buildargs={"BASE": local}, nocache=force,
                   extra_labels={RECIPE_LABEL: recipe, SOURCE_LABEL: local})
        return
    tarball = rootfs.ensure_tarball(log=lambda line: ui.describe(f"{spec.name}: {line}"))
    with tempfile.TemporaryFile(dir=tarball.parent) as context:
        ui.describe(f"{spec.name}: packing the build context")
        with tarfile.open(fileobj=context, mode="w") as tar:
            for item in sorted(spec.context.iterdir()):
                if item.name != "rootfs.tar":
                    tar.add(item, arcname=item.name, filter=_root_owned)
            tar.add(tarball, arcname="rootfs.tar", filter=_root_owned)
        context.seek(0)
        _run_build(client, spec, ui, fileobj=context, custom_context=True, dockerfile=spec.dockerfile,
                   nocache=force, extra_labels={RECIPE_LABEL: recipe, SOURCE_LABEL: "debootstrap"})


def _root_owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


# --- saving and loading -------------------------------------------------------------

def save(path: str | Path, names: list[str] | None = None, *, client=None, progress: bool = True) -> list[str]:
    """Write the lab images (all, or ``names``) to one tarball (gzip when it ends in .gz)."""
    specs = load_manifest() if not names else resolve(names)
    client = docker_client(client)
    absent = missing(specs, client)
    if absent:
        raise LabError("not built yet: " + ", ".join(s.name for s in absent) + "; run `lab images build` first")
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    tags = [s.name for s in specs]
    try:
        response = client.api._get(client.api._url("/images/get"), params={"names": tags}, stream=True, timeout=None)
        client.api._raise_for_status(response)
        opener = (lambda p: gzip.open(p, "wb", compresslevel=1)) if path.suffix in (".gz", ".tgz") else (lambda p: open(p, "wb"))
        with _Progress(progress, None, f"saving {len(tags)} images", transfer=True) as ui, opener(partial) as out:
            for chunk in response.iter_content(chunk_size=1 << 20):
                out.write(chunk)
                ui.advance(len(chunk))
        os.replace(partial, path)
    except OSError as err:
        raise LabError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        partial.unlink(missing_ok=True)
    return tags


def _looks_like_image_tarball(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(512)
    compressed = head[:2] == b"\x1f\x8b" or head[:3] == b"BZh" or head[:6] == b"\xfd7zXZ\x00"
    return compressed or head[257:262] == b"ustar"


def load(path: str | Path, *, client=None, progress: bool = True) -> list[str]:
    """Load a tarball written by :func:`save` (or ``docker save``); returns the image names."""
    import docker.errors

    path = Path(path)
    if not path.is_file():
        raise LabError(f"{path}: no such file")
    if not _looks_like_image_tarball(path):
        raise LabError(f"{path} is not a docker image tarball (make one with `lab images save FILE`)")
    client = docker_client(client)
    loaded: list[str] = []

    def chunks(ui: _Progress) -> Iterator[bytes]:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                ui.advance(len(block))
                yield block

    timeout, client.api.timeout = client.api.timeout, None
    try:
        with _Progress(progress, path.stat().st_size, f"loading {path.name}", transfer=True) as ui:
            for message in client.api.load_image(chunks(ui), quiet=True):
                if "error" in message:
                    raise LabError(f"{path} is not a docker image tarball: {message['error'].strip()}")
                text = message.get("stream", "")
                if text.startswith("Loaded image"):
                    loaded.append(text.partition(": ")[2].strip())
    except docker.errors.APIError as err:
        raise LabError(f"{path} is not a docker image tarball: {err.explanation or err}") from None
    finally:
        client.api.timeout = timeout
    return loaded
