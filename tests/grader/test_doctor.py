"""``lab doctor``'s providers section: for each provider of the registry, whether it works
on this machine and, if not, why; fast when nothing answers."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import yaml

from grader import doctor
from grader.providers import REGISTRY

ENGINE_DOWN = "Docker engine not reachable at unix:///nowhere.sock (DockerException): start Docker"


def facts(*, reachable=True, swarm="inactive", manager=False, missing=(), kind="kind v0.33.0 "
          "go1.25.1 linux/amd64", cgroup="2", images_error=None) -> dict:
    """What gather() finds, minus the providers section."""
    d = {"endpoint": "unix:///var/run/docker.sock", "reachable": reachable}
    if reachable:
        d.update(swarm=swarm, swarm_manager=manager, cgroup_version=cgroup,
                 lab_images={"error": images_error} if images_error else
                 {"total": 16, "missing": list(missing)})
    else:
        d["error"] = ENGINE_DOWN
    return {"docker": d, "kind": kind, "kube": {"kubeconfig": "", "current_context": None}}


@pytest.fixture(autouse=True)
def no_kubeconfig(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("LAB_KUBE_CONTEXT", "LAB_KIND_IMAGE"):
        monkeypatch.delenv(var, raising=False)


def kubeconfig(tmp_path, server: str, cluster: dict | None = None) -> str:
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "current-context": "c", "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
        "clusters": [{"name": "k", "cluster": cluster or {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}]}))
    return str(path)


def test_every_registered_provider_gets_a_row():
    rows = doctor.rows({**facts(), "python": "3.11", "platform": "Linux", "root": False,
                        "docker": {**facts()["docker"], "server_version": "27",
                                   "storage_driver": "overlay2"},
                        "compose": None, "kubectl": None, "hadolint": None, "debootstrap": None,
                        "kube": {"kubeconfig": "~/.kube/config", "current_context": None},
                        "providers": doctor.provider_facts(facts())})
    names = [r[0] for r in rows]
    assert names[:10] == ["Python", "Docker engine", "Docker swarm", "Compose", "Lab images",
                          "kind", "kubectl", "Kube context", "hadolint", "debootstrap"]
    assert names[10:] == [f"provider {n}" for n in REGISTRY]
    by = {r[0]: r for r in rows}
    assert by["provider docker"][1:] == ("works: engine at unix:///var/run/docker.sock", True)
    assert by["provider existing"][1].startswith("no: no current kube context")


def test_a_docker_engine_that_is_down_says_so_for_every_provider_on_it():
    found = doctor.provider_facts(facts(reachable=False))
    for name in ("docker", "swarm", "swarm-dind", "kind"):
        assert found[name] == {"works": False, "why": ENGINE_DOWN}


def test_swarm_on_a_worker_does_not_work_on_a_manager_or_no_swarm_it_does():
    assert doctor.provider_facts(facts(swarm="active", manager=False))["swarm"]["works"] is False
    assert "swarm worker" in doctor.provider_facts(facts(swarm="active"))["swarm"]["why"]
    assert doctor.provider_facts(facts(swarm="active", manager=True))["swarm"]["works"]
    assert doctor.provider_facts(facts())["swarm"]["works"]


def test_swarm_dind_needs_the_node_image():
    found = doctor.provider_facts(facts(missing=["clabs/dind:20.10"]))["swarm-dind"]
    assert found == {"works": False, "why": "clabs/dind:20.10 is not built: run `lab images build dind`"}
    assert doctor.provider_facts(facts(missing=["clabs/redis:7.0"]))["swarm-dind"]["works"]
    unknown = doctor.provider_facts(facts(images_error="ValueError: bad manifest"))["swarm-dind"]
    assert not unknown["works"] and "cannot tell" in unknown["why"]


def test_kind_needs_the_binary_and_the_engine():
    assert doctor.provider_facts(facts(kind=None))["kind"] == {
        "works": False,
        "why": "kind is not installed: https://kind.sigs.k8s.io/docs/user/quick-start/#installation"}
    assert doctor.provider_facts(facts())["kind"]["works"]


def test_kind_031_and_later_on_cgroup_v1_needs_another_node_image(monkeypatch):
    found = doctor.provider_facts(facts(cgroup="1"))["kind"]
    assert not found["works"] and "cgroup v2" in found["why"] and "LAB_KIND_IMAGE" in found["why"]
    assert doctor.provider_facts(facts(cgroup="1", kind="kind v0.30.0 go1.24"))["kind"]["works"]
    monkeypatch.setenv("LAB_KIND_IMAGE", "kindest/node:v1.34.0")
    assert doctor.provider_facts(facts(cgroup="1"))["kind"]["works"]


def test_existing_works_when_the_context_answers(kube_mock, tmp_path, monkeypatch):
    mock = kube_mock()
    cluster = yaml.safe_load(Path(mock.kubeconfig).read_text())["clusters"][0]["cluster"]
    monkeypatch.setenv("KUBECONFIG", kubeconfig(tmp_path, mock.url, cluster))
    found = doctor.provider_facts(facts())["existing"]
    assert found["works"], found
    assert found["why"].startswith(f"context c answers at {mock.url}")


def test_existing_uses_lab_kube_context(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", kubeconfig(tmp_path, "https://127.0.0.1:9"))
    monkeypatch.setenv("LAB_KUBE_CONTEXT", "elsewhere")
    assert doctor.provider_facts(facts())["existing"]["why"].startswith("context elsewhere")


def test_a_context_that_does_not_answer_is_found_out_quickly(tmp_path, monkeypatch):
    with socket.socket() as hole:                      # accepts nothing, answers nothing
        hole.bind(("127.0.0.1", 0))
        hole.listen(8)
        server = f"https://127.0.0.1:{hole.getsockname()[1]}"
        monkeypatch.setenv("KUBECONFIG", kubeconfig(tmp_path, server))
        t0 = time.perf_counter()
        found = doctor.provider_facts(facts())["existing"]
        took = time.perf_counter() - t0
    assert not found["works"] and f"does not answer at {server}" in found["why"]
    assert took < doctor.KUBE_PROBE_TIMEOUT + 0.3


def test_something_that_is_not_an_api_server_does_not_count():
    import http.server
    import threading

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_error(404)

        def log_message(self, *a):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        ok, why = doctor.probe_api(f"http://127.0.0.1:{httpd.server_port}")
    finally:
        httpd.shutdown()
    assert not ok and "not a Kubernetes API server" in why


def test_a_broken_kubeconfig_is_a_finding(tmp_path, monkeypatch):
    bad = tmp_path / "kubeconfig"
    bad.write_text("clusters: [\n")
    monkeypatch.setenv("KUBECONFIG", str(bad))
    found = doctor.provider_facts(facts())["existing"]
    assert not found["works"] and "not a valid kubeconfig" in found["why"]


def test_gather_stays_fast_when_nothing_answers(tmp_path, monkeypatch):
    """The kube probe (at most KUBE_PROBE_TIMEOUT) runs alongside the other findings, so
    the providers section adds next to nothing to ``lab doctor``. The tools' own version
    commands are stubbed: their speed is the machine's (docker-compose v1 alone takes
    0.3 s idle, 2 s under load), not this section's."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    monkeypatch.setattr(doctor, "_run", lambda argv, timeout=10: None)
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(8)
        monkeypatch.setenv("KUBECONFIG",
                           kubeconfig(tmp_path, f"https://127.0.0.1:{hole.getsockname()[1]}"))
        t0 = time.perf_counter()
        found = doctor.gather()
        took = time.perf_counter() - t0
    assert not found["docker"]["reachable"]
    assert set(found["providers"]) == set(REGISTRY)
    assert not any(p["works"] for p in found["providers"].values())
    assert took < doctor.KUBE_PROBE_TIMEOUT + 0.4, f"lab doctor took {took:.2f}s"
