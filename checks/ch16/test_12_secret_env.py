"""ch16.secret-env: the values of pets-secret as environment variables PETS_USERNAME and
PETS_PASSWORD of Deployment web-secret-env (valueFrom.secretKeyRef: no volume, no value
written in the manifest). Inside the container as in ch16.secret-volume: through a copy
of the pod, reading the program's /proc/PID/environ."""

import base64
import binascii

from checks.ch16 import names as n
from grader.checkkit import (
    answers,
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

CHECK_ANSWERS = "ch16.secret-env.answers"


@check(CHECK_ANSWERS, "Secrets-as-environment questions answered correctly", points=2,
       layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]}: when does the kubelet "
            "read a secretKeyRef, and when does it update the files of a Secret volume?")
def test_secret_env_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def env_problem(obj: dict, where: str) -> str | None:
    """PETS_USERNAME and PETS_PASSWORD of container web from pets-secret's keys."""
    c = pod_container(obj, n.WEB)
    if c is None:
        return f"{where}: no container {n.WEB}"
    env = {e.get("name"): e for e in c.get("env") or []}
    for var, key in n.SECRET_ENV.items():
        e = env.get(var)
        if e is None:
            return f"{where}: container {n.WEB} has no env {var}"
        if "value" in e:
            return f"{where}: {var} is written in the manifest ({e['value']!r}): take it from the " \
                   f"Secret with valueFrom.secretKeyRef"
        ref = (e.get("valueFrom") or {}).get("secretKeyRef") or {}
        if (ref.get("name"), ref.get("key")) != (n.SECRET, key):
            return (f"{where}: {var} comes from {ref.get('name') or 'no Secret'} key "
                    f"{ref.get('key')!r}, not {n.SECRET} key {key!r}")
    return None


@check("ch16.secret-env.file", "web-deploy-secret-env.yaml: PETS_USERNAME and PETS_PASSWORD "
       "from pets-secret by secretKeyRef", points=2, layer="static",
       hint="web-deploy-secret-env.yaml: Deployment web-secret-env, container web with env "
            "[{name: PETS_USERNAME, valueFrom: {secretKeyRef: {name: pets-secret, key: "
            "username}}}, {name: PETS_PASSWORD, ... key: password}]; no value: in the manifest.")
def test_secret_env_file(lab):
    dep = workload_object(lab, n.SECRET_ENV_FILE, "Deployment", n.SECRET_ENV_DEPLOYMENT)
    labels = {"app": "pets", "service": n.SECRET_ENV_DEPLOYMENT}
    for problem in (workload_problem(dep, n.SECRET_ENV_FILE, labels),
                    env_problem(dep, n.SECRET_ENV_FILE)):
        assert problem is None, problem


@check("ch16.secret-env.pod", "A ready pod of web-secret-env takes PETS_USERNAME and "
       "PETS_PASSWORD from pets-secret", points=2, layer="live",
       hint="kubectl apply -f web-deploy-secret-env.yaml; `kubectl rollout status "
            "deployment/web-secret-env`. CreateContainerConfigError: a key the Secret does not "
            "have (`kubectl describe pod -l service=web-secret-env`).")
def test_secret_env_pod(kube, details):
    pod = workload_ready_pod(kube, "Deployment", n.SECRET_ENV_DEPLOYMENT)
    details["pod"] = describe_pod(pod)
    problem = env_problem(pod, f"pod {pod['metadata']['name']}")
    assert problem is None, problem


LOOK = ("echo \"environ $(grep -z -E '^(" + "|".join(n.SECRET_ENV) + ")=' /proc/$pid/environ "
        "| base64 -w0)\"")


def environment(output: str) -> dict[str, bytes] | None:
    """The variables the script found, from its ``environ BASE64`` line."""
    line = next((ln for ln in output.splitlines() if ln.startswith("environ")), None)
    if line is None:
        return None
    try:
        raw = base64.b64decode(line.partition(" ")[2].strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    found = {}
    for entry in raw.split(b"\0"):
        name, eq, value = entry.partition(b"=")
        if eq:
            found[name.decode(errors="replace")] = value
    return found


@check("ch16.secret-env.inside", "Inside a copy of web-secret-env's pod, the program's "
       "environment holds PETS_USERNAME=john.doe and PETS_PASSWORD=sEcret-pasSw0rD", points=2,
       layer="behaviour",
       hint="The grader starts a copy of a web-secret-env pod (its own labels; deleted "
            "afterwards) with a toolbox container in the same process namespace and reads "
            "/proc/<pid>/environ of pets-web. A value with a newline comes from the Secret "
            "(erratum 8).")
def test_secret_env_inside(kube, kube_api, lab, grader_labels, details):
    pod = workload_ready_pod(kube, "Deployment", n.SECRET_ENV_DEPLOYMENT)
    session = kube_actions.Session(kube_api, lab.namespace, grader_labels)
    got = kube_inside.look_at_program(
        session, pod, n.WEB, n.PROGRAM, LOOK, image=n.TOOLBOX_IMAGE,
        timeout=params_number(lab, "inside_timeout", n.INSIDE_TIMEOUT), details=details)
    env = environment(got.stdout)
    assert env is not None, f"the grader's look inside the copy printed no environment: {got.line()}"
    details["variables"] = sorted(env)
    want = {var: n.SECRET_VALUES[key].encode() for var, key in n.SECRET_ENV.items()}
    missing = [v for v in want if v not in env]
    assert not missing, f"the program's environment has no {', '.join(missing)}"
    wrong = [f"{v}={env[v].decode(errors='replace')!r}, not {want[v].decode()!r}"
             for v in want if env[v] != want[v]]
    assert not wrong, "in the program's environment, " + "; ".join(wrong)
