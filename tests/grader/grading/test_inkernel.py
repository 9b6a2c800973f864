"""The papermill engine that goes on after a failed cell, run here on the host's own
kernel (no engine needed): errors, a timeout, a dead kernel and too much output are each
recorded on their cell, and the cells after them still run."""

import json
import subprocess
import sys
from pathlib import Path

from tests.grader.grading.notebooks import notebook, write

ROOT = Path(__file__).resolve().parents[3]


def _text(output) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def test_every_cell_runs_whatever_happened_before(tmp_path):
    write(tmp_path, "01-t.ipynb", notebook(
        'print("a")',
        "1/0",
        "while True: pass",
        'print("after the timeout", os.getpid() > 0)',
        "import os; os._exit(1)",
        'print("x" * 5_000_000)',
        '%%bash\necho "this step is not done yet: write it" >&2; exit 1',
        'print("end", LAB)'))
    out = tmp_path / "out"
    out.mkdir()
    p = subprocess.run([sys.executable, "-m", "grader.grading.inkernel", "--out", str(out),
                        "--cwd", str(tmp_path), "--cell-timeout", "3", "--max-output", "100000",
                        "--params", json.dumps({"LAB": "chX"}), "01-t.ipynb"],
                       capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert p.returncode == 0, p.stderr[-2000:]
    doc = json.loads((out / "01-t.ipynb").read_text())
    code = [c for c in doc["cells"] if c["cell_type"] == "code"
            and "injected-parameters" not in c["metadata"].get("tags", [])]
    got = [(c["metadata"]["clabs"]["status"], c["metadata"]["clabs"]["message"]) for c in code]
    assert [s for s, _ in got] == ["ok", "ok", "ok", "error", "timeout", "ok", "kernel-died",
                                   "ok", "error", "ok"]
    assert got[3][1] == "ZeroDivisionError: division by zero"
    assert got[8][1] == "this step is not done yet: write it"
    text = [_text(o) for c in code for o in c["outputs"]]
    assert "after the timeout True\n" in text          # the set-up ran again in a fresh kernel
    assert "end chX\n" in text                           # so did the parameters
    big = "".join(_text(o) for o in code[7]["outputs"])
    assert len(big) < 1000 and "output cut here, over 100000 bytes" in big


def test_killing_strays_is_refused_outside_a_sandbox():
    """kill(-1) as any process but a container's PID 1 would reach every process of the
    user: kill_strays does nothing there (inside the sandbox: test_sandbox's fork bomb)."""
    import os

    from grader.grading.inkernel import kill_strays
    assert os.getpid() != 1
    assert kill_strays() is False
