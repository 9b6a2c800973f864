"""ch16.secret-volume: Secret pets-secret as files of Deployment web-secret, a read-only
volume at /etc/secrets (one file per key).

Inside the container: clabs/pets-web is FROM scratch (no shell, no cat), so nothing can
be exec'd in it. The grader runs a copy of the pod (same spec, same Secret, its own
labels so no controller adopts it) with a toolbox container beside the program, in
one process namespace, and reads the program's files through /proc/PID/root: what
the kubelet mounted for a pod of this spec, now. The student's own pod is not touched
(an ephemeral debug container, as notebook 04 uses, would stay in its spec)."""

import base64
import binascii

from checks.ch16 import names as n
from grader.checkkit import (
    check,
    describe_pod,
    kube_actions,
    kube_inside,
    params_number,
    pod_container,
    workload_object,
    workload_problem,
    workload_ready_pod,
)


def mount_problem(obj: dict, where: str) -> str | None:
    """The volume from Secret pets-secret, mounted read-only at /etc/secrets in web."""
    spec = obj.get("spec") or {}
    spec = (spec.get("template") or {}).get("spec") or spec
    vol = next((v for v in spec.get("volumes") or []
                if (v.get("secret") or {}).get("secretName") == n.SECRET), None)
    if vol is None:
        return f"{where}: no volume from Secret {n.SECRET} (volumes: " \
               f"{', '.join(str(v.get('name')) for v in spec.get('volumes') or []) or 'none'})"
    c = pod_container(obj, n.WEB)
    if c is None:
        return f"{where}: no container {n.WEB}"
    mount = next((m for m in c.get("volumeMounts") or [] if m.get("name") == vol.get("name")), None)
    if mount is None or mount.get("mountPath") != n.SECRET_MOUNT:
        return (f"{where}: container {n.WEB} does not mount volume {vol.get('name')} at "
                f"{n.SECRET_MOUNT}" + (f" (it is at {mount.get('mountPath')})" if mount else ""))
    if mount.get("readOnly") is not True:
        return f"{where}: the mount at {n.SECRET_MOUNT} is not readOnly: the program could write there"
    if mount.get("subPath"):
        return f"{where}: the mount uses subPath {mount['subPath']}: one file, which never follows the Secret"
    return None


@check("ch16.secret-volume.file", "web-deploy-secret.yaml: Deployment web-secret mounts "
       "pets-secret read-only at /etc/secrets", points=2, layer="static",
       hint="web-deploy-secret.yaml: Deployment web-secret (labels app: pets, service: "
            "web-secret), container web with clabs/pets-web:2.0 and volumeMounts [{name: "
            "secrets, mountPath: /etc/secrets, readOnly: true}], volumes [{name: secrets, "
            "secret: {secretName: pets-secret}}].")
def test_secret_volume_file(lab):
    dep = workload_object(lab, n.SECRET_VOLUME_FILE, "Deployment", n.SECRET_VOLUME_DEPLOYMENT)
    labels = {"app": "pets", "service": n.SECRET_VOLUME_DEPLOYMENT}
    for problem in (workload_problem(dep, n.SECRET_VOLUME_FILE, labels),
                    mount_problem(dep, n.SECRET_VOLUME_FILE)):
        assert problem is None, problem


@check("ch16.secret-volume.pod", "A ready pod of web-secret has pets-secret read-only at "
       "/etc/secrets", points=2, layer="live",
       hint="kubectl apply -f web-deploy-secret.yaml; `kubectl rollout status "
            "deployment/web-secret`. Not ready: `kubectl describe pod -l service=web-secret` "
            "(a Secret that does not exist keeps the pod in ContainerCreating).")
def test_secret_volume_pod(kube, details):
    pod = workload_ready_pod(kube, "Deployment", n.SECRET_VOLUME_DEPLOYMENT)
    details["pod"] = describe_pod(pod)
    problem = mount_problem(pod, f"pod {pod['metadata']['name']}")
    assert problem is None, problem


def parse_peek(output: str) -> dict:
    """``KEY rest`` lines of the grader's script, by key (rest: the rest of the line)."""
    found: dict = {}
    for line in output.splitlines():
        key, _, rest = line.partition(" ")
        found.setdefault(key, []).append(rest)
    return found


def decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


LOOK = ("echo \"mount $(awk '$5 == \"" + n.SECRET_MOUNT + "\" {print $6}' /proc/$pid/mountinfo)\"; "
        "for f in " + " ".join(n.SECRET_VALUES) + "; do "
        "if [ -f \"$root" + n.SECRET_MOUNT + "/$f\" ]; then "
        "echo \"file $f $(base64 -w0 < \"$root" + n.SECRET_MOUNT + "/$f\")\"; "
        "else echo \"missing $f\"; fi; done; "
        "echo \"list $(ls \"$root" + n.SECRET_MOUNT + "\" 2>/dev/null | tr '\\n' ' ')\"")


@check("ch16.secret-volume.inside", "Inside a copy of web-secret's pod, the program sees "
       "/etc/secrets/username and password, read-only", points=2, layer="behaviour",
       hint="The grader starts a copy of a web-secret pod (its own labels; deleted afterwards) "
            "with a toolbox container in the same process namespace and reads, through "
            "/proc/<pid>/root of pets-web, /etc/secrets/username (john.doe) and password "
            "(sEcret-pasSw0rD), and the mount's options (ro). Values with a newline come from "
            "the Secret (erratum 8).")
def test_secret_volume_inside(kube, kube_api, lab, grader_labels, details):
    pod = workload_ready_pod(kube, "Deployment", n.SECRET_VOLUME_DEPLOYMENT)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    got = kube_inside.look_at_program(
        session, pod, n.WEB, n.PROGRAM, LOOK, image=n.TOOLBOX_IMAGE,
        timeout=params_number(lab, "inside_timeout", n.INSIDE_TIMEOUT), details=details)
    seen = parse_peek(got.stdout)
    details.update(mount=(seen.get("mount") or [""])[0],
                   files=(seen.get("list") or [""])[0].split())
    options = (seen.get("mount") or [""])[0].split(",")
    assert options[0] == "ro", \
        f"{n.SECRET_MOUNT} is mounted {','.join(options) or 'not at all'} inside the container, not ro"
    files = {}
    for rest in seen.get("file") or []:
        name, _, data = rest.partition(" ")
        files[name] = decode(data)
    missing = [f for f in n.SECRET_VALUES if files.get(f) is None]
    assert not missing, f"inside the container, {n.SECRET_MOUNT} has no " \
                        f"{', '.join(missing)} (it holds: {(seen.get('list') or [''])[0] or 'nothing'})"
    wrong = {k: v for k, v in files.items() if k in n.SECRET_VALUES and v != n.SECRET_VALUES[k].encode()}
    assert not wrong, "inside the container, " + "; ".join(
        f"{n.SECRET_MOUNT}/{k} holds {v.decode(errors='replace')!r}, not {n.SECRET_VALUES[k]!r}"
        for k, v in wrong.items())
