"""ch10.dockerfile: build the user service into an image with a single-stage Dockerfile."""

import re

from checks.ch10.names import USER_V1, V1_FILE
from checks.ch10.userimage import serves_health
from grader.checkkit import check


def _builds_go(df) -> bool:
    return any(re.search(r"\bgo\s+(build|install)\b", v) for v in df.values("RUN"))


@check("ch10.dockerfile.file", "Dockerfile.v1 builds the service: FROM, WORKDIR, COPY, RUN, "
       "ENTRYPOINT", points=2, layer="static",
       hint=f"Write {V1_FILE}: FROM clabs/golang:1.19, WORKDIR /src, COPY . ., "
            "RUN go build -o /usr/local/bin/user ., ENTRYPOINT [\"/usr/local/bin/user\"].")
def test_v1_dockerfile_instructions(lab, dockerfiles):
    df = dockerfiles(lab.require(V1_FILE))
    assert df.stages, f"{V1_FILE} has no FROM line"
    missing = [i for i in ("WORKDIR", "COPY", "RUN") if not df.values(i) and
               not (i == "COPY" and df.values("ADD"))]
    assert not missing, f"{V1_FILE} has no {', '.join(missing)}"
    assert _builds_go(df), f"no RUN in {V1_FILE} compiles the service with `go build`"
    assert df.values("ENTRYPOINT") or df.values("CMD"), f"{V1_FILE} sets no ENTRYPOINT"


@check("ch10.dockerfile.image", f"Image {USER_V1} exists and has an entrypoint", points=1,
       layer="live",
       hint=f"docker build --label \"$LAB_LABEL\" -t {USER_V1} -f {V1_FILE} user")
def test_v1_image(state):
    img = state.image(USER_V1)
    assert img, f"no image {USER_V1}"
    cfg = img.config
    assert cfg.get("Entrypoint") or cfg.get("Cmd"), f"{USER_V1} has no ENTRYPOINT or CMD"


@check("ch10.dockerfile.runs", f"A container from {USER_V1} starts and answers /healthz",
       points=2, layer="behaviour",
       hint="The grader runs your image with port 8080 published and calls /healthz. "
            "Check `docker run --rm -p 8080:8080 user:v1` and its logs: does the entrypoint "
            "start the compiled binary?")
def test_v1_runs(state, docker_client, grader_labels):
    assert state.image(USER_V1), f"no image {USER_V1}"
    serves_health(docker_client, USER_V1, grader_labels)
