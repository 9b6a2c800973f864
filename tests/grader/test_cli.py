"""The CLI's contract: exit codes and one clear line for bad input, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

LAB = [sys.executable, "-m", "grader.cli"]


def lab(*args, env=None, cwd=None):
    e = {**os.environ, **(env or {})}
    return subprocess.run(LAB + list(args), capture_output=True, text=True, env=e, cwd=cwd,
                          timeout=300, check=False)


def one_line_error(p):
    lines = [ln for ln in p.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    return lines[0]


def test_help_everywhere():
    for args in ([], ["env"], ["images"], ["check", "--help"], ["run", "--help"],
                 ["start", "--help"], ["doctor", "--help"], ["env", "up", "--help"],
                 ["images", "build", "--help"]):
        p = lab(*(args or ["--help"]))
        assert p.returncode in (0, 2) and "Usage" in p.stdout + p.stderr, args


def test_unknown_chapter_lists_the_chapters():
    for cmd in (["check", "ch99"], ["env", "up", "ch99"], ["run", "nine"], ["start", "ch3"]):
        p = lab(*cmd)
        assert p.returncode == 2
        assert "ch10, ch14, ch15, ch16" in one_line_error(p)


def test_chapter_not_written_yet(monkeypatch):
    import dataclasses

    import pytest

    from grader import chapters
    from grader.errors import LabError
    monkeypatch.setitem(chapters.CHAPTERS, "ch16", dataclasses.replace(
        chapters.CHAPTERS["ch16"], ready=False, not_ready_reason="the ch16 lab is not written yet"))
    with pytest.raises(LabError, match="not written yet; ready now: ch10, ch14, ch15") as err:
        chapters.get("ch16")
    assert err.value.code == 2


def test_usage_error_is_exit_2():
    p = lab("check")
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_engine_down_is_one_line(tmp_path):
    env = {"DOCKER_HOST": f"unix://{tmp_path}/nothing.sock"}
    for cmd in (["check", "ch10", "--lab-dir", str(tmp_path)], ["env", "up", "ch10"],
                ["env", "down", "ch10"], ["env", "status"], ["images", "build", "redis"]):
        p = lab(*cmd, env=env)
        assert p.returncode == 2, (cmd, p.stdout, p.stderr)
        assert "Docker engine not reachable" in one_line_error(p)


def test_doctor_json_says_engine_down(tmp_path):
    p = lab("doctor", "--json", env={"DOCKER_HOST": f"unix://{tmp_path}/nothing.sock"})
    assert p.returncode == 2
    facts = json.loads(p.stdout)
    assert facts["docker"]["reachable"] is False and facts["python"]


def test_check_without_workspace(tmp_path):
    p = lab("check", "ch10", env={"LAB_HOME": str(tmp_path)})
    assert p.returncode == 2 and "lab start ch10" in one_line_error(p)


def test_run_bad_notebooks(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{ this is not json")
    p = lab("run", "ch10", "--notebook", str(bad))
    assert p.returncode == 2 and "not a valid notebook" in one_line_error(p)
    p = lab("run", "ch10", "--notebook", str(tmp_path / "missing.ipynb"))
    assert p.returncode == 2 and "notebook not found" in one_line_error(p)
    assert bad.read_text() == "{ this is not json"  # loses nothing


def test_images_load_missing_file(tmp_path):
    p = lab("images", "load", str(tmp_path / "nope.tar"))
    assert p.returncode == 2 and "nope.tar" in one_line_error(p)


def test_help_is_fast():
    import time
    t0 = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "lab"), "--help"], capture_output=True,
                   check=False)
    # a figure, not an assert on speed: benchmarks/ measures it
    print(f"lab --help: {time.perf_counter() - t0:.3f}s")


def test_bad_layer_and_param_are_one_line(tmp_path):
    p = lab("check", "ch14", "--lab-dir", str(tmp_path), "--layer", "bogus")
    assert p.returncode == 2 and "the layers are static, live, behaviour" in one_line_error(p)
    p = lab("check", "ch14", "--lab-dir", str(tmp_path), "--param", "update_delay")
    assert p.returncode == 2 and "KEY=VALUE" in one_line_error(p)


def test_bad_dumps_are_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    for dump, says in ((tmp_path / "missing.json", "no dump at"),
                       (bad, "not valid JSON (line 1")):
        p = lab("check", "ch14", "--lab-dir", str(tmp_path), "--from-dump", str(dump))
        assert p.returncode == 2, p.stderr
        assert says in one_line_error(p)


def test_dump_of_an_unknown_chapter(tmp_path):
    p = lab("dump", "ch99", str(tmp_path / "x.json"))
    assert p.returncode == 2 and "unknown chapter" in one_line_error(p)
    assert not (tmp_path / "x.json").exists()


def test_static_checks_need_no_environment(tmp_path):
    """With nothing to reach (no engine, no kubeconfig) the static layer still grades."""
    env = {"DOCKER_HOST": f"unix://{tmp_path}/nothing.sock", "KUBECONFIG": str(tmp_path / "none")}
    p = lab("check", "ch15", "--lab-dir", str(tmp_path), "--layer", "static", "--json", env=env)
    assert p.returncode == 1, p.stderr
    checks = json.loads(p.stdout)["checks"]
    assert checks and all(c["layer"] == "static" for c in checks)
    assert {c["status"] for c in checks} == {"fail"}  # an empty folder: nothing written yet
    p = lab("check", "ch15", "--lab-dir", str(tmp_path), "--layer", "live", env=env)
    assert p.returncode == 2 and "kubeconfig" in one_line_error(p)


def test_check_table_starts_with_the_totals_and_lists_each_problem_on_its_own_line(tmp_path):
    """The terminal says what the notebook says: totals first, then per failure what
    was seen (one line per unanswered question) and what to do."""
    from tests.checks.helpers import release_with_solutions, set_answer_cell
    lab_dir = release_with_solutions("ch10", tmp_path / "ch10")
    set_answer_cell(lab_dir / "01-images-and-containers.ipynb", "ch10-lifecycle-answers",
                    "STOP_COMMAND = ...\nKILL_COMMAND = ...\n")
    env = {"DOCKER_HOST": f"unix://{tmp_path}/nothing.sock", "COLUMNS": "200"}
    p = lab("check", "ch10", "--lab-dir", str(lab_dir), "--only", "ch10.lifecycle",
            "--only", "ch10.multistage.stages", "--layer", "static", env=env)
    assert p.returncode == 1, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("lab check ch10")
    assert lines[1:3] == ["step ch10.lifecycle: 0/3 points", "step ch10.multistage: 2/2 points"]
    assert lines[3].startswith("chapter ch10: 2/5 points in the checks run, of ")
    seen = next(i for i, ln in enumerate(lines) if "seen: STOP_COMMAND: no answer yet" in ln)
    assert lines[seen + 1].strip().startswith("KILL_COMMAND: no answer yet")
    assert any(ln.strip().startswith("do:   Answer the questions") for ln in lines[seen:])
    doc = json.loads(lab("check", "ch10", "--lab-dir", str(lab_dir), "--only", "ch10.lifecycle",
                         "--layer", "static", "--json", env=env).stdout)
    message = doc["checks"][0]["message"].splitlines()
    assert message[0].startswith("STOP_COMMAND:") and message[1].startswith("KILL_COMMAND:")
