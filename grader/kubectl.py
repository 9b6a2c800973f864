"""Compare kubectl commands by meaning, not by spelling (what :mod:`grader.commands`
does for Docker): ``svc/web`` = ``service web`` = ``services/web``, ``deploy`` =
``deployment`` = ``deployments.apps``, ``-p`` = ``--patch``, ``--flag value`` =
``--flag=value``, flags in any order, patches compared as data (JSON or YAML, any
spacing or key order; a JSON patch that only sets or removes map keys is the merge
patch that does the same), ``-n NS`` of the lab's own namespace and a merge or
strategic ``--type`` (kubectl's default) count as unsaid.

    cmd = parse("kubectl delete --ignore-not-found svc/web deploy/web")
    cmd.verb, cmd.objects   ->  ("delete", ("deployment/web", "service/web"))
    same("kubectl rollout undo deploy/web", "kubectl rollout undo deployment web")  -> True

What is not understood stays as written: an unknown resource type is a plain word, a
flag not listed here takes the next word as its value unless written ``--flag=value``
(kubectl's boolean flags never take a separate value, and those are listed).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from grader.answers import CommandAnswer

# kubectl's resource names, plurals and short names -> one spelling
RESOURCES: dict[str, str] = {
    alias: canonical
    for canonical, aliases in {
        "pod": ("po", "pods"),
        "service": ("svc", "services"),
        "deployment": ("deploy", "deployments"),
        "replicaset": ("rs", "replicasets"),
        "statefulset": ("sts", "statefulsets"),
        "daemonset": ("ds", "daemonsets"),
        "job": ("jobs",),
        "cronjob": ("cj", "cronjobs"),
        "secret": ("secrets",),
        "configmap": ("cm", "configmaps"),
        "persistentvolumeclaim": ("pvc", "persistentvolumeclaims"),
        "persistentvolume": ("pv", "persistentvolumes"),
        "namespace": ("ns", "namespaces"),
        "endpoints": ("ep",),
        "endpointslice": ("endpointslices",),
        "ingress": ("ing", "ingresses"),
        "node": ("no", "nodes"),
        "event": ("ev", "events"),
        "serviceaccount": ("sa", "serviceaccounts"),
        "storageclass": ("sc", "storageclasses"),
    }.items()
    for alias in (canonical, *aliases)
}
# short flags -> long names: everywhere, and where a command gives a letter its own meaning
SHORT = {
    "*": {"-n": "--namespace", "-o": "--output", "-f": "--filename", "-l": "--selector",
          "-c": "--container", "-i": "--stdin", "-t": "--tty", "-q": "--quiet",
          "-A": "--all-namespaces", "-w": "--watch", "-R": "--recursive", "-p": "--patch",
          "-k": "--kustomize", "-L": "--label-columns", "-h": "--help", "-r": "--replicas"},
    "logs": {"-f": "--follow", "-p": "--previous"},
    "exec": {"-p": "--pod"},
}
# flags that take no value (pflag: a boolean takes one only as --flag=value)
BOOLEAN = {"--stdin", "--tty", "--quiet", "--all-namespaces", "--watch", "--recursive",
           "--all", "--overwrite", "--ignore-not-found", "--force", "--rm", "--attach",
           "--record", "--now", "--follow", "--previous", "--local", "--show-labels",
           "--no-headers", "--wait", "--help", "--watch-only", "--server-side", "--prune"}
# verbs whose first word is a subcommand (kubectl rollout undo, set image, create secret ...)
SUBCOMMANDS = {"rollout", "set", "config", "auth", "certificate", "top", "apply"}
# verbs whose arguments name objects (TYPE/NAME ... or TYPE[,TYPE] NAME ...)
OBJECT_VERBS = {"get", "describe", "delete", "edit", "patch", "label", "annotate", "scale",
                "expose", "autoscale", "wait", "logs", "exec", "attach", "port-forward",
                "debug", "rollout", "set", "cordon", "uncordon", "drain", "taint"}
# verbs where a bare name is a pod's
POD_VERBS = {"logs", "exec", "attach", "port-forward", "debug"}
# flag values that are paths: ./x = x
_PATH_FLAGS = {"--filename", "--from-file", "--from-env-file"}
_PATCH_TYPES = {"strategic", "merge"}


class KubectlError(ValueError):
    """Not a kubectl command we can read (empty, unbalanced quotes, another program)."""


@dataclass(frozen=True)
class Kubectl:
    """A kubectl command in one spelling: ``verb`` (``rollout undo``), ``objects``
    (``service/web``, or a type alone: ``pod``), the other ``args`` in order (after
    ``--``: the command as written), ``flags`` (long name -> sorted values)."""

    verb: str
    objects: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    flags: dict = field(default_factory=dict)

    def flag(self, name: str) -> tuple[str, ...]:
        return self.flags.get(name, ())

    def names(self, kind: str) -> set[str]:
        """The names the command gives objects of ``kind`` (any spelling of it)."""
        want = kind_name(kind)
        return {o.split("/", 1)[1] for o in self.objects if "/" in o and o.split("/", 1)[0] == want}


def kind_name(word: str) -> str | None:
    """``service`` for ``svc``, ``Service``, ``services.v1``; ``deployment`` for
    ``deployments.apps``; None for a word that is no resource type."""
    base = word.lower().split(".", 1)[0]
    return RESOURCES.get(base)


def _split(command) -> list[str]:
    if not isinstance(command, str):
        raise TypeError(f"expected a command as a string, got {type(command).__name__}")
    try:
        words = shlex.split(command.replace("\\\n", " "), comments=True)
    except ValueError as err:
        raise KubectlError(f"cannot read {command!r}: {err}") from None
    if not words or words[0] != "kubectl":
        raise KubectlError("not a kubectl command")
    return words[1:]


def _flags_and_words(rest: list[str]) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """(positional words, raw flags, words after ``--``)."""
    positional: list[str] = []
    flags: dict[str, list[str]] = {}
    after: list[str] = []
    i = 0
    while i < len(rest):
        w = rest[i]
        if w == "--":
            after = rest[i + 1:]
            break
        short = {**SHORT["*"], **SHORT.get(positional[0] if positional else "", {})}
        if w.startswith("--"):
            name, eq, value = w.partition("=")
            if not eq:
                if name in BOOLEAN:
                    value = "true"
                elif i + 1 < len(rest):
                    i += 1
                    value = rest[i]
            flags.setdefault(name, []).append(value)
        elif w.startswith("-") and len(w) > 1 and not w[1].isdigit():
            letters = w[1:]
            for j, ch in enumerate(letters):
                name = short.get(f"-{ch}", f"-{ch}")
                if name in BOOLEAN:
                    rest_of = letters[j + 1:]
                    if rest_of.startswith("="):  # -i=false
                        flags.setdefault(name, []).append(rest_of[1:])
                        break
                    flags.setdefault(name, []).append("true")
                    continue
                value = letters[j + 1:].removeprefix("=")
                if not value and i + 1 < len(rest):
                    i += 1
                    value = rest[i]
                flags.setdefault(name, []).append(value)
                break
        else:
            positional.append(w)
        i += 1
    return positional, flags, after


def _is_extra(word: str) -> bool:
    """A word after the objects that is no name: ``app=web``, ``color-``, ``web=img``."""
    return "=" in word or word.endswith("-")


def _object_args(args: list[str], default_kind: str | None) -> tuple[list[str], list[str]]:
    """(sorted ``kind/name`` objects, the arguments after them)."""
    if not args:
        return [], []
    if "/" in args[0] and kind_name(args[0].split("/", 1)[0]):
        objs, i = [], 0
        while i < len(args) and "/" in args[i] and kind_name(args[i].split("/", 1)[0]):
            kind, _, name = args[i].partition("/")
            objs.append(f"{kind_name(kind)}/{name}")
            i += 1
        return sorted(objs), args[i:]
    kinds = args[0].split(",")
    if all(kind_name(k) for k in kinds):
        names, i = [], 1
        while i < len(args) and not _is_extra(args[i]):
            names.append(args[i])
            i += 1
        kinds = [kind_name(k) for k in kinds]
        objs = [f"{k}/{n}" for k in kinds for n in names] if names else kinds
        return sorted(set(objs)), args[i:]
    if default_kind and not _is_extra(args[0]):
        return [f"{default_kind}/{args[0]}"], args[1:]
    return [], args


def _data(text: str):
    """A structured flag value as data (JSON or YAML), or None."""
    import yaml
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return value if isinstance(value, (dict, list)) else None


def _as_merge(ops: list):
    """A JSON patch that only adds, replaces or removes map keys, as the merge patch that
    does the same; None when it does anything else (list items, moves, tests)."""
    merged: dict = {}
    for op in ops:
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace", "remove"):
            return None
        parts = str(op.get("path", "")).split("/")[1:]
        if not parts or any(p.isdigit() or p == "-" for p in parts):
            return None
        parts = [p.replace("~1", "/").replace("~0", "~") for p in parts]
        node = merged
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                return None
        node[parts[-1]] = None if op["op"] == "remove" else op.get("value")
    return merged


def _canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _normalise(verb: str, flags: dict[str, list[str]], namespace: str | None) -> dict:
    out: dict[str, list[str]] = {}
    for name, values in flags.items():
        vals = []
        for v in values:
            if name in _PATH_FLAGS:
                key, eq, path = v.rpartition("=") if "=" in v else ("", "", v)
                v = f"{key}{eq}{path.strip().removeprefix('./')}"
            vals.append(v.strip())
        out[name] = vals
    if verb == "patch" and "--patch" in out:
        kind = (out.get("--type") or ["strategic"])[-1]
        data = [_data(v) for v in out["--patch"]]
        if all(d is not None for d in data):
            if kind == "json":
                merged = [_as_merge(d) if isinstance(d, list) else None for d in data]
                if all(m is not None for m in merged):
                    data, kind = merged, "merge"
            out["--patch"] = [_canonical_json(d) for d in data]
        if kind in _PATCH_TYPES:
            out.pop("--type", None)
    if namespace is not None and out.get("--namespace") == [namespace]:
        del out["--namespace"]
    return {k: tuple(sorted(v)) for k, v in out.items()}


def parse(command, *, namespace: str | None = None) -> Kubectl:
    """A kubectl command line (``\\`` continuations allowed) in one spelling;
    ``namespace``: the lab's own, whose ``-n`` counts as unsaid. TypeError when
    ``command`` is no string, KubectlError when it is no kubectl command."""
    positional, flags, after = _flags_and_words(_split(command))
    if not positional:
        return Kubectl("", (), tuple(after), _normalise("", flags, namespace))
    verb_words = [positional[0]]
    rest = positional[1:]
    if positional[0] in SUBCOMMANDS and rest:
        verb_words.append(rest.pop(0))
    elif positional[0] == "create" and rest:
        sub = kind_name(rest[0]) or rest[0]
        verb_words.append(sub)
        rest = rest[1:]
        if sub == "secret" and rest and rest[0] in ("generic", "tls", "docker-registry"):
            verb_words.append(rest.pop(0))
    verb = " ".join(verb_words)
    objects: list[str] = []
    if positional[0] in OBJECT_VERBS:
        objects, rest = _object_args(rest, "pod" if positional[0] in POD_VERBS else None)
        if positional[0] in ("label", "annotate") or verb in ("set image", "set env"):
            rest = sorted(rest)
    if verb == "set selector" and rest:
        rest = [",".join(sorted(rest[0].split(",")))] + rest[1:]
    return Kubectl(verb, tuple(objects), tuple(rest) + (("--", *after) if after else ()),
                   _normalise(positional[0], flags, namespace))


def same(given, expected: str, *, allow_extra=frozenset(), namespace: str | None = None) -> bool:
    """True when ``given`` means ``expected``: the same verb, objects and arguments,
    every flag of ``expected`` with the same values, and no other flag but those named
    in ``allow_extra``. False for anything that is no readable kubectl command."""
    try:
        g = parse(given, namespace=namespace)
    except (TypeError, KubectlError):
        return False
    e = parse(expected, namespace=namespace)
    if (g.verb, g.objects, g.args) != (e.verb, e.objects, e.args):
        return False
    if any(g.flags.get(name) != values for name, values in e.flags.items()):
        return False
    return set(g.flags) - set(e.flags) <= set(allow_extra)


@dataclass(frozen=True)
class KubectlAnswer(CommandAnswer):
    """An answer that is a kubectl command, compared with :func:`same`; ``namespace``
    is the lab's own (its ``-n`` may be given or not)."""

    namespace: str | None = None

    def accepts(self, value) -> bool:
        return any(same(value, text, allow_extra=self.allow_extra, namespace=self.namespace)
                   for text in (self.expected, *self.alternatives))


_SHELL_NOISE = re.compile(r"^\s*(#.*)?$")


def script_commands(text: str) -> list[str]:
    """The kubectl command lines of a shell script (``\\`` continuations joined,
    comments and other commands left out; ``cmd1 && cmd2`` and ``;`` split)."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        if _SHELL_NOISE.match(line):
            continue
        for part in re.split(r"&&|\|\||;", line):
            part = part.strip()
            if part.startswith("kubectl ") or part == "kubectl":
                found.append(part)
    return found
