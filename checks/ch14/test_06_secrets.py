"""ch14.secrets and ch14.dev-secrets: secrets the swarm keeps encrypted and mounts as
files on a tmpfs — and the same file layout on a laptop without a swarm."""

import json

from checks.ch14 import names as n
from grader.checkkit import check, read_files

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
def test_secret_mounted(service_of, task_host):
    svc = service_of(n.SECRETS_SERVICE)
    refs = [s for s in svc.secrets if s["name"] == "api-secret-key"]
    targets = {r["target"] for r in refs}
    assert refs, f"{svc.name} has no secret api-secret-key"
    assert {"api-secret-key", n.CUSTOM_TARGET} <= targets, \
        f"{svc.name} mounts api-secret-key at {', '.join(sorted(targets))}; the lab wants " \
        f"the default target and {n.CUSTOM_TARGET}"
    want = n.SECRETS["api-secret-key"]
    found = read_files(task_host(svc), "/run/secrets/api-secret-key", n.CUSTOM_TARGET)
    for path, got in found.items():
        assert got, f"{path} is missing inside a task of {svc.name}"
        assert got[1].strip() == want, f"{path} does not hold the secret's value"


@check("ch14.secrets.hidden", "The secret's value appears in no inspect output, image or "
       "environment", points=2, layer="live",
       hint="Pass secrets with --secret only: never as -e/--env, a --label, a build "
            "argument or a file COPYd into an image.")
def test_secret_hidden(service_of, swarm, state):
    svc = service_of(n.SECRETS_SERVICE)
    value = n.SECRETS["api-secret-key"]
    assert value not in json.dumps(svc.attrs), f"docker service inspect {svc.name} shows it"
    for t in swarm.running_tasks(svc):
        ctr = next((c for c in state.containers if c.id == swarm.task_container(t)), None)
        if ctr is None:
            continue
        assert value not in json.dumps(ctr.attrs["Config"]), \
            f"container {ctr.name}'s configuration (env, labels, command) holds it"
        img = state.image_by_id(ctr.image_id)
        if img is not None:
            history = json.dumps(img.history())
            assert value not in history, f"image {img.tags[:1]} holds it in its history"
