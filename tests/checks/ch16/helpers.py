"""Running ch16's static checks on a lab folder, for the static and answer tests."""

from __future__ import annotations

from pathlib import Path

from grader import chapters, runner

ANSWER_CELLS = {
    "ch16.web.answers": ("01-deploy-the-pets-app.ipynb", "ch16-web-answers"),
    "ch16.liveness.answers": ("02-probes.ipynb", "ch16-liveness-answers"),
    "ch16.readiness.answers": ("02-probes.ipynb", "ch16-readiness-answers"),
    "ch16.startup.answers": ("02-probes.ipynb", "ch16-startup-answers"),
    "ch16.rolling.answers": ("03-rolling-and-blue-green.ipynb", "ch16-rolling-answers"),
    "ch16.blue-green.answers": ("03-rolling-and-blue-green.ipynb", "ch16-blue-green-answers"),
    "ch16.secret-yaml.answers": ("04-secrets.ipynb", "ch16-secret-yaml-answers"),
    "ch16.secret-cli.answers": ("04-secrets.ipynb", "ch16-secret-cli-answers"),
    "ch16.secret-env.answers": ("04-secrets.ipynb", "ch16-secret-env-answers"),
}


def run(lab_dir: Path, *only: str) -> dict:
    results = runner.run(chapters.CHAPTERS["ch16"], lab_dir, only=list(only), layers=["static"])
    return {r.check.id: r for r in results}


def fails(lab_dir: Path, check_id: str, *seen: str):
    r = run(lab_dir, check_id)[check_id]
    assert r.status == "fail", (r.status, r.message)
    for s in seen:
        assert s in r.message, r.message
    assert r.as_dict()["hint"] == r.check.hint != ""
    return r


def passes(lab_dir: Path, check_id: str) -> None:
    r = run(lab_dir, check_id)[check_id]
    assert r.status == "pass", r.message


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))
