"""ch14.secrets and ch14.dev-secrets: secrets the swarm keeps encrypted and mounts as
files on a tmpfs — and the same file layout on a laptop without a swarm."""

import json

from docker.errors import NotFound

from checks.ch14 import names as n
from grader.checkkit import LabError, check, image_holds

IMAGE_LABEL = "org.container-labs.image"

CREATED = ("sample-secret", "other-secret", "api-secret-key")


@check("ch14.secrets.created", "Secrets sample-secret, other-secret and api-secret-key "
       "exist", points=2, layer="live",
       hint='echo "sample secret value" | docker secret create --label "$LAB_LABEL" '
            "sample-secret -; docker secret create --label \"$LAB_LABEL\" other-secret "
            "./other-secret.txt; the same for api-secret-key.")
def test_secrets_created(swarm):
    swarm.require_manager()
    missing = [s for s in CREATED if not swarm.secret(s)]
    assert not missing, f"no secret {', '.join(missing)}"
    leaked = [s for s in CREATED if swarm.secret(s)["Spec"].get("Data")]
    assert not leaked, f"the swarm returned the value of {', '.join(leaked)}"


@check("ch14.secrets.mounted", "Service web reads api-secret-key at /run/secrets and at "
       "/run/my-secrets", points=3, layer="live",
       hint="docker service create --name web --label \"$LAB_LABEL\" --network ch14-lab "
            "--replicas 2 --update-order start-first --secret api-secret-key --secret "
            "source=api-secret-key,target=/run/my-secrets/api-secret-key clabs/whoami:1.0 "
            "(the source writes /app/my-secrets in the text but /run/my-secrets in the command)")
def test_secret_mounted(service_of, task_files):
    svc = service_of(n.SECRETS_SERVICE)
    refs = [s for s in svc.secrets if s["name"] == "api-secret-key"]
    targets = {r["target"] for r in refs}
    assert refs, f"{svc.name} has no secret api-secret-key"
    assert {"api-secret-key", n.CUSTOM_TARGET} <= targets, \
        f"{svc.name} mounts api-secret-key at {', '.join(sorted(targets))}; the lab wants " \
        f"the default target and {n.CUSTOM_TARGET}"
    want = n.SECRETS["api-secret-key"]
    tasks = task_files(svc, "/run/secrets/api-secret-key", n.CUSTOM_TARGET)
    assert tasks, f"{svc.name} has no running task to look into"
    for ctr, found in tasks:  # every running task, on whichever node it runs
        for path, got in found.items():
            assert got, f"{path} is missing inside the task on {ctr.where}"
            assert got[1].strip() == want, \
                f"{path} inside the task on {ctr.where} does not hold the secret's value"


def _lab_image(attrs: dict) -> bool:
    """An image `lab images build` made (its label names one of its own tags), as
    opposed to one the student built: only the student's can hold their secret."""
    own = ((attrs.get("Config") or {}).get("Labels") or {}).get(IMAGE_LABEL)
    return bool(own) and own in (attrs.get("RepoTags") or [])


@check("ch14.secrets.hidden", "The secret's value appears in no inspect output, image or "
       "environment", points=2, layer="live",
       hint="Pass secrets with --secret only: never as -e/--env, a --label, a build "
            "argument or a file COPYd into an image.")
def test_secret_hidden(service_of, task_containers, docker_client):
    svc = service_of(n.SECRETS_SERVICE)
    value = n.SECRETS["api-secret-key"]
    assert value not in json.dumps(svc.attrs), f"docker service inspect {svc.name} shows it"
    tasks = task_containers(svc)  # every running task, on whichever node it runs
    assert tasks, f"{svc.name} has no running task: the grader cannot look at its containers"
    images = set()
    for ctr in tasks:
        attrs = ctr.inspect()
        assert value not in json.dumps(attrs["Config"]), \
            f"the configuration (env, labels, command) of a task's container on {ctr.where} " \
            "holds it"
        images.add(attrs["Image"])
    for image_id in sorted(images):
        try:
            img = docker_client.api.inspect_image(image_id)
            history = docker_client.api.history(image_id)
        except NotFound:
            raise LabError(f"the image of {svc.name}'s tasks ({image_id[:19]}) is not on the "
                           "engine the grader talks to, so it cannot look into it") from None
        name = (img.get("RepoTags") or [image_id[:19]])[0]
        assert value not in json.dumps(history) + json.dumps(img.get("Config")), \
            f"image {name} holds it in its history or configuration"
        if not _lab_image(img):  # the student's own image: look at its files too
            assert not image_holds(docker_client, image_id, {"api-secret-key": value}), \
                f"a file in image {name} holds it"
