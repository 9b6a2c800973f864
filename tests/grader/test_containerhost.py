"""The API-exec testinfra host answers exactly as testinfra's `docker exec` backend."""

import uuid

import pytest
import testinfra

from grader import containerhost
from grader.labels import lab_labels
from tests.needs import require_images

IMAGE = "clabs/toolbox:1.0"

pytestmark = pytest.mark.engine


@pytest.fixture
def box(engine):
    require_images(engine, IMAGE)
    ctr = engine.containers.run(IMAGE, ["sleep", "300"], detach=True,
                                name=f"clabs-test-host-{uuid.uuid4().hex[:8]}",
                                labels=lab_labels("ch10", "grader"))
    try:
        yield ctr.name
    finally:
        ctr.remove(force=True, v=True)


def _same(a, b):
    return (a.rc, a.stdout, a.stderr, a.command) == (b.rc, b.stdout, b.stderr, b.command)


def test_same_results_as_docker_exec(engine, box):
    api = containerhost.get_host(box, engine)
    cli = testinfra.get_host(f"docker://{box}")
    for cmd in ("echo out; echo err >&2; exit 3", "printf 'no newline'", "true",
                "cat /nonexistent", "printf 'caf\\303\\251\\n'", "id -un"):
        assert _same(api.run(cmd), cli.run(cmd)), cmd
    assert api.check_output("echo %s", "a b") == cli.check_output("echo %s", "a b") == "a b"
    assert api.file("/etc/hostname").exists and api.file("/etc/hostname").is_file
    assert api.file("/etc/hostname").content_string == cli.file("/etc/hostname").content_string
    nobody = containerhost.get_host(f"nobody@{box}", engine)
    assert nobody.check_output("id -un") == "nobody"


def test_refusals_are_exit_1_with_the_daemon_line(engine, box):
    gone = f"{box}-gone"
    api = containerhost.get_host(gone, engine).run("true")
    cli = testinfra.get_host(f"docker://{gone}").run("true")
    assert api.rc == cli.rc == 1
    assert api.stderr.startswith("Error response from daemon: ")
    assert gone in api.stderr and gone in cli.stderr
    engine.containers.get(box).stop(timeout=0)
    stopped = containerhost.get_host(box, engine).run("true")
    assert stopped.rc == 1 and "not running" in stopped.stderr


def test_container_access_through_the_exec_api(engine, box):
    """probes.ContainerAccess (the swarm tasks' way in) says what `docker exec` says."""
    from grader.errors import LabError
    from grader.probes import ContainerAccess
    cid = engine.containers.get(box).id
    access = ContainerAccess(cid, client=engine)
    cli = testinfra.get_host(f"docker://{box}").run("echo out; echo err >&2; exit 3")
    assert access.run("echo out; echo err >&2; exit 3") == (3, cli.stdout, cli.stderr) \
        == (3, "out\n", "err\n")
    assert access.run("true") == (0, "", "")
    assert access.check_output("printf 'x y'") == "x y"
    assert access.inspect()["Id"] == cid
    with pytest.raises(LabError, match="exit code 3"):
        access.check_output("exit 3")
    with pytest.raises(LabError, match="could not look inside container"):
        ContainerAccess("0" * 64, client=engine).check_output("true")
