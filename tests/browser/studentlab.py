"""The student's JupyterLab (`lab start CH --no-browser`) in Debian's chromium, driven by
Playwright: shared by the browser test and the README screenshot script.

Playwright's own browser download cannot work on these machines (no network but the
package registries), so it drives the chromium that `apt-get install chromium` puts in
/usr/bin; Playwright's Chromium protocol works with it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from grader.chapters import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / ".artifacts" / "browser"  # git-ignored: screenshots and server logs
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\) \| Idle")
DONE_PROMPT = re.compile(r"\[\d+\]")  # "[*]:" while a cell runs, "[3]:" when it is done


class LabStartFailed(RuntimeError):
    pass


@contextmanager
def student_lab(home: Path, log: Path, chapter: str = "ch10", timeout: float = 120):
    """Run `lab start CHAPTER --no-browser` with ``LAB_HOME=home`` on a free port, its
    stderr in ``log``; yield the URL it prints once the server answers. Stopped on exit."""
    from grader import launch

    lab = Path(sys.executable).parent / "lab"
    port = launch.free_port(0)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as err:
        proc = subprocess.Popen([str(lab), "start", chapter, "--no-browser", "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=err, text=True,
                                env={**os.environ, "LAB_HOME": str(home)},
                                start_new_session=True)
    try:
        url = proc.stdout.readline().strip()  # "" when `lab start` ended without a URL
        if not url.startswith("http://127.0.0.1:"):
            code = proc.wait(timeout=30)
            raise LabStartFailed(f"`lab start {chapter}` printed {url!r} and exited {code}: "
                                 + " | ".join(log.read_text().strip().splitlines()[-3:]))
        _wait_until_serving(url, proc, timeout)
        yield url
    finally:
        # SIGTERM lets the server shut its kernels down (they run in sessions of their own)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait_until_serving(url: str, proc: subprocess.Popen, timeout: float) -> None:
    base, token = split_url(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LabStartFailed(f"JupyterLab exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise LabStartFailed(f"JupyterLab did not answer on {base} within {timeout:.0f} s")


def split_url(url: str) -> tuple[str, str]:
    """``http://127.0.0.1:PORT/lab/...?token=T`` -> (``http://127.0.0.1:PORT``, ``T``)."""
    base = url.split("/lab", 1)[0]
    return base, url.split("token=", 1)[1]


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000, scale: float = 1):
    """A page of a headless chromium from Debian, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser.new_page(viewport={"width": width, "height": height},
                                   device_scale_factor=scale)
        finally:
            browser.close()


def open_notebook(page, url: str, timeout: float = 90_000):
    """Go to ``url`` and return the notebook panel it shows, once its kernel is idle."""
    from urllib.parse import unquote, urlsplit

    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    page.goto(url)
    # the status bar names the current notebook and its kernel once the notebook is
    # loaded and its kernel is up (before that: an empty notebook, an idle-looking
    # indicator, or the notebook that was current before)
    bar = page.locator("#jp-main-statusbar")
    deadline = time.monotonic() + timeout / 1000
    while not (KERNEL_IDLE.search(text := bar.inner_text()) and name in text):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} not open with an idle kernel; status bar: {text!r}")
        time.sleep(0.2)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-Cell").first.wait_for(timeout=timeout)
    return panel


def code_cell(panel, *texts: str, timeout: float = 30):
    """The first code cell of ``panel`` whose text holds every one of ``texts``, by its
    position (so it stays the same cell when its text changes)."""
    cells = panel.locator(".jp-CodeCell")
    deadline = time.monotonic() + timeout
    while True:
        # JupyterLab fills the cells' editors in gradually; textContent, not innerText:
        # cells out of view are not laid out
        for i, text in enumerate(cells.evaluate_all("els => els.map(e => e.textContent)")):
            if all(t in text for t in texts):
                return cells.nth(i)
        if time.monotonic() > deadline:
            raise LookupError(f"no code cell holds {texts}")
        time.sleep(0.2)


def run_cell(page, cell, timeout: float = 90_000) -> list[str]:
    """Run ``cell`` the way a student does (select it, Ctrl-Enter); wait until it is done
    and return the texts of its outputs."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()  # "[ ]:", or "[2]:" from an earlier run
    prompt.click()
    page.keyboard.press("Control+Enter")
    deadline = time.monotonic() + timeout / 1000
    while (now := prompt.inner_text()) == before or not DONE_PROMPT.search(now):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the cell still runs after {timeout / 1000:.0f} s")
        time.sleep(0.1)
    return cell.locator(".jp-OutputArea-output").all_inner_texts()


def replace_source(page, cell, source: str) -> None:
    """Type ``source`` over the whole text of ``cell``, as a student would."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")  # back to command mode, the cell stays selected
