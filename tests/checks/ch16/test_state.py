"""Every ch16 live check proven both ways, without a cluster:

- on the solved state (states.py) written as our dump, through ``runner.run(...,
  dump=...)`` (what ``lab check ch16 --from-dump`` does): every live check passes;
- on each broken variant (variants.py): the check that exists to catch it fails with
  what it saw and its hint, every other check keeps its solved outcome;
- the same states served by the API mock (tests/kubemock) and read by the live
  collector: the same outcomes;
- the states have the shape a real API server gives, and agree with labs/ch16/solutions.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest

from grader import chapters, runner
from grader.kube import manifests, subset
from grader.kube.rollouts import template_of
from tests.checks.ch16 import states, variants
from tests.checks.ch16.conftest import KUBE_KINDS
from tests.checks.helpers import fails_only, grade_dump, release_with_solutions
from tests.kubemock import validate_shape
from tests.kubemock.objects import endpoints_instead_of_slices

SOLUTIONS = chapters.LABS / "ch16" / "solutions"
LIVE = {"ch16.web.deployment", "ch16.web.service", "ch16.db.statefulset", "ch16.db.service",
        "ch16.one-file.objects", "ch16.liveness.pods", "ch16.liveness.restarts",
        "ch16.readiness.endpoints", "ch16.startup.pod", "ch16.rolling.state",
        "ch16.blue-green.state", "ch16.secret-yaml.secret", "ch16.secret-cli.secret",
        "ch16.secret-volume.pod", "ch16.secret-env.pod"}


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory, ch16_chapter) -> Path:
    return release_with_solutions("ch16", tmp_path_factory.mktemp("lab") / "ch16")


def from_dump(lab_dir: Path, where: Path, objects, **extra) -> dict:
    return grade_dump("ch16", lab_dir, where, states.lab_dump(objects, **extra), namespace=states.NS,
                      layers=["static", "live"])


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
    web = states.find(objs, "Deployment", "web")
    rss = sorted(states.owned(objs, web, "ReplicaSet"), key=lambda rs: rs["metadata"]["creationTimestamp"])
    assert [(rs["spec"]["template"]["spec"]["containers"][0]["image"], rs["spec"]["replicas"],
             rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) for rs in rss] == [
        ("clabs/pets-web:2.0", 0, "1"), ("clabs/pets-web:2.0", 5, "4"), ("clabs/pets-web:2.1", 0, "3")]
    assert rss[1]["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "2"
    assert web["status"]["readyReplicas"] == web["status"]["updatedReplicas"] == 5
    assert {p["metadata"]["labels"]["pod-template-hash"] for p in states.owned(objs, rss[1])} == \
        {rss[1]["spec"]["template"]["metadata"]["labels"]["pod-template-hash"]}
    slices = {o["metadata"]["labels"]["kubernetes.io/service-name"]: o for o in objs if o["kind"] == "EndpointSlice"}
    assert {e["targetRef"]["name"].split("-")[1] for e in slices["web"]["endpoints"]} == {"green"}
    assert [e["conditions"]["ready"] for e in slices["readiness-demo"]["endpoints"]] == [False]
    assert states.find(objs, "StatefulSet", "db")["status"]["readyReplicas"] == 1


def _solution_objects() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(SOLUTIONS.rglob("*.yaml")):
        found += [(str(path.relative_to(SOLUTIONS)), obj) for obj in manifests.read(path)]
    return found


def drift(manifest: dict, objects: list[dict]) -> list[str]:
    """How the state's object differs from what a solution manifest declares."""
    meta = manifest.get("metadata") or {}
    obj = next((o for o in objects if o["kind"] == manifest["kind"]
                and o["metadata"]["name"] == meta["name"]), None)
    if obj is None:
        return [f"no {manifest['kind']} {meta['name']}"]
    want = {"apiVersion": manifest["apiVersion"],
            "metadata": {k: meta[k] for k in ("labels", "annotations") if k in meta}}
    want.update({k: v for k, v in manifest.items() if k not in ("apiVersion", "kind", "metadata")})
    return subset.mismatches(want, obj)


# files whose objects a later step replaced: how the state agrees with them instead
SUPERSEDED = {"web-deployment.yaml", "web-service.yaml", "pets.yaml"}


def test_the_solved_state_agrees_with_the_solutions():
    solved = states.solved()
    problems = {}
    for file, o in _solution_objects():
        if file in SUPERSEDED:
            continue
        if file == "web-svc-blue-green.yaml":  # then switched: kubectl patch ... color green
            o = copy.deepcopy(o)
            o["spec"]["selector"]["color"] = "green"
        problems[f"{file}: {o['kind']} {o['metadata']['name']}"] = drift(o, solved)
    assert not {k: v for k, v in problems.items() if v}
    assert len(problems) >= 16
    # web-deployment.yaml (= pets.yaml's) is revision 1; web-service.yaml before the colour
    web = states.find(solved, "Deployment", "web")
    first = next(rs for rs in states.owned(solved, web, "ReplicaSet")
                 if rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1")
    plain = manifests.read(SOLUTIONS / "web-deployment.yaml")[0]
    assert not subset.mismatches(plain["spec"]["template"], template_of(first))
    svc = copy.deepcopy(manifests.read(SOLUTIONS / "web-service.yaml")[0])
    svc["spec"]["selector"]["color"] = "green"
    assert not drift(svc, solved)
    # the secret made from files holds the files' bytes
    prod = states.find(solved, "Secret", "pets-secret-prod")
    for key in ("username", "password"):
        assert base64.b64decode(prod["data"][key]) == (SOLUTIONS / "secret-files" / f"{key}.txt").read_bytes()


def test_a_drift_between_solutions_and_state_is_caught():
    solved = states.solved()
    rolling = manifests.read(SOLUTIONS / "web-deploy-rolling-v1.yaml")[0]
    changed = copy.deepcopy(rolling)
    changed["spec"]["replicas"] = 4
    assert drift(changed, solved) == [".spec.replicas is 5, want 4"]
    probe = next(o for f, o in _solution_objects() if o["metadata"]["name"] == "liveness-http")
    changed = copy.deepcopy(probe)
    changed["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] = 5000
    assert drift(changed, solved) == [
        ".spec.containers[name=web].livenessProbe.httpGet.port is 3000, want 5000"]


# ---- through the dump ------------------------------------------------------------------------


def test_every_check_passes_on_the_solved_state(solved):
    assert {i for i, r in solved.items() if r.check.layer == "live"} == LIVE
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
    live = {i: r for i, r in results.items() if r.check.layer == "live"}
    assert set(live) == LIVE and not [i for i, r in live.items() if r.status == "pass"]
    assert {r.status for r in live.values()} == {"fail"}
    assert results["ch16.web.deployment"].message == "no Deployment web in namespace ch16"


def test_a_kind_that_was_not_read_is_an_error_not_a_pass(lab_dir, tmp_path):
    """A dump that says which kinds it read, without Secrets, EndpointSlices and Events."""
    read = [k for k in KUBE_KINDS if k not in ("Secret", "EndpointSlice", "Event")]
    results = from_dump(lab_dir, tmp_path / "partial.json",
                        [o for o in states.solved() if o["kind"] not in ("Secret", "EndpointSlice", "Event")],
                        kubeKindsRead=read)
    for check_id in ("ch16.secret-yaml.secret", "ch16.secret-cli.secret", "ch16.web.service",
                     "ch16.db.service", "ch16.readiness.endpoints", "ch16.blue-green.state"):
        assert results[check_id].status == "error", (check_id, results[check_id].message)
        assert "did not read" in results[check_id].message
    # events are only read when there: without them, the restart count decides
    assert results["ch16.liveness.restarts"].status == "pass"
    assert results["ch16.rolling.state"].status == "pass"


@pytest.mark.parametrize("variant", [None, "service-still-blue", "readiness-probe-missing"])
def test_a_cluster_with_endpoints_but_no_slices(variant, lab_dir, tmp_path, solved):
    build, expected = variants.VARIANTS[variant] if variant else (states.solved, {})
    kinds = [k if k != "EndpointSlice" else "Endpoints" for k in KUBE_KINDS]
    results = from_dump(lab_dir, tmp_path / "old.json", endpoints_instead_of_slices(build()),
                        kubeKindsRead=kinds)
    for check_id, seen in expected.items():
        assert results[check_id].status == "fail" and seen in results[check_id].message
    changed = {i: (r.status, r.message) for i, r in results.items()
               if i not in expected and r.status != solved[i].status}
    assert not changed


def test_a_plain_kubectl_list_is_graded_too(lab_dir, tmp_path):
    p = tmp_path / "kubectl.json"
    p.write_text(json.dumps(states.as_list(states.solved())))
    results = runner.run(chapters.CHAPTERS["ch16"], lab_dir, dump=p, layers=["live", "behaviour"])
    assert {r.check.id for r in results if r.status == "pass"} == LIVE
    assert {r.status for r in results if r.check.layer == "behaviour"} == {"n/a"}


# ---- through the API mock ----------------------------------------------------------------------


def from_mock(kube_mock, monkeypatch, lab_dir, objects) -> dict:
    mock = kube_mock(objects, namespace=states.NS)
    monkeypatch.setenv("KUBECONFIG", mock.kubeconfig)
    results = runner.run(chapters.CHAPTERS["ch16"], lab_dir, namespace=states.NS, layers=["live"])
    return {r.check.id: r for r in results}, mock


def test_the_mock_gives_the_solved_outcomes(kube_mock, monkeypatch, lab_dir):
    results, mock = from_mock(kube_mock, monkeypatch, lab_dir, states.solved())
    assert set(results) == LIVE
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad
    lists = [path for method, path in mock.requests if method == "GET" and path.startswith(("/api", "/apis"))]
    assert len(lists) == len(set(lists)), "one LIST per kind"


@pytest.mark.parametrize("name", list(variants.VARIANTS))
def test_the_mock_gives_the_broken_outcomes(name, kube_mock, monkeypatch, lab_dir):
    build, expected = variants.VARIANTS[name]
    results, _mock = from_mock(kube_mock, monkeypatch, lab_dir, build())
    for check_id, seen in expected.items():
        assert results[check_id].status == "fail", (check_id, results[check_id].message)
        assert seen in results[check_id].message, results[check_id].message
    others = {i: (r.status, r.message) for i, r in results.items()
              if i not in expected and r.status != "pass"}
    assert not others


def test_the_chapter_declaration(ch16_chapter):
    """What the checks need of grader/chapters.py; once the lead has declared ch16 ready
    there, that declaration (read in a fresh interpreter, unpatched) must hold it too."""
    import subprocess
    import sys

    from tests.checks.ch16.conftest import NEEDS
    assert set(ch16_chapter.kube_kinds) == set(NEEDS["kube_kinds"]) and ch16_chapter.reads == ("kube",)
    code = ("import json; from grader import chapters; c = chapters.CHAPTERS['ch16']; "
            "print(json.dumps([c.ready, list(c.kube_kinds), list(c.reads)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=chapters.ROOT)
    ready, kinds, reads = json.loads(out.stdout)
    assert ready, "grader/chapters.py must declare ch16 ready"
    assert set(NEEDS["kube_kinds"]) <= set(kinds) and "kube" in reads
