"""The ch16 behaviour checks for real, where the machine allows: the scripts the grader
runs inside its copies of a pod, against the real image on Docker (an engine and the
lab images needed; skipped otherwise), and every check against a kind cluster (kind
needed; skipped here, with the reason: no cluster can run on this machine)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import chapters, runner
from grader.kube import inside
from tests.checks.ch16 import states
from tests.checks.helpers import release_with_solutions
from tests.needs import require_images


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory, ch16_chapter) -> Path:
    return release_with_solutions("ch16", tmp_path_factory.mktemp("lab") / "ch16")


# ---- the scripts the grader runs in its copies, for real (Docker) ------------------------------


def _docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["docker", *args], capture_output=True,
                          text=True, timeout=180, check=False)
    assert not check or done.returncode == 0, done.stderr
    return done


@pytest.mark.engine
def test_the_look_inside_scripts_on_docker(engine, tmp_path):
    """clabs/pets-web:2.0 with the secret files read-only at /etc/secrets and the two
    variables, and a toolbox container in its process namespace running the checks'
    own scripts: what they print is what the checks parse. Without SYS_PTRACE the
    program's files and environment are out of reach (why the copy's container adds it)."""

    from checks.ch16 import names as n
    from checks.ch16 import test_11_secret_volume as volume
    from checks.ch16 import test_12_secret_env as env
    require_images(engine, n.WEB_IMAGE, n.TOOLBOX_IMAGE)
    files = tmp_path / "secrets"
    files.mkdir()
    for key, value in n.SECRET_VALUES.items():
        (files / key).write_text(value)
        (files / key).chmod(0o644)
    files.chmod(0o755)
    web = f"ch16-look-{os.getpid()}"
    _docker("run", "-d", "--name", web, "--label", "org.container-labs.created-by=tests",
            "-v", f"{files}:{n.SECRET_MOUNT}:ro", "-e", "PETS_USERNAME=john.doe",
            "-e", "PETS_PASSWORD=sEcret-pasSw0rD", n.WEB_IMAGE)
    try:
        def look(script: str, *caps: str) -> subprocess.CompletedProcess:
            return _docker("run", "--rm", "--label", "org.container-labs.created-by=tests",
                           f"--pid=container:{web}", *caps, n.TOOLBOX_IMAGE, "sh", "-c",
                           inside.program_script(n.PROGRAM, script), check=False)
        got = look(volume.LOOK, "--cap-add", "SYS_PTRACE")
        assert got.returncode == 0, got.stdout + got.stderr
        seen = volume.parse_peek(got.stdout)
        assert seen["mount"][0].split(",")[0] == "ro"
        files_seen = {r.split(" ", 1)[0]: volume.decode(r.split(" ", 1)[1]) for r in seen["file"]}
        assert files_seen == {k: v.encode() for k, v in n.SECRET_VALUES.items()}
        got = look(env.LOOK, "--cap-add", "SYS_PTRACE")
        assert env.environment(got.stdout) == {"PETS_USERNAME": b"john.doe", "PETS_PASSWORD": b"sEcret-pasSw0rD"}
        denied = look(volume.LOOK)
        assert "file username" not in denied.stdout, denied.stdout
    finally:
        _docker("rm", "-f", web, check=False)


# ---- on a real kind cluster (where kind and a Docker engine exist) -----------------------------


@pytest.fixture(scope="module")
def kind_cluster(tmp_path_factory):
    """``lab env up ch16``; ``lab env down ch16`` afterwards. Skipped, with the reason,
    where kind is missing: the tests are then not run, and not counted as passing."""
    if not shutil.which("kind"):
        pytest.skip("kind is not installed: the ch16 checks against a real cluster (real "
                    "controllers, the kubelet's probes, kube-proxy switching a Service, the "
                    "loadgen pod stopped by its deadline, ptrace in a pod) run where kind and "
                    "a Docker engine are")
    home = tmp_path_factory.mktemp("labhome")
    env = {**os.environ, "LAB_HOME": str(home)}
    lab = [str(Path(sys.executable).parent / "lab")]
    up = subprocess.run(lab + ["env", "up", "ch16"], capture_output=True, text=True, env=env,
                        timeout=1800, check=False)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        from grader.kube import labconfig
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("LAB_HOME", str(home))
            yield env, labconfig.path("ch16")
    finally:
        subprocess.run(lab + ["env", "down", "ch16"], capture_output=True, text=True, env=env,
                       timeout=900, check=False)


def test_on_a_real_cluster(kind_cluster, lab_dir, monkeypatch):
    """The reference solutions applied in notebook order (with the update, the undo and
    the switch): every ch16 live and behaviour check passes; then the service is
    switched back to blue and ch16.blue-green.state fails with its hint."""
    from grader.providers.kindtools import kubectl_binary
    env, kubeconfig = kind_cluster
    kubectl = [kubectl_binary(), "--kubeconfig", str(kubeconfig), "-n", states.NS]
    sol = chapters.LABS / "ch16" / "solutions"

    def k(*args, timeout=300):
        p = subprocess.run(kubectl + list(args), capture_output=True, text=True, env=env,
                           timeout=timeout, check=False, cwd=sol)
        assert p.returncode == 0, f"kubectl {' '.join(args)}: {p.stdout}{p.stderr}"
        return p.stdout
    k("apply", "-f", "pets.yaml")
    k("rollout", "status", "statefulset/db", "--timeout=240s")
    for name in ("liveness-exec", "liveness-http", "liveness-tcp", "probes-demo", "readiness",
                 "readiness-demo", "startup"):
        k("apply", "-f", f"probes/{name}.yaml")
    k("apply", "-f", "web-deploy-rolling-v1.yaml")
    k("rollout", "status", "deployment/web", "--timeout=240s")
    k("set", "image", "deployment/web", "web=clabs/pets-web:2.1")
    k("rollout", "status", "deployment/web", "--timeout=240s")
    k("rollout", "undo", "deployment/web")
    k("rollout", "status", "deployment/web", "--timeout=240s")
    k("apply", "-f", "web-deploy-blue.yaml", "-f", "web-deploy-green.yaml", "-f", "web-svc-blue-green.yaml")
    k("rollout", "status", "deployment/web-green", "--timeout=240s")
    k("patch", "service", "web", "-p", '{"spec":{"selector":{"color":"green"}}}')
    k("apply", "-f", "pets-secret.yaml")
    k("create", "secret", "generic", "pets-secret-prod", "--from-file=username=./secret-files/username.txt",
      "--from-file=password=./secret-files/password.txt")
    k("apply", "-f", "web-deploy-secret.yaml", "-f", "web-deploy-secret-env.yaml")
    k("rollout", "status", "deployment/web-secret-env", "--timeout=240s")
    k("wait", "--for=condition=Ready=false", "pod/readiness-demo", "--timeout=180s")
    k("wait", "--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/probes-demo",
      "--timeout=240s")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    results = {r.check.id: r for r in runner.run(chapters.CHAPTERS["ch16"], lab_dir, namespace=states.NS,
                                                 layers=["live", "behaviour"])}
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad
    k("patch", "service", "web", "-p", '{"spec":{"selector":{"color":"blue"}}}')
    r = runner.run(chapters.CHAPTERS["ch16"], lab_dir, namespace=states.NS, layers=["live"],
                   only=["ch16.blue-green.state"])[0]
    assert r.status == "fail" and "still selects color=blue" in r.message
