"""ch10.compose: the three containers as one Compose project with health-gated start."""

from pathlib import Path

import yaml

from checks.ch10.names import COMPOSE_PROJECT, USER_PORT
from grader.checkkit import check, host_url, http

NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
SERVICES = ("user", "mysql", "redis")
HEALTH_CHECKED = ("mysql", "redis")  # ch10.compose.health-order gives them health checks


def _compose_file(lab) -> Path:
    for n in NAMES:
        if lab.path(n).is_file():
            return lab.path(n)
    raise AssertionError(f"no compose.yaml in {lab.lab_dir}")


def _load(lab) -> dict:
    p = _compose_file(lab)
    try:
        doc = yaml.safe_load(p.read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise AssertionError(f"{p.name} is not valid YAML{where}") from None
    assert isinstance(doc, dict) and isinstance(doc.get("services"), dict), \
        f"{p.name} has no `services:` mapping"
    return doc


@check("ch10.compose.file", "compose.yaml declares user, mysql and redis", points=2,
       layer="static",
       hint="Write compose.yaml with `services:` user (image user:v2, ports 8081:8080), "
            "mysql (image mysql-for-user:v1) and redis (image clabs/redis:7.0).")
def test_compose_services(lab):
    services = _load(lab)["services"]
    missing = [s for s in SERVICES if s not in services]
    assert not missing, f"services missing: {', '.join(missing)}"
    host = [s for s, spec in services.items() if (spec or {}).get("network_mode") == "host"]
    assert not host, f"{', '.join(host)} use network_mode: host; let Compose make the network"


@check("ch10.compose.health-order", "user starts only after mysql and redis are healthy",
       points=2, layer="static",
       hint="Give mysql and redis a `healthcheck:` and make user `depends_on:` them with "
            "`condition: service_healthy` — the declarative fix for the source's sleep in main().")
def test_compose_depends_on_health(lab):
    services = _load(lab)["services"]
    user = services.get("user") or {}
    deps = user.get("depends_on") or {}
    assert isinstance(deps, dict), \
        "user's depends_on is a plain list: that only orders start, it does not wait for health"
    for s in HEALTH_CHECKED:
        assert s in deps, f"user does not depend on {s}"
        cond = (deps[s] or {}).get("condition")
        assert cond == "service_healthy", f"user waits for {s} with condition {cond!r}"
        assert (services.get(s) or {}).get("healthcheck"), f"{s} has no healthcheck"


@check("ch10.compose.running", f"Compose project `{COMPOSE_PROJECT}` is up and healthy",
       points=2, layer="live",
       hint=f"docker compose -p {COMPOSE_PROJECT} up -d  (or docker-compose -p ...); "
            f"`docker compose -p {COMPOSE_PROJECT} ps` shows each service's state.")
def test_compose_running(state):
    for s in SERVICES:
        c = state.compose_service(COMPOSE_PROJECT, s)
        assert c, f"project {COMPOSE_PROJECT} has no running {s} service"
        assert c.running, f"{s} is {c.status}"
    # the stores the lab gives health checks must report healthy: a container without
    # one reports nothing, which is not "healthy"; user, with no check asked for, runs
    for s in HEALTH_CHECKED:
        health = state.compose_service(COMPOSE_PROJECT, s).health
        assert health is not None, f"{s} has no health check, so nothing says it is healthy"
        assert health == "healthy", f"{s} is {health}"


@check("ch10.compose.ready", "The Compose user service answers /ready", points=2, layer="live",
       hint="Publish user as 8081:8080 in compose.yaml and point REDIS_ADDR/MYSQL_ADDR at the "
            "service names (redis:6379, mysql:3306): Compose's network resolves them.")
def test_compose_ready(state):
    c = state.compose_service(COMPOSE_PROJECT, "user")
    assert c and c.running, f"project {COMPOSE_PROJECT} has no running user service"
    reply = http("GET", host_url(c, USER_PORT, "/ready"))
    assert reply.status == 200, f"/ready answered {reply.status}: {reply.body[:200]}"
