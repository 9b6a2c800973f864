"""Print ch14 figures: the state checks alone (static + live), the full run with the
three behaviour checks, and the traffic generator's request rate on this machine.

Usage: python benchmarks/bench_ch14.py [--runs N] [--lab-dir DIR] [--update-delay S]
Prepare the swarm first: `lab env up ch14 && lab run ch14 --solution`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def lab_exe() -> str:
    here = Path(sys.executable).parent / "lab"
    return str(here) if here.exists() else (shutil.which("lab") or "lab")


def run(argv: list[str]) -> tuple[float, int, dict]:
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True)
    took = time.perf_counter() - t0
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = {}
    return took, p.returncode, doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lab-dir", default=None)
    ap.add_argument("--update-delay", default="1", help="seconds between the grader's batches")
    args = ap.parse_args()
    base = [lab_exe(), "check", "ch14", "--json"]
    if args.lab_dir:
        base += ["--lab-dir", args.lab_dir]

    state = [run(base + ["--layer", "static", "--layer", "live"]) for _ in range(args.runs)]
    times = [t for t, _, _ in state]
    print(f"lab check ch14 (static + live)    median {statistics.median(times):6.2f} s   "
          f"min {min(times):6.2f} s   exit {state[-1][1]}   ({args.runs} runs)")

    took, code, doc = run(base + ["--param", f"update_delay={args.update_delay}"])
    print(f"lab check ch14 (all, behaviour)   {took:6.2f} s   exit {code}   "
          f"(grader update delay {args.update_delay} s)")
    for c in doc.get("checks", []):
        if c["layer"] == "behaviour":
            print(f"  {c['id']:24} {c['status']:5} {c['seconds']:6.1f} s")
        d = c.get("details") or {}
        if "requests" in d:
            print(f"    traffic: {d['requests']} requests, {d['failed']} failed, "
                  f"{d['rate_per_s']}/s, p50 {d['p50_ms']} ms, p99 {d['p99_ms']} ms")


if __name__ == "__main__":
    main()
