"""Print wall times of the commands students run most: `lab --help` and `lab check`.

Usage: python benchmarks/bench_cli.py [--runs N] [--lab-dir DIR]
`lab check ch10` is timed against the engine as it is: prepare it first with
`lab env up ch10 && lab run ch10 --solution` for the "prepared env" figure.
benchmarks/bench_check_speed.py prints where the time of a check run goes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def lab_exe() -> str:
    here = Path(sys.executable).parent / "lab"
    return str(here) if here.exists() else (shutil.which("lab") or "lab")


def timed(argv: list[str], runs: int) -> tuple[float, float, int]:
    """(median, min, last exit code) over ``runs`` runs."""
    times, code = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        code = subprocess.run(argv, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), code


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lab-dir", default=None)
    args = ap.parse_args()
    lab = lab_exe()
    rows = [("lab --help", [lab, "--help"], "aim <= 0.3 s")]
    check = [lab, "check", "ch10", "--json"]
    if args.lab_dir:
        check += ["--lab-dir", args.lab_dir]
    rows.append(("lab check ch10", check, "all layers"))
    rows.append(("lab check ch10 --layer static --layer live",
                 check + ["--layer", "static", "--layer", "live"], "aim < 1 s"))
    rows.append(("lab check ch10 --only static steps",
                 check + ["--only", "ch10.dockerfile.file", "--only", "ch10.multistage.stages",
                          "--only", "ch10.compose.file"], ""))
    print(f"{'command':40} {'median s':>9} {'min s':>7} {'exit':>5}  note")
    for name, argv, note in rows:
        med, low, code = timed(argv, args.runs)
        print(f"{name:40} {med:9.3f} {low:7.3f} {code:5d}  {note}")
    print(f"(runs={args.runs}, cores={os.cpu_count()})")


if __name__ == "__main__":
    main()
