"""Every static ch14 check, proven both ways: it passes on the reference solution and
fails, with its hint, on the mistake it exists to catch (the source's errata included)."""

import pytest

from tests.checks.helpers import release_with_solutions, run_checks, set_answer_cell

STATIC = ("ch14.rolling.file", "ch14.health.dockerfile", "ch14.health.stack-file",
          "ch14.rollback.file", "ch14.strategies.answers", "ch14.configs.answers",
          "ch14.legacy.files", "ch14.questions.answers")


@pytest.fixture
def solved(tmp_path):
    return release_with_solutions("ch14", tmp_path / "ch14")


def _fails(lab_dir, check_id, *seen):
    r = run_checks(lab_dir, check_id)[check_id]
    assert r.status == "fail", (r.status, r.message)
    for s in seen:
        assert s in r.message, r.message
    assert r.as_dict()["hint"] == r.check.hint != ""
    return r


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_reference_solution_passes_every_static_check(solved):
    results = run_checks(solved, *STATIC)
    assert set(STATIC) <= set(results)
    bad = {i: (r.status, r.message) for i, r in results.items()
           if i in STATIC and r.status != "pass"}
    assert not bad


def test_stack_file_that_is_not_yaml(solved):
    (solved / "stack.yaml").write_text("services:\n  web:\n    image: [clabs/nginx:v1\n")
    _fails(solved, "ch14.rolling.file", "stack.yaml is not valid YAML (line")


def test_wrong_parallelism(solved):
    _edit(solved / "stack.yaml", "parallelism: 2", "parallelism: 5")
    _fails(solved, "ch14.rolling.file", "parallelism is 5")


def test_delay_without_unit(solved):
    _edit(solved / "stack.yaml", "delay: 10s", "delay: 10")
    _fails(solved, "ch14.rolling.file", "delay")


def test_healthcheck_missing_its_continuation(solved):
    # erratum 1: the source's HEALTHCHECK lost its backslash, so CMD became its own line
    df = solved / "health" / "Dockerfile"
    text = df.read_text()
    assert "\\\n" in text
    df.write_text(text.replace("\\\n", "\n", 1))
    _fails(solved, "ch14.health.dockerfile", "line continuation")


def test_stack_healthcheck_wrong_interval(solved):
    _edit(solved / "stack-health.yaml", "interval: 5s", "interval: 30s")
    _fails(solved, "ch14.health.stack-file", "interval")


def test_rollback_left_at_pause(solved):
    _edit(solved / "stack-rollback.yaml", "failure_action: rollback", "failure_action: pause")
    _fails(solved, "ch14.rollback.file", "pauses instead of rolling back")


def test_monitor_shorter_than_detection(solved):
    _edit(solved / "stack-rollback.yaml", "monitor: 10s", "monitor: 5s")
    _fails(solved, "ch14.rollback.file", "8s")


def test_entrypoint_with_the_sources_typo(solved):
    # erratum 2: /run/secret/ (no s)
    _edit(solved / "legacy" / "entrypoint.sh", "/run/secrets/demo-secret", "/run/secret/demo-secret")
    _fails(solved, "ch14.legacy.files", "/run/secret/")


def test_entrypoint_reading_a_secret_never_created(solved):
    # erratum 2: the name read differs from the secret created
    _edit(solved / "legacy" / "entrypoint.sh", "/run/secrets/db-password", "/run/secrets/db_password")
    _fails(solved, "ch14.legacy.files", "db_password")


def test_wrong_inventory_command(solved):
    nb = solved / "04-secrets.ipynb"
    import nbformat
    cells = nbformat.read(nb, as_version=4).cells
    src = next(c.source for c in cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "ch14-questions-answers")
    lines = [ln for ln in src.splitlines() if not ln.startswith("INVENTORY_UPDATE")]
    lines.append('INVENTORY_UPDATE = "docker service update --image acme/inventory:2.1 '
                 '--update-parallelism 2 --update-delay 60 inventory"')
    set_answer_cell(nb, "ch14-questions-answers", "\n".join(lines) + "\n")
    _fails(solved, "ch14.questions.answers", "INVENTORY_UPDATE")


def test_unanswered_strategies(solved):
    set_answer_cell(solved / "02-health-and-rollback.ipynb", "ch14-strategies-answers",
                    "# YOUR CODE HERE\nraise NotImplementedError()")
    _fails(solved, "ch14.strategies.answers", "no answer yet")


def test_a_recorded_swarm_dump_grades_without_an_engine(solved, tmp_path):
    """`--from-dump` with the swarm part only (a recorded solved swarm): the swarm state
    checks pass; checks that need the engine's containers, a look inside a task or to
    act are n/a — none fails or errors for lack of a live environment."""
    import json
    from pathlib import Path

    from grader import chapters, runner
    recorded = json.loads((Path(__file__).parents[2] / "grader" / "state" / "fixtures"
                           / "swarm_ch14_solved.json").read_text())
    dump = tmp_path / "ch14.json"
    dump.write_text(json.dumps({"apiVersion": "container-labs/v1", "kind": "LabDump",
                                "chapter": "ch14", "docker": None, "kube": None,
                                "swarm": {"node_state": "active", "manager": True, **recorded}}))
    results = {r.check.id: r for r in runner.run(chapters.get("ch14"), solved, dump=dump)}
    assert not {i: r.message for i, r in results.items() if r.status == "error"}
    # the recording holds one config and one secret, and web_web never went through an
    # update (no UpdateStatus): the dump is graded, not skipped. (It was taken after the
    # grader's rolling check had put web_web back, before the grader marked its own
    # updates: nothing in it says that the student updated web_web; see
    # test_rolling_updated_needs_the_students_update for the marked case.)
    failed = {i: r.message for i, r in results.items() if r.status == "fail"}
    assert set(failed) == {"ch14.configs.properties", "ch14.secrets.created",
                           "ch14.rolling.updated"}, failed
    assert failed["ch14.secrets.created"] == "no secret sample-secret, other-secret"
    passed = {i for i, r in results.items() if r.status == "pass"}
    assert {"ch14.rolling.spec", "ch14.configs.hello", "ch14.rollback.service"} <= passed, \
        sorted(passed)
    na = {i: r.message for i, r in results.items() if r.status == "n/a"}
    assert all("needs a live environment" in m for m in na.values()), na
    assert results["ch14.rolling.traffic"].status == "n/a"  # behaviour: the grader acts


def _grade_recorded(tmp_path, solved, change, *ids):
    """Grade the recorded solved swarm (tests/grader/state/fixtures) after ``change``."""
    import json
    from pathlib import Path

    from grader import chapters, runner
    recorded = json.loads((Path(__file__).parents[2] / "grader" / "state" / "fixtures"
                           / "swarm_ch14_solved.json").read_text())
    change(recorded)
    dump = tmp_path / "ch14.json"
    dump.write_text(json.dumps({"apiVersion": "container-labs/v1", "kind": "LabDump",
                                "chapter": "ch14", "docker": None, "kube": None,
                                "swarm": {"node_state": "active", "manager": True, **recorded}}))
    return {r.check.id: r for r in runner.run(chapters.get("ch14"), solved, dump=dump,
                                              only=list(ids))}


@pytest.mark.parametrize("status,previous_mark,verdict", [
    (None, None, "fail"),                       # created on v2 and never updated
    ({"State": "completed"}, None, "pass"),     # the student's own update
    ({"State": "paused"}, None, "fail"),
    (None, "completed", "pass"),                # the grader put it back; it found "completed"
    ({"State": "completed"}, "none", "fail"),   # the grader's own update; it found none
])
def test_rolling_updated_needs_the_students_update(solved, tmp_path, status, previous_mark,
                                                     verdict):
    def change(recorded):
        web = next(s for s in recorded["services"] if s["Spec"]["Name"] == "web_web")
        web.pop("UpdateStatus", None)
        web.pop("PreviousSpec", None)
        if status:
            web["UpdateStatus"] = {**status, "StartedAt": "2030-01-01T00:00:00Z"}
        if previous_mark:  # the spec the grader posted before it put web_web back
            from grader.rollout import FOUND_LABEL
            web["PreviousSpec"] = {**web["Spec"], "Labels": {FOUND_LABEL: previous_mark}}
    r = _grade_recorded(tmp_path, solved, change, "ch14.rolling.updated")["ch14.rolling.updated"]
    assert r.status == verdict, (r.status, r.message)
    if verdict == "fail":
        assert r.check.hint and r.message
