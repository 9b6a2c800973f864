"""ch10.pull-run: run Redis from a local image, publish its port, talk to it."""

from checks.ch10.names import REDIS_CONTAINER, REDIS_IMAGE
from grader.checkkit import check, redis_ping


@check("ch10.pull-run.image", "The Redis image is available locally", points=1, layer="live",
       hint=f"Run `lab images build redis` (the lab builds {REDIS_IMAGE} itself, "
            "so nothing is pulled), then `docker images clabs/redis`.")
def test_redis_image_present(lab, state):
    lab.supplied_by_grader(f"the grader loads {REDIS_IMAGE} into every sandbox")
    assert state.image(REDIS_IMAGE), f"no image {REDIS_IMAGE} on this engine"


@check("ch10.pull-run.container", f"Container {REDIS_CONTAINER} runs from {REDIS_IMAGE}",
       points=2, layer="live",
       hint=f"docker run -itd --name {REDIS_CONTAINER} -p 6379:6379 --label \"$LAB_LABEL\" "
            f"{REDIS_IMAGE}")
def test_redis_container_running(state):
    c = state.container(REDIS_CONTAINER)
    assert c, f"no container named {REDIS_CONTAINER}"
    assert c.image == REDIS_IMAGE, f"{REDIS_CONTAINER} was created from {c.image}, not {REDIS_IMAGE}"
    assert c.running, f"{REDIS_CONTAINER} is {c.status}, not running"


@check("ch10.pull-run.port", "Port 6379 is published on the host", points=1, layer="live",
       hint="Publish the port when the container is created: `-p 6379:6379` "
            "(host:container). A running container's ports cannot be changed; recreate it.")
def test_redis_port_published(state):
    c = state.container(REDIS_CONTAINER)
    assert c, f"no container named {REDIS_CONTAINER}"
    ports = [p for _, p in c.published("6379/tcp")]
    assert 6379 in ports, f"6379/tcp is published on {ports or 'no host port'}, not 6379"


@check("ch10.pull-run.ping", "Redis answers PING inside the container", points=1, layer="live",
       hint=f"docker exec -it {REDIS_CONTAINER} redis-cli ping  → PONG. If it does not, "
            f"look at `docker logs {REDIS_CONTAINER}`.")
def test_redis_answers_inside(state, container_host):
    c = state.container(REDIS_CONTAINER)
    assert c and c.running, f"{REDIS_CONTAINER} is not running"
    out = container_host(REDIS_CONTAINER).run("redis-cli ping")
    assert out.stdout.strip() == "PONG", f"redis-cli ping said {out.stdout.strip() or out.stderr.strip()!r}"


@check("ch10.pull-run.reachable", "Redis answers on the host's port 6379", points=1, layer="live",
       hint="From the host, 127.0.0.1:6379 must reach the container: publish with "
            "`-p 6379:6379` and make sure nothing else holds port 6379.")
def test_redis_reachable_from_host(state):
    c = state.container(REDIS_CONTAINER)
    assert c and c.running, f"{REDIS_CONTAINER} is not running"
    reply = redis_ping("127.0.0.1", 6379)
    assert reply == "+PONG", f"127.0.0.1:6379 answered {reply!r}, not +PONG"
