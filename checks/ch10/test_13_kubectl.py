"""ch10.kubectl: the everyday kubectl commands (list, logs, describe, exec, namespaces),
as answer cells, and the decoded value of the Secret that `lab env up ch10 --provider
kind` planted with a value made up for this student: `kubectl get secret -o yaml` shows
it base64-encoded, `base64 --decode` gives it back. The value is the student's own, so
it is answered in a file the notebook's command writes (a reference solution could not
hold it), and compared with the cluster's."""

from checks.ch10 import names as n
from grader.checkkit import LabError, answers, check, kube_require, secret_data

CHECK_ANSWERS = "ch10.kubectl.answers"


@check(CHECK_ANSWERS, "Everyday kubectl commands answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} (the cell after the "
            "kubectl tour); try each command first.")
def test_kubectl_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


@check("ch10.kubectl.secret", f"{n.PLANTED_FILE} holds the decoded value of Secret "
       f"{n.PLANTED_SECRET} (planted for you)", points=2, layer="live",
       hint=f"kubectl get secret {n.PLANTED_SECRET} -o jsonpath='{{.data.{n.PLANTED_KEY}}}' | "
            f"base64 --decode > {n.PLANTED_FILE} (the value itself: not the base64 text, and no "
            "newline added by an echo).")
def test_kubectl_secret(lab, kube):
    given = lab.require(n.PLANTED_FILE).read_bytes()
    kube_require(kube, "Secret")
    secret = kube.get("Secret", n.PLANTED_SECRET)
    if secret is None:
        raise LabError(f"no Secret {n.PLANTED_SECRET} in namespace {kube.namespace}: the "
                       "environment plants it; run `lab env up ch10 --provider kind` again")
    want = secret_data(secret).get(n.PLANTED_KEY, b"")
    encoded = ((secret.get("data") or {}).get(n.PLANTED_KEY) or "").encode()
    assert given, f"{n.PLANTED_FILE} is empty"
    assert given.strip() != encoded, \
        f"{n.PLANTED_FILE} holds the base64 text as `kubectl get secret` shows it: decode it"
    assert given == want, \
        f"{n.PLANTED_FILE} does not hold the value of {n.PLANTED_SECRET}" + \
        (" (it ends with a newline)" if given.rstrip(b"\n") == want else "")
