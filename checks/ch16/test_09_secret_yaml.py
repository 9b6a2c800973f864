"""ch16.secret-yaml: Secret pets-secret written as YAML, its values base64 (an encoding,
not encryption) of the exact bytes; the source encodes them with `echo`, which adds a
newline (erratum 8: `am9obi5kb2UK` is `john.doe\\n`)."""

from checks.ch16 import names as n
from grader.checkkit import (
    answers,
    check,
    kube_object,
    kube_require,
    manifest_object,
    secret_data,
)

CHECK_ANSWERS = "ch16.secret-yaml.answers"


@check(CHECK_ANSWERS, "Secret questions answered correctly", points=2, layer="static",
       hint=f"Answer the questions in {n.ANSWER_CELLS[CHECK_ANSWERS][0]}: decode with `base64 "
            "-d`, count bytes with `wc -c` or `od -c`, read `kubectl describe secret "
            "pets-secret`.")
def test_secret_yaml_answers(lab):
    notebook, grade_id = n.ANSWER_CELLS[CHECK_ANSWERS]
    answers.require_right(lab.require(notebook), grade_id, CHECK_ANSWERS)


def values_problem(values: dict[str, bytes], want: dict[str, str], where: str) -> str | None:
    """Keys exactly ``want``'s, each value its bytes: what differs (a trailing newline,
    base64 encoded twice, a file name as the key), else None."""
    import base64
    import binascii
    keys, expected = sorted(values), sorted(want)
    if keys != expected:
        named = [k for k in keys if k.rsplit(".", 1)[0] in want and k not in want]
        return (f"{where} has the keys {', '.join(keys) or 'none'}, not {', '.join(expected)}"
                + (f": {named[0]} is a file's name (`--from-file=FILE` names the key after the "
                   f"file; `--from-file={named[0].rsplit('.', 1)[0]}=FILE` does not)" if named else ""))
    for key, text in want.items():
        got = values[key]
        if got == text.encode():
            continue
        if got.rstrip(b"\r\n") == text.encode():
            return (f"{where}: {key} is {got.decode(errors='replace')!r}, with a trailing newline: "
                    "`echo` adds one before base64 (use `printf '%s'` or `echo -n`)")
        try:
            if base64.b64decode(got, validate=True).rstrip(b"\n") == text.encode():
                return (f"{where}: {key} is {got.decode(errors='replace')!r}, the base64 of "
                        f"{text!r}: encoded twice (the value was base64 already)")
        except (binascii.Error, ValueError):
            pass
        return f"{where}: {key} is {got.decode(errors='replace')[:40]!r}, not {text!r}"
    return None


@check("ch16.secret-yaml.file", "pets-secret.yaml: Secret pets-secret, username and password "
       "encoding exactly john.doe and sEcret-pasSw0rD", points=2, layer="static",
       hint="pets-secret.yaml: apiVersion v1, kind Secret, name pets-secret, type Opaque, data: "
            "username: and password: the base64 of the values without a newline (`printf '%s' "
            "john.doe | base64` gives am9obi5kb2U=; the source's `echo` gives am9obi5kb2UK, "
            "which decodes to john.doe plus a newline: erratum 8).")
def test_secret_yaml_file(lab):
    secret = manifest_object(lab, n.SECRET_FILE, "Secret", n.SECRET)
    kind = secret.get("type", "Opaque")
    assert kind == "Opaque", f"{n.SECRET_FILE}: type {kind}, not Opaque"
    problem = values_problem(secret_data(secret), n.SECRET_VALUES, n.SECRET_FILE)
    assert problem is None, problem


@check("ch16.secret-yaml.secret", "Secret pets-secret holds john.doe and sEcret-pasSw0rD",
       points=2, layer="live",
       hint="kubectl apply -f pets-secret.yaml; `kubectl get secret pets-secret -o "
            "jsonpath='{.data.username}' | base64 -d | od -c` shows every byte: no \\n at the "
            "end (erratum 8).")
def test_secret_yaml_secret(kube):
    kube_require(kube, "Secret")
    secret = kube_object(kube, "Secret", n.SECRET)
    problem = values_problem(secret_data(secret), n.SECRET_VALUES, f"Secret {n.SECRET}")
    assert problem is None, problem
