"""ch14.dev-secrets: during development, files bind-mounted where the secrets would be."""

from checks.ch14 import names as n
from grader.checkkit import check, read_files


@check("ch14.dev-secrets.mounted", "Container whoami sees dev-secrets/ at /run/secrets",
       points=2, layer="live",
       hint='docker container run -d --name whoami --label "$LAB_LABEL" -p 8000:8000 '
            '-v "$PWD/dev-secrets:/run/secrets:ro" clabs/whoami:1.0 — with the file '
            "dev-secrets/api-secret-key next to the notebook.")
def test_dev_secrets(lab, state, container_host):
    src = lab.require(f"{n.DEV_SECRETS_DIR}/api-secret-key")
    ctr = state.container(n.DEV_CONTAINER)
    assert ctr and ctr.running, f"no running container {n.DEV_CONTAINER}"
    mounts = {m.get("Destination"): m for m in ctr.attrs.get("Mounts") or []}
    assert "/run/secrets" in mounts, f"{n.DEV_CONTAINER} has nothing mounted at /run/secrets"
    assert mounts["/run/secrets"].get("Type") == "bind", "/run/secrets is not a bind mount"
    path = "/run/secrets/api-secret-key"
    inside = read_files(container_host(n.DEV_CONTAINER), path)[path]
    assert inside, f"{path} is missing inside the container"
    assert inside[1] == src.read_text(), \
        "the file inside differs from dev-secrets/api-secret-key"
