"""The sandbox on the engine, with small made-up submissions graded at once (2 workers):
a hostile one (mallory) and the one it tries to harm (alice).

mallory's notebook looks for the host's engine socket, dials a listener this test opens
on every address of the host, imports the answer keys, wipes every container and config
it can see, loops forever, prints 100 MB, allocates 3 GB and forks without end. Each is
recorded on its cell, the next cell still runs (after a fork bomb too), and alice's objects, the host engine's
bystander and the keys are untouched."""

import json
import socket
import subprocess
import threading

import pytest

from grader import chapters
from grader.grading import batch, kernel, leftovers
from tests import needs
from tests.grader.grading import doubles
from tests.grader.grading.notebooks import notebook, write
from tests.grader.grading.small import HELLO, SETUP

pytestmark = pytest.mark.engine
LIMITS = kernel.Limits(cell_timeout=10, total_timeout=300, memory="512m", pids=128,
                       max_output=200_000)


def host_addresses() -> list[str]:
    out = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True,
                         check=True).stdout
    return [line.split()[3].split("/")[0] for line in out.splitlines()]


class Listener:
    """A TCP server on every address of the host: any connection is recorded."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("0.0.0.0", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.accepted: list = []
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(peer)
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        self.sock.close()


ALICE = [HELLO,
         ("%%bash\nset -e\ndocker create --name victim-alice clabs/loadgen:1.0 >/dev/null\n"
         "docker network create alice-net >/dev/null"),
         "import time\ntime.sleep(8)   # mallory runs meanwhile",
         "time.sleep(8)",
         ("print(subprocess.run('docker ps -a --format {{.Names}}; docker network ls --format "
         "{{.Name}}', shell=True, capture_output=True, text=True).stdout)")]


def mallory(addresses: list[str], port: int) -> list[str]:
    return [
        "import time, socket\ntime.sleep(4)",
        ("print(subprocess.run('docker ps -a --format {{.Names}}; docker config ls --format "
        "{{.Name}}; docker info --format {{.Name}}', shell=True, capture_output=True, "
        "text=True).stdout)"),
        ("%%bash\ndocker rm -f $(docker ps -aq) 2>&1; docker config rm $(docker config ls -q) 2>&1\n"
        "docker network prune -f; true"),
        ("print('socket:', os.path.exists('/var/run/docker.sock'))\n"
        "p = subprocess.run('DOCKER_HOST=unix:///var/run/docker.sock docker ps', shell=True, "
        "capture_output=True, text=True)\nprint('host socket exit', p.returncode)"),
        (f"for ip in {addresses!r}:\n    s = socket.socket(); s.settimeout(2)\n"
        f"    try:\n        s.connect((ip, {port})); print('REACHED', ip)\n"
        "    except OSError as e:\n        print('unreachable', ip)\n    s.close()"),
        ("try:\n    import checks.ch14.answers\n    print('KEYS IMPORTED')\n"
        "except ImportError as e:\n    print('no keys:', type(e).__name__)\n"
        "print(subprocess.run('find / -xdev -name answers.py -path \"*checks*\" 2>/dev/null; "
        "ls /work 2>&1', shell=True, capture_output=True, text=True).stdout)"),
        "while True:\n    pass",
        "print('alive after the loop')",
        "for _ in range(100):\n    print('x' * 1_000_000)",
        "hog = bytearray(3 * 1024 ** 3)",
        "print('the end')",
        # a real fork bomb: every process forks for ever, none exits
        "while True:\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.05)",
        "print('alive after the bomb')",
    ]


def outputs(course, student) -> list[tuple[str, str]]:
    doc = json.loads((course.student_dir("ch14", student) / "executed" / "01-t.ipynb").read_text())
    got = []
    for c in doc["cells"]:
        if c["cell_type"] != "code" or "injected-parameters" in c["metadata"].get("tags", []):
            continue
        text = "".join("".join(o.get("text", "")) if isinstance(o.get("text", ""), list)
                       else o.get("text", "") for o in c.get("outputs", []))
        got.append((c["metadata"].get("clabs", {}).get("status"), text))
    return got


@pytest.fixture(scope="module")
def graded(engine, tmp_path_factory):
    needs.require_images(engine, "clabs/dind:20.10", "clabs/kernel:1.1", "clabs/loadgen:1.0")
    subs = tmp_path_factory.mktemp("subs")
    listener, addresses = Listener(), host_addresses()
    write(subs / "alice", "01-t.ipynb", notebook(*ALICE, setup=SETUP))
    write(subs / "mallory", "01-t.ipynb", notebook(*mallory(addresses, listener.port), setup=SETUP))
    bystander = engine.containers.create("clabs/loadgen:1.0", name="clabs-grade-test-bystander")
    course = doubles.Course(tmp_path_factory.mktemp("course"))
    try:
        out = batch.run(chapters.get("ch14"), subs, course, workers=2, ops=doubles.ops(),
                        limits=LIMITS, only=["ch14.configs.hello"], images=["clabs/loadgen:1.0"])
        bystander.reload()
        listener.addresses = addresses
        yield {o.student: o.result for o in out}, course, listener, bystander
    finally:
        listener.close()
        bystander.remove(force=True)


def test_mallory_sees_only_its_own_engine(graded):
    _, course, _, _ = graded
    cells = outputs(course, "mallory")
    assert cells[3] == ("ok", "node-1\n\n")         # no container, no config; its own node
    assert "victim-alice" not in "".join(t for _, t in cells)


def test_no_host_socket_no_host_network(graded):
    _, course, listener, _ = graded
    cells = outputs(course, "mallory")
    assert cells[5][1].startswith("socket: False\nhost socket exit 1")
    assert "REACHED" not in cells[6][1] and cells[6][1].count("unreachable") == len(listener.addresses)
    assert listener.accepted == []


def test_the_keys_and_the_repository_are_not_there(graded):
    _, course, _, _ = graded
    text = outputs(course, "mallory")[7][1]
    assert text.startswith("no keys: ModuleNotFoundError\n")
    assert "answers.py" not in text and "main" not in text


def test_limits_each_on_its_cell_and_the_next_cell_runs(graded):
    results, course, _, _ = graded
    cells = outputs(course, "mallory")
    assert cells[8][0] == "timeout" and cells[9] == ("ok", "alive after the loop\n")
    assert cells[10][0] == "ok" and len(cells[10][1]) < 2 * LIMITS.max_output
    assert "output cut here" in cells[10][1]
    assert cells[11][0] in ("error", "kernel-died")
    assert cells[12] == ("ok", "the end\n")
    reported = {(c["index"], c["status"]) for nb in results["mallory"]["notebooks"] for c in nb["cells"]}
    assert {(8, "timeout"), (11, cells[11][0])} <= reported
    assert results["mallory"]["status"] == "graded"


def test_a_fork_bomb_is_contained_and_the_notebook_goes_on(graded, engine):
    """The pids limit holds the bomb in mallory's kernel container; at the cell timeout
    the bomb's every process is killed, a fresh kernel starts and the next cell runs
    (the report names the cell); the batch, alice and the host engine go on."""
    results, course, _, _ = graded
    cells = outputs(course, "mallory")
    assert cells[13][0] in ("timeout", "kernel-died"), cells[13]
    assert cells[14] == ("ok", "alive after the bomb\n")
    reported = {c["index"]: c["status"] for nb in results["mallory"]["notebooks"] for c in nb["cells"]}
    assert reported[13] == cells[13][0] and 14 not in reported
    assert results["mallory"]["status"] == "graded" and results["alice"]["status"] == "graded"
    assert engine.ping()


def test_alice_is_untouched(graded, engine):
    results, course, _, bystander = graded
    cells = outputs(course, "alice")
    assert all(status == "ok" for status, _ in cells), cells
    assert "victim-alice" in cells[-1][1] and "alice-net" in cells[-1][1]
    assert results["alice"]["score"] == {"earned": 1, "possible": 1}
    assert bystander.status == "created"
    assert leftovers.count(engine) == 0


def test_the_total_timeout_kills_the_run_and_the_checks_still_run(engine, tmp_path):
    needs.require_images(engine, "clabs/dind:20.10", "clabs/kernel:1.1")
    write(tmp_path / "subs" / "slow", "01-t.ipynb",
          notebook(HELLO, "import time\ntime.sleep(600)", "print('never')", setup=SETUP))
    course = doubles.Course(tmp_path / "course")
    [out] = batch.run(chapters.get("ch14"), tmp_path / "subs", course, ops=doubles.ops(),
                      limits=kernel.Limits(total_timeout=25), only=["ch14.configs.hello"], images=[])
    r = out.result
    assert r["status"] == "graded" and r["score"] == {"earned": 1, "possible": 1}
    cells = {c["index"]: c["status"] for c in r["notebooks"][0]["cells"]}
    assert cells == {3: "timeout", 4: "not-run"}
    assert any("did not finish in 25 s" in p for p in r["problems"])
    assert r["timings"]["run"] < 60
    assert leftovers.count(engine) == 0
