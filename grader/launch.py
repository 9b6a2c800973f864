"""Start JupyterLab on a workspace, printing the URL the student opens."""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path


def free_port(preferred: int = 8888) -> int:
    """``preferred`` if it is free on 127.0.0.1, else any free port."""
    for candidate in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError("no free port")


def command(workspace: Path, *, port: int, token: str, no_browser: bool) -> list[str]:
    """The ``jupyter lab`` command line for ``workspace``."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]
    if no_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI machines often run as root
    # the student's workbook is not an nbgrader course folder: keep the instructor
    # extensions (formgrader, course list) out of the student's server
    off = ", ".join(f"'nbgrader.server_extensions.{e}': False"
                    for e in ("formgrader", "course_list", "assignment_list"))
    argv.append(f"--ServerApp.jpserver_extensions={{{off}}}")
    return argv


def jupyter(workspace: Path, *, no_browser: bool, port: int = 0, say=print) -> None:
    """Replace this process with JupyterLab serving ``workspace`` (never returns)."""
    port = port or free_port()
    token = secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    say(f"workbook: {workspace}")
    print(url, flush=True)
    sys.stderr.flush()
    argv = command(workspace, port=port, token=token, no_browser=no_browser)
    os.execv(argv[0], argv)
