"""The image manifest, the builder, and what each lab image really does.

The first half needs no engine. The tests marked ``engine`` build every image (cached
after the first time), run each one on a user-defined network and talk to it from a
toolbox container. Everything they create is labelled as selftest and removed.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import pytest

from grader import images, labels, rootfs
from grader.errors import LabError

SELFTEST = {labels.LAB: "selftest", labels.GRADER: "1"}


# --- Dockerfiles, read the simple way ------------------------------------------------

def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def substitute(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: values.get(m[1] or m[2], m[0]), text)


def stages(spec: images.ImageSpec) -> list[dict]:
    """Each stage: its FROM image (build args applied), alias, and LABEL text."""
    args: dict[str, str] = {}
    result: list[dict] = []
    for word, rest in instructions(spec.context / spec.dockerfile):
        if word == "ARG":
            name, _, default = rest.partition("=")
            args[name] = spec.args.get(name, default.strip('"'))
        elif word == "FROM":
            parts = [p for p in rest.split() if not p.startswith("--")]
            alias = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            result.append({"image": substitute(parts[0], args), "alias": alias, "labels": ""})
        elif word == "LABEL" and result:
            result[-1]["labels"] += " " + substitute(rest, args)
    return result


@pytest.fixture(scope="module")
def specs() -> list[images.ImageSpec]:
    return images.load_manifest()


# --- the manifest ---------------------------------------------------------------------

def test_manifest_is_well_formed(specs):
    names = [s.name for s in specs]
    assert names[0] == images.BASE
    assert len(names) == len(set(names))
    for position, spec in enumerate(specs):
        assert spec.name.startswith("clabs/") and spec.tag, spec.name
        assert (spec.context / spec.dockerfile).is_file(), spec.name
        assert spec.description and "\n" not in spec.description, spec.name
        assert spec.chapters, f"{spec.name} is used by no chapter"
        for dep in spec.depends:
            assert dep in names[:position], f"{spec.name}: {dep} must come earlier"


def test_every_image_of_the_architecture_is_listed(specs):
    expected = {
        "clabs/debian:bookworm", "clabs/golang:1.19", "clabs/redis:7.0", "clabs/mariadb:10.11",
        "clabs/postgres:15", "clabs/nginx:v1", "clabs/nginx:v2", "clabs/nginx:broken", "clabs/toolbox:1.0",
        "clabs/whoami:1.0", "clabs/loadgen:1.0", "clabs/pets-web:2.0", "clabs/pets-web:2.1",
        "clabs/probes-demo:2.0", "clabs/echoserver:1.0", "clabs/dind:20.10", "clabs/kernel:1.1",
    }
    assert {s.name for s in specs} == expected


def test_every_image_folder_is_in_the_manifest(specs):
    used = {s.context for s in specs}
    folders = {p.parent.resolve() for p in images.IMAGES_DIR.glob("*/Dockerfile")}
    assert folders == used


def test_every_from_is_ours_a_stage_or_scratch(specs):
    order = [s.name for s in specs]
    for spec in specs:
        aliases: set[str] = set()
        ours: set[str] = set()
        for stage in stages(spec):
            image = stage["image"]
            if image == "scratch" or image in aliases:
                pass
            else:
                assert image in order[: order.index(spec.name)], f"{spec.name}: FROM {image} is not ours"
                ours.add(image)
            if stage["alias"]:
                aliases.add(stage["alias"])
        if spec.name != images.BASE:
            assert ours == set(spec.depends), f"{spec.name}: depends {spec.depends} but FROM {ours}"


def test_local_debian_dockerfile_pulls_nothing_itself(specs):
    base = specs[0]
    steps = instructions(base.context / "Dockerfile.local")
    assert steps[0] == ("ARG", "BASE"), "BASE has no default: the builder names a local image"
    assert ("FROM", "${BASE}") in steps
    assert [w for w, _ in instructions(base.context / "Dockerfile")][:2] == ["FROM", "ADD"]
    assert ("FROM", "scratch") in instructions(base.context / "Dockerfile")


def test_every_image_labels_itself(specs):
    for spec in specs:
        final = stages(spec)[-1]["labels"]
        assert f'{labels.IMAGE}="{spec.name}"' in final, spec.name
        assert "org.opencontainers.image.title=" in final, spec.name
        assert "org.opencontainers.image.description=" in final, spec.name


# --- names, chapters, plans -------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("redis", ["clabs/redis:7.0"]),
    ("clabs/redis:7.0", ["clabs/redis:7.0"]),
    ("redis:7.0", ["clabs/redis:7.0"]),
    ("nginx", ["clabs/nginx:v1", "clabs/nginx:v2", "clabs/nginx:broken"]),
    ("clabs/nginx", ["clabs/nginx:v1", "clabs/nginx:v2", "clabs/nginx:broken"]),
    ("nginx:v2", ["clabs/nginx:v2"]),
    ("pets-web:2.1", ["clabs/pets-web:2.1"]),
])
def test_names_resolve(query, expected):
    assert [s.name for s in images.resolve([query])] == expected


def test_resolve_keeps_manifest_order():
    assert [s.name for s in images.resolve(["dind", "debian", "redis"])] == [
        "clabs/debian:bookworm", "clabs/redis:7.0", "clabs/dind:20.10"]


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(LabError) as err:
        images.build(["rediss"], progress=False)  # fails before reaching any engine
    assert "rediss" in str(err.value) and "redis:7.0" in str(err.value) and "dind:20.10" in str(err.value)


def test_images_for_a_chapter_include_dependencies_in_order(specs):
    ch10 = [s.name for s in images.images_for("ch10")]
    for name in ("clabs/debian:bookworm", "clabs/golang:1.19", "clabs/redis:7.0", "clabs/mariadb:10.11",
                 "clabs/echoserver:1.0", "clabs/nginx:v1"):
        assert name in ch10
    ch16 = [s.name for s in images.images_for("ch16")]
    assert {"clabs/pets-web:2.0", "clabs/pets-web:2.1", "clabs/probes-demo:2.0", "clabs/postgres:15",
            "clabs/toolbox:1.0", "clabs/loadgen:1.0", "clabs/golang:1.19",
            "clabs/debian:bookworm"} == set(ch16)
    order = [s.name for s in specs]
    for chapter in ("ch10", "ch14", "ch15", "ch16"):
        names = [s.name for s in images.images_for(chapter)]
        assert names == sorted(names, key=order.index)
    assert images.images_for("ch99") == []


def test_dependencies_are_added_only_when_missing(specs):
    whoami = images.resolve(["whoami"], specs)
    everything_present = images._with_dependencies(whoami, specs, keep=lambda s: False)
    assert [s.name for s in everything_present] == ["clabs/whoami:1.0"]
    nothing_present = images._with_dependencies(whoami, specs, keep=lambda s: True)
    assert [s.name for s in nothing_present] == ["clabs/debian:bookworm", "clabs/golang:1.19", "clabs/whoami:1.0"]


# --- errors and costs that need no engine ------------------------------------------------

def test_unreachable_engine_is_one_clear_error(monkeypatch, tmp_path):
    where = f"unix://{tmp_path}/nothing.sock"
    monkeypatch.setenv("DOCKER_HOST", where)
    with pytest.raises(LabError, match=re.escape(f"Docker engine not reachable at {where}: start Docker")):
        images.docker_client()


def test_load_refuses_missing_and_foreign_files(tmp_path):
    with pytest.raises(LabError, match="no such file"):
        images.load(tmp_path / "absent.tar", progress=False)
    junk = tmp_path / "notes.tar"
    junk.write_text("not an image archive\n" * 100)
    with pytest.raises(LabError, match="not a docker image tarball"):
        images.load(junk, progress=False)


def test_importing_the_builder_is_cheap():
    code = "import sys, grader.images; print(sorted(m for m in ('docker', 'rich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("LAB_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rootfs.cache_dir() == tmp_path / "xdg" / "container-labs"
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "mine"))
    assert rootfs.cache_dir() == tmp_path / "mine"
    assert rootfs.tarball_path().parent == tmp_path / "mine"


def test_debootstrap_without_root_or_sudo_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(rootfs.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(rootfs.shutil, "which", lambda name: None)
    with pytest.raises(LabError) as err:
        rootfs.ensure_tarball()
    assert "debian:bookworm-slim" in str(err.value) and "lab images load" in str(err.value)


# --- the engine: build everything, then run each image -------------------------------------

@pytest.fixture(scope="session")
def built(engine):
    results = images.build(client=engine, progress=False)
    return {r.name: r for r in results}


@pytest.fixture(scope="module")
def lab(engine, built):
    """A labelled network, a toolbox on it, and ``run`` for more containers; all removed after."""
    suffix = uuid.uuid4().hex[:8]
    network = engine.networks.create(f"selftest-images-{suffix}", labels=SELFTEST)
    created = []

    def run(image, name, *, start=True, files=None, **kwargs):
        if "network_mode" not in kwargs:
            kwargs["network"] = network.name
        container = engine.containers.create(image, name=f"st-{name}-{suffix}", labels=SELFTEST, **kwargs)
        created.append(container)
        if files:
            container.put_archive("/", tar_of(files))
        if start:
            container.start()
        return container

    toolbox = run("clabs/toolbox:1.0", "toolbox", command=["sleep", "infinity"])

    def http(url, *options):
        out = toolbox.exec_run(["curl", "-s", "-m", "5", "-w", "\n%{http_code}", *options, url]).output.decode()
        body, _, status = out.rpartition("\n")
        return int(status or 0), body

    try:
        yield type("Lab", (), {"run": staticmethod(run), "http": staticmethod(http), "toolbox": toolbox,
                               "suffix": suffix, "network": network})
    finally:
        for container in created:
            container.remove(force=True, v=True)
        network.remove()


def tar_of(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size, info.mode = len(data), 0o755 if path.endswith(".sh") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def wait_for(condition, timeout=60.0, interval=0.5, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def healthy(container) -> bool:
    return container.exec_run(["healthcheck.sh"]).exit_code == 0


@pytest.mark.engine
def test_every_image_is_built_and_labelled(engine, built, specs):
    assert set(built) == {s.name for s in specs}
    for spec in specs:
        info = engine.api.inspect_image(spec.name)
        assert info["Config"]["Labels"][labels.IMAGE] == spec.name
    base_labels = engine.api.inspect_image(images.BASE)["Config"]["Labels"]
    assert base_labels[images.RECIPE_LABEL] == images.base_recipe(specs[0])


@pytest.mark.engine
def test_second_build_is_cached_and_fast(engine, built):
    start = time.monotonic()
    again = images.build(client=engine, progress=False)
    assert all(r.cached for r in again), [r.name for r in again if not r.cached]
    assert time.monotonic() - start < 30


@pytest.mark.engine
def test_redis_answers_ping_as_a_non_root_user(lab):
    redis = lab.run("clabs/redis:7.0", "redis")
    answer = lambda: lab.toolbox.exec_run(["sh", "-c", f"printf 'PING\\r\\n' | nc -N -w 2 {redis.name} 6379"]).output
    assert b"+PONG" in wait_for(answer, 20, what="redis PONG")
    status = redis.exec_run(["cat", "/proc/1/status"]).output.decode()
    assert re.search(r"^Uid:\s+[1-9]", status, re.MULTILINE), "redis-server must not run as root"
    assert redis.exec_run(["redis-cli", "ping"]).output.strip() == b"PONG"


@pytest.mark.engine
def test_mariadb_initialises_with_scripts_and_is_healthy_only_after(lab):
    init = {
        "/docker-entrypoint-initdb.d/01-schema.sql":
            "CREATE TABLE users (name VARCHAR(40) PRIMARY KEY);\nINSERT INTO users VALUES ('ada');\n",
        "/docker-entrypoint-initdb.d/02-slow.sh": "#!/bin/sh\necho slow init step\nsleep 3\n",
    }
    db = lab.run("clabs/mariadb:10.11", "mariadb", files=init,
                 environment={"MYSQL_ROOT_PASSWORD": "pa'ss", "MYSQL_DATABASE": "user"})
    wait_for(lambda: b"slow init step" in db.logs(), 60, what="the init scripts")
    assert not healthy(db), "the temporary init server must not look healthy"
    wait_for(lambda: healthy(db), 60, what="mariadb healthy")
    query = ["mariadb", "-h", db.name, "-uroot", "-ppa'ss", "user", "-N", "-e", "SELECT name FROM users"]
    result = db.exec_run(query)  # over TCP through the network, as root@'%'
    assert result.exit_code == 0 and result.output.decode().strip() == "ada", result.output
    anonymous = db.exec_run(["mariadb", "-h", db.name, "-uroot", "-e", "SELECT 1"])
    assert anonymous.exit_code != 0, "root without a password must be refused"


@pytest.mark.engine
def test_mariadb_refuses_to_start_without_a_password(lab):
    db = lab.run("clabs/mariadb:10.11", "mariadb-nopw")
    assert db.wait(timeout=60)["StatusCode"] != 0
    assert b"MYSQL_ROOT_PASSWORD" in db.logs()


@pytest.mark.engine
def test_postgres_runs_init_scripts_and_requires_the_password(lab):
    init = {"/docker-entrypoint-initdb.d/01-pets.sql": "CREATE TABLE pets (name text);\nINSERT INTO pets VALUES ('rex');\n"}
    db = lab.run("clabs/postgres:15", "postgres", files=init,
                 environment={"POSTGRES_PASSWORD": "secret", "POSTGRES_DB": "pets"})
    wait_for(lambda: healthy(db), 60, what="postgres healthy")
    sql = ["psql", "-h", db.name, "-U", "postgres", "-d", "pets", "-tAc", "SELECT name FROM pets"]
    result = db.exec_run(sql, environment={"PGPASSWORD": "secret"})
    assert result.exit_code == 0 and result.output.decode().strip() == "rex", result.output
    wrong = db.exec_run(sql, environment={"PGPASSWORD": "wrong"})
    assert wrong.exit_code != 0 and b"password authentication failed" in wrong.output


@pytest.mark.engine
def test_nginx_versions_serve_different_pages(lab):
    for version in ("v1", "v2"):
        web = lab.run(f"clabs/nginx:{version}", f"nginx-{version}")
        status, body = wait_for(lambda: (r := lab.http(f"http://{web.name}/version"))[0] == 200 and r, 20,
                                what=f"nginx {version}")
        assert body.strip() == version
        status, page = lab.http(f"http://{web.name}/")
        assert status == 200 and f"Version {version}" in page
        assert web.exec_run(["wget", "-qO-", "http://127.0.0.1/version"]).output.strip() == version.encode()
        assert b"GET /version" in web.logs()


@pytest.mark.engine
def test_toolbox_has_the_tools(lab):
    script = "for t in sh wget curl ip nc nslookup dig ping; do command -v $t >/dev/null || echo missing $t; done"
    assert lab.toolbox.exec_run(["sh", "-c", script]).output == b""


def answered(lab, url):
    return wait_for(lambda: (r := lab.http(url))[0] and r, 20, what=url)


def stops_promptly(container, limit=5.0):
    start = time.monotonic()
    container.stop(timeout=20)
    return time.monotonic() - start < limit


@pytest.mark.engine
def test_whoami_answers_and_keeps_a_shell(lab):
    app = lab.run("clabs/whoami:1.0", "whoami")
    status, body = answered(lab, f"http://{app.name}:8000/some/path")
    hostname = app.attrs["Config"]["Hostname"]
    assert status == 200 and f"Hostname: {hostname}" in body and "GET /some/path" in body
    assert "RemoteAddr: " in body
    assert app.exec_run(["sh", "-c", "command -v sed cat && test -x /app/whoami && pwd"]).output.decode().split()[-1] == "/app"
    assert b"GET /some/path 200" in app.logs()
    assert stops_promptly(app)


@pytest.mark.engine
def test_pets_web_versions(lab):
    for tag, title in (("2.0", "Pets Demo Application"), ("2.1", "Pets Demo Application v2")):
        app = lab.run(f"clabs/pets-web:{tag}", f"pets-{tag.replace('.', '-')}")
        assert answered(lab, f"http://{app.name}:3000/") == (200, title)
        assert lab.http(f"http://{app.name}:3000/api/health") == (200, "OK")
        assert b"GET /api/health 200" in app.logs()
        assert stops_promptly(app)
        assert app.wait(timeout=5)["StatusCode"] == 0


@pytest.mark.engine
def test_probes_demo_turns_unhealthy(lab):
    app = lab.run("clabs/probes-demo:2.0", "probes", environment={"UNHEALTHY_AFTER": "2"})
    assert answered(lab, f"http://{app.name}:3000/health")[0] == 200
    assert lab.http(f"http://{app.name}:3000/ready")[0] == 200
    status, body = lab.http(f"http://{app.name}:3000/")
    assert status == 200 and "probes-demo" in body
    wait_for(lambda: lab.http(f"http://{app.name}:3000/health")[0] == 500, 10, what="/health 500")
    assert app.exec_run(["wget", "-qO-", "http://127.0.0.1:3000/ready"]).exit_code == 0
    assert stops_promptly(app)


@pytest.mark.engine
def test_echoserver_echoes_the_request(lab):
    app = lab.run("clabs/echoserver:1.0", "echo")
    status, body = answered(lab, f"http://{app.name}:8080/a/b?c=d")
    assert status == 200
    status, body = lab.http(f"http://{app.name}:8080/a/b?c=d", "-X", "PUT", "-H", "X-Lab: selftest")
    hostname = app.attrs["Config"]["Hostname"]
    for expected in (f"Hostname: {hostname}", "method=PUT", "path=/a/b", "query=c=d", "x-lab=selftest"):
        assert expected in body
    assert b"PUT /a/b?c=d 200" in app.logs()
    assert stops_promptly(app)


GO_PROGRAM = """package main

import (
	"database/sql"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/gomodule/redigo/redis"
)

func main() {
	cfg := mysql.NewConfig()
	cfg.Addr = "mysql:3306"
	db, err := sql.Open("mysql", cfg.FormatDSN())
	fmt.Println("built offline", db != nil, err == nil, redis.ErrNil != nil)
}
"""


@pytest.mark.engine
def test_golang_builds_the_drivers_offline(lab):
    build = lab.run("clabs/golang:1.19", "golang", start=False, network_mode="none",
                    files={"/src/main.go": GO_PROGRAM}, command=["sh", "-c", "go build -o /tmp/app . && /tmp/app"])
    build.start()
    assert build.wait(timeout=120)["StatusCode"] == 0, build.logs().decode()
    assert b"built offline true true true" in build.logs()


@pytest.mark.engine
def test_save_and_load_round_trip(engine, built, tmp_path):
    name = "clabs/pets-web:2.0"
    before = engine.api.inspect_image(name)["Id"]
    archive = tmp_path / "pets.tar.gz"
    assert images.save(archive, ["pets-web:2.0"], client=engine, progress=False) == [name]
    assert archive.stat().st_size > 1_000_000 and not list(tmp_path.glob(".*part"))
    # a second tag keeps the image itself (and its build cache) while its name goes away
    keep = f"clabs-selftest/roundtrip:{uuid.uuid4().hex[:8]}"
    engine.api.tag(name, *keep.split(":"))
    try:
        engine.api.remove_image(name)
        assert images.missing(images.resolve(["pets-web:2.0"]), engine)
        assert images.load(archive, client=engine, progress=False) == [name]
        assert engine.api.inspect_image(name)["Id"] == before
    finally:
        if images.missing(images.resolve(["pets-web:2.0"]), engine):
            engine.api.tag(keep, *name.split(":"))
        engine.api.remove_image(keep)


@pytest.mark.engine
def test_base_from_a_local_debian_image(engine, built, specs, monkeypatch):
    """Where debian:bookworm-slim is present the base is built from it, not from debootstrap."""
    suffix = uuid.uuid4().hex[:8]
    local, target = f"clabs-selftest/debian-slim:{suffix}", f"clabs-selftest/debian:{suffix}"
    engine.api.tag(images.BASE, *local.split(":"))
    monkeypatch.setattr(images, "LOCAL_DEBIAN", (f"clabs-selftest/absent:{suffix}", local))
    spec = images.ImageSpec(name=target, context=specs[0].context)
    try:
        with images._Progress(False, 1) as ui:
            images._build_base(engine, spec, ui, None, False)
        image_labels = engine.api.inspect_image(target)["Config"]["Labels"]
        assert image_labels[images.SOURCE_LABEL] == local
        assert image_labels[images.RECIPE_LABEL] == images.base_recipe(specs[0])
        out = engine.containers.run(target, ["sh", "-c", "/usr/sbin/policy-rc.d; echo $?"], remove=True,
                                    labels=SELFTEST)
        assert out.strip() == b"101"
    finally:
        for tag in (target, local):
            try:
                engine.api.remove_image(tag)
            except Exception:
                pass


@pytest.mark.engine
def test_a_failing_build_is_one_clear_error(engine, built, tmp_path):
    marker = uuid.uuid4().hex[:8]
    (tmp_path / "Dockerfile").write_text(
        f"FROM clabs/debian:bookworm\nLABEL selftest.broken={marker}\nRUN echo boom-output && exit 3\n")
    spec = images.ImageSpec(name=f"clabs-selftest/broken:{marker}", context=tmp_path)
    try:
        with pytest.raises(LabError) as err, images._Progress(False, 1) as ui:
            images._run_build(engine, spec, ui, path=str(tmp_path), dockerfile="Dockerfile")
    finally:  # the step that worked left an untagged image behind
        for leftover in engine.api.images(filters={"label": f"selftest.broken={marker}"}, quiet=True):
            engine.api.remove_image(leftover)
    message = str(err.value)
    assert spec.name in message and "step 3/" in message and "boom-output" in message
    assert "\n" not in message and "Removing intermediate" not in message
    assert images.missing([spec], engine)


# --- clabs/loadgen: the traffic the grader sends during a rolling update -------------------

def loadgen(lab, name, *args, timeout=60):
    """Run clabs/loadgen with ``args`` to its end: (exit code, its stdout lines as JSON)."""
    container = lab.run("clabs/loadgen:1.0", name, command=list(args))
    code = container.wait(timeout=timeout)["StatusCode"]
    lines = container.logs(stdout=True, stderr=True).decode().splitlines()
    return code, [json.loads(line) for line in lines]


def check_summary(summary):
    assert summary["event"] == "summary"
    assert sum(summary["errors"].values()) == summary["failed"] <= summary["requests"]
    assert sum(summary["answers"].values()) == summary["requests"] - summary["failed"]
    assert summary["rate"] == pytest.approx(summary["requests"] / summary["seconds"], rel=0.01, abs=0.1)
    assert len(summary["failed_at"]) == min(20, summary["failed"])
    assert summary["failed_at"] == sorted(summary["failed_at"])


@pytest.mark.engine
def test_loadgen_counts_requests_and_stops_on_sigterm(lab):
    web = lab.run("clabs/nginx:v1", "lg-web")
    answered(lab, f"http://{web.name}/version")
    gen = lab.run("clabs/loadgen:1.0", "loadgen", command=["-url", f"http://{web.name}/version", "-concurrency", "2"])
    wait_for(lambda: b"first-answer" in gen.logs(), 20, what="loadgen's first answer")
    time.sleep(1)
    gen.stop(timeout=10)  # SIGTERM: the way the grader ends a run
    assert gen.wait(timeout=10)["StatusCode"] == 0
    first, summary = [json.loads(line) for line in gen.logs().decode().splitlines()]
    assert first["event"] == "first-answer" and first["answer"] == "v1" and 0 <= first["seconds"] < 20
    check_summary(summary)
    assert summary["requests"] > 10 and summary["failed"] == 0 and summary["errors"] == {}
    assert summary["answers"] == {"v1": summary["requests"]} and summary["failed_at"] == []
    assert 0 < summary["p50_ms"] <= summary["p99_ms"] <= summary["max_ms"] < 2000


@pytest.mark.engine
def test_loadgen_counts_failures(lab):
    # nothing listens on port 81 of the toolbox: every connection is refused
    code, events = loadgen(lab, "lg-refused", "-url", f"http://{lab.toolbox.name}:81/", "-duration", "2s",
                           "-rate", "50")
    assert code == 0 and [e["event"] for e in events] == ["summary"]
    summary = events[0]
    check_summary(summary)
    assert 50 <= summary["requests"] <= 110 and summary["failed"] == summary["requests"]
    assert summary["errors"] == {"connect: connection refused": summary["failed"]}
    assert summary["answers"] == {} and summary["p50_ms"] is None and len(summary["failed_at"]) == 20
    assert 0 <= summary["failed_at"][0] < summary["failed_at"][-1] <= summary["seconds"]
    # a name that does not resolve fails too
    code, events = loadgen(lab, "lg-nxdomain", "-url", f"http://no-such-host-{lab.suffix}/", "-duration", "1")
    assert code == 0 and events[-1]["failed"] == events[-1]["requests"] > 0
    assert all(kind.startswith("resolve: ") for kind in events[-1]["errors"])


@pytest.mark.engine
def test_loadgen_spreads_over_the_addresses_of_a_name(lab, engine):
    alias = f"lg-web-{lab.suffix}"  # docker's DNS answers a shared alias with every container's address
    for version in ("v1", "v2"):
        endpoint = engine.api.create_endpoint_config(aliases=[alias])
        web = lab.run(f"clabs/nginx:{version}", f"lg-{version}", networking_config={lab.network.name: endpoint})
        answered(lab, f"http://{web.name}/version")
    code, events = loadgen(lab, "lg-spread", "-url", f"http://{alias}/version", "-duration", "2s")
    assert code == 0
    summary = events[-1]
    check_summary(summary)
    assert summary["failed"] == 0 and set(summary["answers"]) == {"v1", "v2"}
    # round robin over the sorted addresses, one connection per request: an even split
    assert min(summary["answers"].values()) > summary["requests"] * 0.4, summary["answers"]


@pytest.mark.engine
@pytest.mark.parametrize("args, complaint", [
    ([], "-url is required"),
    (["-url", "ftp://example/"], "must be http://"),
    (["-url", "http://web/", "-concurrency", "0"], "-concurrency"),
    (["-url", "http://web/", "-timeout", "soon"], "-timeout"),
])
def test_loadgen_refuses_bad_flags_in_one_line(lab, args, complaint):
    container = lab.run("clabs/loadgen:1.0", f"lg-flags-{uuid.uuid4().hex[:4]}", command=args)
    assert container.wait(timeout=20)["StatusCode"] == 2
    lines = container.logs(stdout=True, stderr=True).decode().splitlines()
    assert len(lines) == 1, lines
    event = json.loads(lines[0])
    assert event["event"] == "error" and complaint in event["message"]


# --- clabs/nginx:broken: the release a rolling update must not finish ----------------------

@pytest.mark.engine
def test_nginx_broken_answers_500_everywhere(lab):
    web = lab.run("clabs/nginx:broken", "nginx-broken")
    status, page = answered(lab, f"http://{web.name}/")
    assert status == 500 and "Version broken" in page
    assert lab.http(f"http://{web.name}/version") == (500, "broken\n")
    for path, method in (("/index.html", "GET"), ("/version/", "GET"), ("/a/b?c=d", "GET"), ("/", "POST")):
        assert lab.http(f"http://{web.name}{path}", "-X", method)[0] == 500, (method, path)
    # a swarm healthcheck of the lab fails, as it must
    assert web.exec_run(["wget", "-qO", "-", "http://localhost/version"]).exit_code != 0
    code, events = loadgen(lab, "lg-broken", "-url", f"http://{web.name}/version", "-duration", "1")
    assert code == 0 and events[-1]["errors"] == {"status 500": events[-1]["requests"]} and events[-1]["requests"]
