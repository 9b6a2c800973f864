"""Validating Kubernetes objects against the API schema of a stated version, fast.

Where the schemas come from, and why validation is fast
--------------------------------------------------------
The schemas are the ones kubernetes-validate ships (its ``kubernetes-json-schema/
v1.37.0-local-strict`` folder). kubernetes-validate itself validates with jsonschema,
and ``import jsonschema`` is what costs: measured here, ``import kubernetes_validate``
takes 0.74-0.89 s on an idle machine (2.2 s under load, as the issue measured), of which
0.65 s is ``rfc3987_syntax`` compiling a grammar when jsonschema's format checker is
imported. Static checks run on every edit a student makes, so this module never imports
jsonschema or kubernetes_validate: it compiles the kind's schema with fastjsonschema
into Python code once, and keeps the compiled code in ``grader.rootfs.cache_dir()/
kube-schema/`` (keyed by the schema files' size and mtime, the Python version and
:data:`_GENERATOR`). Measured on this machine (2 CPUs, idle):

- per kind, cold (first use on a machine): generating the code 0.01-0.03 s and
  compiling it 0.005-0.06 s (Pod, the largest: 390 KB of code, 0.09 s in all);
- per kind, cached: loading the compiled code 0.4-7.5 ms (Pod 7.5 ms, with the one-off
  ``import fastjsonschema``); a validation well under 1 ms;
- the whole ch15 static layer (13 checks, 9 manifests, 5 kinds; ``runner.run`` in a
  fresh process, pytest included): 0.47-0.51 s cold, 0.27-0.31 s cached. With
  kubernetes-validate, its import alone would add 0.74-0.89 s to every run.

The schemas use only ``type``, ``properties``, ``additionalProperties``, ``items``,
``required``, ``enum``, ``format``, ``oneOf`` and ``$ref`` (with annotations only as
``$ref``'s siblings), so draft-07 evaluation (fastjsonschema) and the 2020-12
evaluation kubernetes-validate asks of jsonschema give the same verdicts; formats are
annotations there (no format checker), so they are here too. tests/grader/kube/
test_manifests.py cross-checks both validators on valid and invalid objects.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import marshal
import os
import re
import sys
from pathlib import Path

# the newest schema kubernetes-validate ships that is not newer than the Kubernetes
# version the labs target (grader.state.kube.TARGET_VERSION, what current kind node
# images run; a test keeps the two in step)
SCHEMA_VERSION = "1.37"
# bump when the generated code changes shape, so cached validators are rebuilt
_GENERATOR = "fastjsonschema-draft07-refs-inlined-2"
_FORMATS = ("date-time", "byte", "int32", "int64", "double")


def schema_problems(obj: dict, *, version: str = SCHEMA_VERSION) -> list[tuple[str, str]]:
    """``[(field path, message)]`` for ``obj`` against the Kubernetes ``version`` schema
    (at most one: the validator stops at the first error); [] when valid."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    validate = _validator(version, kind, api_version)
    if validate is None:
        return [("", _no_schema(version, kind, api_version))]
    try:
        validate(obj)
    except Exception as err:  # noqa: BLE001  (fastjsonschema's JsonSchemaValueException)
        return [_explain(err)]
    return []


def _explain(err) -> tuple[str, str]:
    """(path, message) from a fastjsonschema error: ``data.spec.x must be integer``."""
    text = str(getattr(err, "message", None) or err)
    name = str(getattr(err, "name", "") or "")
    if not name.startswith("data"):
        m = re.match(r"(data\S*) ", text)
        name = m.group(1) if m else "data"
    field = name[4:]
    rest = text[len(name):].strip() if text.startswith(name) else text
    rule = getattr(err, "rule", None)
    shown = field or "the object"
    if rule == "additionalProperties":
        m = re.search(r"must not contain (\{.*\}) properties", rest)
        try:
            keys = sorted(ast.literal_eval(m.group(1))) if m else []
        except (ValueError, SyntaxError):
            keys = []
        if keys:
            from grader.kube.subset import key_path
            shown_keys = ", ".join(key_path(field, k) for k in keys)
            message = (f"unknown field {shown_keys} (not in the schema: a typo, or the "
                       "wrong level of indentation?)")
            return (key_path(field, keys[0]), message)
    if rule == "required":
        m = re.search(r"must contain (\[.*\]) properties", rest)
        try:
            keys = ast.literal_eval(m.group(1)) if m else []
        except (ValueError, SyntaxError):
            keys = []
        if keys:
            value = getattr(err, "value", None)
            there = f"; it has {', '.join(sorted(map(str, value)))}" if isinstance(value, dict) and value else ""
            return (field, f"{shown} needs {', '.join(keys)} (a required field is missing{there})")
    if rule == "type":
        value = getattr(err, "value", None)
        return (field, f"{shown} {rest}, not {json.dumps(value, default=str)[:60]}")
    return (field, f"{shown} {rest}")


def _no_schema(version: str, kind: str, api_version: str) -> str:
    """Why there is no schema: a kind that does not exist, or one served under another
    apiVersion (``extensions/v1beta1`` Deployments were removed in 1.16)."""
    served = []
    folder = _schema_dir(version)
    if folder is not None and kind:
        for f in sorted(folder.glob(f"{kind.lower()}-*.json")):
            try:
                gvks = json.loads(f.read_text()).get("x-kubernetes-group-version-kind") or []
            except (OSError, ValueError):
                continue
            for g in gvks:
                if g.get("kind") == kind:
                    served.append(f"{g['group']}/{g['version']}" if g.get("group") else g["version"])
    if served:
        return (f"apiVersion {api_version} has no {kind} in Kubernetes {version}: use "
                f"apiVersion {' or '.join(sorted(set(served)))}")
    return (f"Kubernetes {version} has no kind {kind!r} (apiVersion {api_version}); kinds are "
            "case-sensitive: Pod, Service, ReplicaSet, PersistentVolumeClaim, Ingress")


def _schema_dir(version: str) -> Path | None:
    import importlib.util
    spec = importlib.util.find_spec("kubernetes_validate")  # finds it; does not import it
    if spec is None or not spec.submodule_search_locations:
        from grader.errors import LabError
        raise LabError("kubernetes-validate is not installed (pip install kubernetes-validate): "
                       "the manifests' schemas come from it")
    folder = Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema" / \
        f"v{version}.0-local-strict"
    return folder if folder.is_dir() else None


def _schema_file(version: str, kind: str, api_version: str) -> Path | None:
    folder = _schema_dir(version)
    if folder is None:
        from grader.errors import LabError
        raise LabError(f"kubernetes-validate has no schema for Kubernetes {version}")
    # as kubernetes-validate names them: networking.k8s.io/v1 -> networking-v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    if not kind or not re.fullmatch(r"[A-Za-z0-9]+", kind) or "/" in group_version:
        return None
    f = folder / f"{kind.lower()}-{group_version}.json"
    return f if f.is_file() and kind in _kinds_in(f) else None


@functools.lru_cache(maxsize=None)
def _kinds_in(schema_file: Path) -> frozenset:
    """The kinds a schema file is for, spelled as the API spells them: the files are
    named in lower case, and ``Replicaset`` is not a kind."""
    try:
        gvks = json.loads(schema_file.read_text()).get("x-kubernetes-group-version-kind") or []
    except (OSError, ValueError):
        return frozenset()
    return frozenset(g.get("kind") for g in gvks)


_VALIDATORS: dict = {}


def _validator(version: str, kind: str, api_version: str):
    """The compiled validation function for a kind, from memory, the disk cache, or
    generated now; None when Kubernetes ``version`` has no such kind/apiVersion."""
    f = _schema_file(version, kind, api_version)
    if f is None:
        return None
    if f in _VALIDATORS:
        return _VALIDATORS[f]
    defs = f.parent / "_definitions.json"
    stamp = "|".join([_GENERATOR, sys.implementation.cache_tag or "", str(f)] +
                     [f"{s.st_size}:{s.st_mtime_ns}" for s in (f.stat(), defs.stat())])
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    from grader.rootfs import cache_dir
    cached = cache_dir() / "kube-schema" / f"{f.parent.name}" / f"{f.stem}-{key}.marshal"
    code = None
    if cached.is_file():
        try:
            code = marshal.loads(cached.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            code = None
    if code is None:
        source = _generate(f, defs)
        code = compile(source, f"<k8s schema {f.parent.name}/{f.name}>", "exec")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(code))
            os.replace(tmp, cached)
        except OSError:
            pass  # a read-only cache only costs speed
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 (our own generated code)
    _VALIDATORS[f] = namespace["validate"]
    return namespace["validate"]


# keywords of these schemas whose values are schemas, maps of schemas, lists of schemas
_MAPS = ("properties", "patternProperties", "definitions", "$defs")
_ONE = ("additionalProperties", "not", "items", "additionalItems")
_LISTS = ("allOf", "anyOf", "oneOf")
_DROP = ("$schema", "$id", "description", "example", "externalDocs", "title", "default")
_DEFS_REF = "/api/_definitions.json#/$defs/"


def _draft07(node):
    """A kubernetes-validate schema (2020-12, ``$defs`` in a second file) as one
    draft-07 schema with local ``#/definitions/`` refs and no annotations."""
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in _DROP or k.startswith("x-"):
            continue
        if k in _MAPS:
            out[k] = {name: _draft07(s) for name, s in v.items()}
        elif k in _ONE:
            out[k] = [_draft07(s) for s in v] if isinstance(v, list) else _draft07(v)
        elif k in _LISTS:
            out[k] = [_draft07(s) for s in v]
        else:
            out[k] = v
    if "$ref" in out:
        ref = out.pop("$ref")
        for prefix in (_DEFS_REF, "#/$defs/"):
            if ref.startswith(prefix):
                ref = "#/definitions/" + ref[len(prefix):]
        # in 2020-12 a $ref's siblings apply too; in draft-07 they would be ignored
        out = {"allOf": [{"$ref": ref}], **out} if out else {"$ref": ref}
    return out


def _generate(schema_file: Path, defs_file: Path) -> str:
    import fastjsonschema
    from fastjsonschema.draft07 import CodeGeneratorDraft07
    from fastjsonschema.ref_resolver import RefResolver

    class Generator(CodeGeneratorDraft07):
        # fastjsonschema's detailed errors embed the whole (ref-expanded) schema in the
        # generated code (2 MB for a Pod, 0.3 s to load); keep the message, value, field
        # and rule, drop the schema copy (300 KB, 5 ms from the cache)
        def exc(self, msg, *args, append_to_msg=None, rule=None):
            arg = '"' + msg + '"'
            if append_to_msg:
                arg += " + (" + append_to_msg + ")"
            self.l("raise JsonSchemaValueException(" + arg + ', value={variable}, '
                   'name="{name}", rule=' + repr(rule) + ")", *args)

    schema = _draft07(json.loads(schema_file.read_text()))
    schema["definitions"] = _draft07({"$defs": json.loads(defs_file.read_text())["$defs"]})["$defs"]
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    resolver = RefResolver.from_schema(schema, handlers={}, store={})
    gen = Generator(schema, resolver=resolver, formats={f: "" for f in _FORMATS})
    return f'VERSION = "{fastjsonschema.VERSION}"\n' + gen.global_state_code + "\n" + gen.func_code
