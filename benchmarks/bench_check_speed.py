"""Where the time of a state check goes: print the split of `lab check CH --layer static
--layer live` (interpreter, imports, pytest set-up and collection, each check, engine
calls) and the wall times of `lab --help`, the terminal check and the in-notebook check.

Usage: python benchmarks/bench_check_speed.py CH [--runs N] [--lab-dir DIR] [--layer L]
Prepare the environment first for the "prepared" figures (ch10: `lab env up ch10 &&
lab run ch10 --solution`; ch14 likewise): the checks read the engine as it is.
Every figure is a median over --runs fresh processes (the in-notebook one: over runs in
one warm process, as in a kernel). The machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

# One run of the check, in a fresh interpreter, timing each phase. Imports are timed
# in the order the CLI meets them, so a module shared by two steps counts in the first.
CHILD = textwrap.dedent(r"""
    import json, sys, time
    t0 = time.perf_counter()
    out = {"phases": {}, "checks": [], "engine": {"calls": 0, "seconds": 0.0},
           "processes": 0}
    def phase(name, since):
        now = time.perf_counter()
        out["phases"][name] = now - since
        return now
    t = t0
    import typer, rich                                   # noqa: E401
    t = phase("import typer+rich", t)
    import grader.cli                                    # noqa: F401
    t = phase("import grader.cli", t)
    try:
        import typer._adapters    # noqa: F401  pydantic: typer (0.2x) coerces options with it
    except ImportError:
        pass
    t = phase("import pydantic (typer's option coercion)", t)
    import docker                                        # noqa: F401
    t = phase("import docker", t)
    import pytest                                        # noqa: F401
    t = phase("import pytest", t)
    import grader.plugin, grader.runner                  # noqa: E401,F401
    t = phase("import grader.plugin+runner", t)

    import requests, subprocess
    send = requests.Session.send
    def timed_send(self, *a, **kw):
        s = time.perf_counter()
        try:
            return send(self, *a, **kw)
        finally:
            out["engine"]["calls"] += 1
            out["engine"]["seconds"] += time.perf_counter() - s
    requests.Session.send = timed_send
    popen = subprocess.Popen.__init__
    def counted(self, *a, **kw):
        out["processes"] += 1
        return popen(self, *a, **kw)
    subprocess.Popen.__init__ = counted

    from pathlib import Path
    from grader import chapters, providers, runner
    ch = chapters.get(sys.argv[1])
    layers = json.loads(sys.argv[3])
    if set(layers) != {"static"}:
        prov = providers.for_chapter(ch)
        providers.activate(prov)
        from grader import engine
        engine.client(timeout=10)
    t = phase("connect (engine ping)", t)
    marks = {}
    def on_event(ev):
        marks.setdefault(ev.kind, ev.at)
    results = runner.run(ch, Path(sys.argv[2]), layers=layers, on_event=on_event)
    end = time.perf_counter()
    out["phases"]["pytest set-up (config, plugins)"] = marks["configured"] - t
    out["phases"]["pytest collection (check modules)"] = marks["collected"] - marks["configured"]
    out["phases"]["checks"] = marks["checked"] - marks["collected"]
    out["phases"]["pytest teardown, results"] = end - marks["checked"]
    t = end
    from grader import report
    from rich.console import Console
    import io
    Console(file=io.StringIO(), width=120).print(report.table(results, "t", results.declared))
    t = phase("report (rich table)", t)
    out["total"] = time.perf_counter() - t0
    out["checks"] = [(r.check.id, r.check.layer, r.status, r.seconds) for r in results]
    print("BENCH" + json.dumps(out))
""")

# The in-notebook check: runner.run in one process, several times (a kernel's session).
WARM = textwrap.dedent(r"""
    import json, sys, time
    from pathlib import Path
    from grader import chapters, providers, runner
    ch = chapters.get(sys.argv[1])
    layers = json.loads(sys.argv[3])
    if set(layers) != {"static"}:
        providers.activate(providers.for_chapter(ch))
    times = []
    for _ in range(int(sys.argv[4])):
        t = time.perf_counter()
        runner.run(ch, Path(sys.argv[2]), layers=layers)
        times.append(time.perf_counter() - t)
    print("BENCH" + json.dumps(times))
""")


def lab_exe() -> str:
    here = Path(sys.executable).parent / "lab"
    return str(here) if here.exists() else (shutil.which("lab") or "lab")


def wall(argv: list[str], runs: int) -> tuple[float, float, float, int]:
    """(median wall, min wall, median CPU, last exit code) of ``argv`` over ``runs`` runs.
    CPU (user+system) moves less than wall time on a loaded machine."""
    times, cpu, code = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        code = subprocess.run(argv, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times), min(times), statistics.median(cpu), code


def child(script: str, *args: str) -> object:
    p = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                       check=False)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith("BENCH")), None)
    if line is None:
        sys.exit(f"bench: the timed run failed:\n{p.stderr.strip()[-2000:]}")
    return json.loads(line[5:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("chapter")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lab-dir", default=None, help="default: the chapter's workspace")
    ap.add_argument("--layer", action="append", default=None,
                    help="layers to check (default: static and live)")
    args = ap.parse_args()
    layers = args.layer or ["static", "live"]
    from grader import workspace
    lab_dir = str(Path(args.lab_dir or workspace.path(args.chapter)).expanduser().resolve())
    lab = lab_exe()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  "
          f"(cores {os.cpu_count()}, PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})")

    check = [lab, "check", args.chapter, "--lab-dir", lab_dir]
    for layer in layers:
        check += ["--layer", layer]
    # One untimed run that may write bytecode, as Python does on any ordinary install
    # (pytest caches its assertion-rewritten check modules the same way); a machine with
    # PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every run.
    warm_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(check, capture_output=True, check=False, env=warm_env)
    print("warm-up: one untimed run wrote bytecode (and filled the image-scan cache)")

    print(f"\n{'command':58} {'median s':>9} {'min s':>7} {'CPU s':>7} {'exit':>5}")
    rows = [("python -c pass (interpreter start)", [sys.executable, "-c", "pass"]),
            ("lab --help", [lab, "--help"]),
            (" ".join(["lab check", args.chapter, *(f"--layer {x}" for x in layers)]), check)]
    for name, argv in rows:
        med, low, cpu, code = wall(argv, args.runs)
        print(f"{name:58} {med:9.3f} {low:7.3f} {cpu:7.3f} {code:5d}")

    runs = [child(CHILD, args.chapter, lab_dir, json.dumps(layers)) for _ in range(args.runs)]
    print(f"\nsplit of one check run in a fresh process (median of {args.runs}):")
    for name in runs[0]["phases"]:
        print(f"  {name:44} {statistics.median(r['phases'][name] for r in runs):7.3f} s")
    print(f"  {'total':44} {statistics.median(r['total'] for r in runs):7.3f} s")
    engine = statistics.median(r["engine"]["seconds"] for r in runs)
    print(f"  engine HTTP calls: {runs[0]['engine']['calls']} taking {engine:.3f} s; "
          f"processes started (docker exec, hadolint…): {runs[0]['processes']}")
    per_check: dict[str, list] = {}
    for r in runs:
        for cid, layer, status, secs in r["checks"]:
            per_check.setdefault((cid, layer, status), []).append(secs)
    slow = sorted(per_check.items(), key=lambda kv: -statistics.median(kv[1]))[:8]
    print("  slowest checks (median s, the first check of a layer pays for its snapshot):")
    for (cid, layer, status), secs in slow:
        print(f"    {statistics.median(secs):6.3f}  {cid} ({layer}, {status})")

    warm = child(WARM, args.chapter, lab_dir, json.dumps(layers), str(args.runs + 1))
    print(f"\nin-notebook check (runner.run in one process): first {warm[0]:.3f} s, "
          f"then median {statistics.median(warm[1:]):.3f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
