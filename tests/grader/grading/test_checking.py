"""Reading `lab check --json` back: exit 2 with JSON (a check errored) is a result."""

import json
import subprocess

from grader.grading import checking


def fake_run(code, stdout, stderr=""):
    def run(args, **kw):
        assert args[-4:] == ["--only", "ch14.configs", "--param", "update_delay=1"]
        assert kw["env"]["DOCKER_HOST"] == "unix:///tmp/x.sock"
        return subprocess.CompletedProcess(args, code, stdout, stderr)
    return run


def test_a_check_that_errored_is_still_a_result(monkeypatch, tmp_path):
    doc = {"checks": [{"id": "ch14.configs.hello", "status": "error"}]}
    monkeypatch.setattr(subprocess, "run", fake_run(2, json.dumps(doc)))
    got = checking.run("ch14", tmp_path, "unix:///tmp/x.sock", {"update_delay": 1},
                       only=["ch14.configs"])
    assert got == (doc["checks"], "")


def test_checks_that_could_not_run_say_why(monkeypatch, tmp_path):
    monkeypatch.setattr(subprocess, "run", fake_run(2, "", "lab: Docker engine not reachable\n"))
    got = checking.run("ch14", tmp_path, "unix:///tmp/x.sock", {"update_delay": 1},
                       only=["ch14.configs"])
    assert got == ([], "the checks could not run: lab: Docker engine not reachable")
