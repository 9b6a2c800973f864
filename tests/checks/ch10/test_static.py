"""Every static ch10 check, proven both ways: it passes on the reference solution and
fails, with its hint, on the mistake it exists to catch."""

import pytest

from tests.checks.helpers import run_checks, set_answer_cell

STATIC = ("ch10.lifecycle.answers", "ch10.dockerfile.file", "ch10.multistage.stages",
          "ch10.multistage.pinned", "ch10.multistage.lint", "ch10.db-image.dockerfile",
          "ch10.db-image.no-password", "ch10.compose.file", "ch10.compose.health-order")


def test_reference_solution_passes_every_static_check(solved_ch10):
    results = run_checks(solved_ch10, *STATIC)
    assert set(results) == set(STATIC)
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad


def _fails(lab_dir, check_id, *seen):
    r = run_checks(lab_dir, check_id)[check_id]
    assert r.status == "fail", (r.status, r.message)
    for s in seen:
        assert s in r.message, r.message
    assert r.check.hint and r.as_dict()["hint"] == r.check.hint
    return r


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_wrong_lifecycle_answer(solved_ch10):
    set_answer_cell(solved_ch10 / "01-images-and-containers.ipynb", "ch10-lifecycle-answers",
                    'STOP_COMMAND = "docker kill redis-7.0"\nKILL_COMMAND = "docker kill redis-7.0"\n'
                    'REMOVE_COMMAND = "docker rm redis-7.0"\nATTACH_COMMAND = "docker attach redis-7.0"\n'
                    'EXIT_CODE_AFTER_KILL = 137\nSTATUS_AFTER_STOP = "exited"\n')
    _fails(solved_ch10, "ch10.lifecycle.answers", "STOP_COMMAND")


def test_unanswered_lifecycle(solved_ch10):
    set_answer_cell(solved_ch10 / "01-images-and-containers.ipynb", "ch10-lifecycle-answers",
                    "# YOUR CODE HERE\nraise NotImplementedError()")
    _fails(solved_ch10, "ch10.lifecycle.answers", "no answer yet")


def test_v1_without_go_build(solved_ch10):
    # a RUN is there, but it does not compile anything
    df = solved_ch10 / "user" / "Dockerfile.v1"
    df.write_text(df.read_text().replace("RUN go build -o /usr/local/bin/user .",
                                         "RUN ls -l /src"))
    _fails(solved_ch10, "ch10.dockerfile.file", "go build")


def test_v1_without_any_run(solved_ch10):
    df = solved_ch10 / "user" / "Dockerfile.v1"
    df.write_text("".join(ln for ln in df.read_text().splitlines(keepends=True)
                          if not ln.startswith("RUN ")))
    _fails(solved_ch10, "ch10.dockerfile.file", "no RUN")


def test_v1_missing(solved_ch10):
    (solved_ch10 / "user" / "Dockerfile.v1").unlink()
    _fails(solved_ch10, "ch10.dockerfile.file", "not found")


def test_single_stage_is_not_multistage(solved_ch10):
    v1 = (solved_ch10 / "user" / "Dockerfile.v1").read_text()
    (solved_ch10 / "user" / "Dockerfile").write_text(v1)
    _fails(solved_ch10, "ch10.multistage.stages", "stage")


@pytest.mark.parametrize("base", ["golang:latest", "clabs/golang"])
def test_unpinned_build_base(solved_ch10, base):
    _edit(solved_ch10 / "user" / "Dockerfile", "clabs/golang:1.19", base)
    _fails(solved_ch10, "ch10.multistage.pinned", base)


def test_hadolint_error_is_reported(solved_ch10):
    df = solved_ch10 / "user" / "Dockerfile"
    df.write_text(df.read_text().replace("WORKDIR /", "WORKDIR ", 1))
    _fails(solved_ch10, "ch10.multistage.lint", "DL3000")


@pytest.mark.parametrize(("path", "check_id"), [
    ("user/Dockerfile", "ch10.multistage.lint"), ("mysql/Dockerfile", "ch10.db-image.no-password")])
def test_a_dockerfile_not_written_yet_is_no_clean_bill(solved_ch10, path, check_id):
    """What a released notebook's %%writefile cell leaves when it was never filled in:
    no errors and no password in it, because there is nothing in it (found grading a
    student who started nothing: these two passed)."""
    (solved_ch10 / path).write_text("# YOUR CODE HERE\n")
    _fails(solved_ch10, check_id, "has no FROM")


def test_init_sql_in_wrong_place(solved_ch10):
    _edit(solved_ch10 / "mysql" / "Dockerfile", "/docker-entrypoint-initdb.d/", "/tmp/")
    _fails(solved_ch10, "ch10.db-image.dockerfile", "init.sql")


def test_password_baked_into_image(solved_ch10):
    df = solved_ch10 / "mysql" / "Dockerfile"
    df.write_text(df.read_text() + "ENV MYSQL_ROOT_PASSWORD=123456\n")
    _fails(solved_ch10, "ch10.db-image.no-password", "MYSQL_ROOT_PASSWORD")


def test_compose_not_yaml(solved_ch10):
    (solved_ch10 / "compose.yaml").write_text("services:\n  user:\n    image: [unclosed\n")
    _fails(solved_ch10, "ch10.compose.file", "not valid YAML")
    _fails(solved_ch10, "ch10.compose.health-order", "not valid YAML")


def test_compose_missing_service_and_host_network(solved_ch10):
    import yaml
    p = solved_ch10 / "compose.yaml"
    doc = yaml.safe_load(p.read_text())
    del doc["services"]["redis"]
    p.write_text(yaml.safe_dump(doc))
    _fails(solved_ch10, "ch10.compose.file", "redis")
    doc = yaml.safe_load(p.read_text())
    doc["services"]["redis"] = {"image": "clabs/redis:7.0", "network_mode": "host"}
    p.write_text(yaml.safe_dump(doc))
    _fails(solved_ch10, "ch10.compose.file", "network_mode: host")


def test_compose_depends_on_as_list_or_started(solved_ch10):
    import yaml
    p = solved_ch10 / "compose.yaml"
    doc = yaml.safe_load(p.read_text())
    doc["services"]["user"]["depends_on"] = ["mysql", "redis"]
    p.write_text(yaml.safe_dump(doc))
    _fails(solved_ch10, "ch10.compose.health-order", "plain list")
    doc["services"]["user"]["depends_on"] = {"mysql": {"condition": "service_started"},
                                             "redis": {"condition": "service_healthy"}}
    p.write_text(yaml.safe_dump(doc))
    _fails(solved_ch10, "ch10.compose.health-order", "service_started")


@pytest.mark.parametrize("copy,files", [
    ("COPY *.sql /docker-entrypoint-initdb.d/", {}),
    ("COPY schema.sql /docker-entrypoint-initdb.d/", {"schema.sql": "init.sql"}),
    ('COPY ["init.sql", "/docker-entrypoint-initdb.d/01-user.sql"]', {}),
    ("ADD --chown=mysql init.sql /docker-entrypoint-initdb.d", {}),
    ('COPY --chown=mysql:mysql ["init.sql", "/docker-entrypoint-initdb.d/"]', {}),
    ("COPY sql/ /docker-entrypoint-initdb.d/", {"sql/10-user.sql": "init.sql"}),
])
def test_init_scripts_by_any_name_or_glob(solved_ch10, copy, files):
    mysql = solved_ch10 / "mysql"
    for new, old in files.items():
        (mysql / new).parent.mkdir(exist_ok=True)
        (mysql / new).write_text((mysql / old).read_text())
    _edit(mysql / "Dockerfile", "COPY init.sql /docker-entrypoint-initdb.d/", copy)
    r = run_checks(solved_ch10, "ch10.db-image.dockerfile")["ch10.db-image.dockerfile"]
    assert r.status == "pass", r.message


def test_only_non_scripts_into_the_init_folder(solved_ch10):
    (solved_ch10 / "mysql" / "notes.txt").write_text("not run by the server\n")
    _edit(solved_ch10 / "mysql" / "Dockerfile", "COPY init.sql /docker-entrypoint-initdb.d/",
          "COPY *.txt /docker-entrypoint-initdb.d/")
    _fails(solved_ch10, "ch10.db-image.dockerfile", "no COPY puts an init script", "*.txt")


def test_base_from_a_build_argument_with_a_pinned_default(solved_ch10):
    df = solved_ch10 / "user" / "Dockerfile"
    text = df.read_text()
    assert "FROM clabs/golang:1.19 AS build" in text
    df.write_text("ARG GO_IMAGE=clabs/golang:1.19\n" +
                  text.replace("FROM clabs/golang:1.19 AS build", "FROM ${GO_IMAGE} AS build"))
    r = run_checks(solved_ch10, "ch10.multistage.pinned")["ch10.multistage.pinned"]
    assert r.status == "pass", r.message


@pytest.mark.parametrize("arg", ["ARG GO_IMAGE", "ARG GO_IMAGE=golang", "ARG GO_IMAGE=golang:latest"])
def test_base_from_a_build_argument_without_a_pinned_default(solved_ch10, arg):
    df = solved_ch10 / "user" / "Dockerfile"
    df.write_text(f"{arg}\n" + df.read_text().replace("FROM clabs/golang:1.19 AS build",
                                                      "FROM $GO_IMAGE AS build"))
    _fails(solved_ch10, "ch10.multistage.pinned", "$GO_IMAGE")


def test_hadolint_missing_on_the_grading_machine_is_an_error(solved_ch10, monkeypatch):
    monkeypatch.setattr("grader.dockerfiles.hadolint_path", lambda: None)
    r = run_checks(solved_ch10, "ch10.multistage.lint")["ch10.multistage.lint"]
    assert r.status == "error" and "hadolint is not installed" in r.message, (r.status, r.message)


@pytest.mark.parametrize("prints", ["", "hadolint: Index too large", "{}"])
def test_hadolint_output_the_grader_cannot_read_is_an_error(solved_ch10, monkeypatch,
                                                          tmp_path, prints):
    fake = tmp_path / "hadolint"
    fake.write_text(f"#!/bin/sh\nprintf '%s' '{prints}'\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr("grader.dockerfiles.hadolint_path", lambda: str(fake))
    r = run_checks(solved_ch10, "ch10.multistage.lint")["ch10.multistage.lint"]
    assert r.status == "error" and "hadolint" in r.message, (r.status, r.message)
