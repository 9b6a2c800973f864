"""The lab kubeconfig: one context, flattened, its namespace set to the chapter's.

``lab env up`` on a Kubernetes chapter writes ``<cache>/env/<chapter>.kubeconfig``
(mode 0600) and hands its path to the notebooks and checks as ``KUBECONFIG``, so they
reach the chapter's cluster and namespace whatever the student's own kubeconfig says.
It holds a copy of one context only (like ``kubectl config view --minify --flatten``):
the context, its cluster and its user, with certificate files inlined as ``*-data``.

The student's kubeconfig is read the way kubectl reads it: the files in ``KUBECONFIG``
(``os.pathsep``-separated; the first file that names a cluster, user or context wins,
and the first ``current-context`` set wins), else ``~/.kube/config``. Lab kubeconfigs
listed in ``KUBECONFIG`` (a process the lab pointed there itself) are skipped. Only
YAML is read here: nothing talks to a cluster, so importing this module is cheap.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from grader.errors import LabError

# kubeconfig fields that name a file, and the field that holds the same data inline
_FILE_FIELDS = {
    "clusters": {"certificate-authority": "certificate-authority-data"},
    "users": {"client-certificate": "client-certificate-data",
              "client-key": "client-key-data"},
}


def env_dir() -> Path:
    """Where environments keep their files (markers, ledgers, lab kubeconfigs)."""
    from grader.rootfs import cache_dir
    return cache_dir() / "env"


def path(chapter_id: str) -> Path:
    """The lab kubeconfig of ``chapter_id``."""
    return env_dir() / f"{chapter_id}.kubeconfig"


def _is_lab_file(p: Path) -> bool:
    try:
        return p.expanduser().resolve().parent == env_dir().expanduser().resolve()
    except OSError:
        return False


def source_paths() -> list[Path]:
    """The student's kubeconfig files, in the order kubectl merges them."""
    listed = [Path(p).expanduser() for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    own = [p for p in listed if not _is_lab_file(p)]
    if own:
        return own
    return [Path("~/.kube/config").expanduser()]


def tool_env() -> dict[str, str]:
    """This process's environment for kind and kubectl run on the student's behalf:
    ``KUBECONFIG`` without the lab's own kubeconfigs (``activate`` may have put one
    there), so kind writes its context where the student keeps theirs."""
    env = dict(os.environ)
    listed = [p for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    own = [p for p in listed if not _is_lab_file(Path(p))]
    if own:
        env["KUBECONFIG"] = os.pathsep.join(own)
    else:
        env.pop("KUBECONFIG", None)
    return env


def parse(text: str, where: str) -> dict:
    """A kubeconfig document from YAML text; LabError naming ``where`` if it is not one."""
    import yaml

    try:
        doc = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise LabError(f"{where} is not a valid kubeconfig: not YAML{line}") from None
    if not isinstance(doc, dict):
        raise LabError(f"{where} is not a valid kubeconfig: not a mapping")
    return doc


def load(paths: list[Path] | None = None) -> tuple[dict, dict[tuple[str, str], Path]]:
    """The merged kubeconfig of ``paths`` (default: :func:`source_paths`), and for each
    (section, name) the folder of the file that defined it (relative file paths in a
    kubeconfig are relative to that folder). Missing files are skipped, as kubectl does."""
    merged: dict = {"apiVersion": "v1", "kind": "Config", "clusters": [], "contexts": [],
                    "users": [], "current-context": ""}
    origin: dict[tuple[str, str], Path] = {}
    for p in paths if paths is not None else source_paths():
        if not p.is_file():
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as err:
            raise LabError(f"cannot read the kubeconfig {p}: {err.strerror or err}") from None
        doc = parse(text, str(p))
        if not merged["current-context"] and doc.get("current-context"):
            merged["current-context"] = doc["current-context"]
        for section in ("clusters", "contexts", "users"):
            for entry in doc.get(section) or []:
                name = (entry or {}).get("name")
                if name and (section, name) not in origin:
                    merged[section].append(entry)
                    origin[(section, name)] = p.parent
    return merged, origin


def _entry(doc: dict, section: str, name: str) -> dict | None:
    return next((e for e in doc.get(section) or [] if e.get("name") == name), None)


def current_context(doc: dict) -> str | None:
    """The current context's name, None when the kubeconfig names none."""
    return doc.get("current-context") or None


def server(doc: dict, context: str | None = None) -> str | None:
    """The API server URL of ``context`` (default: the current one), None if unknown."""
    ctx = _entry(doc, "contexts", context or current_context(doc) or "")
    cluster = _entry(doc, "clusters", ((ctx or {}).get("context") or {}).get("cluster", ""))
    return ((cluster or {}).get("cluster") or {}).get("server")


def _inline(section: str, body: dict, base: Path | None, what: str) -> dict:
    body = dict(body)
    for field, data_field in _FILE_FIELDS[section].items():
        ref = body.pop(field, None)
        if not ref or body.get(data_field):
            continue
        file = Path(ref).expanduser()
        if not file.is_absolute() and base is not None:
            file = base / file
        try:
            body[data_field] = base64.b64encode(file.read_bytes()).decode()
        except OSError as err:
            raise LabError(f"the kubeconfig's {what} names {field} {file}, which cannot be "
                           f"read: {err.strerror or err}") from None
    return body


def minify(doc: dict, context: str, origin: dict | None = None) -> dict:
    """A kubeconfig holding only ``context``, its cluster and its user, certificate files
    inlined; ``context`` becomes the current one. LabError if the context is unknown or
    incomplete."""
    origin = origin or {}
    ctx = _entry(doc, "contexts", context)
    if ctx is None:
        known = ", ".join(e.get("name", "?") for e in doc.get("contexts") or []) or "none"
        raise LabError(f"no kube context {context!r} in the kubeconfig (contexts: {known})")
    body = ctx.get("context") or {}
    cluster = _entry(doc, "clusters", body.get("cluster", ""))
    if cluster is None:
        raise LabError(f"kube context {context!r} names cluster {body.get('cluster')!r}, "
                       "which the kubeconfig does not define")
    user_name = body.get("user", "")
    user = _entry(doc, "users", user_name) if user_name else None
    out = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": cluster["name"],
                      "cluster": _inline("clusters", cluster.get("cluster") or {},
                                         origin.get(("clusters", cluster["name"])),
                                         f"cluster {cluster['name']!r}")}],
        "contexts": [{"name": context, "context": dict(body)}],
        "users": [{"name": user["name"],
                   "user": _inline("users", user.get("user") or {},
                                   origin.get(("users", user["name"])),
                                   f"user {user['name']!r}")}] if user else [],
        "current-context": context,
    }
    return out


def with_namespace(doc: dict, namespace: str) -> dict:
    """``doc`` with the current context's namespace set to ``namespace``."""
    name = current_context(doc)
    for ctx in doc.get("contexts") or []:
        if ctx.get("name") == name:
            ctx.setdefault("context", {})["namespace"] = namespace
    return doc


def dump(doc: dict) -> str:
    import yaml
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)


def read(p: Path) -> dict | None:
    """A lab kubeconfig as written, None when there is none."""
    try:
        return parse(p.read_text(encoding="utf-8"), str(p))
    except FileNotFoundError:
        return None


def write(p: Path, doc: dict) -> bool:
    """Write ``doc`` to ``p`` with mode 0600 (it holds credentials), atomically.
    Returns False when the file already had exactly this content."""
    text = dump(doc)
    try:
        if p.read_text(encoding="utf-8") == text and (p.stat().st_mode & 0o777) == 0o600:
            return False
    except FileNotFoundError:
        pass
    p.parent.mkdir(parents=True, exist_ok=True)
    partial = p.with_name(f".{p.name}.{os.getpid()}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(partial, 0o600)
        os.replace(partial, p)
    finally:
        partial.unlink(missing_ok=True)
    return True


def remove(p: Path) -> bool:
    """Delete a lab kubeconfig; False when there was none."""
    try:
        p.unlink()
        return True
    except FileNotFoundError:
        return False
