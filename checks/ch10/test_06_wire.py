"""ch10.wire: the user service beside Redis and MySQL on a user-defined network,
finding them by container name (not `--network host`)."""

import secrets

from checks.ch10.names import (
    DB_CONTAINER,
    REDIS_CONTAINER,
    USER_CONTAINER,
    USER_PORT,
    USER_V2,
)
from grader.checkkit import check, host_url, http

TRIO = (USER_CONTAINER, DB_CONTAINER, REDIS_CONTAINER)
BUILTIN = {"bridge", "host", "none"}


def _running(state, name):
    c = state.container(name)
    assert c, f"no container named {name}"
    assert c.running, f"{name} is {c.status}"
    return c


@check("ch10.wire.network", "user, mysql and redis-7.0 share a user-defined network",
       points=3, layer="live",
       hint="Put all three on the lab network: `--network ch10-lab` when creating them, or "
            "`docker network connect ch10-lab redis-7.0`. On a user-defined network, "
            "container names resolve as host names; on the default bridge they do not.")
def test_shared_network(state):
    ctrs = [_running(state, n) for n in TRIO]
    u = ctrs[0]
    assert u.network_mode != "host", \
        "user runs with --network host (the source's way: Linux only, no isolation, port clashes)"
    shared = set.intersection(*(set(c.networks) for c in ctrs)) - BUILTIN
    assert shared, "no user-defined network has all three: " + \
        "; ".join(f"{c.name}: {', '.join(c.networks) or 'none'}" for c in ctrs)


@check("ch10.wire.config", "user finds its stores by name and gets its password at run time",
       points=2, layer="live",
       hint=f"Create user from {USER_V2} with -e REDIS_ADDR=redis-7.0:6379 "
            "-e MYSQL_ADDR=mysql:3306 -e MYSQL_PASSWORD=... -p 8080:8080")
def test_user_config(state):
    u = _running(state, USER_CONTAINER)
    assert u.image == USER_V2, f"user runs {u.image}, not {USER_V2}"
    env = u.env
    assert env.get("REDIS_ADDR", "").split(":")[0] == REDIS_CONTAINER, \
        f"REDIS_ADDR is {env.get('REDIS_ADDR')!r}, not the redis container's name"
    assert env.get("MYSQL_ADDR", "").split(":")[0] == DB_CONTAINER, \
        f"MYSQL_ADDR is {env.get('MYSQL_ADDR')!r}, not the mysql container's name"
    assert env.get("MYSQL_PASSWORD"), "MYSQL_PASSWORD is not set"
    assert u.published(USER_PORT), "user does not publish 8080"


@check("ch10.wire.ready", "The user service reaches Redis and MySQL (/ready)", points=3,
       layer="live",
       hint="GET http://127.0.0.1:8080/ready must say redis ok and mysql ok. If not, "
            "`docker logs user` shows which store it cannot reach and why.")
def test_user_ready(state):
    u = _running(state, USER_CONTAINER)
    reply = http("GET", host_url(u, USER_PORT, "/ready"))
    assert reply.status == 200, f"/ready answered {reply.status}: {reply.body[:200]}"
    body = reply.json()
    assert body.get("redis") == "ok" and body.get("mysql") == "ok", f"/ready said {body}"


@check("ch10.wire.roundtrip", "A user registered through the service can be read back",
       points=2, layer="behaviour",
       hint="The grader registers a user, reads it (MySQL, then the Redis cache) and deletes "
            "it. A failure here with /ready passing points at init.sql's table.")
def test_register_roundtrip(state):
    u = _running(state, USER_CONTAINER)
    name = f"grader-{secrets.token_hex(4)}"
    url = host_url(u, USER_PORT, "")
    made = http("POST", f"{url}/register",
                data={"username": name, "email": f"{name}@example.invalid", "password": "pw-" + name})
    try:
        assert made.status in (200, 201), f"POST /register answered {made.status}: {made.body[:200]}"
        for attempt in ("first", "cached"):
            got = http("GET", f"{url}/users/{name}")
            assert got.status == 200, f"GET /users/{name} ({attempt}) answered {got.status}"
            assert got.json().get("username") == name, f"GET /users/{name} said {got.body[:200]}"
            assert "password" not in got.body.lower() or "hash" in got.body.lower(), \
                "the user record exposes a password"
    finally:
        http("DELETE", f"{url}/users/{name}")
