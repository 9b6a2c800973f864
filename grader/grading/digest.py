"""What identifies a grading input: identical digest, identical grade (resume skips it)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

SKIP = {".ipynb_checkpoints", "__pycache__"}


def _files(folder: Path | None):
    if folder is None or not folder.is_dir():
        return
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part in SKIP for part in rel.parts) or p.is_symlink() or not p.is_file():
            continue
        yield rel.as_posix(), p


def input_digest(submission: Path, chapter: str, params: dict, *, keys: Path | None,
                 released: Path | None, limits: dict) -> str:
    """sha256 over the submission's files, the chapter, the check parameters, the answer
    keys, the released notebooks (locked cells are restored from them) and the limits."""
    h = hashlib.sha256()
    h.update(json.dumps({"chapter": chapter, "params": {k: str(v) for k, v in params.items()},
                         "limits": limits}, sort_keys=True).encode())
    for label, folder in (("submission", submission), ("keys", keys), ("released", released)):
        h.update(f"\0{label}\0".encode())
        for rel, path in _files(folder):
            h.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + h.hexdigest()
