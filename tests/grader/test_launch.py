import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from grader import launch


def test_command_line(tmp_path):
    argv = launch.command(tmp_path, port=9999, token="t0k", no_browser=True)
    assert f"--ServerApp.root_dir={tmp_path}" in argv and "--no-browser" in argv
    assert "--IdentityProvider.token=t0k" in argv and "--ServerApp.ip=127.0.0.1" in argv


def test_free_port_is_bindable():
    import socket
    port = launch.free_port(0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


@pytest.mark.engine
def test_lab_start_serves_the_workbook(engine, tmp_path):
    """`lab start ch10 --no-browser`: env up, student copy, JupyterLab answering on the
    printed URL with the workbook's notebooks listed."""
    lab = str(Path(sys.executable).parent / "lab")
    proc = subprocess.Popen([lab, "start", "ch10", "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "LAB_HOME": str(tmp_path)}, start_new_session=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "token=" in url, url
        base, token = url.split("/lab?token=")
        deadline = time.monotonic() + 90
        listing = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=2) as r:
                    listing = r.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert listing and "01-images-and-containers.ipynb" in listing
        assert (tmp_path / "ch10" / "user").is_dir() and not (tmp_path / "ch10" / "solutions").exists()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
