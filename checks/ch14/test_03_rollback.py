"""ch14.rollback: an update that watches its new tasks long enough to see them fail, and
rolls itself back — proven by the grader shipping a broken release."""

import pytest

from checks.ch14 import names as n
from checks.ch14.params import behaviour_params
from grader.checkkit import check, rollout, stackfile


def _detect_seconds(hc: dict) -> float:
    """How long a bad task takes to be declared unhealthy: start period + retries × interval."""
    return (hc.get("start_period") or 0) + (hc.get("retries") or 3) * (hc.get("interval") or 30)


@check("ch14.rollback.file", "stack-rollback.yaml: failure_action rollback, monitor longer "
       "than it takes to detect a bad task", points=3, layer="static",
       hint="Service `web` in stack-rollback.yaml: update_config {parallelism: 2, delay: 10s, "
            "failure_action: rollback, monitor: 10s}; healthcheck interval 2s, timeout 2s, "
            "retries 3, start_period 2s. monitor must exceed start_period + retries × "
            "interval (8 s), or swarm stops watching before the task fails.")
def test_rollback_file(stack):
    web = stackfile.service(stack(n.ROLLBACK_FILE), "web", n.ROLLBACK_FILE)
    upd = (web.get("deploy") or {}).get("update_config") or {}
    action = upd.get("failure_action", "pause")
    assert action == "rollback", f"update_config.failure_action is {action!r}: a failed " \
                                 "update pauses instead of rolling back"
    hc = stackfile.healthcheck(web)
    assert hc, f"service web in {n.ROLLBACK_FILE} has no healthcheck: swarm cannot tell a " \
               "bad task from a good one"
    for key, want in n.ROLLBACK_HEALTH.items():
        assert hc.get(key) == want, f"healthcheck {key} is {hc.get(key)!r}, not {want:g}"
    monitor = stackfile.duration(upd.get("monitor", "5s"))
    need = _detect_seconds(hc)
    assert monitor is not None and monitor > need, \
        f"update_config.monitor is {upd.get('monitor', '5s (default)')}: not longer than " \
        f"the {need:g}s a bad task needs to be declared unhealthy"


@check("ch14.rollback.service", "Service shop_web: rollback on failure, monitor 10s, "
       "healthcheck, running v1", points=2, layer="live",
       hint="docker stack deploy -c stack-rollback.yaml shop; `docker service inspect "
            "--pretty shop_web` shows On failure: rollback and Monitoring Period: 10s.")
def test_rollback_service(service_of, swarm):
    svc = service_of(n.ROLLBACK_SERVICE)
    cfg = svc.update_config
    assert cfg["FailureAction"] == "rollback", \
        f"{svc.name}: on failure the update does {cfg['FailureAction']!r}, not rollback"
    assert svc.healthcheck, f"{svc.name} has no healthcheck"
    need = _detect_seconds(svc.healthcheck)
    assert svc.update_monitor > need, \
        f"{svc.name} monitors new tasks for {svc.update_monitor:g}s; detecting a bad one " \
        f"takes {need:g}s"
    running = swarm.running_tasks(svc)
    assert running and svc.image == n.NGINX_V1, \
        f"{svc.name} is set to {svc.image} with {len(running)} running task(s); after the " \
        f"rollback it should be back on {n.NGINX_V1}"


@pytest.fixture(scope="module")
def broken_release(request, docker_client, not_restored):
    """The grader updates shop_web to the broken image, waits for swarm's verdict and,
    when swarm says it rolled back, for every task to run the previous image again.
    Whatever happens (a timeout included), shop_web is put back as it was found."""
    params = behaviour_params(request.config)
    api = docker_client.api
    original = rollout.spec_to_restore(api, n.ROLLBACK_SERVICE)
    image = original["TaskTemplate"]["ContainerSpec"]["Image"].split("@", 1)[0]
    replicas = (original.get("Mode", {}).get("Replicated") or {}).get("Replicas") or 1
    found: dict = {"original": image, "not_restored": []}
    try:
        found["result"] = rollout.apply(api, n.ROLLBACK_SERVICE, rollout.with_changes(
            original, image=n.NGINX_BROKEN), timeout=params["timeout"])
        after = rollout.inspect(api, n.ROLLBACK_SERVICE)
        found["spec_image_after"] = after["Spec"]["TaskTemplate"]["ContainerSpec"][
            "Image"].split("@", 1)[0]
        if found["result"].state == "rollback_completed":
            try:
                found["tasks"] = rollout.settled_on(api, n.ROLLBACK_SERVICE, image, replicas,
                                                    timeout=params["settle"])
            except AssertionError as err:  # what was seen: the check judges it
                found["unsettled"] = str(err)
    finally:
        back = rollout.restore(api, n.ROLLBACK_SERVICE, original, timeout=params["timeout"])
        found["note"] = str(back)
        if not back.ok:
            found["not_restored"].append(back.line)
            not_restored(back.line)
    return found


@check("ch14.rollback.auto", "A broken release of shop_web rolls itself back", points=3,
       layer="behaviour",
       hint="The grader updates shop_web to clabs/nginx:broken (answers 500, so its "
            "healthcheck fails). With failure_action: rollback and a monitor longer than the "
            "time to detect an unhealthy task, swarm puts v1 back by itself.")
def test_auto_rollback(broken_release, details, not_restored):
    for line in broken_release["not_restored"]:
        not_restored(line)
    r = broken_release["result"]
    details.update(rollout=r.line(), message=r.message, restore=broken_release["note"])
    assert r.state == "rollback_completed", \
        f"the broken update ended {r.state!r} ({r.message}), not rollback_completed"
    back = broken_release["spec_image_after"]
    assert back == broken_release["original"], f"after the rollback the service is set to {back}"
    # every task swarm wants running is back on the previous image, and running
    assert "unsettled" not in broken_release, broken_release.get("unsettled")
    tasks = broken_release["tasks"]
    details["tasks_after"] = len(tasks)
    on_other = [t for t in tasks if t["image"] != broken_release["original"]]
    assert tasks and not on_other, \
        f"after the rollback {len(on_other)} task(s) run {on_other[0]['image'] if on_other else '?'}"
