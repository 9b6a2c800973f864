"""ch10's environment: the Docker part (its default provider) and the cluster part
that `lab env up ch10 --provider kind|existing` adds on top, against the API mock and a
stand-in for the Docker part (the Docker provider has its own tests):

- the kube providers qualify for ch10, kind first; the choice says whether the cluster
  part is up, and without it every Kubernetes check has one reason;
- up brings both parts up: the namespaces ch10 and k8sdemo (labelled) and the Secret
  lab-token planted with a value made up for this student, kept on a second up;
- down takes both down, and in the cluster only what carries the lab's labels;
- an up interrupted after planting takes the Secret back.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from grader import chapters, labels, providers
from grader.providers import existing as existing_mod
from grader.providers import kubelab
from grader.providers.base import Removed, Status
from grader.providers.existing import ExistingContext
from tests.grader.providers.test_existing import kubeconfig_doc

CH10 = chapters.get("ch10")


class DockerPart:
    """Stands in for ch10's Docker provider: records what it was asked to do."""

    calls: ClassVar[list[str]] = []

    def __init__(self, chapter, client=None):
        self.chapter = chapter

    def up(self, *, progress=True):
        self.calls.append("up")
        return ["created network ch10-lab"]

    def down(self):
        self.calls.append("down")
        return Removed(networks=["ch10-lab"], containers=["redis-7.0"])

    def status(self):
        return Status("ch10", "docker", True, "network ch10-lab", network="ch10-lab",
                      objects={"redis-7.0": "running"}, missing_images=["clabs/toolbox:1.0"])

    def params(self):
        return {"LAB": "ch10", "LAB_NETWORK": "ch10-lab", "DOCKER_HOST": ""}


@pytest.fixture
def mock(kube_mock, tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(existing_mod.CONTEXT_VARIABLE, raising=False)
    m = kube_mock(namespace="ch10")
    cluster = yaml.safe_load(Path(m.kubeconfig).read_text())["clusters"][0]["cluster"]
    student = tmp_path / "student-kubeconfig"
    student.write_text(yaml.safe_dump(kubeconfig_doc(cluster)))
    monkeypatch.setenv("KUBECONFIG", str(student))
    DockerPart.calls = []
    monkeypatch.setattr(kubelab.KubeProvider, "companion", lambda self: DockerPart(self.chapter))
    return m


def provider() -> ExistingContext:
    p = ExistingContext(CH10)
    p.late = 0.3
    return p


def planted(m) -> dict | None:
    return next((s for s in m.objects("Secret", "ch10") if s["metadata"]["name"] == "lab-token"), None)


def test_the_kube_providers_qualify_for_ch10(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    assert providers.family_of(CH10) == ["docker", "kind", "existing"]
    providers.check_family(CH10, "kind")
    assert providers.family_of(chapters.get("ch16")) == ["kind", "existing"]
    assert providers.family_of(chapters.get("ch14")) == ["swarm", "swarm-dind"]
    assert providers.cluster_missing(CH10) == (
        "needs a Kubernetes cluster: run `lab env up ch10 --provider kind` (or --provider "
        "existing for your own cluster)")
    assert providers.cluster_missing(chapters.get("ch16")) is None
    assert providers.cluster_missing(chapters.get("ch14")) == "ch14 has no Kubernetes steps"
    providers.choose(CH10, "kind")
    assert providers.cluster_missing(CH10) is None
    assert isinstance(providers.for_chapter(CH10), kubelab.KubeProvider)


def test_up_brings_up_both_parts_and_plants_the_secret(mock):
    p = provider()
    done = p.up(progress=False)
    assert DockerPart.calls == ["up"] and done[0] == "created network ch10-lab"
    assert "created namespace k8sdemo" in done
    assert any(line.startswith("planted Secret lab-token in namespace ch10") for line in done)
    for name in ("ch10", "k8sdemo"):
        ns = mock.get("Namespace", name)
        assert ns["metadata"]["labels"][labels.LAB] == "ch10"
        assert ns["metadata"]["labels"][labels.CREATED_BY] == "existing"
    secret = planted(mock)
    assert secret["metadata"]["labels"] == {labels.LAB: "ch10", labels.CREATED_BY: "existing",
                                            kubelab.PLANTED_LABEL: "1"}
    value = base64.b64decode(secret["data"]["token"]).decode()
    assert value.startswith("ct-") and len(value) == 15
    # a second up keeps the student's value; another student's environment gets another
    assert not [line for line in p.up(progress=False) if "planted" in line]
    assert planted(mock)["data"] == secret["data"]
    params = p.params()
    assert params["LAB_NETWORK"] == "ch10-lab" and params["NAMESPACE"] == "ch10"
    assert params["KUBECONFIG"] == str(p.kubeconfig)


def test_two_environments_get_two_values(mock):
    provider().up(progress=False)
    first = planted(mock)["data"]["token"]
    provider().down()
    provider().up(progress=False)
    assert planted(mock)["data"]["token"] != first


def test_status_shows_both_parts(mock):
    p = provider()
    p.up(progress=False)
    st = p.status()
    assert st.up and st.network == "ch10-lab"
    assert st.summary.startswith("context mock, namespace ch10 active; network ch10-lab")
    assert st.objects["redis-7.0"] == "running" and st.objects["namespace/ch10"] == "Active"
    assert st.missing_images == ["clabs/toolbox:1.0"]


def test_down_takes_down_both_parts_and_only_the_labs(mock):
    mock.add({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "mine", "namespace": "default"}, "data": {"a": "Yg=="}})
    p = provider()
    p.up(progress=False)
    gone = p.down()
    assert DockerPart.calls == ["up", "down"]
    assert set(gone.namespaces) == {"ch10", "k8sdemo"}
    assert gone.secrets == ["ch10/lab-token"] and gone.networks == ["ch10-lab"]
    assert planted(mock) is None
    assert mock.get("Secret", "mine", "default") is not None


def test_a_k8sdemo_of_the_students_own_stays(mock):
    mock.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "k8sdemo"}})
    p = provider()
    assert "created namespace k8sdemo" not in p.up(progress=False)
    assert "k8sdemo" not in p.down().namespaces
    assert mock.get("Namespace", "k8sdemo") is not None


def test_an_up_interrupted_after_planting_takes_the_secret_back(mock, monkeypatch):
    real = kubelab.plant_secret

    def plant_then_break(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt
    monkeypatch.setattr(kubelab, "plant_secret", plant_then_break)
    p = provider()
    with pytest.raises(KeyboardInterrupt):
        p.up(progress=False)
    assert planted(mock) is None
    assert "k8sdemo" not in {o["metadata"]["name"] for o in mock.objects("Namespace")}
    assert not p.ledger().path.exists()


def test_a_cluster_that_does_not_answer_still_lets_the_docker_part_go(mock):
    from grader.errors import LabError
    p = provider()
    p.up(progress=False)
    mock.close()
    with pytest.raises(LabError, match="does not answer"):
        p.down()
    assert DockerPart.calls == ["up", "down"]
