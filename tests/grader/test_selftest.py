"""``lab selftest``'s control flow with its steps stubbed (provider, notebooks, checks):
the order of the steps, env down on every path (failures and Ctrl-C included) unless
``--keep``, the verdict, the exit code and the printed report. A real selftest takes
minutes and is run by hand (see docs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from grader import execute, providers, runner, selftest
from grader.chapters import Chapter
from grader.checks import Check, Result
from grader.errors import LabError
from grader.providers.base import Removed

CH = Chapter("ch10", "Containerise a microservice", provider="docker", network="ch10-lab")


class FakeProvider:
    name = "docker"

    def __init__(self, log: list, *, up_error=None, down_error=None):
        self.log, self.up_error, self.down_error = log, up_error, down_error

    def activate(self):
        self.log.append("activate")

    def up(self, *, progress=True):
        self.log.append("up")
        if self.up_error:
            raise self.up_error
        return ["created network ch10-lab"]

    def params(self):
        return {"LAB": "ch10"}

    def down(self):
        self.log.append("down")
        if self.down_error:
            raise self.down_error
        return Removed(networks=["ch10-lab"])


def result(status: str, n: int = 1) -> Result:
    return Result(Check(f"ch10.step.c{n}", f"check {n}", 1, "do it", "live"), status)


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Stubs for everything a selftest calls; ``world.log`` says what happened in order."""
    class World:
        def __init__(self):
            self.log, self.choices = [], []
            self.notebooks = [tmp_path / "01-a.ipynb", tmp_path / "02-b.ipynb"]
            self.runs_fail = None            # index of the notebook that fails
            self.results = [result("pass", 1), result("pass", 2)]
            self.checks_error = None
            self.provider = FakeProvider(self.log)

    w = World()
    monkeypatch.setattr("grader.chapters.get", lambda chapter, need_ready=True: CH)
    monkeypatch.setattr(providers, "for_chapter", lambda ch, client=None: w.provider)
    monkeypatch.setattr(providers, "chosen", lambda ch: "docker")
    monkeypatch.setattr(providers, "choose", lambda ch, name: w.choices.append(name))

    def plan(ch, *, solution, notebook):
        w.log.append("plan")
        assert solution is True and notebook is None
        return w.notebooks, tmp_path, ""

    def run(notebooks, cwd, params, *, on_start=None, timeout=900):
        w.log.append("run")
        out = []
        for i, nb in enumerate(notebooks):
            if on_start:
                on_start(nb)
            err = "cell 3: NameError: x" if i == w.runs_fail else ""
            out.append(execute.NotebookRun(nb, nb, 1.5, err))
            if err:
                break
        return out

    def checks(ch, lab_dir, **kw):
        w.log.append("checks")
        assert Path(lab_dir) == tmp_path
        if w.checks_error:
            raise w.checks_error
        return w.results

    monkeypatch.setattr(execute, "plan", plan)
    monkeypatch.setattr(execute, "run", run)
    monkeypatch.setattr(runner, "run", checks)
    return w


def steps(report) -> list[tuple[str, bool]]:
    return [(s.name, s.ok) for s in report.steps]


def test_a_good_selftest_runs_every_step_in_order_then_env_down(world):
    report = selftest.selftest("ch10")
    assert world.log == ["activate", "up", "plan", "run", "checks", "down"]
    assert steps(report) == [("env up", True), ("run solution", True), ("checks", True),
                             ("env down", True)]
    assert report.ok and report.provider == "docker"
    assert report.steps[0].detail == "created network ch10-lab"
    assert report.steps[3].detail == "removed 1 networks"
    assert report.summary()["checks"]["counts"]["pass"] == 2


def test_a_failing_notebook_fails_the_selftest_but_checks_and_down_still_run(world):
    world.runs_fail = 1
    report = selftest.selftest("ch10")
    assert world.log[-2:] == ["checks", "down"]
    assert steps(report)[1] == ("run solution", False)
    assert report.steps[1].detail.startswith("02-b.ipynb: cell 3: NameError")
    assert not report.ok


def test_a_failing_check_fails_the_selftest(world):
    world.results = [result("pass", 1), result("fail", 2)]
    report = selftest.selftest("ch10")
    assert steps(report)[2] == ("checks", False)
    assert report.steps[2].detail == "1 passed, 1 failed, 0 errors"
    assert not report.ok and world.log[-1] == "down"


def test_planned_checks_are_shown_not_counted(world):
    world.results = [result("pass", 1), result("n/a", 2)]
    report = selftest.selftest("ch10")
    assert report.ok and report.steps[2].detail.endswith(", 1 n/a")


def test_no_check_at_all_is_not_a_pass(world):
    world.results = []
    assert not selftest.selftest("ch10").ok


def test_env_up_trouble_is_a_laberror_and_env_down_still_runs(world):
    world.provider.up_error = LabError("Docker engine not reachable at unix:///x.sock")
    with pytest.raises(LabError, match="Docker engine not reachable"):
        selftest.selftest("ch10")
    assert world.log == ["activate", "up", "down"]


@pytest.mark.parametrize("where", ["up", "checks"])
def test_ctrl_c_anywhere_still_takes_the_environment_down(world, where):
    if where == "up":
        world.provider.up_error = KeyboardInterrupt()
    else:
        world.checks_error = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        selftest.selftest("ch10")
    assert world.log[-1] == "down"


def test_checks_that_cannot_load_are_a_laberror_after_env_down(world):
    world.checks_error = LabError("ch10 checks could not be loaded: boom")
    with pytest.raises(LabError, match="could not be loaded"):
        selftest.selftest("ch10")
    assert world.log[-1] == "down"


def test_keep_leaves_the_environment_up(world):
    report = selftest.selftest("ch10", keep=True)
    assert "down" not in world.log and report.kept and report.ok
    text = render_text(report)
    assert "environment kept: `lab env down ch10` removes it" in text


def test_a_failing_env_down_is_reported_not_raised(world):
    world.provider.down_error = LabError("the Docker engine went away")
    report = selftest.selftest("ch10")
    assert steps(report)[-1] == ("env down", False)
    assert report.steps[-1].detail == "the Docker engine went away"
    assert not report.ok


def test_a_provider_given_is_used_then_the_earlier_choice_comes_back(world, monkeypatch):
    monkeypatch.setattr(providers, "chosen", lambda ch: "swarm-dind")   # chosen before
    selftest.selftest("ch10", provider="swarm")
    assert world.choices == ["swarm", None, "swarm-dind"]
    world.choices.clear()
    monkeypatch.setattr(providers, "chosen", lambda ch: "docker")       # the default
    selftest.selftest("ch10", provider="docker")
    assert world.choices == ["docker", None]


def test_on_step_hears_each_step(world):
    heard = []
    selftest.selftest("ch10", on_step=heard.append)
    assert heard == ["env up", "run solution", "run solution: 01-a.ipynb",
                     "run solution: 02-b.ipynb", "checks", "env down"]


def render_text(report) -> str:
    console = Console(record=True, width=160)
    console.print(selftest.render(report))
    return console.export_text()


def test_render_shows_steps_checks_and_the_verdict(world):
    text = render_text(selftest.selftest("ch10"))
    for what in ("lab selftest ch10 on docker", "env up", "run solution", "checks", "env down",
                 "ch10.step.c1", "selftest ch10 on docker: ok"):
        assert what in text
    world.results = [result("fail", 1)]
    assert "selftest ch10 on docker: FAILED" in render_text(selftest.selftest("ch10"))


def test_command_prints_the_report_and_returns_the_exit_code(world, capsys):
    assert selftest.command("ch10", None, False) == 0
    out = capsys.readouterr()
    assert "selftest ch10 on docker: ok" in out.out
    assert "selftest ch10: env up" in out.err          # progress, no terminal: plain lines
    world.results = [result("error", 1)]
    assert selftest.command("ch10", None, False) == 1
