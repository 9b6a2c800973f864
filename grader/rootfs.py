"""The Debian root filesystem behind ``clabs/debian:bookworm``, made with debootstrap.

No registry is assumed, so the base image starts from a ``debootstrap --variant=minbase``
tree, trimmed (no apt lists, no docs, no package caches, no logs) and packed as a tar
that the base Dockerfile ``ADD``s. The tar is cached under :func:`cache_dir`, named by
:func:`recipe_hash`, so it is made once per recipe. Making it needs root (or sudo).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from grader.errors import LabError

SUITE = "bookworm"
VARIANT = "minbase"
MIRROR = os.environ.get("LAB_DEBIAN_MIRROR", "http://deb.debian.org/debian").rstrip("/")
# Bump when the trimming below changes: the cached tar and the base image follow.
RECIPE_VERSION = "3"

# What goes out of the tree before it is packed (paths relative to its root).
_TRIM = [
    "var/lib/apt/lists/*",
    "var/cache/apt/*.bin",
    "var/cache/apt/archives/*.deb",
    "var/cache/debconf/*-old",
    "var/cache/ldconfig/aux-cache",
    "var/lib/dpkg/*-old",
    "var/log/*.log",
    "var/log/apt/*",
    "usr/share/man/*",
    "usr/share/info/*",
    "usr/share/lintian/*",
    "etc/hostname",
]

NO_ROOT_HELP = (
    "building clabs/debian:bookworm needs a Debian root filesystem, and making one with "
    "debootstrap needs root: run `sudo lab images build`, or where a registry is reachable "
    "`docker pull debian:bookworm-slim` and build again, or load the instructor's images "
    "with `lab images load FILE`"
)


def cache_dir() -> Path:
    """``$LAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/container-labs``, else ``~/.cache/container-labs``."""
    if os.environ.get("LAB_CACHE_DIR"):
        return Path(os.environ["LAB_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "container-labs"


def sources_list(mirror: str = MIRROR) -> str:
    """The apt sources baked into the image: the suite, its updates and security."""
    lines = [f"deb {mirror} {SUITE} main", f"deb {mirror} {SUITE}-updates main"]
    if mirror.endswith("/debian"):
        lines.append(f"deb {mirror}-security {SUITE}-security main")
    return "\n".join(lines) + "\n"


def recipe_hash() -> str:
    """Names everything that decides the tree's content (not the date it was made)."""
    recipe = "\n".join([RECIPE_VERSION, SUITE, VARIANT, MIRROR, sources_list(), *_TRIM])
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def tarball_path() -> Path:
    return cache_dir() / f"debian-{SUITE}-{VARIANT}-{recipe_hash()}.tar"


def _privileged() -> list[str]:
    """The prefix that runs a command as root, or a LabError saying what to do instead."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo"):
        return ["sudo"]
    raise LabError(NO_ROOT_HELP)


def _run(cmd: list[str], log: Callable[[str], None] | None, what: str) -> None:
    """Run ``cmd``, passing each output line to ``log``; a failure names the last lines."""
    tail: list[str] = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip()
            tail = (tail + [line])[-8:]
            if log and line:
                log(line)
    finally:
        code = proc.wait()
    if code != 0:
        raise LabError(f"{what} failed (exit {code}): " + " | ".join(tail[-4:]))


def ensure_tarball(log: Callable[[str], None] | None = None, *, force: bool = False) -> Path:
    """The cached root filesystem tar, made first if missing (or when ``force``)."""
    target = tarball_path()
    if target.exists() and not force:
        return target
    sudo = _privileged()
    target.parent.mkdir(parents=True, exist_ok=True)
    debootstrap, env = _debootstrap(log)
    work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=target.parent))
    tree = work / "tree"
    partial = target.with_name(target.name + ".part")
    try:
        _run(
            [*sudo, *env, debootstrap, f"--variant={VARIANT}", SUITE, str(tree), MIRROR],
            log,
            f"debootstrap {SUITE} from {MIRROR}",
        )
        _trim(tree, sudo, log)
        if log:
            log("packing the root filesystem")
        _run(
            [*sudo, "tar", "--numeric-owner", "--sort=name", "-C", str(tree), "-cf", str(partial),
             "--exclude=./dev/*", "--exclude=./proc/*", "--exclude=./sys/*", "."],
            log,
            "packing the root filesystem",
        )
        if sudo:
            subprocess.run([*sudo, "chown", f"{os.getuid()}:{os.getgid()}", str(partial)], check=True)
        os.replace(partial, target)
    finally:
        subprocess.run([*sudo, "rm", "-rf", str(work), str(partial)], check=False)
    return target


def _debootstrap(log: Callable[[str], None] | None) -> tuple[str, list[str]]:
    """The debootstrap to run and the ``env`` prefix it needs.

    The host's own debootstrap when installed; otherwise the ``debootstrap`` package is
    fetched from the same Debian mirror (it is a shell script plus data, architecture
    ``all``) and unpacked into the cache, so a fresh machine needs no ``apt-get`` first.
    """
    for candidate in (shutil.which("debootstrap"), "/usr/sbin/debootstrap"):
        if candidate and Path(candidate).exists():
            return candidate, []
    home = cache_dir() / "debootstrap"
    script = home / "usr" / "sbin" / "debootstrap"
    if not script.exists():
        if not shutil.which("dpkg-deb") and not shutil.which("ar"):
            raise LabError(
                "debootstrap is not installed and cannot be unpacked here (no dpkg-deb or ar): "
                "install debootstrap, or `lab images load FILE` with the instructor's images"
            )
        _fetch_debootstrap(home, log)
    env = ["env", f"DEBOOTSTRAP_DIR={home / 'usr' / 'share' / 'debootstrap'}"]
    return str(script), env


def _fetch_debootstrap(home: Path, log: Callable[[str], None] | None) -> None:
    """Download the suite's ``debootstrap`` .deb from :data:`MIRROR` and unpack it in ``home``."""
    import lzma
    import urllib.request

    index_url = f"{MIRROR}/dists/{SUITE}/main/binary-all/Packages.xz"
    if log:
        log(f"debootstrap is not installed: fetching it from {MIRROR}")
    try:
        with urllib.request.urlopen(index_url, timeout=60) as response:
            index = lzma.decompress(response.read()).decode("utf-8", "replace")
        stanza = next(
            (s for s in index.split("\n\n") if s.startswith("Package: debootstrap\n")), ""
        )
        filename = next(
            (line.split(":", 1)[1].strip() for line in stanza.splitlines()
             if line.startswith("Filename:")), None
        )
        if not filename:
            raise LabError(f"the package index at {index_url} has no debootstrap")
        deb = home.with_suffix(".deb")
        home.parent.mkdir(parents=True, exist_ok=True)
        urllib.request.urlretrieve(f"{MIRROR}/{filename}", deb)
    except OSError as exc:
        raise LabError(
            f"debootstrap is not installed and {MIRROR} is not reachable ({exc}): install "
            "debootstrap, or `lab images load FILE` with the instructor's images"
        ) from exc
    staging = Path(tempfile.mkdtemp(prefix="debootstrap-", dir=home.parent))
    try:
        if shutil.which("dpkg-deb"):
            _run(["dpkg-deb", "-x", str(deb), str(staging)], log, "unpacking debootstrap")
        else:  # a .deb is an ar archive holding data.tar.*
            _run(["sh", "-c", 'cd "$1" && ar x "$2" && tar -xf data.tar.* && rm -f *.tar.* debian-binary',
                  "unpack", str(staging), str(deb)], log, "unpacking debootstrap")
        shutil.rmtree(home, ignore_errors=True)
        os.replace(staging, home)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        deb.unlink(missing_ok=True)


def _trim(tree: Path, sudo: list[str], log: Callable[[str], None] | None) -> None:
    """Remove caches, docs and logs; point apt at the suite, updates and security."""
    if log:
        log("trimming the root filesystem")
    script = "\n".join(
        [
            "set -e",
            'cd "$1"',
            # keep each package's copyright file, drop the rest of its docs
            "find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete",
            "find usr/share/doc -mindepth 1 -type d -empty -delete",
            "find usr/share/locale -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +",
            *[f"rm -rf {pattern}" for pattern in _TRIM],
            ": > etc/resolv.conf",
            "[ ! -e etc/machine-id ] || : > etc/machine-id",
            "cat > etc/apt/sources.list <<'EOF'",
            sources_list().rstrip("\n"),
            "EOF",
        ]
    )
    _run([*sudo, "sh", "-c", script, "trim", str(tree)], log, "trimming the root filesystem")
