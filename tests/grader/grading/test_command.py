"""`lab grade` on bad input: one line, exit code 2, nothing made (no engine needed)."""

import subprocess
import sys
from pathlib import Path

import pytest

LAB = [str(Path(sys.executable).parent / "lab")]


@pytest.mark.parametrize(("args", "says"), [
    (["ch15", "."], "ch15: a Kubernetes chapter"),
    (["ch16", "."], "ch16: a Kubernetes chapter"),
    (["ch14", "missing"], "no submissions folder at missing"),
    (["ch14", ".", "--workers", "0"], "--workers must be 1 or more"),
    (["ch14", ".", "--param", "update_delay"], "--param 'update_delay': write it as KEY=VALUE"),
    (["ch99", "."], "ch99"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, says):
    p = subprocess.run(LAB + ["grade", *args], cwd=tmp_path, capture_output=True, text=True,
                       timeout=60, check=False)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert says in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert list(tmp_path.iterdir()) == []          # no ./course made for a refused call
