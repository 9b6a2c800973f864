"""Kubernetes manifests the student writes: read them, and validate them against the
Kubernetes API schema of a stated version.

``load(path)`` reads one or several YAML documents (``---``) into a list of objects; a
``kind: List`` is expanded into its items. What is not YAML, or not a Kubernetes
object, raises :class:`ManifestError`: an ``AssertionError`` (the student's to fix, so
a check that reads the file fails) holding one line with the file and line number.

``problems(path)`` adds schema validation: every object is checked against the JSON
schema of its kind and apiVersion for Kubernetes :data:`SCHEMA_VERSION`, in strict
mode (an unknown field is an error, as ``kubectl apply`` reports since 1.27), plus what
the schema cannot say (a key given twice in one map, which YAML readers silently
collapse and ``kubectl`` rejects). Each problem is one line: ``pod.yaml line 9:
.spec.containers[0].ports[0].containerPort must be integer``.

Schema validation itself lives in :mod:`grader.kube.schema`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.kube.schema import SCHEMA_VERSION, schema_problems  # noqa: F401  (re-exported)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ManifestError(AssertionError):
    """A manifest that cannot be read as Kubernetes objects; one line, with the line."""


@dataclass
class Document:
    """One object of a manifest file, with where it starts and its YAML node (for
    finding the line of a field)."""

    obj: dict
    file: str
    index: int          # 1-based position among the file's documents
    line: int           # 1-based line where the document starts
    node: yaml.Node | None = None

    @property
    def title(self) -> str:
        meta = self.obj.get("metadata") or {}
        return f"{self.obj.get('kind', '?')} {meta.get('name', '?')}"

    def line_of(self, path: str) -> int:
        """The line of ``.spec.containers[0].image`` in the file (the document's first
        line when the path cannot be followed)."""
        node = self.node
        best = self.line
        rest = path
        while node is not None and rest:
            if rest.startswith("[") and isinstance(node, yaml.SequenceNode):
                m = re.match(r"\[(\d+)\]", rest)
                if not m or int(m.group(1)) >= len(node.value):
                    break
                node, rest = node.value[int(m.group(1))], rest[m.end():]
            elif rest.startswith('["') and isinstance(node, yaml.MappingNode):
                m = re.match(r'\[("(?:[^"\\]|\\.)*")\]', rest)
                key = json.loads(m.group(1)) if m else None
                hit = next(((k, v) for k, v in node.value if str(k.value) == key), None)
                if hit is None:
                    break
                best = hit[0].start_mark.line + 1
                node, rest = hit[1], rest[m.end():]
                continue
            elif rest.startswith(".") and isinstance(node, yaml.MappingNode):
                hit = None
                for key_node, value_node in node.value:
                    key = str(key_node.value)
                    follows = rest[len(key) + 1:len(key) + 2]
                    if (rest.startswith("." + key) and follows in ("", ".", "[")
                            and (hit is None or len(key) > len(str(hit[0].value)))):
                        hit = (key_node, value_node)
                if hit is None:
                    break
                best = hit[0].start_mark.line + 1
                node, rest = hit[1], rest[len(str(hit[0].value)) + 1:]
                continue
            else:
                break
            best = node.start_mark.line + 1
        return best


# ---- reading -------------------------------------------------------------------------


def _yaml_error(name: str, err: yaml.YAMLError) -> ManifestError:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    where = f" at line {mark.line + 1}" if mark else ""
    what = getattr(err, "problem", None) or str(err).splitlines()[0]
    return ManifestError(f"{name} is not valid YAML{where}: {what}")


def documents(path: Path | str, text: str | None = None) -> list[Document]:
    """The Kubernetes objects of a manifest file, with their lines. ManifestError for a
    file that is not YAML, is empty, or holds something that is not an object."""
    path = Path(path)
    name = path.name
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ManifestError(f"{name} not found in {path.parent}") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ManifestError(f"cannot read {name}: {err}") from None
    found: list[Document] = []
    loader = _LOADER(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            index += 1
            line = node.start_mark.line + 1
            obj = loader.construct_document(node)
            if obj is None:
                continue
            found += _objects(obj, name, index, line, node)
    except yaml.YAMLError as err:
        raise _yaml_error(name, err) from None
    finally:
        loader.dispose()
    if not found:
        raise ManifestError(f"{name} holds no Kubernetes object (the file is empty)")
    return found


def _objects(obj, name: str, index: int, line: int, node) -> list[Document]:
    where = f"{name} line {line}" + (f" (document {index})" if index > 1 else "")
    if not isinstance(obj, dict):
        raise ManifestError(f"{where}: a Kubernetes object is a map with apiVersion, kind "
                            f"and metadata, not {type(obj).__name__} {str(obj)[:40]!r}")
    if obj.get("kind") == "List" and isinstance(obj.get("items"), list):
        out = []
        items = node.value if isinstance(node, yaml.MappingNode) else []
        item_nodes = next((v.value for k, v in items if k.value == "items"
                           and isinstance(v, yaml.SequenceNode)), [])
        for i, item in enumerate(obj["items"]):
            sub = item_nodes[i] if i < len(item_nodes) else None
            out += _objects(item, name, index, sub.start_mark.line + 1 if sub else line, sub)
        return out
    missing = [f for f in ("apiVersion", "kind") if not obj.get(f)]
    if missing:
        raise ManifestError(f"{where}: no {' and no '.join(missing)}: every Kubernetes "
                            "object starts with apiVersion and kind")
    if not isinstance(obj.get("metadata"), dict) or not obj["metadata"].get("name"):
        raise ManifestError(f"{where}: the {obj['kind']} has no metadata.name")
    return [Document(obj, name, index, line, node)]


def load(path: Path | str) -> list[dict]:
    """The objects of a manifest file (one or several YAML documents)."""
    return [d.obj for d in documents(path)]


def find(objs: list[dict], kind: str, name: str | None = None) -> dict | None:
    """The first object of ``kind`` (and ``name``, when given) in ``objs``."""
    for o in objs:
        if o.get("kind") == kind and (name is None or (o.get("metadata") or {}).get("name") == name):
            return o
    return None


# ---- validating ----------------------------------------------------------------------


def problems(path: Path | str, *, version: str = SCHEMA_VERSION) -> list[str]:
    """Every problem of a manifest file, one line each (file, line, field, what is
    wrong); [] when every object is valid for Kubernetes ``version``. ManifestError
    when the file cannot be read as objects at all."""
    found = []
    for doc in documents(path):
        where = f"{doc.file} line {{}}"
        for key_path, line in _duplicate_keys(doc.node):
            found.append(f"{where.format(line)}: {key_path} is given twice in one map "
                         "(YAML keeps only the last; kubectl rejects the file)")
        for field, message in schema_problems(doc.obj, version=version):
            found.append(f"{where.format(doc.line_of(field))}: {message}")
    return found


def read(path: Path | str, *, version: str = SCHEMA_VERSION) -> list[dict]:
    """The objects of a manifest that must be valid: ManifestError with the first
    problem otherwise (and how many more there are)."""
    objs = load(path)
    found = problems(path, version=version)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise ManifestError(found[0] + more)
    return objs


def _duplicate_keys(node, path: str = "") -> list[tuple[str, int]]:
    from grader.kube.subset import key_path
    out: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for k, v in node.value:
            key = str(k.value)
            here = key_path(path, key)
            if key in seen and k.tag != "tag:yaml.org,2002:merge":
                out.append((here, k.start_mark.line + 1))
            seen.add(key)
            out += _duplicate_keys(v, here)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out += _duplicate_keys(v, f"{path}[{i}]")
    return out


_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
             "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
             "P": 1e15, "E": 1e18}


def quantity(value) -> float | None:
    """A Kubernetes quantity (``2Gi``, ``2048Mi``, ``500m``, ``1e3``) as a number; None
    when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = re.fullmatch(r"\s*([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)\s*",
                     str(value))
    if not m:
        return None
    number = float(m.group(1) + (m.group(2) or ""))
    return number * _SUFFIXES[m.group(3) or ""]
