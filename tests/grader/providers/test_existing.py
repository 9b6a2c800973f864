"""The ``existing`` provider against the API mock: the lab kubeconfig (one context,
flattened, namespace set), the labelled namespace, down that deletes only the lab's
namespace, unreachable and expired contexts as one line with nothing created, Ctrl-C
at every step of ``up``, and an ``up`` killed outright, cleaned by ``down``."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
import yaml

from grader import labels
from grader.chapters import Chapter
from grader.errors import LabError
from grader.kube import labconfig
from grader.kube import namespace as kns
from grader.providers import existing as existing_mod
from grader.providers.base import Ledger
from grader.providers.existing import ExistingContext
from tests.kubemock import TOKEN

CH15 = Chapter("ch15", "Introduction to Kubernetes", provider="kind", namespace="ch15")


def kubeconfig_doc(cluster: dict, *, token: str = TOKEN, current: str = "mock") -> dict:
    """The student's kubeconfig: ``mock`` reaches ``cluster`` (server and CA of the
    mock), ``far`` answers nowhere."""
    return {"apiVersion": "v1", "kind": "Config", "current-context": current,
            "clusters": [{"name": "mock", "cluster": cluster},
                         {"name": "far", "cluster": {"server": "https://127.0.0.1:9"}}],
            "users": [{"name": "student", "user": {"token": token}}],
            "contexts": [{"name": "mock", "context": {"cluster": "mock", "user": "student",
                                                      "namespace": "default"}},
                         {"name": "far", "context": {"cluster": "far", "user": "student"}}]}


@pytest.fixture
def mock(kube_mock, tmp_path, monkeypatch):
    """The mock API server, the student's kubeconfig (contexts ``mock``, current, and
    ``far``, which does not answer) in $KUBECONFIG, a clean cache."""
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(existing_mod.CONTEXT_VARIABLE, raising=False)
    m = kube_mock()
    m.cluster = yaml.safe_load(Path(m.kubeconfig).read_text())["clusters"][0]["cluster"]
    m.student = tmp_path / "student-kubeconfig"
    m.student.write_text(yaml.safe_dump(kubeconfig_doc(m.cluster)))
    monkeypatch.setenv("KUBECONFIG", str(m.student))
    return m


def provider() -> ExistingContext:
    p = ExistingContext(CH15)
    p.late = 0.3
    return p


def ns_names(m) -> set[str]:
    return {o["metadata"]["name"] for o in m.objects("Namespace")}


def nothing_created(m, p) -> None:
    assert "ch15" not in ns_names(m)
    assert not p.kubeconfig.exists() and not p.ledger().path.exists()


# -- up, idempotence, params ------------------------------------------------------------


def test_up_makes_the_namespace_and_the_lab_kubeconfig(mock):
    p = provider()
    done = p.up(progress=False)
    ns = mock.get("Namespace", "ch15")
    assert ns["metadata"]["labels"][labels.LAB] == "ch15"
    assert ns["metadata"]["labels"][labels.CREATED_BY] == "existing"
    assert done[0] == "created namespace ch15 in context mock"
    assert done[-1] == f"wrote {p.kubeconfig} (context mock, namespace ch15)"
    assert stat.S_IMODE(p.kubeconfig.stat().st_mode) == 0o600
    doc = yaml.safe_load(p.kubeconfig.read_text())
    assert doc["current-context"] == "mock"
    assert [c["name"] for c in doc["contexts"]] == ["mock"]          # that context only
    assert [c["name"] for c in doc["clusters"]] == ["mock"]
    assert doc["contexts"][0]["context"]["namespace"] == "ch15"
    assert doc["users"] == [{"name": "student", "user": {"token": TOKEN}}]
    assert yaml.safe_load(mock.student.read_text()) == kubeconfig_doc(mock.cluster)  # untouched
    assert p.params() == {"LAB": "ch15", "NAMESPACE": "ch15", "KUBECONFIG": str(p.kubeconfig),
                          "LAB_NETWORK": "", "DOCKER_HOST": os.environ.get("DOCKER_HOST", "")}


def test_up_on_an_up_environment_does_nothing(mock):
    provider().up(progress=False)
    mock.requests.clear()
    assert provider().up(progress=False) == []
    assert not [r for r in mock.requests if r[0] != "GET"]


def test_lab_kube_context_picks_the_context(mock, monkeypatch):
    doc = kubeconfig_doc(mock.cluster, current="far")
    mock.student.write_text(yaml.safe_dump(doc))
    monkeypatch.setenv(existing_mod.CONTEXT_VARIABLE, "mock")
    provider().up(progress=False)
    assert "ch15" in ns_names(mock)


def test_a_namespace_that_exists_is_used_not_made(mock):
    mock.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ch15"}})
    p = provider()
    assert p.up(progress=False) == [f"wrote {p.kubeconfig} (context mock, namespace ch15)"]
    assert p.down().namespaces == []
    assert "ch15" in ns_names(mock) and not p.kubeconfig.exists()


def test_up_never_makes_a_cluster(mock, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))   # no kind, no kubectl needed
    provider().up(progress=False)


# -- one clear line, nothing half-created ------------------------------------------------


def test_an_unreachable_context_is_one_line_and_nothing_is_created(mock, monkeypatch):
    monkeypatch.setenv(existing_mod.CONTEXT_VARIABLE, "far")
    p = provider()
    with pytest.raises(LabError) as err:
        p.up(progress=False)
    assert "does not answer" in str(err.value) and "\n" not in str(err.value)
    assert err.value.code == 2
    nothing_created(mock, p)


def test_expired_credentials_are_one_line_and_nothing_is_created(mock):
    mock.student.write_text(yaml.safe_dump(kubeconfig_doc(mock.cluster, token="expired")))
    p = provider()
    with pytest.raises(LabError) as err:
        p.up(progress=False)
    assert "401" in str(err.value) and "expired" in str(err.value)
    nothing_created(mock, p)


def test_no_current_context_is_one_line(mock):
    doc = kubeconfig_doc(mock.cluster)
    del doc["current-context"]
    mock.student.write_text(yaml.safe_dump(doc))
    p = provider()
    with pytest.raises(LabError, match="no current kube context .*use-context"):
        p.up(progress=False)
    nothing_created(mock, p)


def test_an_unknown_context_is_one_line(mock, monkeypatch):
    monkeypatch.setenv(existing_mod.CONTEXT_VARIABLE, "nope")
    with pytest.raises(LabError, match=r"no kube context 'nope' .*contexts: mock, far"):
        provider().up(progress=False)


# -- down -----------------------------------------------------------------------------------


def test_down_deletes_the_namespace_the_lab_made_and_the_kubeconfig(mock):
    p = provider()
    p.up(progress=False)
    gone = p.down()
    assert gone.namespaces == ["ch15"] and gone.clusters == []
    assert "ch15" not in ns_names(mock) and not p.kubeconfig.exists()


@pytest.mark.parametrize("found", [{}, {labels.LAB: "ch15"},
                                   {labels.LAB: "ch15", labels.CREATED_BY: "kind"},
                                   {labels.LAB: "ch16", labels.CREATED_BY: "existing"}])
def test_down_leaves_a_namespace_without_the_labs_labels(mock, found):
    p = provider()
    p.up(progress=False)
    mock.add({"apiVersion": "v1", "kind": "Namespace",
              "metadata": {"name": "ch15", "labels": found}})
    assert p.down().namespaces == []
    assert "ch15" in ns_names(mock)


def test_down_of_an_environment_never_up_does_nothing(mock):
    assert str(provider().down()) == "nothing"


# -- status ------------------------------------------------------------------------------------


def test_status(mock):
    p = provider()
    assert not p.status().up and "not prepared" in p.status().summary
    p.up(progress=False)
    s = p.status()
    assert s.up and s.endpoint == mock.url and s.objects == {"namespace/ch15": "Active"}
    doc = yaml.safe_load(p.kubeconfig.read_text())
    doc["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:9"
    labconfig.write(p.kubeconfig, doc)
    s = p.status()
    assert not s.up and "does not answer" in s.error


# -- Ctrl-C at every step of up ------------------------------------------------------------


@pytest.mark.parametrize("step", ["kubeconfig", "connect", "namespace"])
def test_ctrl_c_at_every_step_removes_what_up_made(step, mock, monkeypatch):
    real_write, real_create = labconfig.write, kns.create
    real_api = ExistingContext._api

    def write(path, doc):
        real_write(path, doc)
        if step == "kubeconfig":
            raise KeyboardInterrupt

    def api(self, timeout=5.0):
        if step == "connect":
            raise KeyboardInterrupt
        return real_api(self, timeout)

    def create(api, name, chapter_id, created_by):
        real_create(api, name, chapter_id, created_by)   # the server made it
        if step == "namespace":
            raise KeyboardInterrupt

    monkeypatch.setattr(labconfig, "write", write)
    monkeypatch.setattr(kns, "create", create)
    monkeypatch.setattr(ExistingContext, "_api", api if step == "connect" else real_api)
    p = provider()
    with pytest.raises(KeyboardInterrupt):
        p.up(progress=False)
    nothing_created(mock, p)


def test_ctrl_c_keeps_what_was_there_before(mock, monkeypatch):
    mock.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ch15"}})
    p = provider()
    p.up(progress=False)

    def create(*a, **kw):
        raise KeyboardInterrupt
    monkeypatch.setattr(kns, "get", lambda api, name: None)   # as if it had vanished
    monkeypatch.setattr(kns, "create", create)
    with pytest.raises(KeyboardInterrupt):
        p.up(progress=False)
    assert "ch15" in ns_names(mock) and p.kubeconfig.exists()


def test_down_cleans_up_after_an_up_killed_outright(mock):
    p = provider()
    _, lab = p.context()
    labconfig.write(p.kubeconfig, lab)
    kns.create(p._api(), "ch15", "ch15", "existing")
    ledger = Ledger(p.ledger().path)
    ledger.about_to("kubeconfig", str(p.kubeconfig))
    ledger.about_to("namespace", "ch15")
    gone = p.down()
    assert gone.namespaces == ["ch15"]
    nothing_created(mock, p)


# -- the lab kubeconfig, flattened like `kubectl config view --minify --flatten` -----------


def test_flatten_inlines_certificate_files_relative_to_their_kubeconfig(tmp_path, monkeypatch):
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "ca.crt").write_bytes(b"CA")
    (tmp_path / "pki" / "me.crt").write_bytes(b"CERT")
    (tmp_path / "pki" / "me.key").write_bytes(b"KEY")
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(yaml.safe_dump({"current-context": "c", "contexts": [
        {"name": "c", "context": {"cluster": "k", "user": "u"}}]}))
    second.write_text(yaml.safe_dump({"current-context": "other", "clusters": [
        {"name": "k", "cluster": {"server": "https://k:6443", "certificate-authority": "pki/ca.crt"}}],
        "users": [{"name": "u", "user": {"client-certificate": "pki/me.crt",
                                         "client-key": str(tmp_path / "pki" / "me.key")}}]}))
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(first), str(second)]))
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    doc, origin = labconfig.load()
    assert labconfig.current_context(doc) == "c"          # the first file that sets it
    flat = labconfig.with_namespace(labconfig.minify(doc, "c", origin), "ch15")
    b64 = lambda data: base64.b64encode(data).decode()
    assert flat["clusters"][0]["cluster"] == {"server": "https://k:6443",
                                              "certificate-authority-data": b64(b"CA")}
    assert flat["users"][0]["user"] == {"client-certificate-data": b64(b"CERT"),
                                        "client-key-data": b64(b"KEY")}
    assert flat["contexts"][0]["context"]["namespace"] == "ch15"


def test_a_lab_kubeconfig_in_kubeconfig_is_not_the_students(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    lab = labconfig.path("ch15")
    monkeypatch.setenv("KUBECONFIG", str(lab))                   # what activate() sets
    assert labconfig.source_paths() == [labconfig.Path("~/.kube/config").expanduser()]
    assert "KUBECONFIG" not in labconfig.tool_env()


def test_a_missing_certificate_file_is_one_line(tmp_path):
    doc = {"contexts": [{"name": "c", "context": {"cluster": "k"}}],
           "clusters": [{"name": "k", "cluster": {"server": "https://k",
                                                  "certificate-authority": str(tmp_path / "no")}}]}
    with pytest.raises(LabError, match="certificate-authority .* cannot be read"):
        labconfig.minify(doc, "c")


def test_a_kubeconfig_that_is_not_yaml_is_one_line_with_the_line(tmp_path, monkeypatch):
    bad = tmp_path / "config"
    bad.write_text("apiVersion: v1\nclusters: [\n")
    monkeypatch.setenv("KUBECONFIG", str(bad))
    with pytest.raises(LabError, match=r"not a valid kubeconfig: not YAML \(line \d\)"):
        labconfig.load()
