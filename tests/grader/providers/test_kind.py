"""The ``kind`` provider against a stand-in ``kind`` (fakekind/kind, first on PATH, which
records every call) and the API mock (tests/kubemock.py): up, idempotence, down,
status, params; Ctrl-C at every step of ``up``; an ``up`` killed outright, cleaned by
``down``; and environments/kind/*.yaml checked against kind's documented config
schema and the Kubernetes schema."""

from __future__ import annotations

import ipaddress
import json
import os
import stat
import sys
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from grader import images, labels
from grader.chapters import Chapter
from grader.errors import LabError
from grader.kube import labconfig
from grader.kube import namespace as kns
from grader.providers import kind as kindmod
from grader.providers.base import Ledger
from grader.providers.kind import CLUSTER, CONTEXT, INGRESS, KindCluster, Marker

FAKEKIND = Path(__file__).parent / "fakekind"
CH15 = Chapter("ch15", "Introduction to Kubernetes", provider="kind", namespace="ch15")
CH16 = Chapter("ch16", "Deploy, update and secure", provider="kind", namespace="ch16")
POD_IMAGES_CH15 = ["clabs/nginx:v1", "clabs/nginx:v2", "clabs/toolbox:1.0"]

NODE = {"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": f"{CLUSTER}-control-plane", "labels": {"ingress-ready": "true"}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}],
                   "nodeInfo": {"kubeletVersion": "v1.33.1", "kubeProxyVersion": "v1.33.1",
                                "architecture": "amd64", "bootID": "b", "containerRuntimeVersion":
                                "containerd://2.1.1", "kernelVersion": "6.1", "machineID": "m",
                                "operatingSystem": "linux", "osImage": "Debian", "systemUUID": "s"}}}
CONTROLLER = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
              "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}},
                       "template": {"metadata": {"labels": {"app.kubernetes.io/name": "ingress-nginx"}},
                                    "spec": {"containers": [{"name": "controller",
                                                             "image": "controller"}]}}},
              "status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1}}


class FakeKind:
    """The stand-in's call log and its clusters."""

    def __init__(self, tmp: Path):
        self.log, self.state = tmp / "kind-calls.jsonl", tmp / "kind-state.json"

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def did(self, *argv: str) -> bool:
        return any(c[:len(argv)] == list(argv) for c in self.calls())

    @property
    def clusters(self) -> list[str]:
        return json.loads(self.state.read_text())["clusters"] if self.state.exists() else []

    def add_cluster(self, name: str = CLUSTER) -> None:
        self.state.write_text(json.dumps({"clusters": [*self.clusters, name]}))

    def forget(self) -> None:
        self.log.unlink(missing_ok=True)


class FakeEngine:
    """Just enough of a docker client: every lab image present, with a stable ID; other
    images only when listed in ``ids``."""

    class api:
        ids: ClassVar[dict[str, str]] = {}

        @classmethod
        def inspect_image(cls, name):
            import docker.errors

            if not name.startswith("clabs/") and name not in cls.ids:
                raise docker.errors.ImageNotFound(name)
            return {"Id": cls.ids.get(name, "sha256:" + name.replace("/", "-").replace(":", "-"))}


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """The stand-in kind first on PATH (the venv's python3 next), a clean cache, the
    engine and image builds stubbed."""
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", os.pathsep.join([str(FAKEKIND), str(Path(sys.executable).parent),
                                                os.environ.get("PATH", "")]))
    for var in ("KUBECONFIG", "LAB_KIND_IMAGE", "FAKEKIND_FAIL", "FAKEKIND_KUBECONFIG"):
        monkeypatch.delenv(var, raising=False)
    fk = FakeKind(tmp_path)
    monkeypatch.setenv("FAKEKIND_LOG", str(fk.log))
    monkeypatch.setenv("FAKEKIND_STATE", str(fk.state))
    FakeEngine.api.ids = {}
    monkeypatch.setattr(images, "docker_client", lambda client=None: FakeEngine)
    fk.built = []
    monkeypatch.setattr(images, "build", lambda names, **kw: fk.built.append(names))
    return fk


@pytest.fixture
def mock(kube_mock, fake, monkeypatch):
    """The API mock with one Ready node; the stand-in's `get kubeconfig` points at it;
    kubectl apply/delete of the ingress manifest plays on the mock (the mock serves
    none of its RBAC kinds, so the real kubectl is not run against it)."""
    m = kube_mock([NODE])
    monkeypatch.setenv("FAKEKIND_KUBECONFIG", m.kubeconfig)
    m.kubectl = []

    def kubectl(self, *args, what, timeout=60, progress=False):
        m.kubectl.append(list(args))
        if args[0] == "apply":
            m.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ingress-nginx"}})
            m.add(CONTROLLER)
        if args[0] == "delete":
            m.delete("Namespace", "ingress-nginx")
        return ""

    monkeypatch.setattr(KindCluster, "_kubectl", kubectl)
    return m


def provider(chapter: Chapter = CH15) -> KindCluster:
    p = KindCluster(chapter)
    p.late = 0.3
    return p


def ns_names(m) -> set[str]:
    return {o["metadata"]["name"] for o in m.objects("Namespace")}


# -- up, idempotence, params ----------------------------------------------------------


def test_up_creates_the_cluster_loads_images_and_makes_the_namespace(mock, fake):
    p = provider()
    done = p.up(progress=False)

    calls = fake.calls()
    assert calls[0] == ["get", "clusters"]
    assert ["create", "cluster", "--name", CLUSTER, "--config", str(kindmod.CONFIG),
            "--wait", "120s"] in calls
    assert ["get", "kubeconfig", "--name", CLUSTER] in calls
    assert ["load", "docker-image", "--name", CLUSTER, *POD_IMAGES_CH15] in calls
    assert mock.kubectl[0] == ["apply", "-f", str(INGRESS)]
    assert mock.kubectl[1][:2] == ["wait", "--namespace"]
    ns = mock.get("Namespace", "ch15")
    assert ns["metadata"]["labels"][labels.LAB] == "ch15"
    assert ns["metadata"]["labels"][labels.CREATED_BY] == "kind"
    assert [line.split(" ")[0] for line in done] == ["created", "loaded", "installed", "created",
                                                     "wrote"]

    path = labconfig.path("ch15")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == CONTEXT
    assert doc["contexts"] == [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT,
                                                              "namespace": "ch15"}}]
    assert doc["clusters"][0]["cluster"]["server"] == mock.url
    marker = Marker.load()
    assert marker.created and marker.chapters == ["ch15"]
    assert sorted(marker.images) == POD_IMAGES_CH15
    assert not p.ledger().path.exists()
    assert p.params() == {"LAB": "ch15", "NAMESPACE": "ch15", "KUBECONFIG": str(path),
                          "LAB_NETWORK": "", "DOCKER_HOST": os.environ.get("DOCKER_HOST", "")}


def test_up_on_an_up_environment_does_nothing(mock, fake):
    provider().up(progress=False)
    fake.forget()
    mock.kubectl.clear()
    assert provider().up(progress=False) == []
    assert [c[:2] for c in fake.calls()] == [["get", "clusters"], ["get", "kubeconfig"]]
    assert mock.kubectl == []


def test_a_rebuilt_image_is_loaded_again_and_only_it(mock, fake):
    provider().up(progress=False)
    fake.forget()
    FakeEngine.api.ids = {"clabs/nginx:v2": "sha256:rebuilt"}
    assert provider().up(progress=False) == [f"loaded 1 image(s) into {CLUSTER}: clabs/nginx:v2"]
    assert ["load", "docker-image", "--name", CLUSTER, "clabs/nginx:v2"] in fake.calls()


def test_an_ingress_controller_image_on_this_engine_is_loaded_too(mock, fake):
    """An offline classroom `docker load`s the controller image; up puts it in the node."""
    image = kindmod.controller_image()
    assert image == "registry.k8s.io/ingress-nginx/controller:v1.15.1"
    FakeEngine.api.ids = {image: "sha256:controller"}
    provider().up(progress=False)
    assert ["load", "docker-image", "--name", CLUSTER, *POD_IMAGES_CH15, image] in fake.calls()


def test_missing_images_are_built_first(mock, fake, monkeypatch):
    monkeypatch.setattr(images, "missing", lambda specs, client: [s for s in specs
                                                                  if s.name == "clabs/toolbox:1.0"])
    done = provider().up(progress=False)
    assert fake.built == [["clabs/toolbox:1.0"]]
    assert "built 1 image(s): clabs/toolbox:1.0" in done


def test_pod_images_leave_out_build_only_bases():
    assert kindmod.pod_images("ch15") == POD_IMAGES_CH15
    ch16 = kindmod.pod_images("ch16")
    assert "clabs/postgres:15" in ch16 and "clabs/pets-web:2.0" in ch16
    assert not set(ch16) & kindmod.BUILD_ONLY


def test_lab_kind_image_picks_the_node_image(mock, fake, monkeypatch):
    monkeypatch.setenv("LAB_KIND_IMAGE", "kindest/node:v1.34.0")
    provider().up(progress=False)
    create = next(c for c in fake.calls() if c[:2] == ["create", "cluster"])
    assert create[create.index("--image") + 1] == "kindest/node:v1.34.0"


# -- bad input --------------------------------------------------------------------------


def test_kind_not_installed_is_one_line_and_nothing_is_created(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    p = provider()
    with pytest.raises(LabError) as err:
        p.up(progress=False)
    assert str(err.value) == ("kind is not installed: see https://kind.sigs.k8s.io/docs/user/"
                              "quick-start/#installation, or use --provider existing")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.*"))
    assert p.down().clusters == []
    assert p.status().up is False


def test_no_docker_engine_is_one_line_and_nothing_is_created(fake, monkeypatch):
    def down(client=None):
        raise LabError("Docker engine not reachable at unix:///var/run/docker.sock")
    monkeypatch.setattr(images, "docker_client", down)
    with pytest.raises(LabError, match="Docker engine not reachable"):
        provider().up(progress=False)
    assert fake.calls() == []


def test_a_failing_kind_create_is_one_line_and_undone(mock, fake, monkeypatch):
    monkeypatch.setenv("FAKEKIND_FAIL", "create")
    with pytest.raises(LabError) as err:
        provider().up(progress=False)
    assert str(err.value) == (f"creating kind cluster {CLUSTER} failed: ERROR: failed to create "
                              "cluster: stand-in told to fail")
    assert fake.did("delete", "cluster", "--name", CLUSTER)
    assert fake.clusters == []


# -- down --------------------------------------------------------------------------------


def test_down_deletes_the_namespace_and_the_cluster_the_lab_made(mock, fake):
    provider().up(progress=False)
    gone = provider().down()
    assert gone.clusters == [CLUSTER] and gone.namespaces == ["ch15"]
    assert fake.did("delete", "cluster", "--name", CLUSTER) and fake.clusters == []
    assert not labconfig.path("ch15").exists() and Marker.load() is None


def test_down_deletes_the_lab_cluster_even_when_it_does_not_answer(mock, fake):
    provider().up(progress=False)
    doc = yaml.safe_load(labconfig.path("ch15").read_text())
    doc["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:9"
    labconfig.write(labconfig.path("ch15"), doc)
    gone = provider().down()
    assert gone.clusters == [CLUSTER] and fake.clusters == []


def test_down_keeps_a_cluster_another_chapter_uses(mock, fake):
    provider(CH15).up(progress=False)
    provider(CH16).up(progress=False)
    gone = provider(CH15).down()
    assert gone.clusters == [] and gone.namespaces == ["ch15"]
    assert "ch16 still uses it" in str(gone)
    assert "ch15" not in ns_names(mock) and "ch16" in ns_names(mock)
    assert not fake.did("delete", "cluster")
    gone = provider(CH16).down()
    assert gone.clusters == [CLUSTER]
    assert fake.clusters == []


def test_down_leaves_a_cluster_the_lab_did_not_create(mock, fake):
    fake.add_cluster()
    done = provider().up(progress=False)
    assert not any(line.startswith("created kind cluster") for line in done)
    gone = provider().down()
    assert gone.namespaces == ["ch15"] and gone.clusters == []
    assert "the lab did not create it" in str(gone)
    assert not fake.did("delete", "cluster") and fake.clusters == [CLUSTER]


def test_a_namespace_the_student_had_is_neither_taken_nor_deleted(mock, fake):
    mock.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ch15"}})
    fake.add_cluster()
    done = provider().up(progress=False)
    assert not any("namespace" in line and line.startswith("created") for line in done)
    gone = provider().down()
    assert gone.namespaces == []
    assert "ch15" in ns_names(mock)


# -- status ---------------------------------------------------------------------------------


def test_status_of_an_up_environment(mock, fake):
    provider().up(progress=False)
    s = provider().status()
    assert s.up and s.provider == "kind" and s.endpoint == mock.url
    assert s.objects == {f"cluster/{CLUSTER}": "exists",
                         "deployment/ingress-nginx-controller": "available",
                         f"node/{CLUSTER}-control-plane": "Ready v1.33.1",
                         "namespace/ch15": "Active"}
    assert s.missing_images == []


def test_status_without_a_cluster_and_when_it_does_not_answer(mock, fake):
    s = provider().status()
    assert not s.up and "no kind cluster" in s.summary
    provider().up(progress=False)
    doc = yaml.safe_load(labconfig.path("ch15").read_text())
    doc["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:9"
    labconfig.write(labconfig.path("ch15"), doc)
    s = provider().status()
    assert not s.up and s.error and "does not answer" in s.error and "\n" not in s.error


# -- Ctrl-C at every step of up ------------------------------------------------------------

# what the step does before the interrupt arrives: "after" = the step's request went
# through (the server finished it), "before" = it was cut off before anything happened
STEPS = ["create", "kubeconfig", "load", "ingress", "namespace"]


def interrupt_at(step: str, monkeypatch) -> None:
    real_run, real_write, real_create = kindmod.run_tool, labconfig.write, kns.create
    real_kubectl = KindCluster._kubectl

    def run_tool(argv, what, **kw):
        if step == "create" and argv[1:3] == ["create", "cluster"]:
            real_run(argv, what, **kw)
            raise KeyboardInterrupt
        if step == "load" and argv[1:3] == ["load", "docker-image"]:
            raise KeyboardInterrupt
        return real_run(argv, what, **kw)

    def write(path, doc):
        changed = real_write(path, doc)
        if step == "kubeconfig":
            raise KeyboardInterrupt
        return changed

    def kubectl(self, *args, **kw):
        out = real_kubectl(self, *args, **kw)
        if step == "ingress" and args[0] == "apply":
            raise KeyboardInterrupt
        return out

    def create(api, name, chapter_id, created_by):
        real_create(api, name, chapter_id, created_by)
        if step == "namespace":
            raise KeyboardInterrupt

    monkeypatch.setattr(kindmod, "run_tool", run_tool)
    monkeypatch.setattr(labconfig, "write", write)
    monkeypatch.setattr(KindCluster, "_kubectl", kubectl)
    monkeypatch.setattr(kns, "create", create)


@pytest.mark.parametrize("step", STEPS)
def test_ctrl_c_while_making_a_new_cluster_deletes_it(step, mock, fake, monkeypatch):
    interrupt_at(step, monkeypatch)
    p = provider()
    with pytest.raises(KeyboardInterrupt):
        p.up(progress=False)
    assert fake.did("delete", "cluster", "--name", CLUSTER)
    assert fake.clusters == []
    assert not labconfig.path("ch15").exists()
    assert Marker.load() is None and not p.ledger().path.exists()
    assert not any(c[0] == "delete" for c in mock.kubectl)  # the cluster took it all


@pytest.mark.parametrize("step", STEPS[1:])
def test_ctrl_c_in_a_cluster_the_lab_did_not_make_removes_only_what_up_made(
        step, mock, fake, monkeypatch):
    fake.add_cluster()
    interrupt_at(step, monkeypatch)
    p = provider()
    with pytest.raises(KeyboardInterrupt):
        p.up(progress=False)
    assert not fake.did("delete", "cluster") and fake.clusters == [CLUSTER]
    assert not labconfig.path("ch15").exists()
    assert "ch15" not in ns_names(mock)
    made_ingress = STEPS.index(step) >= STEPS.index("ingress")
    assert (["delete", "-f", str(INGRESS), "--ignore-not-found", "--wait=false"]
            in mock.kubectl) == made_ingress
    assert "ingress-nginx" not in ns_names(mock)
    assert not p.ledger().path.exists()


def test_ctrl_c_leaves_what_was_there_before(mock, fake, monkeypatch):
    provider().up(progress=False)          # everything there, one image stale
    FakeEngine.api.ids = {"clabs/toolbox:1.0": "sha256:new"}
    fake.forget()
    interrupt_at("load", monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        provider().up(progress=False)
    assert not fake.did("delete", "cluster") and fake.clusters == [CLUSTER]
    assert "ch15" in ns_names(mock) and labconfig.path("ch15").exists()


# -- an up killed outright: down reads its ledger -------------------------------------------


def test_down_cleans_up_after_an_up_killed_while_creating(mock, fake):
    p = provider()
    fake.add_cluster()
    labconfig.write(p.kubeconfig, labconfig.with_namespace(
        labconfig.minify(yaml.safe_load(Path(mock.kubeconfig).read_text()), "mock"), "ch15"))
    kns.create(p._api(), "ch15", "ch15", "kind")
    ledger = Ledger(p.ledger().path)
    for kind, name in (("cluster", CLUSTER), ("kubeconfig", str(p.kubeconfig)),
                       ("namespace", "ch15")):
        ledger.about_to(kind, name)
    gone = p.down()
    assert gone.clusters == [CLUSTER]
    assert fake.did("delete", "cluster", "--name", CLUSTER) and fake.clusters == []
    assert not ledger.path.exists() and not p.kubeconfig.exists()


def test_down_after_a_killed_up_in_a_foreign_cluster_deletes_only_the_namespace(mock, fake):
    p = provider()
    fake.add_cluster()
    labconfig.write(p.kubeconfig, p._kubeconfig_doc())
    kns.create(p._api(), "ch15", "ch15", "kind")
    ledger = Ledger(p.ledger().path)
    ledger.about_to("kubeconfig", str(p.kubeconfig))
    ledger.about_to("namespace", "ch15")
    gone = p.down()
    assert gone.namespaces == ["ch15"] and gone.clusters == []
    assert "ch15" not in ns_names(mock)
    assert not fake.did("delete", "cluster") and fake.clusters == [CLUSTER]
    assert not ledger.path.exists()


# -- environments/kind/cluster.yaml against kind's documented config schema ------------------
#
# kind.x-k8s.io/v1alpha4, from kind's Go types (sigs.k8s.io/kind pkg/apis/config/v1alpha4,
# types.go) and https://kind.sigs.k8s.io/docs/user/configuration/. kind decodes the file
# strictly: an unknown field is an error, so the allowed sets matter.

CLUSTER_FIELDS = {"kind", "apiVersion", "name", "nodes", "networking", "featureGates",
                  "runtimeConfig", "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902",
                  "containerdConfigPatches", "containerdConfigPatchesJSON6902"}
NODE_FIELDS = {"role", "image", "labels", "extraMounts", "extraPortMappings", "gpus",
               "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902"}
NETWORKING_FIELDS = {"ipFamily", "apiServerPort", "apiServerAddress", "podSubnet",
                     "serviceSubnet", "disableDefaultCNI", "kubeProxyMode", "dnsSearch"}
PORT_MAPPING_FIELDS = {"containerPort", "hostPort", "listenAddress", "protocol"}
MOUNT_FIELDS = {"containerPath", "hostPath", "readOnly", "selinuxRelabel", "propagation"}
ROLES = {"control-plane", "worker"}
PROTOCOLS = {"TCP", "UDP", "SCTP"}
NODE_PORT_RANGE = range(30000, 32768)   # kube-apiserver's default --service-node-port-range


def kind_schema_errors(doc) -> list[str]:
    """What in ``doc`` kind's v1alpha4 Cluster config does not allow."""
    errors = []
    if not isinstance(doc, dict):
        return ["not a mapping"]
    if doc.get("kind") != "Cluster" or doc.get("apiVersion") != "kind.x-k8s.io/v1alpha4":
        errors.append("kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4 required")
    errors += [f"unknown field {k}" for k in set(doc) - CLUSTER_FIELDS]
    errors += [f"networking: unknown field {k}"
               for k in set(doc.get("networking") or {}) - NETWORKING_FIELDS]
    for i, node in enumerate(doc.get("nodes") or []):
        where = f"nodes[{i}]"
        errors += [f"{where}: unknown field {k}" for k in set(node) - NODE_FIELDS]
        if node.get("role", "control-plane") not in ROLES:
            errors.append(f"{where}: role {node.get('role')!r} is not one of {sorted(ROLES)}")
        if not all(isinstance(k, str) and isinstance(v, str)
                   for k, v in (node.get("labels") or {}).items()):
            errors.append(f"{where}: labels must map strings to strings")
        for patch in node.get("kubeadmConfigPatches") or []:
            if not isinstance(patch, str) or "kind" not in yaml.safe_load(patch):
                errors.append(f"{where}: kubeadmConfigPatches are YAML strings naming a kind")
        for m in node.get("extraMounts") or []:
            errors += [f"{where}: extraMounts: unknown field {k}" for k in set(m) - MOUNT_FIELDS]
        for j, pm in enumerate(node.get("extraPortMappings") or []):
            at = f"{where}.extraPortMappings[{j}]"
            errors += [f"{at}: unknown field {k}" for k in set(pm) - PORT_MAPPING_FIELDS]
            if not isinstance(pm.get("containerPort"), int) or not 0 < pm["containerPort"] < 65536:
                errors.append(f"{at}: containerPort must be a port number")
            host = pm.get("hostPort", 0)
            if not isinstance(host, int) or not (host == -1 or 0 <= host < 65536):
                errors.append(f"{at}: hostPort must be a port number (or -1)")
            if pm.get("protocol", "TCP") not in PROTOCOLS:
                errors.append(f"{at}: protocol {pm.get('protocol')!r} not in {sorted(PROTOCOLS)}")
            if "listenAddress" in pm:
                try:
                    ipaddress.ip_address(pm["listenAddress"])
                except ValueError:
                    errors.append(f"{at}: listenAddress must be an IP address")
    return errors


def test_the_schema_check_catches_what_kind_rejects():
    assert kind_schema_errors({"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4"}) == []
    bad = {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha3", "node": [],
           "nodes": [{"role": "master", "extraPortMappings": [
               {"containerPort": 80, "hostPort": 70000, "protocol": "HTTP", "hostIP": "x"}]}]}
    assert len(kind_schema_errors(bad)) == 6


def test_cluster_config_follows_kinds_schema():
    doc = yaml.safe_load(kindmod.CONFIG.read_text())
    assert kind_schema_errors(doc) == []
    assert doc["name"] == CLUSTER


def test_cluster_config_gives_the_ingress_and_the_nodeports_to_localhost():
    doc = yaml.safe_load(kindmod.CONFIG.read_text())
    planes = [n for n in doc["nodes"] if n.get("role", "control-plane") == "control-plane"]
    assert len(planes) == 1 and len(doc["nodes"]) == 1   # one node: light for a laptop
    node = planes[0]
    assert node["labels"] == {"ingress-ready": "true"}
    assert "image" not in node   # kind's own default node image: see README.md
    maps = node["extraPortMappings"]
    by_host = {m["hostPort"]: m for m in maps}
    assert len(by_host) == len(maps), "a host port mapped twice"
    assert by_host[80]["containerPort"] == 80 and by_host[443]["containerPort"] == 443
    node_ports = sorted(p for p in by_host if p not in (80, 443))
    assert node_ports == list(range(30080, 30090))
    assert all(p in NODE_PORT_RANGE and by_host[p]["containerPort"] == p for p in node_ports)
    assert {m["listenAddress"] for m in maps} == {"127.0.0.1"}


# -- environments/kind/ingress-nginx.yaml ----------------------------------------------------


def manifest() -> list[dict]:
    return [d for d in yaml.safe_load_all(INGRESS.read_text()) if d]


@pytest.mark.parametrize("version", ["1.33.0", "latest"])
def test_ingress_manifest_is_valid_kubernetes(version):
    import kubernetes_validate

    v = kubernetes_validate.latest_version() if version == "latest" else version
    for doc in manifest():
        kubernetes_validate.validate(doc, v, strict=True)


def test_ingress_manifest_is_the_controller_the_cluster_config_expects():
    by_kind = {}
    for doc in manifest():
        by_kind.setdefault(doc["kind"], []).append(doc)
    assert "ValidatingWebhookConfiguration" not in by_kind and "Job" not in by_kind
    cls = by_kind["IngressClass"][0]
    assert cls["metadata"]["name"] == "nginx"
    assert cls["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"
    dep = by_kind["Deployment"][0]
    assert (dep["metadata"]["namespace"], dep["metadata"]["name"]) == \
        (kindmod.INGRESS_NAMESPACE, kindmod.INGRESS_DEPLOYMENT)
    pod = dep["spec"]["template"]["spec"]
    node_labels = yaml.safe_load(kindmod.CONFIG.read_text())["nodes"][0]["labels"]
    assert pod["nodeSelector"]["ingress-ready"] == node_labels["ingress-ready"]
    (ctr,) = pod["containers"]
    image, _, tag = ctr["image"].rpartition(":")
    assert image == "registry.k8s.io/ingress-nginx/controller" and tag.startswith("v1.")
    args = ctr["args"]
    assert f"--controller-class={cls['spec']['controller']}" in args
    assert "--ingress-class=nginx" in args and "--watch-ingress-without-class=true" in args
    assert not any(a.startswith("--validating-webhook") for a in args)
    ports = {p["hostPort"]: p["containerPort"] for p in ctr["ports"]}
    assert ports == {80: 80, 443: 443}
    sa = pod["serviceAccountName"]
    assert sa in {d["metadata"]["name"] for d in by_kind["ServiceAccount"]}
    for binding in by_kind["ClusterRoleBinding"] + by_kind["RoleBinding"]:
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": sa,
                                        "namespace": kindmod.INGRESS_NAMESPACE}]


def test_ingress_rbac_grants_what_the_controller_reads_and_writes():
    docs = manifest()
    granted = set()
    for role in (d for d in docs if d["kind"] in ("ClusterRole", "Role")):
        for rule in role["rules"]:
            for group in rule["apiGroups"]:
                for res in rule["resources"]:
                    granted |= {(group, res, verb) for verb in rule["verbs"]}
    needed = [("", r, v) for r in ("services", "pods", "secrets", "configmaps", "endpoints",
                                   "namespaces", "nodes") for v in ("list", "watch")]
    needed += [("networking.k8s.io", r, v) for r in ("ingresses", "ingressclasses")
               for v in ("get", "list", "watch")]
    needed += [("discovery.k8s.io", "endpointslices", v) for v in ("list", "watch")]
    needed += [("networking.k8s.io", "ingresses/status", "update"), ("", "events", "create"),
               ("coordination.k8s.io", "leases", "create"), ("coordination.k8s.io", "leases", "update")]
    assert [n for n in needed if n not in granted] == []


# -- the spinner path of run_tool (a terminal) -----------------------------------------------


def test_run_tool_with_a_terminal_streams_and_fails_with_the_last_line(fake, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    fake.add_cluster()
    kind = kindmod.kind_binary()
    assert kindmod.run_tool([kind, "get", "clusters"], "listing", progress=True).strip() == CLUSTER
    monkeypatch.setenv("FAKEKIND_FAIL", "load")
    with pytest.raises(LabError, match=r"^loading failed: ERROR: failed to load image$"):
        kindmod.run_tool([kind, "load", "docker-image", "--name", CLUSTER, "x"], "loading",
                         progress=True)
