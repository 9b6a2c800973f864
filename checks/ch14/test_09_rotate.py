"""ch14.rotate: secrets are immutable, so rotating one means a new secret mounted under
the old file name — in one rolling update that loses no request."""

import copy

import pytest

from checks.ch14 import names as n
from checks.ch14.params import behaviour_params
from grader.checkkit import Traffic, check, poll, rollout


@check("ch14.rotate.service", "Service web reads db-password-v2 as /run/secrets/db-password",
       points=3, layer="live",
       hint="docker secret create --label \"$LAB_LABEL\" db-password-v2 -, then one update: "
            "docker service update --secret-rm db-password --secret-add "
            "source=db-password-v2,target=db-password web")
def test_rotated(service_of, task_files):
    svc = service_of(n.SECRETS_SERVICE)
    by_name = {s["name"]: s for s in svc.secrets}
    assert "db-password" not in by_name, f"{svc.name} still mounts the old db-password"
    new = by_name.get("db-password-v2")
    assert new, f"{svc.name} has no secret db-password-v2"
    assert new["target"] == "db-password", \
        f"db-password-v2 is mounted as {new['target']}: the app reads /run/secrets/db-password"
    path = "/run/secrets/db-password"
    tasks = task_files(svc, path)  # every running task, on whichever node it runs
    assert tasks, f"{svc.name} has no running task to look into"
    for ctr, files in tasks:
        got = files[path]
        assert got and got[1].strip() == n.SECRETS["db-password-v2"], \
            f"{path} in the task of web on {ctr.where} does not hold db-password-v2's value"


def _swap(spec: dict, old: str, new_id: str, new_name: str) -> list:
    refs = copy.deepcopy(spec["TaskTemplate"]["ContainerSpec"].get("Secrets") or [])
    for ref in refs:
        if ref.get("SecretName") == old:
            ref["SecretID"], ref["SecretName"] = new_id, new_name
    return refs


@pytest.fixture(scope="module")
def rotated(request, docker_client, grader_labels, not_restored):
    """The grader rotates web's password to a secret of its own and back, under traffic."""
    from docker.errors import APIError, NotFound


    params = behaviour_params(request.config)
    api = docker_client.api
    original = rollout.spec_to_restore(api, n.SECRETS_SERVICE)
    names = [r.get("SecretName") for r in original["TaskTemplate"]["ContainerSpec"].get(
        "Secrets") or []]
    assert "db-password-v2" in names, "web has no db-password-v2 to rotate: do the step first"
    labels = grader_labels
    for old in docker_client.secrets.list(filters={"name": n.ROTATION_SECRET}):
        old.remove()  # left by an interrupted run
    mine = docker_client.secrets.create(name=n.ROTATION_SECRET, labels=labels,
                                        data=n.SECRETS["db-password-v2"].encode())
    runs, notes, lost = [], [], []
    try:
        with Traffic(docker_client, f"http://tasks.{n.SECRETS_SERVICE}:8000/health",
                     n.NETWORK, labels) as traffic:
            try:
                spec = rollout.with_changes(original, delay_s=params["update_delay"], secrets=_swap(
                    original, "db-password-v2", mine.id, n.ROTATION_SECRET))
                runs.append(rollout.apply(api, n.SECRETS_SERVICE, spec, timeout=params["timeout"]))
                runs.append(rollout.apply(api, n.SECRETS_SERVICE, rollout.with_changes(
                    original, delay_s=params["update_delay"]), timeout=params["timeout"]))
            finally:
                try:
                    summary = traffic.stop()
                finally:
                    back = rollout.restore(api, n.SECRETS_SERVICE, original,
                                           timeout=params["timeout"])
                    notes.append(str(back))
                    if not back.ok:
                        lost.append(back.line)
                        not_restored(back.line)
    finally:
        def removed():
            try:
                mine.remove()
            except NotFound:
                pass
            return True
        try:
            poll.wait_for(removed, timeout=30, what=f"secret {n.ROTATION_SECRET} removed")
        except (poll.Timeout, APIError) as err:
            line = f"could not remove secret {n.ROTATION_SECRET}: {err}"
            notes.append(line)
            lost.append(line)
            not_restored(line)
    return {"runs": runs, "traffic": summary, "notes": notes, "not_restored": lost}


@check("ch14.rotate.traffic", "Rotating web's secret loses no request", points=3,
       layer="behaviour",
       hint="The grader swaps web's password secret and back while sending requests to "
            "every task. A single replica updated stop-first leaves a gap: run 2+ replicas "
            "and --update-order start-first.")
def test_rotation_without_downtime(rotated, details, not_restored):
    for line in rotated["not_restored"]:
        not_restored(line)
    s = rotated["traffic"]
    details.update(s.as_details(), rollouts=[r.line() for r in rotated["runs"]],
                   restore=rotated["notes"], summary=s.line())
    assert len(rotated["runs"]) == 2, "the grader could not finish both updates"
    for r in rotated["runs"]:
        assert r.state == "completed", f"the grader's rotation ended {r.state!r}: {r.message}"
    assert s.requests > 0, "the traffic generator sent no request"
    assert s.failed == 0, s.line()
