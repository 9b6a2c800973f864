"""Every static ch15 check, proven both ways: it passes on the reference solution and
fails, with what it saw and its hint, on the mistake it exists to catch (the book's
errata included); and the static layer stays fast (measured, cold and cached)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import answers, chapters
from tests.checks.ch15 import states  # noqa: F401  (the same package's helpers load first)
from tests.checks.helpers import (
    edit,
    release_with_solutions,
    run_static,
    set_answer_cell,
    static_fails,
)

CH15 = chapters.CHAPTERS["ch15"]
STATIC = ("ch15.architecture.answers", "ch15.first-pod.answers", "ch15.first-pod.file",
          "ch15.first-pod.selector", "ch15.lifecycle.answers", "ch15.pod-spec.file",
          "ch15.volume.file", "ch15.replicaset.file", "ch15.replicaset.selector",
          "ch15.deployment-service.answers", "ch15.deployment-service.file",
          "ch15.ingress.file", "ch15.compare.answers")
ANSWER_CELLS = {
    "ch15.architecture.answers": ("01-architecture-and-cluster.ipynb", "ch15-architecture-answers"),
    "ch15.first-pod.answers": ("02-pods.ipynb", "ch15-first-pod-answers"),
    "ch15.lifecycle.answers": ("02-pods.ipynb", "ch15-lifecycle-answers"),
    "ch15.deployment-service.answers": ("04-services-and-ingress.ipynb",
                                        "ch15-deployment-service-answers"),
    "ch15.compare.answers": ("04-services-and-ingress.ipynb", "ch15-compare-answers"),
}


@pytest.fixture
def solved(tmp_path) -> Path:
    return release_with_solutions("ch15", tmp_path / "ch15")


def run(lab_dir: Path, *only: str) -> dict:
    return run_static("ch15", lab_dir, *only)


def fails(lab_dir: Path, check_id: str, *seen: str):
    return static_fails("ch15", lab_dir, check_id, *seen)


def test_reference_solution_passes_every_static_check(solved):
    results = run(solved)
    assert set(results) == set(STATIC)
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad


def test_names_module_knows_the_notebooks_and_answer_cells():
    from checks.ch15 import names
    assert names.ANSWER_CELLS == ANSWER_CELLS
    for notebook, _ in ANSWER_CELLS.values():
        assert (CH15.source_dir / notebook).is_file(), notebook


# ---- answer cells --------------------------------------------------------------------


@pytest.mark.parametrize("check_id", list(ANSWER_CELLS))
def test_a_wrong_answer_fails_naming_it(check_id, solved):
    notebook, grade_id = ANSWER_CELLS[check_id]
    given = answers.read_cell(solved / notebook, grade_id)
    assert not answers.wrong(check_id, given)  # the solution's cell answers everything
    first = next(iter(answers.expected(check_id)))
    given[first] = 12345 if isinstance(given[first], str) else "something else"
    set_answer_cell(solved / notebook, grade_id,
                    "\n".join(f"{k} = {v!r}" for k, v in given.items()) + "\n")
    fails(solved, check_id, f"{first}: not right yet")


@pytest.mark.parametrize("check_id", list(ANSWER_CELLS))
def test_an_unanswered_cell_fails(check_id, solved):
    notebook, grade_id = ANSWER_CELLS[check_id]
    set_answer_cell(solved / notebook, grade_id, "# YOUR CODE HERE\nraise NotImplementedError()")
    fails(solved, check_id, "no answer yet")


# ---- ch15.first-pod ---------------------------------------------------------------------------


def test_the_books_sample_pod_has_no_label(solved):
    # erratum 4: the file the lab ships is the book's, without the label the service selects
    (solved / "sample-pod.yaml").write_text((CH15.source_dir / "sample-pod.yaml").read_text())
    fails(solved, "ch15.first-pod.selector",
          "selects app=nginx, but Pod nginx in sample-pod.yaml has no labels")
    assert run(solved, "ch15.first-pod.file")["ch15.first-pod.file"].status == "pass"


def test_a_label_with_another_value(solved):
    edit(solved / "sample-pod.yaml", "app: nginx", "app: web")
    fails(solved, "ch15.first-pod.selector", "has app=web")


def test_service_without_its_port(solved):
    edit(solved / "sample-service.yaml", "port: 8080", "port: 80")
    fails(solved, "ch15.first-pod.file", "not 8080 → 80")


def test_service_of_the_wrong_type(solved):
    edit(solved / "sample-service.yaml", "type: LoadBalancer", "type: NodePort")
    fails(solved, "ch15.first-pod.file", "of type NodePort, not LoadBalancer")


def test_the_books_image(solved):
    edit(solved / "sample-pod.yaml", "image: clabs/nginx:v1", "image: nginx:alpine")
    fails(solved, "ch15.first-pod.file", "runs 'nginx:alpine', not clabs/nginx:v1")


def test_port_443_missing(solved):
    edit(solved / "sample-pod.yaml", "    - containerPort: 443\n", "")
    fails(solved, "ch15.first-pod.file", "declares ports [80], not 443")


def test_a_manifest_that_is_not_yaml(solved):
    edit(solved / "sample-pod.yaml", "  name: nginx", "  name: [nginx")
    r = fails(solved, "ch15.first-pod.file", "sample-pod.yaml is not valid YAML at line")
    assert "\n" not in r.message


def test_a_missing_manifest(solved):
    (solved / "sample-service.yaml").unlink()
    fails(solved, "ch15.first-pod.file", "sample-service.yaml not found")


# ---- ch15.pod-spec ----------------------------------------------------------------------------


def test_schema_error_names_file_line_and_field(solved):
    edit(solved / "pod.yaml", "containerPort: 80", 'containerPort: "80"')
    line = next(i for i, text in enumerate((solved / "pod.yaml").read_text().splitlines(), 1)
                if "containerPort" in text)
    fails(solved, "ch15.pod-spec.file",
          f'pod.yaml line {line}: .spec.containers[0].ports[0].containerPort must be integer, not "80"')


def test_unknown_field(solved):
    edit(solved / "pod.yaml", "    image: clabs/nginx:v1", "    imgae: clabs/nginx:v1")
    fails(solved, "ch15.pod-spec.file", "unknown field .spec.containers[0].imgae")


def test_container_named_otherwise(solved):
    edit(solved / "pod.yaml", "  - name: web", "  - name: nginx")
    fails(solved, "ch15.pod-spec.file", "has containers ['nginx'], none named web")


def test_pod_named_otherwise(solved):
    edit(solved / "pod.yaml", "name: web-pod", "name: webpod")
    fails(solved, "ch15.pod-spec.file", "pod.yaml has no Pod named web-pod (it has Pod webpod)")


# ---- ch15.volume ------------------------------------------------------------------------------


def test_claim_of_the_wrong_size(solved):
    edit(solved / "volume-claim.yaml", "storage: 2Gi", "storage: 2G")
    fails(solved, "ch15.volume.file", "requests storage '2G', not 2Gi")


def test_claim_of_an_equal_size_in_other_units_passes(solved):
    edit(solved / "volume-claim.yaml", "storage: 2Gi", "storage: 2048Mi")
    assert run(solved, "ch15.volume.file")["ch15.volume.file"].status == "pass"


def test_claim_with_the_wrong_access_mode(solved):
    edit(solved / "volume-claim.yaml", "- ReadWriteOnce", "- ReadWriteMany")
    fails(solved, "ch15.volume.file", "access modes ['ReadWriteMany'], not ReadWriteOnce")


def test_mounted_elsewhere(solved):
    edit(solved / "pod-with-vol.yaml", "mountPath: /data", "mountPath: /usr/share/nginx/html")
    fails(solved, "ch15.volume.file", "does not mount volume my-data at /data "
                                      "(mounts: my-data at /usr/share/nginx/html)")


def test_volume_from_another_claim(solved):
    edit(solved / "pod-with-vol.yaml", "claimName: my-data-claim", "claimName: data")
    fails(solved, "ch15.volume.file", "no volume from claim my-data-claim (volumes: my-data)")


def test_mount_of_a_volume_that_does_not_exist(solved):
    edit(solved / "pod-with-vol.yaml", "    - name: my-data          #", "    - name: data   #")
    fails(solved, "ch15.volume.file", "does not mount volume my-data at /data (mounts: data at /data)")


# ---- ch15.replicaset ----------------------------------------------------------------------


def test_selector_that_does_not_select_the_template(solved):
    edit(solved / "replicaset.yaml", "app: web             # must match", "app: nginx           # must match")
    fails(solved, "ch15.replicaset.selector",
          "the selector (app=web) does not select the pod template's labels (app=nginx)")


def test_selector_and_template_agree_on_another_label(solved):
    text = (solved / "replicaset.yaml").read_text().replace("app: web", "app: frontend")
    (solved / "replicaset.yaml").write_text(text)
    fails(solved, "ch15.replicaset.selector", "the lab uses app=web")


def test_the_removed_api_version(solved):
    edit(solved / "replicaset.yaml", "apiVersion: apps/v1", "apiVersion: extensions/v1beta1")
    fails(solved, "ch15.replicaset.file",
          "apiVersion extensions/v1beta1 has no ReplicaSet in Kubernetes 1.37: use apiVersion apps/v1")


def test_a_replication_controller(solved):
    rc = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: rs-web
spec:
  replicas: 3
  selector:
    app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: clabs/nginx:v1
        ports:
        - containerPort: 80
"""
    (solved / "replicaset.yaml").write_text(rc)
    fails(solved, "ch15.replicaset.file", "declares a ReplicationController: its successor is "
                                          "the ReplicaSet")


def test_two_replicas(solved):
    edit(solved / "replicaset.yaml", "replicas: 3", "replicas: 2")
    fails(solved, "ch15.replicaset.file", "spec.replicas is 2, not 3")


# ---- ch15.deployment-service and ch15.ingress --------------------------------------------------


def test_service_web_selects_other_labels(solved):
    edit(solved / "web-service.yaml", "app: web ", "app: webapp ")
    fails(solved, "ch15.deployment-service.file",
          "Service web selects app=webapp; rs-web's pods have app=web")


def test_service_web_of_the_wrong_type(solved):
    edit(solved / "web-service.yaml", "type: ClusterIP", "type: NodePort")
    fails(solved, "ch15.deployment-service.file", "of type NodePort, not ClusterIP")


@pytest.mark.parametrize("old, new, seen", [
    ("host: example.com", "host: example.org", "routes example.org/web → web:80, not example.com/web → web:80"),
    ("path: /web", "path: /", "routes example.com/ → web:80"),
    ("number: 80", "number: 8080", "routes example.com/web → web:8080"),
    ("name: web\n            port", "name: nginx-service\n            port", "→ nginx-service:80"),
    ("ingressClassName: nginx", "ingressClassName: traefik", "ingressClassName is traefik"),
    ("pathType: Prefix", "pathType: Exact", "path /web is of type Exact, not Prefix"),
])
def test_ingress_rule_mistakes(solved, old, new, seen):
    edit(solved / "ingress.yaml", old, new)
    fails(solved, "ch15.ingress.file", seen)


def test_ingress_without_rewrite(solved):
    text = (solved / "ingress.yaml").read_text()
    text = "\n".join(ln for ln in text.splitlines()
                     if "rewrite-target" not in ln and "annotations:" not in ln) + "\n"
    (solved / "ingress.yaml").write_text(text)
    fails(solved, "ch15.ingress.file", "rewrite-target is None, not '/'")


def test_ingress_without_a_class_uses_the_default(solved):
    edit(solved / "ingress.yaml", "  ingressClassName: nginx    # handled by the ingress-nginx controller\n", "")
    assert "ingressClassName" not in (solved / "ingress.yaml").read_text()
    assert run(solved, "ch15.ingress.file")["ch15.ingress.file"].status == "pass"


# ---- speed -------------------------------------------------------------------------------


def _static_run(lab_dir: Path, cache: Path) -> dict:
    """`lab check ch15 --layer static` in a fresh process: seconds and outcomes."""
    code = ("import json, sys, time; t = time.perf_counter()\n"
            "from pathlib import Path\nfrom grader import chapters, runner\n"
            f"res = runner.run(chapters.CHAPTERS['ch15'], Path({str(lab_dir)!r}), layers=['static'])\n"
            "print(json.dumps({'seconds': time.perf_counter() - t,"
            " 'status': {r.check.id: r.status for r in res},"
            " 'jsonschema': 'jsonschema' in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                         env={**os.environ, "LAB_CACHE_DIR": str(cache)}, timeout=300,
                         cwd=chapters.ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_static_layer_is_fast_cold_and_cached(solved, tmp_path):
    cache = tmp_path / "cache"
    t0 = time.perf_counter()
    cold = _static_run(solved, cache)
    warm = _static_run(solved, cache)
    warm2 = _static_run(solved, cache)
    print(f"static layer: cold {cold['seconds']:.2f}s, cached {warm['seconds']:.2f}s / "
          f"{warm2['seconds']:.2f}s (3 processes: {time.perf_counter() - t0:.1f}s)")
    for r in (cold, warm, warm2):
        assert set(r["status"].values()) == {"pass"}
        assert not r["jsonschema"], "schema validation must not import jsonschema"
    assert min(warm["seconds"], warm2["seconds"]) < 1.5
