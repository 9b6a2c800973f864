"""``python -m tests.grader.grading.run_batch SUBS COURSE`` grades the small ch14
submissions with the test doubles, as ``lab grade`` would: the SIGKILL test kills it."""

import sys
from pathlib import Path

from grader import chapters
from grader.grading import batch, kernel
from tests.grader.grading import doubles

SMALL = {"only": ["ch14.configs.hello"], "images": ["clabs/loadgen:1.0"]}
LIMITS = kernel.Limits(cell_timeout=60, total_timeout=300)


def grade(subs: Path, course, **kw):
    return batch.run(chapters.get("ch14"), subs, course, ops=doubles.ops(), limits=LIMITS,
                     **SMALL, **kw)


if __name__ == "__main__":
    grade(Path(sys.argv[1]), doubles.Course(Path(sys.argv[2])))
