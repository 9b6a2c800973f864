"""The swarm-dind provider: pure helpers without an engine, one end-to-end run with one."""

import pytest

from grader import chapters, labels
from grader.errors import LabError
from grader.providers import swarm_dind as dind

CH = chapters.Chapter("chdindtest", "dind provider test", provider="swarm-dind")


def test_nodes_follow_the_book_names_managers_first():
    nodes = dind.plan_nodes(1, 4)
    assert [n.hostname for n in nodes] == ["node-1", "node-2", "node-3", "node-4", "node-5"]
    assert [n.role for n in nodes] == ["manager"] + ["worker"] * 4
    assert [n.role for n in dind.plan_nodes(3, 2)] == ["manager"] * 3 + ["worker"] * 2


@pytest.mark.parametrize("managers,workers", [(0, 3), (1, -1), (5, 5)])
def test_impossible_node_counts_are_one_clear_error(managers, workers):
    with pytest.raises(LabError, match="manager"):
        dind.plan_nodes(managers, workers)


def test_default_is_one_manager_four_workers_and_env_overrides(monkeypatch):
    monkeypatch.delenv("LAB_DIND_MANAGERS", raising=False)
    monkeypatch.delenv("LAB_DIND_WORKERS", raising=False)
    assert [n.role for n in dind.DindSwarm(CH).nodes] == ["manager"] + ["worker"] * 4
    monkeypatch.setenv("LAB_DIND_WORKERS", "2")
    assert len(dind.DindSwarm(CH).nodes) == 3
    assert len(dind.DindSwarm(CH, managers=3, workers=0).nodes) == 3  # arguments win
    monkeypatch.setenv("LAB_DIND_WORKERS", "two")
    with pytest.raises(LabError, match="LAB_DIND_WORKERS"):
        dind.DindSwarm(CH)


def test_container_names_carry_the_chapter_hostnames_do_not():
    node = dind.plan_nodes(1, 0)[0]
    assert dind.container_name("ch14", node) == "ch14-node-1"
    prov = dind.DindSwarm(chapters.get("ch14", need_ready=False), managers=1, workers=1)
    assert prov.network == "ch14-nodes"
    assert prov.lab_network == "ch14-lab"


def test_run_options_privileged_or_the_capability_fallback():
    assert dind.run_options("privileged") == {"Privileged": True}
    caps = dind.run_options("capabilities")
    assert "Privileged" not in caps
    assert caps["CapAdd"] == ["ALL"] and caps["CapDrop"] == ["SYS_RESOURCE"]
    assert {"seccomp=unconfined", "apparmor=unconfined"} <= set(caps["SecurityOpt"])
    # what the CLI makes of --security-opt systempaths=unconfined
    assert caps["MaskedPaths"] == [] and caps["ReadonlyPaths"] == []
    assert caps["DeviceCgroupRules"] == ["a *:* rwm"]
    caps["CapAdd"].append("X")  # a copy: callers cannot change the constant
    assert dind.run_options("capabilities")["CapAdd"] == ["ALL"]
    with pytest.raises(ValueError):
        dind.run_options("root")


@pytest.mark.parametrize("error,option", [
    (("runc create failed: unable to start container process: unable to apply caps: "
      "operation not permitted: unknown"), "--cap-add ALL"),
    ('invalid --security-opt 2: "systempaths=unconfined"', "--security-opt systempaths=unconfined"),
    ("seccomp profile not supported", "--security-opt seccomp=unconfined"),
    ("AppArmor enabled on system but the docker-default profile could not be loaded",
     "--security-opt apparmor=unconfined"),
    ("Bind for 127.0.0.1:2375 failed: port is already allocated", None),
])
def test_blame_names_the_refused_option(error, option):
    assert dind.blame(error) == option


def test_join_command():
    argv = dind.join_command("SWMTKN-1-abc", "172.20.0.2", "172.20.0.3")
    assert argv == ["docker", "swarm", "join", "--token", "SWMTKN-1-abc",
                    "--advertise-addr", "172.20.0.3", "172.20.0.2:2377"]


def test_label_filters_select_only_this_providers_objects():
    flt = dind.label_filters("ch14")
    assert flt == {"label": [labels.lab_label("ch14"), f"{labels.CREATED_BY}=swarm-dind"]}


def test_node_images_are_the_chapters_runtime_images_not_the_node_image():
    names = dind.node_images("ch14")
    assert dind.NODE_IMAGE not in names
    assert "clabs/nginx:v1" in names and "clabs/whoami:1.0" in names
    assert "clabs/golang:1.19" not in names  # a build stage only
    assert names[0] == dind.BASE_IMAGE
    assert dind.node_images("chnothing") == []


@pytest.mark.engine
def test_two_node_swarm_up_status_down(engine, monkeypatch):
    from grader import images

    small = "clabs/nginx:v1"
    if images.missing(images.resolve([dind.NODE_IMAGE, small]), engine):
        from tests.conftest import _in_ci
        reason = f"{dind.NODE_IMAGE} or {small} is not built (lab images build)"
        if _in_ci():  # CI builds every image first: a missing one is a failure there
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    prov = dind.DindSwarm(CH, engine, managers=1, workers=1, images=[small])
    prov.down()
    flt = {"label": labels.lab_label(CH.id)}

    def nothing_labelled_remains():
        assert engine.containers.list(all=True, filters=flt) == []
        assert engine.volumes.list(filters=flt) == []
        assert engine.networks.list(filters=flt) == []

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(prov, "_load_images", interrupted)  # Ctrl-C once the swarm is formed
    with pytest.raises(KeyboardInterrupt):
        prov.up(progress=False)
    nothing_labelled_remains()
    monkeypatch.undo()
    try:
        done = prov.up(progress=False)
        assert any("swarm of 2 nodes" in line for line in done), done
        status = prov.status()
        assert status.up and status.network == "chdindtest-nodes"
        assert {k for k in status.objects if not k.startswith("node ")} == {
            "chdindtest-node-1", "chdindtest-node-2"}
        st = prov.nodes_status()
        assert {h: (n["role"], n["ready"]) for h, n in st["nodes"].items()} == {
            "node-1": ("manager", True), "node-2": ("worker", True)}
        assert st["nodes"]["node-1"]["leader"]
        assert st["lab_network"] == "chdindtest-lab" and st["missing_images"] == []
        assert prov.params()["DOCKER_HOST"].startswith("tcp://127.0.0.1:")
        worker = engine.containers.get("chdindtest-node-2")
        assert worker.exec_run(["docker", "image", "inspect", small]).exit_code == 0
        assert prov.up(progress=False) == []  # idempotent
    finally:
        gone = prov.down()
    assert len(gone.containers) == 2 and len(gone.volumes) == 2 and gone.networks == ["chdindtest-nodes"]
    nothing_labelled_remains()
    with pytest.raises(LabError, match="not up"):
        prov.params()


@pytest.mark.engine
def test_a_task_on_a_worker_is_reached_and_an_image_built_on_node_1_runs_there(engine, tmp_path):
    """What ch14's checks need on a multi-node swarm: an image built on node-1 copied to
    the worker (the nodes cannot pull), and the container of a task that runs on the
    worker looked into through the worker's node container. 1+1 nodes, one small
    service pinned to the worker; about 20 s."""
    from grader import poll
    from grader.checkkit import read_files
    from grader.providers import dindreach

    small = "clabs/nginx:v1"
    if images_missing(engine, small):
        return
    chapter = chapters.Chapter("chdindreach", "dind reach test", provider="swarm-dind")
    prov = dind.DindSwarm(chapter, engine, managers=1, workers=1, images=[small])
    prov.down()
    try:
        prov.up(progress=False)
        inner = prov.inner()
        (tmp_path / "probe.txt").write_text("built on node-1\n")
        (tmp_path / "Dockerfile").write_text(f"FROM {small}\nCOPY probe.txt /srv/probe.txt\n")
        inner.images.build(path=str(tmp_path), tag="chdindreach/probe:1", rm=True,
                           labels={labels.LAB: chapter.id})
        worker = engine.containers.get("chdindreach-node-2")
        assert worker.exec_run(["docker", "image", "inspect", "chdindreach/probe:1"]).exit_code != 0
        prov.share_images(["chdindreach/probe:1"])
        svc = inner.services.create("chdindreach/probe:1", name="probe",
                                    constraints=["node.hostname==node-2"],
                                    labels={labels.LAB: chapter.id})

        def running():
            tasks = svc.tasks(filters={"desired-state": "running"})
            return [t for t in tasks if t["Status"]["State"] == "running"]
        task = poll.wait_for(running, timeout=60, interval=0.5, what="the probe task running")[0]
        local = inner.info()["Swarm"]["NodeID"]
        assert task["NodeID"] != local  # it runs on the worker
        access = dindreach.task_access(task, client=inner, local_node=local,
                                       chapter_id=chapter.id, hostname="node-2", outer=engine)
        assert access is not None and access.node is not None and access.where == "node node-2"
        found = read_files(access, "/srv/probe.txt", "/nothing/here")
        assert found == {"/srv/probe.txt": (0o644, "built on node-1\n"), "/nothing/here": None}
        assert access.inspect()["Config"]["Image"].startswith("chdindreach/probe:1")
        # a node container whose engine is another swarm node is not taken for this one
        assert dindreach.node_container(engine, chapter.id, "node-2", "some-other-node") is None
        assert dindreach.task_access(task, client=inner, local_node=local, chapter_id="chelse",
                                     hostname="node-2", outer=engine) is None
    finally:
        prov.down()
    assert engine.containers.list(all=True, filters={"label": labels.lab_label(chapter.id)}) == []


def images_missing(engine, *names) -> bool:
    """Skip (fail in CI) when the node image or ``names`` are not built."""
    from grader import images

    if images.missing(images.resolve([dind.NODE_IMAGE, *names]), engine):
        from tests.conftest import _in_ci
        reason = f"{dind.NODE_IMAGE} or {', '.join(names)} is not built (lab images build)"
        if _in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return False
