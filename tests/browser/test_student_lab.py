"""What a student sees: `lab start ch10 --no-browser` opened in a real browser (Debian's
chromium, driven by Playwright). Screenshots go to .artifacts/browser/ (git-ignored)."""

from __future__ import annotations

import shutil
import time

import pytest

from tests.browser.studentlab import (
    ARTIFACTS,
    CHROMIUM,
    chromium_page,
    code_cell,
    open_notebook,
    replace_source,
    run_cell,
    split_url,
    student_lab,
)
from tests.needs import require_images, require_tool

NOT_DONE = "this step is not done yet: write its commands in this cell"


@pytest.fixture
def shots():
    folder = ARTIFACTS / "student-lab"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.mark.engine  # `lab start ch10` brings the chapter's environment up first
def test_student_jupyterlab(engine, tmp_path, shots):
    require_tool(CHROMIUM, "Debian's chromium: apt-get install -y chromium")
    from grader import images
    require_images(engine, *(spec.name for spec in images.images_for("ch10")))

    t0 = time.monotonic()
    timings = []
    with student_lab(tmp_path / "home", shots / "lab-start.log") as url, \
            chromium_page() as page:
        timings.append(("lab start answering", time.monotonic() - t0))
        base, token = split_url(url)

        # the chapter's first notebook is open, with no instructor tools around it
        assert "/lab/tree/01-images-and-containers.ipynb" in url
        panel = open_notebook(page, url)
        timings.append(("first notebook, kernel idle", time.monotonic() - t0))
        current = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
        assert current.first.inner_text().startswith("01-images-and-containers.ipynb")
        menus = page.locator("#jp-menu-panel .lm-MenuBar-item").all_inner_texts()
        assert "Kernel" in menus and "Nbgrader" not in menus, menus
        sidebar = [t.get_attribute("title") or "" for t in
                   page.locator(".jp-SideBar .lm-TabBar-tab").all()]
        assert any("File Browser" in t for t in sidebar), sidebar
        assert not [t for t in sidebar if "Create Assignment" in t or "Nbgrader" in t], sidebar
        page.screenshot(path=shots / "01-opened.png")

        # a Python answer cell not done yet (nbgrader's stub): one line as well
        answers = code_cell(panel, "STOP_COMMAND", "YOUR CODE HERE")
        outputs = run_cell(page, answers)
        assert [o.strip() for o in outputs] == [
            "this step is not done yet: write your answers in this cell"], outputs
        answers.screenshot(path=shots / "01-answers-not-done.png")

        # a check cell renders the grader's table (ch10.dockerfile: files, then the
        # engine asked for an image that is not built: fast, needs no lab image)
        panel = open_notebook(page, f"{base}/lab/tree/02-dockerfile.ipynb?token={token}")
        check = code_cell(panel, 'check("ch10.dockerfile")')
        run_cell(page, check)
        table = check.locator(".jp-OutputArea-output table")
        assert table.count() == 1
        rows = table.inner_text()
        for check_id in ("ch10.dockerfile.file", "ch10.dockerfile.image",
                         "ch10.dockerfile.runs"):
            assert check_id in rows
        assert "fail" in rows and "Dockerfile.v1" in rows
        check.screenshot(path=shots / "02-check-table.png")
        timings.append(("check cell", time.monotonic() - t0))

        # an exercise cell not done yet: its one message, no traceback
        exercise = code_cell(panel, "%%bash", "YOUR CODE HERE")
        outputs = run_cell(page, exercise)
        assert [o.strip() for o in outputs] == [NOT_DONE], outputs
        exercise.screenshot(path=shots / "03-not-done.png")

        # the student's own command failing: its output, then one line
        replace_source(page, exercise, "%%bash\nset -euo pipefail\necho building\n"
                                       "ls user/no-such-Dockerfile\necho never\n")
        outputs = run_cell(page, exercise)
        text = "\n".join(outputs)
        assert "building" in text and "no-such-Dockerfile" in text and "never" not in text
        assert outputs[-1].strip() == ("this cell failed: bash exited with status 2 "
                                       "(its output is above)"), outputs
        assert "Traceback" not in text and "CalledProcessError" not in text
        exercise.screenshot(path=shots / "04-own-error.png")
        timings.append(("exercise cells", time.monotonic() - t0))

        # seconds after start-up, JupyterLab's news prompt would be up by now
        assert page.get_by_text("official Jupyter news").count() == 0
        page.screenshot(path=shots / "05-end.png")
    timings.append(("all, stopped", time.monotonic() - t0))
    (shots / "timings.txt").write_text("".join(f"{what}: {s:.1f} s\n" for what, s in timings))
