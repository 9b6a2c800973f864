"""ch14.health: a HEALTHCHECK in an image, and one in a stack file (which wins over the
image's), with tasks that report healthy."""

import re

from checks.ch14 import names as n
from grader.checkkit import check, stackfile


def _options(value: str) -> dict:
    return dict(re.findall(r"--([a-z-]+)=(\S+)", value))


@check("ch14.health.dockerfile", "health/Dockerfile: HEALTHCHECK 30s / 10s / 3 / 60s with "
       "its CMD", points=2, layer="static",
       hint="HEALTHCHECK --interval=30s --timeout=10s --retries=3 --start-period=60s \\ "
            "(the source lost this backslash) on one line with "
            "CMD curl -f http://localhost:3000/health || exit 1.")
def test_dockerfile_healthcheck(lab, dockerfiles):
    df = dockerfiles(lab.require(n.HEALTH_DOCKERFILE))
    checks = df.final.values("HEALTHCHECK")
    assert checks, f"{n.HEALTH_DOCKERFILE} has no HEALTHCHECK"
    value = checks[-1]
    assert re.search(r"\bCMD\b", value), (
        "the HEALTHCHECK has no CMD: its options end the line, so Docker reads the next "
        "line as a separate instruction — a `\\` line continuation is missing")
    opts = _options(value)
    for key, want in n.HEALTH_IMAGE_VALUES.items():
        got = opts.get(key.replace("_", "-"))
        got_s = stackfile.duration(got) if key != "retries" else (int(got) if got else None)
        assert got_s == want, f"HEALTHCHECK --{key.replace('_', '-')} is {got!r}, not {want:g}"
    assert "localhost:3000/health" in value, "the HEALTHCHECK does not call localhost:3000/health"


@check("ch14.health.image", f"Image {n.HEALTH_IMAGE} carries the healthcheck", points=1,
       layer="live", hint=f'docker build --label "$LAB_LABEL" -t {n.HEALTH_IMAGE} health')
def test_image_healthcheck(state):
    img = state.image(n.HEALTH_IMAGE)
    assert img, f"no image {n.HEALTH_IMAGE}"
    hc = img.config.get("Healthcheck") or {}
    assert hc.get("Test") and hc["Test"][0] != "NONE", f"{n.HEALTH_IMAGE} has no healthcheck"
    assert hc.get("Interval", 0) / 1e9 == 30 and hc.get("Retries") == 3, \
        f"{n.HEALTH_IMAGE}'s healthcheck has interval {hc.get('Interval', 0) / 1e9:g}s, " \
        f"retries {hc.get('Retries')}"


@check("ch14.health.stack-file", "stack-health.yaml: healthcheck wget, 5s / 2s / 3 / 15s",
       points=2, layer="static",
       hint="Service `web` in stack-health.yaml: healthcheck: {test: [\"CMD-SHELL\", "
            "\"wget -qO - http://localhost || exit 1\"], interval: 5s, timeout: 2s, "
            "retries: 3, start_period: 15s}.")
def test_stack_health_file(stack):
    web = stackfile.service(stack(n.HEALTH_FILE), "web", n.HEALTH_FILE)
    hc = stackfile.healthcheck(web)
    assert hc, f"service web in {n.HEALTH_FILE} has no healthcheck"
    test = hc.get("test")
    text = " ".join(test) if isinstance(test, list) else str(test or "")
    assert "wget" in text and "localhost" in text, f"the healthcheck test is {test!r}"
    for key, want in n.HEALTH_STACK_VALUES.items():
        assert hc.get(key) == want, f"healthcheck {key} is {web['healthcheck'].get(key)!r}, " \
                                    f"not {want:g}"


@check("ch14.health.healthy", "Service myapp_web has the healthcheck and healthy tasks",
       points=2, layer="live",
       hint="docker stack deploy -c stack-health.yaml myapp; `docker ps` shows (healthy) "
            "about 15–20 s later. A task that never gets healthy is restarted by swarm.")
def test_service_healthy(service_of, swarm, task_containers):
    svc = service_of(n.HEALTH_SERVICE)
    hc = svc.healthcheck
    assert hc, f"{svc.name} has no healthcheck in its spec"
    for key, want in n.HEALTH_STACK_VALUES.items():
        assert hc[key] == want, f"{svc.name}'s healthcheck {key} is {hc[key]:g}, not {want:g}"
    running = swarm.running_tasks(svc)
    assert running, f"{svc.name} has no running task (tasks stay `starting` until healthy)"
    # each task's container, on whichever node it runs
    health = {}
    for ctr in task_containers(svc):
        state = ctr.inspect().get("State") or {}
        health[f"{ctr.id[:12]} on {ctr.where}"] = (state.get("Health") or {}).get("Status")
    assert len(health) == len(running), f"{len(health)} of {len(running)} running tasks looked at"
    assert all(h == "healthy" for h in health.values()), \
        "task health: " + ", ".join(f"{k}: {v or 'no health check'}" for k, v in health.items())
