"""The README's picture of the check table, taken in the student's JupyterLab.

    python -m tests.browser.screenshot [--out docs/images/check-table.png] [--theme dark]

Like a student: `lab start ch10 --no-browser` (so the engine must answer and the ch10
images be built) in a temporary LAB_HOME, in Debian's chromium. The reference
multi-stage Dockerfile is put into the workspace first, with one flaw a student might
leave (the build stage's base image without its tag), so the table shows passing and
failing rows whatever the engine holds; the image checks pass or fail depending on
whether `user:v2` is built there. Then the cell ``check("ch10.multistage")`` of
02-dockerfile.ipynb runs and its output is saved.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from grader.chapters import LABS, ROOT
from tests.browser.studentlab import (
    ARTIFACTS,
    chromium_page,
    code_cell,
    open_notebook,
    run_cell,
    split_url,
    student_lab,
)

THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "check-table.png")
    ap.add_argument("--theme", choices=sorted(THEMES), default="light")
    ap.add_argument("--step", default="ch10.multistage", help="the check cell to run")
    ap.add_argument("--width", type=int, default=1100, help="browser width in CSS pixels")
    args = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="lab-screenshot-"))
    try:
        os.environ["LAB_HOME"] = str(home)
        from grader import chapters, workspace
        ws, _ = workspace.create(chapters.get("ch10"))
        reference = (LABS / "ch10" / "solutions" / "user" / "Dockerfile").read_text()
        flawed = reference.replace("FROM clabs/golang:1.19 AS build", "FROM clabs/golang AS build")
        if flawed == reference:
            raise SystemExit("the reference Dockerfile changed: update the flaw this script makes")
        (ws / "user" / "Dockerfile").write_text(flawed)
        # the theme, through a JupyterLab user-settings folder of this run only
        settings = home / ".settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "themes.jupyterlab-settings").write_text(
            json.dumps({"theme": THEMES[args.theme]}))
        os.environ["JUPYTERLAB_SETTINGS_DIR"] = str(home / ".settings")

        with student_lab(home, ARTIFACTS / "screenshot-lab.log") as url, \
                chromium_page(width=args.width, height=1200, scale=2) as page:
            base, token = split_url(url)
            panel = open_notebook(page, f"{base}/lab/tree/02-dockerfile.ipynb?token={token}")
            cell = code_cell(panel, f'check("{args.step}")')
            run_cell(page, cell)
            output = cell.locator(".jp-Cell-outputWrapper")
            output.scroll_into_view_if_needed()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            output.screenshot(path=args.out)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
