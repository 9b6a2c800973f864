"""ch14.legacy: an app that wants its secret in an environment variable or a config file
gets it from an entrypoint script at start — never from the image."""

import json
import re

from checks.ch14 import names as n
from grader.checkkit import check, image_files, image_holds

ENTRYPOINT = f"{n.LEGACY_DIR}/entrypoint.sh"
DOCKERFILE = f"{n.LEGACY_DIR}/Dockerfile"


@check("ch14.legacy.files", "legacy/: entrypoint reads /run/secrets/<the created names>, "
       "then execs the app", points=3, layer="static",
       hint="The source's script reads /run/secret/ (missing s) and a secret named unlike "
            "the one created. Read /run/secrets/demo-secret and /run/secrets/db-password, "
            "sed the <<db_password_value>> placeholder in /app/whoami.conf, end with "
            "`exec /app/whoami`; the Dockerfile copies whoami.conf to /app/ and the script "
            "to /, and runs it (CMD [\"/entrypoint.sh\"]).")
def test_legacy_files(lab, dockerfiles):
    script = lab.require(ENTRYPOINT).read_text()
    assert not re.search(r"/run/secret/", script), \
        f"{ENTRYPOINT} reads /run/secret/: secrets are mounted under /run/secrets/"
    read = set(re.findall(r"/run/secrets/([A-Za-z0-9_.-]+)", script))
    unknown = read - set(n.SECRETS)
    assert not unknown, f"{ENTRYPOINT} reads {', '.join(sorted(unknown))}, a secret the lab " \
                        "never creates"
    assert {"demo-secret", "db-password"} <= read, \
        f"{ENTRYPOINT} should read demo-secret and db-password (it reads {sorted(read)})"
    assert "DEMO_SECRET" in script and n.PLACEHOLDER in script, \
        f"{ENTRYPOINT} should export DEMO_SECRET and replace {n.PLACEHOLDER}"
    lines = [ln.strip() for ln in script.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert lines and lines[-1].startswith("exec "), \
        f"{ENTRYPOINT} should end by exec-ing the app, so it runs as PID 1 and gets signals"
    df = dockerfiles(lab.require(DOCKERFILE))
    cmd = " ".join(df.final.values("CMD") + df.final.values("ENTRYPOINT"))
    assert "entrypoint.sh" in cmd, f"{DOCKERFILE} does not run entrypoint.sh"
    copies = " ".join(df.final.values("COPY") + df.final.values("ADD"))
    assert "whoami.conf" in copies and "entrypoint.sh" in copies, \
        f"{DOCKERFILE} should COPY whoami.conf and entrypoint.sh"


LEAKABLE = ("demo-secret", "db-password", "db-password-v2")


@check("ch14.legacy.replaced", "Inside service demo the placeholder holds the password and "
       "DEMO_SECRET is set", points=3, layer="live",
       hint="docker build --label \"$LAB_LABEL\" -t secrets-demo:1.0 legacy; docker service "
            "create --name demo --label \"$LAB_LABEL\" --network ch14-lab --secret "
            "demo-secret --secret db-password secrets-demo:1.0 — legacy/whoami.conf keeps "
            "the <<db_password_value>> placeholder: the entrypoint fills it in at start.")
def test_placeholder_replaced(service_of, task_files, docker_client, grader_labels):
    svc = service_of(n.LEGACY_SERVICE)
    assert svc.image.split("@")[0] == n.LEGACY_IMAGE, f"{svc.name} runs {svc.image}"
    tasks = task_files(svc, n.LEGACY_CONF, "/proc/1/environ")  # every running task
    assert tasks, f"{svc.name} has no running task to look into"
    # the image holds the placeholder: the password in a task came from the secret, at start
    image_id = tasks[0][0].inspect()["Image"]
    in_image = image_files(docker_client, image_id, n.LEGACY_CONF, labels=grader_labels)
    assert in_image, f"the image of {svc.name} has no {n.LEGACY_CONF}"
    assert n.PLACEHOLDER in in_image[n.LEGACY_CONF], \
        f"{n.LEGACY_CONF} in the image {n.LEGACY_IMAGE} has no {n.PLACEHOLDER}: the entrypoint " \
        "has nothing to replace, so nothing shows that the password came from the secret"
    for ctr, conf in tasks:
        assert conf[n.LEGACY_CONF], f"{n.LEGACY_CONF} is missing in the task on {ctr.where}"
        text = conf[n.LEGACY_CONF][1]
        assert n.PLACEHOLDER not in text, \
            f"{n.LEGACY_CONF} in the task on {ctr.where} still has {n.PLACEHOLDER}"
        assert n.SECRETS["db-password"] in text or n.SECRETS["db-password-v2"] in text, \
            f"{n.LEGACY_CONF} in the task on {ctr.where} does not hold the db-password " \
            "secret's value"
        environ = (conf["/proc/1/environ"] or (0, ""))[1].split("\0")
        assert f"DEMO_SECRET={n.SECRETS['demo-secret']}" in environ, \
            f"the app (PID 1) in the task on {ctr.where} has no DEMO_SECRET with " \
            "demo-secret's value"


@check("ch14.legacy.hidden", "The image secrets-demo:1.0 holds no secret value", points=2,
       layer="live",
       hint="The values come in at run time from /run/secrets; never COPY a secret file "
            "(or a whoami.conf with the password written in), or pass it as a build "
            "argument or ENV.")
def test_image_has_no_secret(state, service_of, docker_client):
    img = state.image(n.LEGACY_IMAGE)
    assert img, f"no image {n.LEGACY_IMAGE}"
    blob = json.dumps(img.history()) + json.dumps(img.config)
    leaked = [k for k in LEAKABLE if n.SECRETS[k] in blob]
    assert not leaked, f"{n.LEGACY_IMAGE} holds the value of {', '.join(leaked)} in its " \
                       "history or configuration"
    # history never shows what a COPY copied: look at the image's files themselves
    leaked = image_holds(docker_client, img.id, {k: n.SECRETS[k] for k in LEAKABLE})
    assert not leaked, f"a file in {n.LEGACY_IMAGE} holds the value of {', '.join(leaked)}"
    svc = service_of(n.LEGACY_SERVICE)
    spec = json.dumps(svc.attrs)
    leaked = [k for k in ("demo-secret", "db-password") if n.SECRETS[k] in spec]
    assert not leaked, f"docker service inspect {svc.name} shows {', '.join(leaked)}"
