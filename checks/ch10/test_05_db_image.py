"""ch10.db-image: a MySQL-compatible image that initialises the `user` database,
with the password given at run time, never baked in."""

import json
import posixpath
import re

from checks.ch10.names import DB_CONTAINER, DB_IMAGE, MARIADB_IMAGE, PASSWORD_VARS
from grader.checkkit import check, image_files

DB_FILE = "mysql/Dockerfile"
INITDB = "/docker-entrypoint-initdb.d/"
# what the server's entrypoint runs from INITDB on its first start (clabs/mariadb)
INIT_SCRIPTS = (".sql", ".sql.gz", ".sh")


def _copy_parts(value: str) -> tuple[list[str], list[str], str] | None:
    """(flags, sources, destination) of a COPY/ADD, in the shell or the JSON form."""
    flags, rest = [], value.strip()
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.strip()
    words = None
    if rest.startswith("["):
        try:
            words = json.loads(rest)
        except ValueError:
            words = None
    words = [str(w) for w in words] if isinstance(words, list) else rest.split()
    return (flags, words[:-1], words[-1]) if len(words) >= 2 else None


def _init_scripts_copied(df, context) -> list[str]:
    """The names of the init scripts the final stage's COPY/ADD put into INITDB: the
    sources are looked up in the build context ``context`` (globs too), or, for one
    source copied to a file name inside the folder, that name."""
    folder = INITDB.rstrip("/")
    found: list[str] = []
    for value in df.final.values("COPY") + df.final.values("ADD"):
        parts = _copy_parts(value)
        if parts is None:
            continue
        flags, sources, dest = parts
        if dest.rstrip("/") != folder and not dest.startswith(INITDB):
            continue
        if dest.startswith(INITDB) and not dest.endswith("/") and len(sources) == 1:
            found.append(posixpath.basename(dest))  # COPY x.txt /docker-entrypoint-initdb.d/01.sql
            continue
        for src in sources:
            if any(f.startswith("--from") for f in flags) or "://" in src:
                found.append(posixpath.basename(src.rstrip("/")))  # not in the context
                continue
            for match in sorted(context.glob(src.lstrip("/").removeprefix("./") or ".")):
                files = [match] if match.is_file() else sorted(m for m in match.rglob("*")
                                                               if m.is_file())
                found += [f.name for f in files]
    return [name for name in found if name.endswith(INIT_SCRIPTS)]


@check("ch10.db-image.dockerfile", "mysql/Dockerfile copies an init script into the init "
       "folder", points=2, layer="static",
       hint=f"FROM {MARIADB_IMAGE}, then COPY init.sql {INITDB} — the server runs every "
            "*.sql (and *.sh) there on its first start; any name, or a glob such as "
            "*.sql, will do.")
def test_db_dockerfile(lab, dockerfiles):
    df = dockerfiles(lab.require(DB_FILE))
    assert df.stages, f"{DB_FILE} has no FROM line"
    base = df.final.resolved or df.final.base
    assert base.startswith("clabs/mariadb:"), f"{DB_FILE} starts from {base}, not {MARIADB_IMAGE}"
    copied = _init_scripts_copied(df, lab.path(DB_FILE).parent)
    copies = "; ".join(f"{i} {v}" for i, v in df.final.instructions if i in ("COPY", "ADD"))
    assert copied, f"no COPY puts an init script (*.sql, *.sql.gz or *.sh from mysql/) " \
                   f"into {INITDB}" + (f" (it has: {copies})" if copies else "")


@check("ch10.db-image.no-password", "No password is baked into the database image",
       points=2, layer="static",
       hint="Do not put MYSQL_ROOT_PASSWORD in ENV or ARG: anyone with the image can read it "
            "(`docker history`, `docker inspect`). Pass it at run time: `docker run -e ...`.")
def test_no_password_in_dockerfile(lab, dockerfiles):
    df = dockerfiles(lab.require(DB_FILE))
    assert df.stages, f"{DB_FILE} has no FROM: not written yet (no password in it proves nothing)"
    baked = [f"{i} {v}" for i in ("ENV", "ARG") for v in df.values(i)
             if any(var in v for var in PASSWORD_VARS)]
    assert not baked, f"{DB_FILE} sets a password: {baked[0]}"


@check("ch10.db-image.image", f"Image {DB_IMAGE} carries an init script and no password",
       points=2, layer="live",
       hint=f"docker build --label \"$LAB_LABEL\" -t {DB_IMAGE} mysql")
def test_db_image(state, docker_client, grader_labels):
    img = state.image(DB_IMAGE)
    assert img, f"no image {DB_IMAGE}"
    env = img.config.get("Env") or []
    leaked = [e.split("=", 1)[0] for e in env if e.split("=", 1)[0] in PASSWORD_VARS]
    assert not leaked, f"{DB_IMAGE} has {leaked[0]} in its environment"
    steps = "\n".join(h.get("CreatedBy") or "" for h in img.history())
    assert not re.search(r"(MYSQL|MARIADB)_ROOT_PASSWORD=\S", steps), \
        f"a layer of {DB_IMAGE} was built with a root password"
    # the files in the image's init folder (its history names no file a COPY copied)
    files = image_files(docker_client, img.id, INITDB, labels=grader_labels) or {}
    scripts = sorted(posixpath.basename(p) for p in files if p.endswith(INIT_SCRIPTS))
    assert scripts, f"{DB_IMAGE} has no init script (*.sql, *.sql.gz, *.sh) in {INITDB}" + \
        (f" (it has {', '.join(sorted(posixpath.basename(p) for p in files))})" if files else "")


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
    listed = host.run(f"ls -1 {INITDB}").stdout.split()
    assert any(name.endswith(INIT_SCRIPTS) for name in listed), \
        f"{INITDB} in the container holds no init script (*.sql, *.sql.gz, *.sh)"
    pw_var = next((v for v in PASSWORD_VARS[:2] if c.env.get(v)), None)
    assert pw_var, f"{DB_CONTAINER} was started without MYSQL_ROOT_PASSWORD"
    out = host.run(f'mariadb -uroot -p"${pw_var}" -N -e "SHOW TABLES FROM \\`user\\`"')
    assert out.rc == 0, f"cannot read database `user`: {(out.stderr or out.stdout).strip()[:200]}"
    assert "user" in out.stdout.split(), f"database `user` has tables {out.stdout.split()}, no `user`"
