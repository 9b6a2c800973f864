"""ch10.multistage: make the user service's image small with a multi-stage build on a
pinned base."""

import re

from checks.ch10.names import MAX_FINAL_IMAGE_MB, USER_V1, USER_V2, V1_FILE, V2_FILE
from checks.ch10.userimage import serves_health
from grader.checkkit import check


@check("ch10.multistage.stages", "Dockerfile is multi-stage: build stage, small final stage",
       points=2, layer="static",
       hint=f"In {V2_FILE}: `FROM clabs/golang:1.19 AS build` compiles a static binary "
            "(CGO_ENABLED=0); a second `FROM scratch` stage does `COPY --from=build` of the "
            "binary only.")
def test_multistage(lab, dockerfiles):
    df = dockerfiles(lab.require(V2_FILE))
    assert len(df.stages) >= 2, f"{V2_FILE} has {len(df.stages)} stage(s); a multi-stage build has 2+"
    final = df.final
    assert any("--from=" in v for v in final.values("COPY")), \
        "the final stage copies nothing from an earlier stage (COPY --from=<stage>)"
    assert final.base.lower() != df.stages[0].base.lower(), \
        f"the final stage starts from {final.base}, the same as the build stage: nothing is saved"
    assert not _builds_go_in(final), "the final stage still runs `go build`"


def _builds_go_in(stage) -> bool:
    return any(re.search(r"\bgo\s+(build|install)\b", v) for v in stage.values("RUN"))


@check("ch10.multistage.pinned", "Every base image is pinned (no `latest`, no missing tag)",
       points=2, layer="static",
       hint="The source used `golang:latest`: a build that changes when upstream changes. "
            "Name an exact tag, e.g. clabs/golang:1.19 (hadolint DL3006/DL3007); a "
            "`FROM $BASE` needs an `ARG BASE=<image>:<tag>` default before it.")
def test_pinned_bases(lab, dockerfiles):
    # every FROM, with the ARG defaults before the first FROM put in (as the builder
    # does): the same rules as hadolint's DL3006/DL3007, which skips `FROM $VAR`
    assert lab.path(V2_FILE).is_file(), f"{V2_FILE} not found in {lab.lab_dir}"
    bad, bases = [], []
    for rel in (V1_FILE, V2_FILE):
        p = lab.path(rel)
        if p.is_file():
            df = dockerfiles(p)
            assert df.stages, f"{rel} has no FROM line"
            bases += df.external_bases()
            bad += [f"{rel}: {b}" for b in df.unpinned_bases()]
    assert not bad, "unpinned base image: " + "; ".join(sorted(set(bad)))
    assert bases, "no base image to look at"


@check("ch10.multistage.lint", "hadolint finds no errors in the Dockerfiles", points=1,
       layer="static",
       hint="Run `hadolint user/Dockerfile` and fix the errors it lists (warnings are fine).")
def test_hadolint_errors(lab, dockerfiles):
    # hadolint missing, failing or printing something unreadable is a LabError (error)
    assert lab.path(V2_FILE).is_file(), f"{V2_FILE} not found in {lab.lab_dir}"
    # a file with no FROM has nothing to lint: no errors there is not a clean Dockerfile
    assert dockerfiles(lab.path(V2_FILE)).stages, f"{V2_FILE} has no FROM: not written yet"
    errors, linted = [], []
    for rel in (V1_FILE, V2_FILE, "mysql/Dockerfile"):
        p = lab.path(rel)
        if p.is_file():
            errors += [f"{rel}:{f.get('line')} {f.get('code')} {f.get('message')}"
                       for f in dockerfiles(p).lint if f.get("level") == "error"]
            linted.append(rel)
    assert not errors, "; ".join(errors[:3])
    assert V2_FILE in linted, f"hadolint did not lint {V2_FILE}"


@check("ch10.multistage.size", f"{USER_V2} is small (< {MAX_FINAL_IMAGE_MB} MB)", points=2,
       layer="live",
       hint=f"docker build --label \"$LAB_LABEL\" -t {USER_V2} user — if it is still large, "
            "the final stage is not `scratch` (or a slim base), or it copies the whole "
            "build stage instead of the binary.")
def test_v2_size(state):
    img = state.image(USER_V2)
    assert img, f"no image {USER_V2}"
    mb = img.size / 1e6
    assert mb < MAX_FINAL_IMAGE_MB, f"{USER_V2} is {mb:.0f} MB"
    v1 = state.image(USER_V1)
    if v1:
        assert img.size < v1.size, f"{USER_V2} ({mb:.0f} MB) is not smaller than {USER_V1}"


@check("ch10.multistage.runs", f"A container from {USER_V2} starts and answers /healthz",
       points=2, layer="behaviour",
       hint="A binary from `FROM scratch` must be static: build with CGO_ENABLED=0. "
            "Look at `docker run --rm user:v2` output if it exits at once.")
def test_v2_runs(state, docker_client, grader_labels):
    assert state.image(USER_V2), f"no image {USER_V2}"
    serves_health(docker_client, USER_V2, grader_labels)
