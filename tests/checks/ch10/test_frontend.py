"""ch10.frontend on the real engine: the reference Dockerfile and nginx.conf build an
image from clabs/nginx:v1 whose container serves /, /login and the script, and the
grader's live and behaviour checks pass on it; the source's nginx.conf (try_files to
/login.html) builds an image whose /login is an error (an internal redirect cycle), and ch10.frontend.serves fails on
it. The grader's container is removed either way."""

from __future__ import annotations

import io
import shutil

import docker.errors
import pytest

from grader import chapters, labels, runner
from tests.checks.helpers import release_with_solutions
from tests.needs import refuse_to_touch, require_images

pytestmark = pytest.mark.engine
IMAGE = "frontend:v1"
KEPT = "clabs-selftest/frontend-kept:1"
ORIGINAL = "clabs-selftest/frontend-original:1"
SOURCE_CONF = ("server{\nlisten 80;\nserver_name localhost;\nroot /frontend;\n"
               "index index.html index.htm;location /login {\ntry_files $uri $uri/ /login.html;\n}}\n")


@pytest.fixture
def frontend(engine, tmp_path, grader_image_labels):
    """``build(conf)``: frontend:v1 built from the lab folder's frontend/, with ``conf`` as
    nginx.conf when given; removed when the test ends."""
    require_images(engine, "clabs/nginx:v1")
    kept = None
    try:
        found = engine.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        found = None
    if found is not None and found.labels.get(labels.GRADER) != "1":
        if found.labels.get(labels.LAB) != "ch10":
            refuse_to_touch(f"{IMAGE} exists on the engine and is not the lab's")
        # a lab run's image (`lab env down ch10` removes it): set aside, put back after
        found.tag(KEPT)
        kept = found
    lab = release_with_solutions("ch10", tmp_path / "ch10")
    made = []

    def build(conf: str | None = None):
        context = tmp_path / f"context-{len(made)}"
        shutil.copytree(lab / "frontend", context)
        if conf is not None:
            (context / "nginx.conf").write_text(conf)
        image, _ = engine.images.build(path=str(context), tag=IMAGE, labels=grader_image_labels,
                                       rm=True)
        made.append(image.id)
        return lab
    try:
        yield build
    finally:
        for image_id in reversed(made):
            try:
                engine.images.remove(image_id, force=True)
            except docker.errors.ImageNotFound:
                pass
        if kept is not None:
            kept.tag(IMAGE)
            engine.images.remove(KEPT)


def grader_containers(engine) -> list[str]:
    """The grader's containers of frontend:v1 (other tests may run theirs meanwhile)."""
    return [c.name for c in engine.containers.list(all=True, filters={
        "label": [f"{labels.GRADER}=1", f"{labels.LAB}=ch10"], "ancestor": IMAGE})]


def check(lab, *ids) -> dict:
    return {r.check.id: r for r in runner.run(chapters.get("ch10"), lab, only=list(ids))}


def test_the_reference_frontend_serves_every_route(engine, frontend):
    lab = frontend()
    results = check(lab, "ch10.frontend")
    bad = {i: (r.status, r.message) for i, r in results.items() if r.status != "pass"}
    assert not bad and set(results) == {"ch10.frontend.files", "ch10.frontend.image",
                                        "ch10.frontend.serves"}
    seen = results["ch10.frontend.serves"].details
    assert seen["/"].startswith("200") and seen["/login"] == seen["/"]
    assert seen["/assets/app.js"].startswith("200")
    assert grader_containers(engine) == []


def test_the_sources_nginx_conf_leaves_login_an_error(engine, frontend):
    lab = frontend(SOURCE_CONF)
    r = check(lab, "ch10.frontend.serves")["ch10.frontend.serves"]
    assert r.status == "fail", (r.status, r.message)
    # try_files' last argument is an internal redirect to /login.html, which location
    # /login catches again: nginx stops the cycle with a 500
    assert "GET /login answered 500" in r.message, r.message
    assert r.as_dict()["hint"] == r.check.hint
    assert grader_containers(engine) == []


def test_an_unlabelled_image_fails_the_image_check(engine, frontend):
    """Built without `--label "$LAB_LABEL"`: `lab env down ch10` could not find it."""
    lab = frontend()
    image = engine.images.get(IMAGE)
    image.tag(ORIGINAL)   # keeps it while the unlabelled build takes its name
    plain = engine.images.build(fileobj=io.BytesIO(b"FROM frontend:v1\nLABEL org.container-labs.lab=\n"),
                                tag=IMAGE, labels={labels.GRADER: "1"}, rm=True)[0]
    try:
        r = check(lab, "ch10.frontend.image")["ch10.frontend.image"]
        assert r.status == "fail" and "is not labelled org.container-labs.lab=ch10" in r.message, r.message
    finally:
        engine.images.remove(plain.id, force=True)
        image.tag(IMAGE)
        engine.images.remove(ORIGINAL)
