"""The input digest: what changes it, and what does not."""

from grader.grading.digest import input_digest


def test_digest_follows_files_params_keys_and_limits(tmp_path):
    sub, keys = tmp_path / "sub", tmp_path / "keys"
    sub.mkdir()
    keys.mkdir()
    (sub / "01.ipynb").write_text("a")
    (keys / "answers.py").write_text("K = 1")

    def d(params=None, limits=None):
        return input_digest(sub, "ch14", params or {}, keys=keys, released=None,
                            limits=limits or {"cpus": 1})

    first = d()
    assert first == d() and first.startswith("sha256:")
    (sub / ".ipynb_checkpoints").mkdir()
    (sub / ".ipynb_checkpoints" / "x").write_text("autosave")
    assert d() == first
    assert d({"update_delay": "1"}) != first
    assert d(limits={"cpus": 2}) != first
    (keys / "answers.py").write_text("K = 2")
    second = d()
    assert second != first
    (sub / "01.ipynb").write_text("b")
    assert d() != second
    assert input_digest(sub, "ch10", {}, keys=keys, released=None, limits={"cpus": 1}) != d()
