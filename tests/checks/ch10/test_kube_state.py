"""Every ch10 Kubernetes live check proven both ways, without a cluster:

- on the solved state (states.py) written as our dump, through ``runner.run(...,
  dump=...)`` (what ``lab check ch10 --from-dump`` does): every live check passes;
- on each broken variant (variants.py): the check that exists to catch it fails with
  what it saw and its hint, every other check keeps its solved outcome;
- the same states served by the API mock (tests/kubemock) and read by the live
  collector once the cluster part is up: the same outcomes;
- without the cluster part, every Kubernetes check is n/a and says how to bring it up;
- the state has the shape a real API server gives, and agrees with labs/ch10/solutions.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from grader import chapters, providers, runner
from grader.kube import manifests, subset
from grader.kube.rollouts import template_of
from tests.checks.ch10 import states, variants
from tests.checks.helpers import fails_only, grade_dump, release_with_solutions
from tests.kubemock import validate_shape

SOLUTIONS = chapters.LABS / "ch10" / "solutions"
LIVE = {"ch10.pod.running", "ch10.deployment.ready", "ch10.rollout.revision",
        "ch10.backend.deployment", "ch10.backend.service", "ch10.kubectl.secret",
        "ch10.labels.pods", "ch10.echoserver.service", "ch10.architecture.cluster"}
KUBE_STEPS = ["ch10.pod", "ch10.deployment", "ch10.rollout", "ch10.backend", "ch10.kubectl",
              "ch10.labels", "ch10.echoserver", "ch10.architecture"]


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory) -> Path:
    lab = release_with_solutions("ch10", tmp_path_factory.mktemp("lab") / "ch10")
    (lab / "planted-value.txt").write_text(states.PLANTED_VALUE)  # what notebook 08 writes
    return lab


def from_dump(lab_dir: Path, where: Path, objects, **extra) -> dict:
    return grade_dump("ch10", lab_dir, where, states.lab_dump(objects, **extra), namespace=states.NS,
                      layers=["live"], only=KUBE_STEPS)


@pytest.fixture(scope="module")
def solved(lab_dir, tmp_path_factory) -> dict:
    return from_dump(lab_dir, tmp_path_factory.mktemp("dump") / "solved.json", states.solved())


# ---- the states themselves -----------------------------------------------------------------


def test_every_object_has_the_shape_an_api_server_gives():
    for obj in states.solved():
        validate_shape(obj)
    for build, _seen in variants.VARIANTS.values():
        for obj in build():
            validate_shape(obj)


def test_the_state_has_the_history_the_notebooks_leave():
    objs = states.solved()
    dep = states.find(objs, "Deployment", "user-service")
    rss = sorted(states.owned(objs, dep, "ReplicaSet"),
                 key=lambda rs: rs["metadata"]["creationTimestamp"])
    assert [(rs["spec"]["replicas"], rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
            for rs in rss] == [(0, "1"), (3, "2")]
    assert dep["spec"]["strategy"] == {"type": "Recreate"}
    assert dep["spec"]["selector"] == {"matchLabels": {"name": "user-service"}}
    assert dep["status"]["readyReplicas"] == 3
    pod = states.find(objs, "Pod", "user-service")
    assert [c["name"] for c in pod["spec"]["containers"]] == ["user", "mysql", "redis"]
    assert all(st["ready"] for st in pod["status"]["containerStatuses"])
    backend = [o for o in objs if o["metadata"].get("namespace") == states.BACKEND_NS]
    assert {o["kind"] for o in backend} == {"Deployment", "ReplicaSet", "Pod", "Service",
                                            "EndpointSlice", "Ingress"}


def _solution_objects() -> list[tuple[str, dict]]:
    found = []
    for path in sorted((SOLUTIONS / "kubernetes").glob("*.yaml")):
        found += [(f"kubernetes/{path.name}", obj) for obj in manifests.read(path)]
    return found


def drift(manifest: dict, objects: list[dict], namespace: str) -> list[str]:
    """How the state's object differs from what a solution manifest declares."""
    meta = manifest.get("metadata") or {}
    obj = next((o for o in objects if o["kind"] == manifest["kind"]
                and o["metadata"]["name"] == meta["name"]
                and o["metadata"].get("namespace") == namespace), None)
    if obj is None:
        return [f"no {manifest['kind']} {meta['name']} in {namespace}"]
    want = {"apiVersion": manifest["apiVersion"],
            "metadata": {k: meta[k] for k in ("labels", "annotations") if k in meta}}
    want.update({k: v for k, v in manifest.items() if k not in ("apiVersion", "kind", "metadata")})
    if manifest["kind"] == "Deployment":   # `rollingUpdate: null` is how apply removes it
        strategy = (want.get("spec") or {}).get("strategy") or {}
        if "rollingUpdate" in strategy and strategy["rollingUpdate"] is None:
            want = copy.deepcopy(want)
            del want["spec"]["strategy"]["rollingUpdate"]
    return subset.mismatches(want, obj)


# the file a later step replaced: how the state agrees with it instead
SUPERSEDED = {"kubernetes/user-service-deployment.yaml"}


def test_the_solved_state_agrees_with_the_solutions():
    solved = states.solved()
    problems = {}
    for file, o in _solution_objects():
        if file in SUPERSEDED:
            continue
        ns = states.BACKEND_NS if "/backend-" in file else states.NS
        problems[f"{file}: {o['kind']} {o['metadata']['name']}"] = drift(o, solved, ns)
    assert not {k: v for k, v in problems.items() if v}
    assert len(problems) >= 10
    # the v1 file is revision 1
    dep = states.find(solved, "Deployment", "user-service")
    first = next(rs for rs in states.owned(solved, dep, "ReplicaSet")
                 if rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1")
    v1 = manifests.read(SOLUTIONS / "kubernetes" / "user-service-deployment.yaml")[0]
    assert not subset.mismatches(v1["spec"]["template"], template_of(first))


def test_a_drift_between_solutions_and_state_is_caught():
    solved = states.solved()
    pod = manifests.read(SOLUTIONS / "kubernetes" / "user-service-pod.yaml")[0]
    changed = copy.deepcopy(pod)
    changed["spec"]["containers"][0]["env"][0]["value"] = "redis:6379"
    assert drift(changed, solved, states.NS) == [
        '.spec.containers[name=user].env[name=REDIS_ADDR].value is "localhost:6379", want "redis:6379"']


# ---- through the dump ------------------------------------------------------------------------


def test_every_check_passes_on_the_solved_state(solved):
    assert set(solved) == LIVE
    bad = {i: (r.status, r.message) for i, r in solved.items() if r.status != "pass"}
    assert not bad


@pytest.mark.parametrize("name", list(variants.VARIANTS))
def test_a_broken_state_fails_its_check_with_its_hint(name, lab_dir, tmp_path, solved):
    build, expected = variants.VARIANTS[name]
    results = from_dump(lab_dir, tmp_path / f"{name}.json", build())
    fails_only(results, expected, solved)


def test_every_live_check_has_a_broken_state():
    caught = {c for _build, expected in variants.VARIANTS.values() for c in expected}
    assert LIVE <= caught, sorted(LIVE - caught)


def test_an_empty_snapshot_passes_no_live_check(lab_dir, tmp_path):
    results = from_dump(lab_dir, tmp_path / "empty.json", [])
    assert set(results) == LIVE and not [i for i, r in results.items() if r.status == "pass"]
    assert results["ch10.pod.running"].message == "no Pod user-service in namespace ch10"


def test_a_kind_that_was_not_read_is_an_error_not_a_pass(lab_dir, tmp_path):
    kinds = ["Pod", "Service", "Deployment", "ReplicaSet", "Node", "Namespace", "Ingress"]
    results = from_dump(lab_dir, tmp_path / "partial.json",
                        [o for o in states.solved() if o["kind"] in kinds], kubeKindsRead=kinds)
    for check_id in ("ch10.kubectl.secret", "ch10.backend.service", "ch10.echoserver.service"):
        assert results[check_id].status == "error", (check_id, results[check_id].message)
        assert "did not read" in results[check_id].message


def test_the_planted_value_answered_with_a_newline(lab_dir, tmp_path):
    lab = release_with_solutions("ch10", tmp_path / "lab")
    (lab / "planted-value.txt").write_text(states.PLANTED_VALUE + "\n")   # echo "$(...)" > file
    r = from_dump(lab, tmp_path / "d.json", states.solved())["ch10.kubectl.secret"]
    assert r.status == "fail" and "ends with a newline" in r.message, r.message
    (lab / "planted-value.txt").write_text("Y3QtNWUxZjBhOWMzYjJk\n")       # not decoded
    r = from_dump(lab, tmp_path / "d.json", states.solved())["ch10.kubectl.secret"]
    assert r.status == "fail" and "decode it" in r.message, r.message


# ---- without a cluster, and through the API mock --------------------------------------------


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_without_the_cluster_part_every_kubernetes_check_is_na(lab_dir, cache, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(cache / "no-such-kubeconfig"))
    results = runner.run(chapters.get("ch10"), lab_dir, layers=["live", "behaviour"],
                         only=KUBE_STEPS)
    assert {r.check.id for r in results} >= LIVE
    for r in results:
        assert r.status == "n/a", (r.check.id, r.status, r.message)
        assert r.message.startswith("needs a Kubernetes cluster: run `lab env up ch10 "
                                    "--provider kind`"), r.message
        assert "not available yet" not in r.message


def from_mock(kube_mock, monkeypatch, lab_dir, objects) -> tuple[dict, object]:
    mock = kube_mock(objects, namespace=states.NS)
    monkeypatch.setenv("KUBECONFIG", mock.kubeconfig)
    providers.choose(chapters.get("ch10"), "existing")   # the cluster part is up
    results = runner.run(chapters.get("ch10"), lab_dir, namespace=states.NS, layers=["live"],
                         only=KUBE_STEPS)
    return {r.check.id: r for r in results}, mock


def test_the_mock_gives_the_solved_outcomes(kube_mock, monkeypatch, lab_dir, cache):
    results, mock = from_mock(kube_mock, monkeypatch, lab_dir, states.solved())
    assert set(results) == LIVE
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad
    lists = [path for method, path in mock.requests if method == "GET" and path.startswith(("/api", "/apis"))]
    assert len(lists) == len(set(lists)), "one LIST per kind and namespace"
    assert any("/namespaces/k8sdemo/ingresses" in p for p in lists)


@pytest.mark.parametrize("name", list(variants.VARIANTS))
def test_the_mock_gives_the_broken_outcomes(name, kube_mock, monkeypatch, lab_dir, cache):
    build, expected = variants.VARIANTS[name]
    results, _mock = from_mock(kube_mock, monkeypatch, lab_dir, build())
    for check_id, seen in expected.items():
        assert results[check_id].status == "fail", (check_id, results[check_id].message)
        assert seen in results[check_id].message, results[check_id].message
    others = {i: (r.status, r.message) for i, r in results.items()
              if i not in expected and r.status != "pass"}
    assert not others


def test_the_chapter_declaration():
    ch = chapters.get("ch10")
    assert ch.provider == "docker" and ch.cluster == "kind" and ch.namespace == "ch10"
    assert "kube" in ch.reads and "k8sdemo" in ch.cluster_namespaces
    assert {"Pod", "Deployment", "ReplicaSet", "Secret", "Node"} <= set(ch.kube_kinds)
    assert ("Ingress", "k8sdemo") in ch.kube_also and ("Pod", "kube-system") in ch.kube_also
    assert "pending" not in ch.title.lower()
    assert not (ch.checks_dir / "pending.py").exists()
