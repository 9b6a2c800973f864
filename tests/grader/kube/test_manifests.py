"""Reading manifests (YAML, several documents, one clear line for what is wrong) and
validating them against the Kubernetes schema, fast (no jsonschema on the check path)."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.kube import manifests, schema
from grader.kube.manifests import ManifestError
from grader.state.kube import TARGET_VERSION

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web-pod
  labels:
    app.kubernetes.io/name: web
spec:
  containers:
  - name: web
    image: clabs/nginx:v1
    ports:
    - containerPort: 80
"""


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """Every test compiles into its own cache folder, from an empty in-process cache."""
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(schema, "_VALIDATORS", {})
    return tmp_path / "cache"


def write(tmp_path, text, name="m.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


# ---- reading ------------------------------------------------------------------------


def test_one_document(tmp_path):
    objs = manifests.load(write(tmp_path, POD))
    assert [o["metadata"]["name"] for o in objs] == ["web-pod"]
    assert manifests.find(objs, "Pod", "web-pod") is objs[0]
    assert manifests.find(objs, "Service") is None


def test_several_documents_with_their_lines(tmp_path):
    text = "# two objects\n---\n" + POD + "---\n---\n" + POD.replace("web-pod", "other")
    docs = manifests.documents(write(tmp_path, text))
    # a comment before the first --- is no document; an empty one between two --- is
    assert [(d.index, d.line, d.title) for d in docs] == [(1, 3, "Pod web-pod"), (3, 17, "Pod other")]


def test_a_list_is_its_items(tmp_path):
    pod = manifests.load(write(tmp_path, POD))[0]
    doc = {"apiVersion": "v1", "kind": "List", "items": [pod, {**pod, "metadata": {"name": "b"}}]}
    p = tmp_path / "list.yaml"
    p.write_text(json.dumps(doc, indent=1))
    docs = manifests.documents(p)
    assert [d.obj["metadata"]["name"] for d in docs] == ["web-pod", "b"]
    assert docs[1].line > docs[0].line > 1


def test_not_yaml_is_one_line_with_the_line_number(tmp_path):
    p = write(tmp_path, POD.replace("    image: clabs/nginx:v1", "    image: [clabs/nginx:v1"))
    with pytest.raises(ManifestError) as err:
        manifests.load(p)
    text = str(err.value)
    assert isinstance(err.value, AssertionError)  # a check that reads the file fails
    assert "\n" not in text
    assert re.match(r"m\.yaml is not valid YAML at line \d+: ", text), text


def test_tab_indentation(tmp_path):
    p = write(tmp_path, "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n")
    with pytest.raises(ManifestError, match=r"m\.yaml is not valid YAML at line 4"):
        manifests.load(p)


@pytest.mark.parametrize("text, seen", [
    ("", "holds no Kubernetes object"),
    ("# nothing here\n---\n", "holds no Kubernetes object"),
    ("- a\n- b\n", "m.yaml line 1: a Kubernetes object is a map"),
    ("just text\n", "not str 'just text'"),
    ("kind: Pod\nmetadata: {name: x}\n", "line 1: no apiVersion"),
    ("apiVersion: v1\nmetadata: {name: x}\n", "no kind"),
    ("apiVersion: v1\nkind: Pod\nmetadata: {}\n", "the Pod has no metadata.name"),
    (POD + "---\napiVersion: v1\nkind: Service\n", "m.yaml line 14 (document 2): the Service has no metadata.name"),
])
def test_what_is_not_an_object(tmp_path, text, seen):
    with pytest.raises(ManifestError) as err:
        manifests.load(write(tmp_path, text))
    assert seen in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ManifestError, match="nope.yaml not found"):
        manifests.load(tmp_path / "nope.yaml")


# ---- validating -----------------------------------------------------------------------


def test_schema_version_is_the_newest_shipped_not_newer_than_the_target():
    import importlib.util
    folder = Path(next(iter(importlib.util.find_spec("kubernetes_validate").submodule_search_locations)))
    shipped = sorted(tuple(map(int, m.groups())) for d in (folder / "kubernetes-json-schema").iterdir()
                     if (m := re.fullmatch(r"v(\d+)\.(\d+)\.0-local-strict", d.name)))
    target = tuple(map(int, TARGET_VERSION.split(".")))
    want = max(v for v in shipped if v <= target)
    assert manifests.SCHEMA_VERSION == f"{want[0]}.{want[1]}"


def test_a_valid_pod_has_no_problem(tmp_path):
    p = write(tmp_path, POD)
    assert manifests.problems(p) == []
    assert manifests.read(p)[0]["metadata"]["name"] == "web-pod"


def test_unknown_field_names_the_field_and_its_line(tmp_path):
    p = write(tmp_path, POD.replace("    image: clabs/nginx:v1", "    image: clabs/nginx:v1\n    imagePulPolicy: Always"))
    assert manifests.problems(p) == [(
        "m.yaml line 11: unknown field .spec.containers[0].imagePulPolicy (not in the schema: "
        "a typo, or the wrong level of indentation?)")]


def test_misplaced_field(tmp_path):
    # labels one level too deep: under spec, not metadata
    p = write(tmp_path, POD + "  labels:\n    app: web\n")
    (problem,) = manifests.problems(p)
    assert problem.startswith("m.yaml line 13: unknown field .spec.labels"), problem


def test_required_field_missing_says_what_is_there(tmp_path):
    p = write(tmp_path, POD.replace("containerPort", "contianerPort"))
    assert manifests.problems(p) == [(
        "m.yaml line 12: .spec.containers[0].ports[0] needs containerPort (a required field "
        "is missing; it has contianerPort)")]


def test_wrong_type(tmp_path):
    p = write(tmp_path, POD.replace("containerPort: 80", 'containerPort: "80"'))
    assert manifests.problems(p) == [
        'm.yaml line 12: .spec.containers[0].ports[0].containerPort must be integer, not "80"']


def test_image_pull_policy_is_not_in_the_schema(tmp_path):
    # the published schemas carry no enums (only kind and apiVersion are fixed): a wrong
    # imagePullPolicy is the API server's to refuse, not the schema's
    p = write(tmp_path, POD.replace("    image: clabs/nginx:v1", "    image: clabs/nginx:v1\n    imagePullPolicy: Sometimes"))
    assert manifests.problems(p) == []


def test_api_version_that_does_not_exist(tmp_path):
    text = "apiVersion: apps/v2\nkind: ReplicaSet\nmetadata: {name: x}\n"
    assert manifests.problems(write(tmp_path, text)) == [
        "m.yaml line 1: apiVersion apps/v2 has no ReplicaSet in Kubernetes 1.37: use apiVersion apps/v1"]


def test_removed_api_version_names_the_one_to_use(tmp_path):
    rs = """\
    apiVersion: extensions/v1beta1
    kind: ReplicaSet
    metadata: {name: rs-web}
    spec: {replicas: 3}
    """
    assert manifests.problems(write(tmp_path, rs)) == [(
        "m.yaml line 1: apiVersion extensions/v1beta1 has no ReplicaSet in Kubernetes 1.37: "
        "use apiVersion apps/v1")]


def test_unknown_kind(tmp_path):
    (problem,) = manifests.problems(write(tmp_path, "apiVersion: v1\nkind: Pods\nmetadata: {name: x}\n"))
    assert "Kubernetes 1.37 has no kind 'Pods'" in problem


def test_kind_is_case_sensitive(tmp_path):
    text = "apiVersion: apps/v1\nkind: Replicaset\nmetadata: {name: x}\n"
    (problem,) = manifests.problems(write(tmp_path, text))
    assert "Kubernetes 1.37 has no kind 'Replicaset'" in problem and "case-sensitive" in problem, problem


def test_duplicate_keys_are_reported(tmp_path):
    p = write(tmp_path, POD.replace("  labels:\n", "  labels:\n    tier: a\n  labels:\n"))
    problems = manifests.problems(p)
    assert problems[0] == ("m.yaml line 7: .metadata.labels is given twice in one map (YAML "
                           "keeps only the last; kubectl rejects the file)")


def test_a_problem_in_the_second_document(tmp_path):
    svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: eighty\n"
    p = write(tmp_path, POD + "---\n" + svc)
    (problem,) = manifests.problems(p)
    assert problem.startswith("m.yaml line 19: .spec.ports[0].port must be integer"), problem


def test_read_raises_the_first_problem_and_counts_the_rest(tmp_path):
    bad = POD.replace("containerPort: 80", 'containerPort: "80"')
    p = write(tmp_path, bad + "---\n" + bad.replace("web-pod", "b"))
    with pytest.raises(ManifestError, match=r"line 12: .* \(and 1 more\)$"):
        manifests.read(p)


def test_line_of_follows_dotted_keys(tmp_path):
    (doc,) = manifests.documents(write(tmp_path, POD))
    assert doc.line_of('.metadata.labels["app.kubernetes.io/name"]') == 6
    assert doc.line_of(".metadata.labels.app.kubernetes.io/name") == 6
    assert doc.line_of(".spec.containers[0].ports[0].containerPort") == 12
    assert doc.line_of(".spec.nothing.here") == 7
    assert doc.line_of("") == 1


def test_quantities():
    q = manifests.quantity
    assert q("2Gi") == q("2048Mi") == 2 * 2**30
    assert q("2G") == 2e9 and q("500m") == 0.5 and q("1e3") == 1000 and q(3) == 3
    assert q("2GB") is None and q(True) is None and q(None) is None


# ---- the same verdicts as kubernetes-validate ----------------------------------------------


def _variants() -> list[dict]:
    import yaml
    pod = yaml.safe_load(POD)
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs-web"},
          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                   "template": {"metadata": {"labels": {"app": "web"}},
                                "spec": {"containers": [{"name": "nginx", "image": "clabs/nginx:v1"}]}}}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}}
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"},
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}}
    ing = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
           "spec": {"ingressClassName": "nginx", "rules": [{"host": "example.com", "http": {"paths": [
               {"path": "/web", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}

    def changed(obj, path, value):
        import copy
        out = copy.deepcopy(obj)
        node = out
        for key in path[:-1]:
            node = node[key]
        if value is KeyError:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return out
    return [pod, rs, svc, pvc, ing,
            changed(pod, ["spec", "containers", 0, "ports", 0, "containerPort"], "80"),
            changed(pod, ["spec", "containers", 0, "name"], KeyError),
            changed(pod, ["spec", "containers", 0, "resources"], {"limits": {"memory": 128}}),
            changed(pod, ["spec", "containers", 0, "resources"], {"limits": {"memory": True}}),
            changed(pod, ["spec", "restartPolicy"], "Sometimes"),
            changed(pod, ["spec", "containres"], []),
            changed(pod, ["metadata", "labels"], {"app": 5}),
            changed(pod, ["metadata", "labels"], {"app": None}),
            changed(rs, ["spec", "replicas"], 2.5),
            changed(rs, ["spec", "replicas"], True),
            changed(rs, ["spec", "selector"], "app=web"),
            changed(svc, ["spec", "ports", 0, "targetPort"], 80),
            changed(svc, ["spec", "ports", 0, "targetPort"], 80.5),
            changed(svc, ["spec", "ports", 0, "port"], None),
            changed(pvc, ["spec", "resources", "requests", "storage"], 2),
            changed(pvc, ["spec", "resources", "requests", "storage"], [2]),
            changed(ing, ["spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"],
                    {"number": "80"}),
            changed(ing, ["spec", "rules", 0, "host"], None),
            changed(ing, ["kind"], "ingress"),
            changed(pod, ["apiVersion"], "v2")]


def test_same_verdicts_as_kubernetes_validate():
    """kubernetes-validate (jsonschema, 2020-12) and the compiled validators agree on
    valid and invalid objects of every kind the lab writes."""
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError
    for obj in _variants():
        try:
            kubernetes_validate.validate(obj, manifests.SCHEMA_VERSION, strict=True)
            reference = True
        except (kubernetes_validate.ValidationError, SchemaNotFoundError):
            reference = False
        ours = manifests.schema_problems(obj)
        assert (not ours) == reference, (obj, ours)


# ---- speed and the cache --------------------------------------------------------------------


def _fresh_process(path: Path, env: dict) -> dict:
    code = ("import sys, time, json; t = time.perf_counter()\n"
            "from grader.kube import manifests\n"
            f"p = manifests.problems({str(path)!r})\n"
            "print(json.dumps({'seconds': time.perf_counter() - t, 'problems': p,"
            " 'jsonschema': 'jsonschema' in sys.modules,"
            " 'kubernetes_validate': 'kubernetes_validate' in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                         env=env, timeout=120, cwd=Path(__file__).resolve().parents[3])
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_validation_never_imports_jsonschema_and_is_cached(tmp_path, cache):
    p = write(tmp_path, POD)
    env = {**os.environ, "LAB_CACHE_DIR": str(cache)}
    cold = _fresh_process(p, env)
    assert cold["problems"] == [] and not cold["jsonschema"] and not cold["kubernetes_validate"]
    stored = list((cache / "kube-schema").rglob("pod-v1-*.marshal"))
    assert len(stored) == 1
    warm = _fresh_process(p, env)
    assert warm["problems"] == [] and not warm["jsonschema"]
    # loading the compiled validator costs milliseconds; generating it, more
    assert warm["seconds"] < 0.5, warm


def test_a_damaged_cache_entry_is_rebuilt(tmp_path, cache):
    p = write(tmp_path, POD)
    assert manifests.problems(p) == []
    (stored,) = list((cache / "kube-schema").rglob("pod-v1-*.marshal"))
    stored.write_bytes(b"not marshal data")
    schema._VALIDATORS.clear()
    assert manifests.problems(p) == []
    assert stored.read_bytes() != b"not marshal data"


def test_a_read_only_cache_only_costs_speed(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "kube-schema").write_text("a file where the cache folder should be")
    monkeypatch.setenv("LAB_CACHE_DIR", str(ro))
    assert manifests.problems(write(tmp_path, POD)) == []
