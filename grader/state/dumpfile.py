"""A dump: the snapshots a chapter's checks read, in one file (``lab dump CH FILE``),
graded later with ``lab check CH --from-dump FILE``.

Two forms are read:

- ours, JSON: ``{"apiVersion": "container-labs/v1", "kind": "LabDump", "chapter",
  "namespace", "docker", "swarm", "kube"}`` where ``kube`` is a Kubernetes ``List``;
- a plain Kubernetes dump, JSON or YAML (``kubectl get pods,svc,... -A -o json``, a
  ``List``, a ``PodList``, one object, or several YAML documents): the cluster part
  only, so an instructor can grade a student who worked on their own cluster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader.errors import LabError
from grader.state.docker import DockerState
from grader.state.kube import KubeState
from grader.state.swarm import SwarmState

API_VERSION = "container-labs/v1"
KIND = "LabDump"


@dataclass
class Snapshots:
    """What a dump holds; a part that is None was not recorded."""

    chapter: str | None = None
    namespace: str | None = None
    docker: DockerState | None = None
    swarm: SwarmState | None = None
    kube: KubeState | None = None
    source: str = ""

    def as_dict(self) -> dict:
        return {"apiVersion": API_VERSION, "kind": KIND, "chapter": self.chapter,
                "namespace": self.namespace,
                "taken": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "docker": self.docker.as_dict() if self.docker else None,
                "swarm": self.swarm.as_dict() if self.swarm else None,
                "kube": self.kube.to_list() if self.kube else None,
                **({"kubeKindsRead": list(self.kube.kinds_read),
                    "kubeServerVersion": self.kube.server_version} if self.kube else {})}


def write(path: Path, snapshots: Snapshots) -> None:
    """Write ``snapshots`` as JSON (``-`` for standard output)."""
    text = json.dumps(snapshots.as_dict(), indent=1, default=str)
    if str(path) == "-":
        print(text)
        return
    try:
        Path(path).write_text(text + "\n", encoding="utf-8")
    except OSError as err:
        raise LabError(f"cannot write the dump to {path}: {err.strerror or err}") from None


def _parse(text: str, where: str):
    """JSON, else YAML (one or several documents); LabError with the line otherwise."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise LabError(f"{where} is not valid JSON (line {err.lineno}, column "
                           f"{err.colno}: {err.msg})") from None
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        docs = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark else ""
        raise LabError(f"{where} is neither JSON nor YAML{line}: "
                       f"{getattr(err, 'problem', None) or 'cannot parse it'}") from None
    if not docs:
        raise LabError(f"{where} is empty")
    return docs[0] if len(docs) == 1 else docs


def read(path: Path, *, namespace: str | None = None, default: str = "default") -> Snapshots:
    """Read a dump; ``namespace`` picks the namespace to grade. Without it: the one the
    dump was taken in (ours), the only namespace a plain dump's objects are in, else
    ``default`` (the chapter's namespace)."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabError(f"no dump at {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise LabError(f"cannot read the dump {path}: {err}") from None
    doc = _parse(text, where)
    if isinstance(doc, dict) and doc.get("kind") == KIND:
        if doc.get("apiVersion") != API_VERSION:
            raise LabError(f"{where} is a dump of version {doc.get('apiVersion')!r}; "
                           f"this grader reads {API_VERSION}")
        ns = namespace or doc.get("namespace") or default
        kube = None
        if doc.get("kube"):
            kube = KubeState.from_document(doc["kube"], ns, source=where)
            kube.kinds_read = tuple(doc.get("kubeKindsRead") or ())
            kube.server_version = doc.get("kubeServerVersion")
        return Snapshots(doc.get("chapter"), ns,
                         DockerState.from_dict(doc["docker"]) if doc.get("docker") else None,
                         SwarmState.from_dict(doc["swarm"]) if doc.get("swarm") else None,
                         kube, where)
    kube = KubeState.from_document(doc, namespace or default, source=where)
    if namespace is None:
        found = {(o.get("metadata") or {}).get("namespace") for o in kube.items} - {None, ""}
        if len(found) == 1:
            kube.namespace = found.pop()
    return Snapshots(None, kube.namespace, None, None, kube, where)
