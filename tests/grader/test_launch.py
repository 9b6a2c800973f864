import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from grader import chapters, launch, magics, workspace


def test_command_line(tmp_path):
    argv = launch.command(tmp_path, port=9999, token="t0k", no_browser=True,
                          jupyter_dir=tmp_path / "j", open_path="01-a b.ipynb")
    assert f"--ServerApp.root_dir={tmp_path}" in argv and "--no-browser" in argv
    assert "--IdentityProvider.token=t0k" in argv and "--ServerApp.ip=127.0.0.1" in argv
    assert "--LabApp.default_url=/lab/tree/01-a%20b.ipynb" in argv
    assert "--LabApp.news_url=None" in argv
    [ext] = [a for a in argv if a.startswith("--ServerApp.jpserver_extensions=")]
    for name in ("nbgrader", "nbgrader.server_extensions.formgrader",
                 "nbgrader.server_extensions.validate_assignment"):
        assert f"'{name}': False" in ext


def test_prepare_writes_only_the_labs_own_folder(tmp_path, monkeypatch):
    home = tmp_path / "user-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/etc/theirs")
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    env = launch.prepare(tmp_path / "lab-jupyter")
    config, data = tmp_path / "lab-jupyter" / "config", tmp_path / "lab-jupyter" / "data"
    assert env["JUPYTER_CONFIG_PATH"] == os.pathsep.join([str(config), "/etc/theirs"])
    assert env["JUPYTER_PATH"] == str(data)
    page = json.loads((config / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {"@jupyter/nbgrader": True,
                                          "@jupyterlab/apputils-extension:announcements": True}
    spec = json.loads((data / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and spec["argv"][-1:] == magics.KERNEL_ARGS
    assert not any(home.iterdir())  # the user's own Jupyter settings are not touched
    launch.prepare(tmp_path / "lab-jupyter")  # again: rewritten, no error


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, ""
    except OSError:  # not listening yet
        return 0, ""


def test_student_server_has_no_instructor_tools(tmp_path):
    """The configuration reaches a real JupyterLab: page config, kernel, settings, and
    nbgrader's server extensions (no engine needed: the server alone)."""
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "01-first.ipynb").write_text("{}")
    port, token = launch.free_port(0), "t0k"
    env = {**os.environ, **launch.prepare(tmp_path / "jupyter")}
    argv = launch.command(tmp_path / "ws", port=port, token=token, no_browser=True,
                          jupyter_dir=tmp_path / "jupyter", open_path="01-first.ipynb")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _get(f"{base}/api/status?token={token}")[0] != 200:
            assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.2)
        status, page = _get(f"{base}/lab/tree/01-first.ipynb?token={token}")
        assert status == 200
        config = json.loads(page.split('id="jupyter-config-data"', 1)[1]
                            .split(">", 1)[1].split("</script>", 1)[0])
        assert {"@jupyter/nbgrader", "@jupyterlab/apputils-extension:announcements"} <= \
            set(config["disabledExtensions"])
        assert config["news"] == {"disabled": True}
        specs = json.loads(_get(f"{base}/api/kernelspecs?token={token}")[1])
        assert specs["kernelspecs"]["python3"]["spec"]["argv"][-1:] == magics.KERNEL_ARGS
        note = json.loads(_get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:"
                               f"notification?token={token}")[1])
        assert note["schema"]["properties"]["fetchNews"]["default"] == "false"
        for path in ("/formgrader", "/assignments", "/formgraders", "/nbgrader_version",
                     "/assignments/validate"):
            assert _get(f"{base}{path}?token={token}")[0] == 404, path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_start_of_a_chapter_not_ready_exits_2(monkeypatch, capsys, tmp_path):
    from grader import cli, providers
    monkeypatch.setitem(chapters.CHAPTERS, "ch10", dataclasses.replace(
        chapters.CHAPTERS["ch10"], ready=False, not_ready_reason="the ch10 lab is not written yet"))
    monkeypatch.setenv("LAB_HOME", str(tmp_path))

    def must_not_run(*args, **kwargs):
        raise AssertionError("nothing may start for a chapter that is not ready")

    monkeypatch.setattr(providers, "for_chapter", must_not_run)
    monkeypatch.setattr(launch, "jupyter", must_not_run)
    monkeypatch.setattr(sys, "argv", ["lab", "start", "ch10", "--no-browser"])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["lab: ch10: the ch10 lab is not written yet; ready now: ch14, ch15, ch16"]
    assert not workspace.path("ch10").exists()


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
        assert "/lab/tree/01-images-and-containers.ipynb?token=" in url  # opens the first
        base, token = url.split("/lab/tree/")[0], url.split("token=")[1]
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
