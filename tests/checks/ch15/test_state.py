"""Every ch15 state check (static and live layers) proven both ways, without a cluster:

- on the solved state (tests/checks/ch15/states.py) written as a dump, through
  ``runner.run(..., dump=...)`` (what ``lab check ch15 --from-dump`` does): every check
  passes, except those that must look inside a live container (n/a);
- on each broken variant: the check that exists to catch it fails with what it saw and
  its hint, and every other check keeps its solved-state outcome;
- the same states served by the API mock (tests/kubemock), read by the live collector:
  the same outcomes;
- the states have the shape a real API server gives, and agree with labs/ch15/solutions.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from grader import chapters, runner
from grader.kube import manifests, subset
from tests.checks.ch15 import states, variants
from tests.checks.helpers import fails_only, grade_dump, release_with_solutions
from tests.kubemock import validate_shape
from tests.kubemock.objects import endpoints_instead_of_slices
from tests.needs import refuse_to_touch, require_images

CH15 = chapters.CHAPTERS["ch15"]
SOLUTIONS = chapters.LABS / "ch15" / "solutions"
# checks that exec in a container or pod: n/a when grading a dump
NEEDS_LIVE = {"ch15.pause.same-ip", "ch15.pause.localhost", "ch15.volume.data"}
# the Docker part: not served by the Kubernetes mock
DOCKER = {"ch15.pause.containers", "ch15.pause.shared-net", "ch15.pause.same-ip",
          "ch15.pause.localhost"}


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory) -> Path:
    return release_with_solutions("ch15", tmp_path_factory.mktemp("lab") / "ch15")


def from_dump(lab_dir: Path, where: Path, objects, docker_part=None, **extra) -> dict:
    """Run the static and live checks on ``objects`` written as our dump; id → Result."""
    doc = states.lab_dump(objects, docker_part)
    doc.update(extra)
    return grade_dump("ch15", lab_dir, where, doc, namespace=states.NS, layers=["static", "live"])


@pytest.fixture(scope="module")
def solved(lab_dir, tmp_path_factory) -> dict:
    return from_dump(lab_dir, tmp_path_factory.mktemp("dump") / "solved.json",
                     states.solved(), states.docker())


def outcomes(results: dict) -> dict:
    return {i: r.status for i, r in results.items()}


# ---- the states themselves ---------------------------------------------------------------


def test_every_object_has_the_shape_an_api_server_gives():
    """Each object deserialises into the kubernetes client's model of its kind
    (``ApiClient().deserialize``) and loses no field on the way back."""
    for obj in states.solved():
        validate_shape(obj)
    for build, _docker, _seen in {**variants.VARIANTS, **variants.ERROR_VARIANTS}.values():
        for obj in build():
            validate_shape(obj)


def test_the_shape_check_catches_a_wrong_object():
    pod = copy.deepcopy(next(o for o in states.solved() if o["kind"] == "Pod" and o["metadata"]["name"] == "nginx"))
    pod["spec"]["containers"][0]["ports"][0]["containerPort"] = "eighty"
    with pytest.raises(AssertionError, match="not a valid Pod"):
        validate_shape(pod)
    pod = copy.deepcopy(next(o for o in states.solved() if o["kind"] == "Pod" and o["metadata"]["name"] == "nginx"))
    pod["status"]["ready"] = True  # a field a Pod's status does not have
    with pytest.raises(AssertionError, match="status.ready"):
        validate_shape(pod)


def _solution_objects() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(SOLUTIONS.glob("*.yaml")):
        found += [(path.name, obj) for obj in manifests.read(path)]
    return found


def drift(manifest: dict, objects: list[dict]) -> list[str]:
    """How the state's object differs from what a solution manifest declares: its
    labels, annotations and whole spec, matched as a subset (the server adds defaults)."""
    meta = manifest.get("metadata") or {}
    name, kind = meta["name"], manifest["kind"]
    ns = meta.get("namespace", states.NS)
    obj = next((o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name
                and o["metadata"].get("namespace") == ns), None)
    if obj is None:
        return [f"no {kind} {name} in namespace {ns}"]
    want = {"apiVersion": manifest["apiVersion"],
            "metadata": {k: meta[k] for k in ("labels", "annotations") if k in meta}}
    want.update({k: v for k, v in manifest.items() if k not in ("apiVersion", "kind", "metadata")})
    return subset.mismatches(want, obj)


def test_the_solved_state_agrees_with_the_solutions():
    objs = _solution_objects()
    names = {f"{o['kind']} {o['metadata']['name']}" for _, o in objs}
    assert names >= {"Pod nginx", "Service nginx-service", "Pod web-pod",
                     "PersistentVolumeClaim my-data-claim", "ReplicaSet rs-web", "Service web",
                     "Ingress web"}
    solved = states.solved()
    problems = {f"{file}: {o['kind']} {o['metadata']['name']}": drift(o, solved) for file, o in objs}
    assert not {k: v for k, v in problems.items() if v}


def test_a_drift_between_solutions_and_state_is_caught():
    solved = states.solved()
    rs = next(o for _, o in _solution_objects() if o["kind"] == "ReplicaSet")
    changed = copy.deepcopy(rs)
    changed["spec"]["replicas"] = 4
    assert drift(changed, solved) == [".spec.replicas is 3, want 4"]
    changed = copy.deepcopy(rs)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "clabs/nginx:v2"
    assert drift(changed, solved) == [
        '.spec.template.spec.containers[name=nginx].image is "clabs/nginx:v1", want "clabs/nginx:v2"']
    pod = next(o for _, o in _solution_objects() if o["metadata"]["name"] == "nginx")
    unlabelled = copy.deepcopy(pod)
    unlabelled["metadata"]["labels"] = {"app": "web"}
    assert drift(unlabelled, solved) == ['.metadata.labels.app is "nginx", want "web"']


def test_settle_plays_the_controllers():
    objs = states.solved()
    slices = {o["metadata"]["labels"]["kubernetes.io/service-name"]: o
              for o in objs if o["kind"] == "EndpointSlice"}
    assert set(slices) == {"nginx-service", "web"}
    assert len(slices["web"]["endpoints"]) == 3
    assert all(e["conditions"]["ready"] for e in slices["web"]["endpoints"])
    rs = next(o for o in objs if o["kind"] == "ReplicaSet")
    assert rs["status"]["readyReplicas"] == 3
    broken = variants.VARIANTS["rs-two-of-three-ready"][0]()
    rs = next(o for o in broken if o["kind"] == "ReplicaSet")
    assert rs["status"]["readyReplicas"] == 2 and rs["status"]["replicas"] == 3


# ---- through the dump ---------------------------------------------------------------------------


def test_every_state_check_passes_on_the_solved_state(solved):
    declared = {r.check.id for r in solved.values()}
    assert declared >= {"ch15.architecture.control-plane", "ch15.local-cluster.nodes",
                        "ch15.first-pod.endpoints", "ch15.pause.shared-net",
                        "ch15.volume.bound", "ch15.replicaset.ready", "ch15.ingress.rule"}
    assert {r.check.layer for r in solved.values()} == {"static", "live"}
    bad = {i: (r.status, r.message) for i, r in solved.items()
           if r.status != ("n/a" if i in NEEDS_LIVE else "pass")}
    assert not bad
    assert all("needs a live environment" in solved[i].message for i in NEEDS_LIVE)


@pytest.mark.parametrize("name", list(variants.VARIANTS))
def test_a_broken_state_fails_its_check_with_its_hint(name, lab_dir, tmp_path, solved):
    build, docker_part, expected = variants.VARIANTS[name]
    results = from_dump(lab_dir, tmp_path / f"{name}.json", build(), docker_part())
    fails_only(results, expected, solved)


@pytest.mark.parametrize("name", list(variants.ERROR_VARIANTS))
def test_grader_side_trouble_is_an_error(name, lab_dir, tmp_path, solved):
    build, docker_part, expected = variants.ERROR_VARIANTS[name]
    results = from_dump(lab_dir, tmp_path / f"{name}.json", build(), docker_part())
    for check_id, seen in expected.items():
        assert results[check_id].status == "error", (check_id, results[check_id].message)
        assert seen in results[check_id].message
    changed = {i for i, r in results.items() if i not in expected and r.status != solved[i].status}
    assert not changed


def test_an_empty_snapshot_passes_no_live_check(lab_dir, tmp_path):
    results = from_dump(lab_dir, tmp_path / "empty.json", [],
                        {"containers": [], "images": [], "networks": []})
    live = {i: r for i, r in results.items() if r.check.layer == "live"}
    assert live and not [i for i, r in live.items() if r.status == "pass"]
    assert all(r.message for r in live.values())
    assert {i for i, r in live.items() if r.status == "n/a"} == NEEDS_LIVE
    assert results["ch15.first-pod.running"].message == "no Pod nginx in namespace ch15"
    assert results["ch15.local-cluster.nodes"].status == "fail"


def test_a_kind_that_was_not_read_is_an_error_not_a_pass(lab_dir, tmp_path):
    """A dump that recorded which kinds it read, without EndpointSlices and nodes:
    the checks that need them could not run."""
    results = from_dump(lab_dir, tmp_path / "partial.json",
                        [o for o in states.solved() if o["kind"] not in ("EndpointSlice", "Node")],
                        states.docker(),
                        kubeKindsRead=["Pod", "Service", "ReplicaSet", "PersistentVolumeClaim",
                                       "Ingress"])
    for check_id in ("ch15.first-pod.endpoints", "ch15.deployment-service.service",
                     "ch15.ingress.rule", "ch15.local-cluster.nodes"):
        assert results[check_id].status == "error", (check_id, results[check_id].message)
        assert "did not read" in results[check_id].message
    assert "did not read EndpointSlice or Endpoints" in results["ch15.ingress.rule"].message
    assert results["ch15.first-pod.running"].status == "pass"


@pytest.mark.parametrize("variant", [None, "pod-without-label", "rs-two-of-three-ready"])
def test_a_cluster_with_endpoints_but_no_slices(variant, lab_dir, tmp_path, solved):
    """Read from v1 Endpoints (what the collector falls back to): the same outcomes."""
    build, _docker, expected = variants.VARIANTS[variant] if variant else (states.solved, None, {})
    kinds = ["Pod", "Service", "Endpoints", "ReplicaSet", "PersistentVolumeClaim", "Ingress", "Node"]
    results = from_dump(lab_dir, tmp_path / "old.json", endpoints_instead_of_slices(build()),
                        states.docker(), kubeKindsRead=kinds)
    for check_id, seen in expected.items():
        assert results[check_id].status == "fail" and seen in results[check_id].message
    changed = {i: (r.status, r.message) for i, r in results.items()
               if i not in expected and r.status != solved[i].status}
    assert not changed


def test_a_plain_kubectl_list_is_graded_too(lab_dir, tmp_path):
    """An instructor's `kubectl get ... -A -o json` (no Docker part): the cluster checks
    pass, the pause checks are n/a."""
    p = tmp_path / "kubectl.json"
    p.write_text(json.dumps(states.as_list(states.solved())))
    results = {r.check.id: r for r in runner.run(CH15, lab_dir, dump=p, namespace=states.NS,
                                                 layers=["live"])}
    assert {i for i, r in results.items() if r.status == "n/a"} == DOCKER | NEEDS_LIVE
    assert all(r.status == "pass" for i, r in results.items() if i not in DOCKER | NEEDS_LIVE)


# ---- through the API mock ------------------------------------------------------------------


KUBE_STATE = ["ch15.architecture.control-plane", "ch15.local-cluster", "ch15.first-pod.running", "ch15.first-pod.endpoints",
              "ch15.pod-spec.running", "ch15.volume.bound", "ch15.volume.mounted",
              "ch15.replicaset.ready", "ch15.deployment-service.service", "ch15.ingress.rule"]


def from_mock(kube_mock, monkeypatch, lab_dir, objects, only=KUBE_STATE) -> dict:
    mock = kube_mock(objects)
    monkeypatch.setenv("KUBECONFIG", mock.kubeconfig)
    results = runner.run(CH15, lab_dir, namespace=states.NS, layers=["live"], only=list(only))
    return {r.check.id: r for r in results}


def test_the_mock_gives_the_solved_outcomes(kube_mock, monkeypatch, lab_dir):
    results = from_mock(kube_mock, monkeypatch, lab_dir, states.solved())
    assert len(results) == len(KUBE_STATE)
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad


@pytest.mark.parametrize("name", [n for n, v in variants.VARIANTS.items()
                                  if any(c in KUBE_STATE or c.startswith("ch15.local-cluster")
                                         for c in v[2])] + list(variants.ERROR_VARIANTS))
def test_the_mock_gives_the_broken_outcomes(name, kube_mock, monkeypatch, lab_dir):
    build, _docker, expected = {**variants.VARIANTS, **variants.ERROR_VARIANTS}[name]
    want = "error" if name in variants.ERROR_VARIANTS else "fail"
    results = from_mock(kube_mock, monkeypatch, lab_dir, build())
    for check_id, seen in expected.items():
        if check_id in results:
            assert results[check_id].status == want, (check_id, results[check_id].message)
            assert seen in results[check_id].message, results[check_id].message
    others = {i: (r.status, r.message) for i, r in results.items()
              if i not in expected and r.status != "pass"}
    assert not others


# ---- ch15.pause on this machine's Docker engine ----------------------------------------------


PAUSE = ("ch15.pause.containers", "ch15.pause.shared-net", "ch15.pause.same-ip",
         "ch15.pause.localhost")


@pytest.mark.engine
def test_pause_checks_on_the_real_engine(engine, lab_dir):
    """The notebook's two `docker run`s for real: every pause check passes; then main
    started on the default bridge instead: the network checks fail, with their hints."""
    import docker.errors

    from grader.labels import CREATED_BY, lab_labels
    require_images(engine, "clabs/nginx:v1", "clabs/toolbox:1.0")
    labels = lab_labels("ch15", "tests")
    for name in ("pause", "main"):
        try:
            found = engine.containers.get(name)
        except docker.errors.NotFound:
            continue
        if found.labels.get(CREATED_BY) != "tests":
            refuse_to_touch(f"a container named {name} exists on this engine and is not ours")
        found.remove(force=True)

    def start_main(**network):
        return engine.containers.run("clabs/toolbox:1.0", ["sh"], name="main", detach=True,
                                     tty=True, stdin_open=True, labels=labels, **network)
    try:
        engine.containers.run("clabs/nginx:v1", name="pause", detach=True, labels=labels)
        start_main(network_mode="container:pause")
        results = {r.check.id: r for r in runner.run(CH15, lab_dir, only=["ch15.pause"],
                                                      layers=["live"])}
        assert set(results) == set(PAUSE)
        bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
        assert not bad
        ips = results["ch15.pause.same-ip"].details["eth0"]
        assert ips["pause"] == ips["main"] == engine.containers.get("pause").attrs[
            "NetworkSettings"]["Networks"]["bridge"]["IPAddress"]

        engine.containers.get("main").remove(force=True)
        start_main(network="bridge")
        results = {r.check.id: r for r in runner.run(CH15, lab_dir, only=["ch15.pause"],
                                                      layers=["live"])}
        assert results["ch15.pause.containers"].status == "pass"
        for check_id, seen in (("ch15.pause.shared-net", "main's network mode is bridge"),
                               ("ch15.pause.same-ip", "in pause and"),
                               ("ch15.pause.localhost", "wget http://localhost/ in main exited")):
            r = results[check_id]
            assert r.status == "fail", (check_id, r.status, r.message)
            assert seen in r.message, r.message
            assert r.as_dict()["hint"] == r.check.hint != ""
    finally:
        for name in ("main", "pause"):
            try:
                engine.containers.get(name).remove(force=True)
            except docker.errors.NotFound:
                pass
