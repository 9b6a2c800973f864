"""ch14.rolling: a stack of 10 nginx replicas updated 2 at a time, 10 s apart — and the
grader's own rolling update under traffic, which must lose no request."""

import pytest

from checks.ch14 import names as n
from checks.ch14.params import behaviour_params
from grader.checkkit import Traffic, check, rollout, stackfile


@check("ch14.rolling.file", "stack.yaml: service web, 10 replicas, updates 2 at a time "
       "every 10s", points=2, layer="static",
       hint="In stack.yaml, service `web`: image clabs/nginx:v1, deploy: {replicas: 10, "
            "update_config: {parallelism: 2, delay: 10s}}, on the external network ch14-lab.")
def test_stack_file(stack):
    web = stackfile.service(stack(n.ROLLING_FILE), "web", n.ROLLING_FILE)
    deploy = web.get("deploy") or {}
    assert deploy.get("replicas") == n.ROLLING_REPLICAS, \
        f"deploy.replicas is {deploy.get('replicas')!r}, not {n.ROLLING_REPLICAS}"
    upd = deploy.get("update_config") or {}
    assert upd.get("parallelism") == n.ROLLING_PARALLELISM, \
        f"update_config.parallelism is {upd.get('parallelism')!r}, not {n.ROLLING_PARALLELISM}"
    assert stackfile.duration(upd.get("delay")) == n.ROLLING_DELAY, \
        f"update_config.delay is {upd.get('delay')!r}, not 10s"
    assert str(web.get("image", "")).startswith("clabs/nginx:"), \
        f"service web runs {web.get('image')!r}, not the lab's clabs/nginx image"


@check("ch14.rolling.spec", "Service web_web: 10 replicas, parallelism 2, delay 10s",
       points=2, layer="live",
       hint="docker stack deploy -c stack.yaml web (the stack's name makes the service "
            "web_web); `docker service inspect --pretty web_web` shows the update settings.")
def test_service_spec(service_of):
    svc = service_of(n.ROLLING_SERVICE)
    assert svc.replicas == n.ROLLING_REPLICAS, f"{svc.name} wants {svc.replicas} replicas, not 10"
    par = svc.update_config["Parallelism"]
    assert par == n.ROLLING_PARALLELISM, f"{svc.name} updates {par} task(s) at a time, not 2"
    assert svc.update_delay == n.ROLLING_DELAY, \
        f"{svc.name} waits {svc.update_delay:g}s between batches, not 10s"


@check("ch14.rolling.updated", "Every task of web_web runs clabs/nginx:v2, update completed",
       points=2, layer="live",
       hint="docker service update --image clabs/nginx:v2 web_web, then watch "
            "`docker service ps web_web` until every running task is on v2.")
def test_updated_to_v2(service_of, swarm):
    svc = service_of(n.ROLLING_SERVICE)
    assert svc.image == n.NGINX_V2, f"{svc.name} is set to {svc.image}, not {n.NGINX_V2}"
    running = swarm.running_tasks(svc)
    assert len(running) == svc.replicas, \
        f"{len(running)} of {svc.replicas} tasks of {svc.name} are running"
    old = [swarm.task_image(t) for t in running if swarm.task_image(t) != n.NGINX_V2]
    assert not old, f"{len(old)} running task(s) still on {old[0]}"
    # the student's own update, not one the grader's rolling check made on an earlier run
    state = rollout.students_update_status(svc.attrs)
    assert state is not None, \
        f"{svc.name} was never updated: it was created on {n.NGINX_V2}. Deploy the stack " \
        f"on {n.NGINX_V1}, then update it to {n.NGINX_V2}"
    assert state == "completed", f"the last update of {svc.name} ended {state!r}, not completed"


@pytest.fixture(scope="module")
def rolled(request, docker_client, grader_labels, not_restored):
    """The grader rolls web_web to the other nginx version stop-first, then back
    start-first, each under its own traffic, so the lab can compare the two orders."""

    params = behaviour_params(request.config)
    delay, timeout = params["update_delay"], params["timeout"]
    api = docker_client.api
    original = rollout.spec_to_restore(api, n.ROLLING_SERVICE)
    # the grader's specs carry the student's update state: putting the spec back resets it
    mark = rollout.found_mark(rollout.inspect(api, n.ROLLING_SERVICE))
    image = original["TaskTemplate"]["ContainerSpec"]["Image"].split("@", 1)[0]
    other = n.NGINX_V1 if image == n.NGINX_V2 else n.NGINX_V2
    runs, traffic, notes, lost = [], {}, [], []
    try:
        for order, to in (("stop-first", other), ("start-first", image)):
            with Traffic(docker_client, f"http://tasks.{n.ROLLING_SERVICE}/version",
                         n.NETWORK, grader_labels) as load:
                try:
                    runs.append(rollout.apply(api, n.ROLLING_SERVICE, rollout.with_changes(
                        original, image=to, delay_s=delay, order=order, labels=mark),
                        timeout=timeout))
                finally:
                    traffic[order] = load.stop()
    finally:
        back = rollout.restore(api, n.ROLLING_SERVICE, original, timeout=timeout)
        notes.append(str(back))
        if not back.ok:
            lost.append(back.line)
            not_restored(back.line)
    return {"runs": runs, "traffic": traffic, "notes": notes, "not_restored": lost}


@check("ch14.rolling.batches", "A rolling update of web_web takes down at most 2 tasks at "
       "once", points=3, layer="behaviour",
       hint="The grader updates web_web to the other nginx version and back, counting "
            "running tasks every 0.2 s. Keep update_config.parallelism at 2 and 10 replicas.")
def test_batches(rolled, details, not_restored):
    for line in rolled["not_restored"]:
        not_restored(line)
    runs = rolled["runs"]
    details.update(rollouts=[r.line() for r in runs], restore=rolled["notes"])
    assert len(runs) == 2, "the grader could not finish both updates"
    for r in runs:
        r.require_samples()  # no sample: nothing is known about the tasks down (an error)
        assert r.state == "completed", f"the grader's update ended {r.state!r}: {r.message}"
    worst = max(r.max_down for r in runs)
    details["max_down"] = worst
    assert worst <= n.ROLLING_PARALLELISM, \
        f"{worst} tasks were down at once during the update (parallelism allows 2)"


@check("ch14.rolling.traffic", "No request fails while web_web rolls, stop-first or "
       "start-first", points=3, layer="behaviour",
       hint="The grader rolls web_web once stop-first and once start-first while it sends "
            "requests to every task (tasks.web_web). Failures mean too few tasks served at "
            "some moment: keep 10 replicas and parallelism 2, so 8 tasks serve while a "
            "batch is replaced.")
def test_no_failed_requests(rolled, details, not_restored):
    for line in rolled["not_restored"]:
        not_restored(line)
    by_order = rolled["traffic"]
    details["by_order"] = {o: s.as_details() for o, s in by_order.items()}
    details.update(requests=sum(s.requests for s in by_order.values()),
                   failed=sum(s.failed for s in by_order.values()),
                   p50_ms=max(s.p50_ms or 0 for s in by_order.values()),
                   p99_ms=max(s.p99_ms or 0 for s in by_order.values()),
                   rate_per_s=round(min(s.rate for s in by_order.values()), 1),
                   summary="; ".join(f"{o}: {s.line()}" for o, s in by_order.items()),
                   restore=rolled["notes"])
    assert len(by_order) == 2, "the grader could not finish both updates"
    assert all(s.requests > 0 for s in by_order.values()), "the traffic generator sent no request"
    lost = {o: s for o, s in by_order.items() if s.failed}
    assert not lost, "; ".join(f"{o}: {s.line()}" for o, s in lost.items())
