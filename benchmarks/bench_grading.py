"""How much `lab grade` costs per submission, beyond the notebook's own work, and how a
batch scales with workers. Prints figures; asserts nothing.

    flock /tmp/engine.lock python benchmarks/bench_grading.py [--copies 10 30] [--workers 1 2 4]
        [--checks ch14.configs.hello | --checks all]

Each copy is a one-step ch14 submission (a config created with one command), so what is
measured is the pipeline: the sandbox node up (dockerd starting, the swarm formed), the
chapter's images loaded into it (ch14's 8 images, saved once per batch), the kernel
container starting and papermill's kernel, the checks run on the host against the
sandbox, and the teardown. The notebook's own waits are not in it: a real ch14
submission adds about 4.5 minutes of them (`lab run ch14 --solution`), which overlap
across workers because they are sleeps, not CPU.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HELLO = ('%%bash\nset -e\necho "Hello world" | docker config create '
         '--label "org.container-labs.lab=ch14" hello-config -')


class Course:
    """Results on disk, no gradebook: the benchmark measures the pipeline."""

    def __init__(self, root: Path):
        self.root = root

    def student_dir(self, ch, student):
        return self.root / "grading" / ch / student

    def keys_dir(self, ch):
        return self.root / "keys" / ch

    def released_dir(self, ch):
        return self.root / "release" / ch


def ops():
    from grader.grading.pipeline import CourseOps

    def score(result):
        return {"earned": sum(c["points"] for c in result["checks"]),
                "possible": sum(c["max_points"] for c in result["checks"])}
    return CourseOps(lambda *a: [], lambda *a: [], score, lambda *a: None, lambda *a: [],
                     lambda *a: [])


def make(folder: Path, copies: int) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('LAB = "ch14"\nDOCKER_HOST = ""')
    params.metadata.tags = ["parameters"]
    nb.cells += [params, nbformat.v4.new_code_cell(
        "import os\nos.environ['DOCKER_HOST'] = DOCKER_HOST or os.environ['DOCKER_HOST']"),
        nbformat.v4.new_code_cell(HELLO)]
    for i in range(copies):
        (folder / f"s{i:02d}").mkdir(parents=True)
        nbformat.write(nb, folder / f"s{i:02d}" / "01-configs.ipynb")


def batch(copies: int, workers: int, only: list[str] | None):
    from grader import chapters
    from grader.grading import batch as grading

    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        make(Path(tmp) / "subs", copies)
        start = time.monotonic()
        out = grading.run(chapters.get("ch14"), Path(tmp) / "subs", Course(Path(tmp) / "course"),
                          workers=workers, ops=ops(), only=only)
        wall = time.monotonic() - start
    bad = [o.student for o in out if o.result["status"] != "graded"]
    if bad:
        print(f"  not graded: {bad}: {out[0].result['reason']}")
    return wall, [o.result["timings"] for o in out]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, nargs="+", default=[10, 30],
                    help="batch sizes: each is graded with every --workers")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--checks", default="ch14.configs.hello",
                    help="a check id, or 'all' for every ch14 check")
    args = ap.parse_args()
    only = None if args.checks == "all" else [args.checks]
    print(f"checks: {args.checks}; copies: {args.copies}; workers: {args.workers}")
    print(f"{'copies':>6} {'workers':>7} {'wall s':>7} {'s/sub':>6} | median per submission: "
          f"{'node':>5} {'images':>6} {'kernel':>6} {'run':>5} {'checks':>6} {'down':>5} {'total':>6}")
    for copies in args.copies:
        for w in args.workers:
            wall, timings = batch(copies, w, only)

            def med(key, timings=timings):
                vals = [t.get(key) for t in timings if isinstance(t.get(key), (int, float))]
                return statistics.median(vals) if vals else float("nan")
            total = statistics.median(sum(v for k, v in t.items() if k in
                                          ("environment", "run", "checks", "teardown"))
                                      for t in timings)
            print(f"{copies:>6} {w:>7} {wall:7.1f} {wall / copies:6.1f} | {'':>24}"
                  f"{med('node'):5.1f} {med('images'):6.1f} {med('kernel_start'):6.1f} "
                  f"{med('run'):5.1f} {med('checks'):6.1f} {med('teardown'):5.1f} {total:6.1f}",
                  flush=True)
    print("node: sandbox container up + dockerd answering + swarm init; images: ch14's images "
          "loaded into it; kernel: papermill start to first cell; run: the whole kernel "
          "container (kernel start included); total = environment + run + checks + teardown")


if __name__ == "__main__":
    main()
