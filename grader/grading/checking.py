"""The chapter's checks on what a submission left: ``lab check CH --lab-dir WORK --json``
in a process of its own, on the host (trusted code, the answer keys available), with
DOCKER_HOST pointing at the submission's engine. A process per submission because the
checks read DOCKER_HOST and run pytest, both process-wide, and several submissions are
checked at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from grader import probes
from grader.checks import SANDBOX_ENV

TIMEOUT = 1800


def run(chapter: str, work: Path, docker_host: str, params: dict, *, only: list[str] | None = None,
        dial_via: str | None = None, timeout: int = TIMEOUT) -> tuple[list[dict], str]:
    """(check results as ``Result.as_dict()``, error line or ""). ``dial_via``: the
    container (on this host's engine) the checks dial the submission's ports from."""
    args = [sys.executable, "-c", "from grader.cli import main; main()", "check", chapter,
            "--lab-dir", str(work), "--json"]
    for pattern in only or []:
        args += ["--only", pattern]
    for key, value in sorted(params.items()):
        args += ["--param", f"{key}={value}"]
    with tempfile.TemporaryDirectory(prefix="clabs-grade-check-") as home:
        env = {**os.environ, "DOCKER_HOST": docker_host, "LAB_HOME": home,
               "XDG_CACHE_HOME": home, SANDBOX_ENV: "1"}
        env.pop("KUBECONFIG", None)
        if dial_via:
            env.update({probes.DIAL_VIA: dial_via, probes.DIAL_ENGINE: os.environ.get("DOCKER_HOST", "")})
        try:
            p = subprocess.run(args, check=False, capture_output=True, text=True, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            return [], f"the checks did not finish in {timeout} s"
    # exit 2 with the JSON printed: some check errored (could not run), the others are
    # graded; exit 2 without it: `lab check` itself could not run (one line on stderr)
    try:
        return json.loads(p.stdout)["checks"], ""
    except (ValueError, KeyError, TypeError):
        last = (p.stderr.strip().splitlines() or [f"exit code {p.returncode}"])[-1]
        return [], f"the checks could not run: {last[:300]}"
