"""ch16.secret-cli: Secret pets-secret-prod made with `kubectl create secret generic
--from-file` from raw files. The source's files hold base64 (kubectl encodes again) and
its `--from-file=./username.txt` names the keys username.txt (erratum 9)."""

import base64
import binascii

from checks.ch16 import names as n
from grader.checkkit import answers, check, kube_object, kube_require, secret_data

CHECK_ANSWERS = "ch16.secret-cli.answers"


@check(CHECK_ANSWERS, "Secrets-from-files questions answered correctly", points=2,
       layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]} from the dry run of the "
            "source's command (`--dry-run=client -o yaml`): its keys and its values.")
def test_secret_cli_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


@check("ch16.secret-cli.files", "secret-files/username.txt and password.txt hold the raw "
       "values, without a newline", points=1, layer="static",
       hint="printf '%s' 'sue-hunter' > secret-files/username.txt and printf '%s' "
            "'123abc456def' > secret-files/password.txt: the raw bytes, no newline and not "
            "base64 (kubectl encodes the file's content itself: erratum 9).")
def test_secret_files(lab):
    problems = [p for p in (_file_problem(lab, key, value) for key, value in n.PROD_VALUES.items()) if p]
    assert not problems, problems[0]


def _file_problem(lab, key: str, value: str) -> str | None:
    relative = f"{n.SECRET_FILES_DIR}/{key}.txt"
    got = lab.require(relative).read_bytes()
    if got == value.encode():
        return None
    if got.rstrip(b"\r\n") == value.encode():
        return f"{relative} ends with a newline: the secret's value would too (use printf '%s')"
    try:
        double = base64.b64decode(got.strip(), validate=True).rstrip(b"\n") == value.encode()
    except (binascii.Error, ValueError):
        double = False
    if double:
        return (f"{relative} holds the base64 of {value!r}: kubectl encodes the file once more "
                "(erratum 9); write the raw value")
    return f"{relative} holds {got[:40]!r}, not {value!r}"


@check("ch16.secret-cli.secret", "Secret pets-secret-prod has the keys username and password "
       "with the files' raw values", points=2, layer="live",
       hint="kubectl create secret generic pets-secret-prod "
            "--from-file=username=./secret-files/username.txt "
            "--from-file=password=./secret-files/password.txt (KEY=FILE: without it the key "
            "is the file's name, username.txt: erratum 9). Delete and create it again to fix "
            "it: `kubectl delete secret pets-secret-prod`.")
def test_secret_cli_secret(kube):
    kube_require(kube, "Secret")
    secret = kube_object(kube, "Secret", n.PROD_SECRET)
    values = secret_data(secret)
    keys = sorted(values)
    named = [k for k in keys if k.endswith(".txt")]
    assert not named, \
        f"Secret {n.PROD_SECRET} has the keys {', '.join(keys)}: named after the files (erratum " \
        f"9); the program reads {', '.join(n.PROD_VALUES)}: use --from-file=KEY=FILE"
    assert keys == sorted(n.PROD_VALUES), \
        f"Secret {n.PROD_SECRET} has the keys {', '.join(keys) or 'none'}, not " \
        f"{', '.join(sorted(n.PROD_VALUES))}"
    for key, value in n.PROD_VALUES.items():
        got = values[key]
        if got == value.encode():
            continue
        assert got.rstrip(b"\r\n") != value.encode(), \
            f"Secret {n.PROD_SECRET}: {key} ends with a newline (the file had one)"
        try:
            double = base64.b64decode(got, validate=True).rstrip(b"\n") == value.encode()
        except (binascii.Error, ValueError):
            double = False
        assert not double, f"Secret {n.PROD_SECRET}: {key} is {got.decode(errors='replace')!r}, the " \
                           f"base64 of {value!r}: the file held base64 and kubectl encoded it again"
        raise AssertionError(f"Secret {n.PROD_SECRET}: {key} is {got[:40]!r}, not {value!r}")
