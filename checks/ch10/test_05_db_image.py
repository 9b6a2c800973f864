"""ch10.db-image: a MySQL-compatible image that initialises the `user` database,
with the password given at run time, never baked in."""

import re

from checks.ch10.names import DB_CONTAINER, DB_IMAGE, MARIADB_IMAGE, PASSWORD_VARS
from grader.checkkit import check

DB_FILE = "mysql/Dockerfile"
INITDB = "/docker-entrypoint-initdb.d/"


@check("ch10.db-image.dockerfile", "mysql/Dockerfile copies init.sql into the init folder",
       points=2, layer="static",
       hint=f"FROM {MARIADB_IMAGE}, then COPY init.sql {INITDB} — the server runs every "
            "*.sql there on its first start.")
def test_db_dockerfile(lab, dockerfiles):
    df = dockerfiles(lab.require(DB_FILE))
    assert df.stages, f"{DB_FILE} has no FROM line"
    base = df.final.base
    assert base.startswith("clabs/mariadb:"), f"{DB_FILE} starts from {base}, not {MARIADB_IMAGE}"
    copies = df.values("COPY") + df.values("ADD")
    assert any("init.sql" in v and INITDB.rstrip("/") in v for v in copies), \
        f"no COPY of init.sql into {INITDB}"


@check("ch10.db-image.no-password", "No password is baked into the database image",
       points=2, layer="static",
       hint="Do not put MYSQL_ROOT_PASSWORD in ENV or ARG: anyone with the image can read it "
            "(`docker history`, `docker inspect`). Pass it at run time: `docker run -e ...`.")
def test_no_password_in_dockerfile(lab, dockerfiles):
    df = dockerfiles(lab.require(DB_FILE))
    baked = [f"{i} {v}" for i in ("ENV", "ARG") for v in df.values(i)
             if any(var in v for var in PASSWORD_VARS)]
    assert not baked, f"{DB_FILE} sets a password: {baked[0]}"


@check("ch10.db-image.image", f"Image {DB_IMAGE} carries init.sql and no password",
       points=2, layer="live",
       hint=f"docker build --label \"$LAB_LABEL\" -t {DB_IMAGE} mysql")
def test_db_image(state):
    img = state.image(DB_IMAGE)
    assert img, f"no image {DB_IMAGE}"
    env = img.config.get("Env") or []
    leaked = [e.split("=", 1)[0] for e in env if e.split("=", 1)[0] in PASSWORD_VARS]
    assert not leaked, f"{DB_IMAGE} has {leaked[0]} in its environment"
    steps = "\n".join(h.get("CreatedBy") or "" for h in img.history())
    # the base image makes the empty folder itself; the step's own layer copies into it
    # (history reads "COPY file:<sum> in /docker-entrypoint-initdb.d/" or, with
    # BuildKit, "COPY init.sql /docker-entrypoint-initdb.d/")
    assert re.search(r"\b(COPY|ADD)\b[^\n]*?\s/docker-entrypoint-initdb\.d", steps), \
        f"no layer of {DB_IMAGE} copies a file into {INITDB}"
    assert not re.search(r"(MYSQL|MARIADB)_ROOT_PASSWORD=\S", steps), \
        f"a layer of {DB_IMAGE} was built with a root password"


@check("ch10.db-image.initialised", f"Container {DB_CONTAINER} runs and database `user` "
       "has its table", points=3, layer="live",
       hint=f"docker run -d --name {DB_CONTAINER} --network ch10-lab --label \"$LAB_LABEL\" "
            f"-e MYSQL_ROOT_PASSWORD=... {DB_IMAGE}; the first start runs init.sql. If the "
            "database is missing, the data volume was already initialised: remove the "
            "container (and its volume) and start again.")
def test_db_initialised(state, container_host):
    c = state.container(DB_CONTAINER)
    assert c, f"no container named {DB_CONTAINER}"
    assert c.image == DB_IMAGE, f"{DB_CONTAINER} runs {c.image}, not {DB_IMAGE}"
    assert c.running, f"{DB_CONTAINER} is {c.status}"
    host = container_host(DB_CONTAINER)
    assert host.file(INITDB + "init.sql").exists, f"{INITDB}init.sql is missing in the container"
    pw_var = next((v for v in PASSWORD_VARS[:2] if c.env.get(v)), None)
    assert pw_var, f"{DB_CONTAINER} was started without MYSQL_ROOT_PASSWORD"
    out = host.run(f'mariadb -uroot -p"${pw_var}" -N -e "SHOW TABLES FROM \\`user\\`"')
    assert out.rc == 0, f"cannot read database `user`: {(out.stderr or out.stdout).strip()[:200]}"
    assert "user" in out.stdout.split(), f"database `user` has tables {out.stdout.split()}, no `user`"
