"""Stack files: durations, YAML errors as one line, services and healthchecks."""

import pytest

from grader import stackfile


@pytest.mark.parametrize("text,seconds", [
    ("10s", 10.0), ("1m30s", 90.0), ("500ms", 0.5), ("2h", 7200.0), ("1m", 60.0),
])
def test_durations(text, seconds):
    assert stackfile.duration(text) == seconds


@pytest.mark.parametrize("text", ["10", 10, 2.5, "ten seconds", "10 s", "", None, True, "5x"])
def test_not_durations(text):
    assert stackfile.duration(text) is None


def test_yaml_error_names_file_and_line(tmp_path):
    bad = tmp_path / "stack.yaml"
    bad.write_text("services:\n  web:\n    image: [unclosed\n")
    with pytest.raises(AssertionError, match=r"stack.yaml is not valid YAML \(line \d+"):
        stackfile.load(bad)


def test_no_services(tmp_path):
    f = tmp_path / "stack.yaml"
    f.write_text("version: '3.8'\n")
    with pytest.raises(AssertionError, match="no `services:`"):
        stackfile.load(f)


def test_service_and_healthcheck(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("services:\n  web:\n    healthcheck:\n      interval: 2s\n      retries: 3\n"
                 "      start_period: 1m\n")
    data = stackfile.load(f)
    hc = stackfile.healthcheck(stackfile.service(data, "web", "s.yaml"))
    assert hc == {"interval": 2.0, "retries": 3, "start_period": 60.0}
    with pytest.raises(AssertionError, match=r"no service `api` \(it has: web\)"):
        stackfile.service(data, "api", "s.yaml")
