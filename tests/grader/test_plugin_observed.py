"""grader.plugin's rule that a pass requires an observation: a check whose assertions
all sat in a loop or branch that did not run is an error, not a pass."""

import textwrap

import pytest

from grader import plugin

CHECKS = '''
from grader.checkkit import check


@check("chx.a.empty", "Every item is fine", points=1, hint="h", layer="static")
def test_empty_loop():
    for item in []:  # nothing to look at: the assertion never runs
        assert item


@check("chx.a.asserts", "Something is fine", points=1, hint="h", layer="static")
def test_asserts():
    assert 1 + 1 == 2


@check("chx.a.helper", "A helper of this module asserts", points=1, hint="h",
       layer="static")
def test_helper():
    for item in []:
        assert item
    _looked()


def _looked():
    assert "seen"


@check("chx.a.failing", "Something is wrong", points=1, hint="h", layer="static")
def test_failing():
    for item in [0]:
        assert item, "item 0 is not fine"
'''


class _Keep:
    def pytest_configure(self, config):
        self.config = config


def _run(tmp_path, ini: str) -> dict:
    folder = tmp_path / "chx"
    folder.mkdir()
    (folder / "test_observed_rule.py").write_text(CHECKS)
    (tmp_path / "pytest.ini").write_text(textwrap.dedent(ini))
    keep = _Keep()
    pytest.main([str(folder), "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
                 "--disable-plugin-autoload", "-p", "grader.plugin", "-p", "no:terminal",
                 "--lab-dir", str(tmp_path), "--lab-chapter", "chx"], plugins=[keep])
    return {r.check.id: r for r in keep.config.stash[plugin.RESULTS]}


def test_a_check_that_evaluated_none_of_its_assertions_is_an_error(tmp_path):
    results = _run(tmp_path, """
        [pytest]
        python_files = test_*.py
        addopts = -p no:cacheprovider
        enable_assertion_pass_hook = true
    """)
    assert results["chx.a.empty"].status == "error"
    assert "observed nothing" in results["chx.a.empty"].message
    assert results["chx.a.asserts"].status == "pass"
    assert results["chx.a.helper"].status == "pass"  # its module's helper asserted
    assert results["chx.a.failing"].status == "fail"


def test_the_check_runs_use_the_rule():
    from grader.chapters import CHECKS
    text = (CHECKS / "pytest.ini").read_text()
    assert "enable_assertion_pass_hook = true" in text
