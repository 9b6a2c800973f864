"""ch15.pause: what a pod is, built by hand with plain Docker. Container ``pause``
(nginx) holds a network namespace; ``main`` (toolbox) joins it with ``--net
container:pause``, so both have one IP address and main reaches nginx on localhost."""

import re

from checks.ch15 import names as n
from grader.checkkit import check


def _pair(state):
    found = []
    for name in (n.PAUSE_CONTAINER, n.MAIN_CONTAINER):
        c = state.container(name)
        assert c, f"no container named {name}"
        found.append(c)
    return found


def _joins(main, pause) -> bool:
    """main's NetworkMode names pause: the engine stores ``container:<full id>``; the
    name form (``container:pause``) and an id prefix are accepted too."""
    mode = main.network_mode
    if not mode.startswith("container:"):
        return False
    target = mode.split(":", 1)[1]
    return target in (pause.id, pause.name) or (len(target) >= 12 and pause.id.startswith(target))


@check("ch15.pause.containers", "Containers pause (nginx) and main (toolbox) run, labelled "
       "for the lab", points=1, layer="live",
       hint=f'docker container run -d --name pause --label "$LAB_LABEL" {n.NGINX_IMAGE}; '
            f'docker container run -dit --name main --label "$LAB_LABEL" --net container:pause '
            f"{n.TOOLBOX_IMAGE} sh")
def test_containers(state):
    pause, main = _pair(state)
    for c, image in ((pause, n.NGINX_IMAGE), (main, n.TOOLBOX_IMAGE)):
        assert c.image == image, f"{c.name} was created from {c.image}, not {image}"
        assert c.running, f"{c.name} is {c.status}, not running"
        assert c.labels.get(n.LAB_LABEL_KEY) == n.LAB_LABEL_VALUE, \
            f"{c.name} has no label {n.LAB_LABEL_KEY}={n.LAB_LABEL_VALUE} (lab env down " \
            "would leave it behind)"


@check("ch15.pause.shared-net", "main shares pause's network namespace (--net "
       "container:pause)", points=2, layer="live",
       hint="Create main with `--net container:pause` (a running container's network mode "
            "cannot change: `docker rm -f main` and run it again). `docker network inspect "
            "bridge` then lists pause only: main has no network of its own.")
def test_shared_network(state):
    pause, main = _pair(state)
    mode = main.network_mode or "default"
    assert mode.startswith("container:"), \
        f"main's network mode is {mode}: it has a network namespace of its own " \
        f"(networks: {', '.join(main.networks) or 'none'}), not pause's"
    assert _joins(main, pause), \
        f"main shares the network of container {mode.split(':', 1)[1][:12]}, which is not " \
        f"pause ({pause.id[:12]}): was pause recreated after main?"
    assert pause.running and main.running, \
        f"pause is {pause.status}, main is {main.status}: both must run"


def _eth0(host) -> str:
    out = host.run("ip -4 -o addr show dev eth0")
    m = re.search(r"\binet (\d+\.\d+\.\d+\.\d+)/", out.stdout)
    return m.group(1) if m else f"none ({(out.stdout + out.stderr).strip()[:80] or 'no eth0'})"


@check("ch15.pause.same-ip", "pause and main see the same address on eth0", points=1,
       layer="live",
       hint="`docker exec pause ip a show eth0` and `docker exec main ip a show eth0` must "
            "print the same address: one network namespace, like the containers of a pod.")
def test_same_ip(state, container_host, details):
    pause, main = _pair(state)
    assert pause.running and main.running, f"pause is {pause.status}, main is {main.status}"
    ips = {c.name: _eth0(container_host(c.name)) for c in (pause, main)}
    details["eth0"] = ips
    assert ips[n.PAUSE_CONTAINER] == ips[n.MAIN_CONTAINER], \
        f"eth0 is {ips[n.PAUSE_CONTAINER]} in pause and {ips[n.MAIN_CONTAINER]} in main"


@check("ch15.pause.localhost", "From main, http://localhost reaches nginx in pause",
       points=2, layer="live",
       hint="docker exec main wget -qO- localhost  → the nginx page. Only a shared network "
            "namespace makes pause's port 80 main's localhost:80.")
def test_localhost(state, container_host):
    pause, main = _pair(state)
    assert pause.running and main.running, f"pause is {pause.status}, main is {main.status}"
    # one try: GNU wget retries a refused connection 20 times (2.5 minutes here)
    out = container_host(n.MAIN_CONTAINER).run("wget -qO- -T 5 -t 1 http://localhost/")
    assert out.rc == 0, f"wget http://localhost/ in main exited {out.rc}: " \
                        f"{(out.stderr or out.stdout).strip()[:160] or 'connection refused: nothing listens on main localhost:80'}"
    assert n.NGINX_PAGE_MARK in out.stdout, \
        f"http://localhost/ in main answered {out.stdout.strip()[:120]!r}, not nginx's page"
