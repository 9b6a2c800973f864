"""Running ch16's static checks on a lab folder, for the static and answer tests."""

from __future__ import annotations

from pathlib import Path

from tests.checks.helpers import run_static, static_fails, static_passes

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
    return run_static("ch16", lab_dir, *only)


def fails(lab_dir: Path, check_id: str, *seen: str):
    return static_fails("ch16", lab_dir, check_id, *seen)


def passes(lab_dir: Path, check_id: str) -> None:
    static_passes("ch16", lab_dir, check_id)
