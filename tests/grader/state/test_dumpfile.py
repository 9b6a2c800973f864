"""Dumps: what `lab dump` writes is what `--from-dump` reads; bad input is one line."""

import json

import pytest

from grader.errors import LabError
from grader.state import dumpfile
from grader.state.docker import Container, DockerState, Image
from grader.state.kube import KubeState
from grader.state.swarm import SwarmState

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web-pod", "namespace": "ch15", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "web", "image": "clabs/nginx:v1"}]},
       "status": {"phase": "Running"}}


def _docker() -> DockerState:
    ctr = Container({"Id": "c1", "Name": "/redis-7.0", "Image": "sha256:i1",
                     "State": {"Status": "running"}, "Config": {"Image": "clabs/redis:7.0"},
                     "HostConfig": {}, "NetworkSettings": {"Networks": {}}})
    img = Image({"Id": "sha256:i1", "RepoTags": ["user:v1"], "Size": 5},
                {"Config": {"Entrypoint": ["/user"]}}, [{"CreatedBy": "COPY . ."}])
    plain = Image({"Id": "sha256:i2", "RepoTags": ["clabs/redis:7.0"], "Size": 9})
    return DockerState([ctr], [img, plain], [{"Name": "ch10-lab", "Id": "n1"}], "unix://x")


def test_round_trip_of_every_part(tmp_path):
    kube = KubeState.from_items([POD], "ch15", kinds_read=["Pod"], server_version="v1.33.1")
    snaps = dumpfile.Snapshots("ch15", "ch15", _docker(), SwarmState("active", True), kube)
    path = tmp_path / "d.json"
    dumpfile.write(path, snaps)
    back = dumpfile.read(path)
    assert (back.chapter, back.namespace) == ("ch15", "ch15")
    assert back.docker.container("redis-7.0").running
    assert back.docker.image("user:v1").config == {"Entrypoint": ["/user"]}
    assert back.docker.image("user:v1").history() == [{"CreatedBy": "COPY . ."}]
    with pytest.raises(LabError, match="not inspected"):
        back.docker.image("clabs/redis:7.0").config  # noqa: B018  (not read: an error, not {})
    assert back.swarm.node_state == "active" and back.swarm.manager
    assert back.kube.get("Pod", "web-pod")["status"]["phase"] == "Running"
    assert back.kube.kinds_read == ("Pod",) and back.kube.server_version == "v1.33.1"


def test_a_kubectl_list_is_a_dump_and_its_namespace_is_found(tmp_path):
    path = tmp_path / "k.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [POD]}))
    snaps = dumpfile.read(path, default="ch15")
    assert snaps.docker is None and snaps.kube.namespace == "ch15"
    other = dict(POD, metadata={**POD["metadata"], "namespace": "alice"})
    path.write_text(json.dumps({"kind": "List", "items": [other]}))
    assert dumpfile.read(path, default="ch15").kube.namespace == "alice"
    assert dumpfile.read(path, namespace="bob", default="ch15").kube.namespace == "bob"


def test_yaml_documents_and_typed_lists(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: ch15}\n---\n"
                    "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: b, namespace: ch15}\n")
    kube = dumpfile.read(path, default="ch15").kube
    assert sorted(p["metadata"]["name"] for p in kube.of("Pod")) == ["a", "b"]


@pytest.mark.parametrize("text, says", [
    ("{not json", "not valid JSON (line 1"),
    ("a: [1, 2\nb: 3\n", "neither JSON nor YAML (line"),
    ("", "is empty"),
    ('{"kind": "List", "items": {}}', "without an items list"),
    ('{"kind": "List", "items": [{"kind": "Pod"}]}', "no kind or no metadata.name"),
    ('{"kind": "List", "items": [{"kind": "CronTab", "metadata": {"name": "x"}}]}',
     "kind CronTab are not used"),
    ('["just", "strings"]', "not a Kubernetes List"),
    ('{"metadata": {"name": "x"}}', "it has no kind"),
    ('{"apiVersion": "container-labs/v9", "kind": "LabDump"}', "of version"),
])
def test_bad_dumps_are_one_line(tmp_path, text, says):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(LabError, match=says.replace("(", r"\(").replace("[", r"\[")) as err:
        dumpfile.read(path)
    assert "\n" not in str(err.value)


def test_missing_dump_file(tmp_path):
    with pytest.raises(LabError, match="no dump at"):
        dumpfile.read(tmp_path / "nope.json")
