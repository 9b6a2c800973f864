"""Write the example class in examples/submissions/ from the chapter's reference
solution (run it again after the labs change): ``python examples/make_submissions.py``.

ch14, one folder per student (the layout of a GitHub Classroom or LMS export):
  full-marks  the reference solution's workspace: every notebook solved
  partial     notebooks 01 and 02 solved, 03 and 04 as released (not done yet)
  broken      every notebook as released, plus a wrong stack file in 01
  hostile     01 solved, with its locked check cell edited, and cells that look for
              the host's Docker socket, import the answer keys, loop forever and print
              100 MB (a cell that wipes what it can see is in tests/grader/grading/
              test_sandbox.py: here it would only wipe the student's own services)
ch10 (``python examples/make_submissions.py ch10``; generated, not kept in git: they
are copies of labs/ch10, written again whenever the labs change):
  full-marks  the reference solution: every notebook solved (the Kubernetes steps say
              "skipped: needs a Kubernetes cluster" in a sandbox, and their checks are n/a)
  partial     notebooks 01 and 02 solved (the Redis container, the user image), but
              Redis started without `-p 6379:6379` (its port checks fail)
  not-started every notebook as released
``--out DIR`` writes the examples under DIR instead of examples/submissions.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import nbformat

from grader import chapters, workspace

OUT = HERE / "submissions"
HOSTILE_CELLS = [
    "import os\nprint('host socket here:', os.path.exists('/var/run/docker.sock'))",
    ("try:\n    import checks.ch14.answers as keys\n    print('KEYS:', dir(keys))\n"
    "except ImportError as err:\n    print('no keys here:', err)"),
    "while True:\n    pass",
    "for _ in range(100):\n    print('x' * 1_000_000)",
]


def student_copy(chapter, dest: Path, *, solved: set[str]) -> None:
    """The chapter's workspace, with the notebooks in ``solved`` keeping their solutions."""
    dest.mkdir(parents=True)
    for item in sorted(chapter.source_dir.iterdir()):
        if item.name in workspace.SKIP:
            continue
        if item.suffix == ".ipynb":
            workspace._release(item, dest / item.name, keep_solutions=item.name[:2] in solved)
        elif item.is_dir():
            shutil.copytree(item, dest / item.name, ignore=shutil.ignore_patterns(*workspace.SKIP))
        else:
            shutil.copy2(item, dest / item.name)


def edit(nb_path: Path, change) -> None:
    nb = nbformat.read(nb_path, as_version=4)
    change(nb)
    nbformat.write(nb, nb_path)


def ch14(out: Path) -> None:
    ch = chapters.get("ch14")
    root = out / "ch14"
    shutil.rmtree(root, ignore_errors=True)
    student_copy(ch, root / "full-marks", solved={"01", "02", "03", "04"})
    student_copy(ch, root / "partial", solved={"01", "02"})
    student_copy(ch, root / "broken", solved=set())

    def wrong_stack(nb):   # writes a stack file, but deploys nothing
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "ch14-rolling-stack":
                cell.source = ('%%writefile stack.yaml\nversion: "3.8"\nservices:\n'
                               '  web:\n    image: clabs/nginx:v2\n')
    edit(root / "broken" / "01-rolling-updates.ipynb", wrong_stack)

    student_copy(ch, root / "hostile", solved={"01"})

    def hostile(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "c14n1-check-rolling":
                cell.source = "print('all checks passed, trust me')"   # a locked cell, edited
        for source in HOSTILE_CELLS:
            nb.cells.append(nbformat.v4.new_code_cell(source))
    edit(root / "hostile" / "01-rolling-updates.ipynb", hostile)


def ch10(out: Path) -> None:
    ch = chapters.get("ch10")
    root = out / "ch10"
    shutil.rmtree(root, ignore_errors=True)
    every = {nb.name[:2] for nb in ch.source_dir.glob("*.ipynb")}
    student_copy(ch, root / "full-marks", solved=every)
    student_copy(ch, root / "partial", solved={"01", "02"})

    def unpublished(nb):   # Redis runs, but its port is not published: a common slip
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "ch10-pull-run-redis":
                assert " -p 6379:6379" in cell.source, "labs/ch10 changed: update this edit"
                cell.source = cell.source.replace(" -p 6379:6379", "")
    edit(root / "partial" / "01-images-and-containers.ipynb", unpublished)
    student_copy(ch, root / "not-started", solved=set())


if __name__ == "__main__":
    args = sys.argv[1:]
    out = OUT
    if "--out" in args:
        at = args.index("--out")
        out = Path(args[at + 1]).resolve()
        del args[at:at + 2]
    for name in args or ["ch14"]:
        {"ch14": ch14, "ch10": ch10}[name](out)
    print(f"wrote {out}")
