"""Start a student's JupyterLab on a workspace, printing the URL the student opens.

The student's JupyterLab is set up per launch, never through the user's own Jupyter
settings: a folder the lab owns (``$LAB_HOME/.jupyter``) is put in front of Jupyter's
search paths (``JUPYTER_CONFIG_PATH``, ``JUPYTER_PATH``) of the server alone, and the
rest is command-line configuration:

- nbgrader's instructor tools are off: its JupyterLab extension (the "Create Assignment"
  sidebar, the Nbgrader menu, formgrader, the assignment and course lists) through
  ``labconfig/page_config.json`` ``disabledExtensions``, its server extensions through
  ``ServerApp.jpserver_extensions``. Instructors use nbgrader in their own Jupyter;
- JupyterLab's news prompt is off: its announcements plugin disabled, the news feed and
  update check off, the notification settings defaulting to "never";
- the python3 kernel loads ``grader.magics`` (shell cells that fail with one line);
- the browser opens the chapter's first notebook.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sys
from pathlib import Path
from urllib.parse import quote

from grader import magics

# nbgrader 0.9 enables these in {sys.prefix}/etc/jupyter/jupyter_server_config.d/nbgrader.json;
# "nbgrader" itself is its all-in-one entry point. Command-line values win over that file.
NBGRADER_SERVER_EXTENSIONS = (
    "nbgrader",
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
)
# a package name disables every plugin of that JupyterLab extension; a plugin id, one plugin
DISABLED_LAB_EXTENSIONS = (
    "@jupyter/nbgrader",                            # Create Assignment, Nbgrader menu, ...
    "@jupyterlab/apputils-extension:announcements",  # "get notified about Jupyter news?"
)
SETTING_DEFAULTS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}


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


def first_notebook(workspace: Path) -> Path | None:
    """The chapter's first numbered notebook in ``workspace``."""
    return next(iter(sorted(workspace.glob("[0-9][0-9]-*.ipynb"))), None)


def prepare(jupyter_dir: Path) -> dict[str, str]:
    """Write the student setup into ``jupyter_dir`` (the lab's own, rewritten every
    launch) and return the environment variables that put it in front of Jupyter's."""
    from ipykernel.kernelspec import write_kernel_spec

    config, data = jupyter_dir / "config", jupyter_dir / "data"
    labconfig = config / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {name: True for name in DISABLED_LAB_EXTENSIONS}}, indent=1))
    # section "default_setting_overrides" (jupyterlab_server reads that name, singular)
    (labconfig / "default_setting_overrides.json").write_text(
        json.dumps(SETTING_DEFAULTS, indent=1))
    kernel = data / "kernels" / "python3"  # found before the python3 kernel of the install
    shutil.rmtree(kernel, ignore_errors=True)
    kernel.parent.mkdir(parents=True, exist_ok=True)
    write_kernel_spec(kernel, extra_arguments=magics.KERNEL_ARGS)

    def in_front(name: str, path: Path) -> str:
        rest = [p for p in os.environ.get(name, "").split(os.pathsep) if p and p != str(path)]
        return os.pathsep.join([str(path), *rest])

    return {"JUPYTER_CONFIG_PATH": in_front("JUPYTER_CONFIG_PATH", config),
            "JUPYTER_PATH": in_front("JUPYTER_PATH", data)}


def command(workspace: Path, *, port: int, token: str, no_browser: bool,
            jupyter_dir: Path | None = None, open_path: str = "") -> list[str]:
    """The ``jupyter lab`` command line for ``workspace``."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if no_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI machines often run as root
    if open_path:
        argv.append(f"--LabApp.default_url=/lab/tree/{quote(open_path)}")
    if jupyter_dir is not None:
        # the layout JupyterLab remembers belongs to the lab, not to the user's other work
        argv.append(f"--LabApp.workspaces_dir={jupyter_dir / 'workspaces'}")
    off = ", ".join(f"'{name}': False" for name in NBGRADER_SERVER_EXTENSIONS)
    argv.append(f"--ServerApp.jpserver_extensions={{{off}}}")
    return argv


def jupyter(workspace: Path, *, no_browser: bool, port: int = 0, say=print) -> None:
    """Replace this process with the student's JupyterLab serving ``workspace`` (never
    returns); prints the URL of the chapter's first notebook."""
    port = port or free_port()
    token = secrets.token_hex(16)
    jupyter_dir = workspace.parent / ".jupyter"
    env = {**os.environ, **prepare(jupyter_dir)}
    first = first_notebook(workspace)
    open_path = first.name if first else ""
    where = f"/lab/tree/{quote(open_path)}" if open_path else "/lab"
    url = f"http://127.0.0.1:{port}{where}?token={token}"
    say(f"workbook: {workspace}")
    print(url, flush=True)
    sys.stderr.flush()
    argv = command(workspace, port=port, token=token, no_browser=no_browser,
                   jupyter_dir=jupyter_dir, open_path=open_path)
    os.execve(argv[0], argv, env)
