"""ch10.frontend (Docker): an nginx image that serves a built single-page frontend from
/frontend. The page's routes (/login) exist only in the browser, so nginx must answer
every path it has no file for with index.html: `try_files $uri $uri/ /index.html`. The
source's `try_files ... /login.html` names a file that a built dist/ does not have."""

import re

from checks.ch10 import names as n
from grader.checkkit import check, http, throwaway, wait_http
from grader.labels import LAB, lab_label

TRY_FILES = re.compile(r"^\s*try_files\s+\$uri\s+\$uri/\s+/index\.html\s*;", re.MULTILINE)
ROOT = re.compile(r"^\s*root\s+(\S+?)/?\s*;", re.MULTILINE)
COMMENT = re.compile(r"#.*$", re.MULTILINE)


def _copies(df) -> list[tuple[list[str], str]]:
    found = []
    for value in df.values("COPY") + df.values("ADD"):
        words = [w for w in value.split() if not w.startswith("--")]
        if len(words) >= 2:
            found.append(([w.rstrip("/") for w in words[:-1]], words[-1].rstrip("/")))
    return found


@check("ch10.frontend.files", f"{n.FRONTEND_DOCKERFILE} builds on {n.FRONTEND_BASE} and copies "
       "dist/ and nginx.conf; nginx.conf falls back to /index.html", points=2, layer="static",
       hint=f"{n.FRONTEND_DOCKERFILE}: FROM {n.FRONTEND_BASE} (a pinned lab image: `FROM nginx` "
            "pulls from Docker Hub), COPY dist /frontend, COPY nginx.conf "
            f"{n.FRONTEND_CONF_TARGET}. {n.FRONTEND_CONF}: `root /frontend;` and, in location /, "
            "`try_files $uri $uri/ /index.html;` (the source's /login.html is not in a built "
            "dist/).")
def test_frontend_files(lab, dockerfiles):
    df = dockerfiles(lab.require(n.FRONTEND_DOCKERFILE))
    bases = df.external_bases()
    assert bases == [n.FRONTEND_BASE], \
        f"{n.FRONTEND_DOCKERFILE} builds on {', '.join(bases) or 'nothing'}, not {n.FRONTEND_BASE}"
    copies = _copies(df)
    assert any("dist" in src and dest == n.FRONTEND_ROOT for src, dest in copies), \
        f"{n.FRONTEND_DOCKERFILE} copies no dist/ to {n.FRONTEND_ROOT} (COPY dist {n.FRONTEND_ROOT})"
    assert any(src == ["nginx.conf"] and dest == n.FRONTEND_CONF_TARGET for src, dest in copies), \
        f"{n.FRONTEND_DOCKERFILE} does not copy nginx.conf to {n.FRONTEND_CONF_TARGET}"
    conf = COMMENT.sub("", lab.require(n.FRONTEND_CONF).read_text())
    roots = ROOT.findall(conf)
    assert n.FRONTEND_ROOT in roots, \
        f"{n.FRONTEND_CONF}: root is {', '.join(roots) or 'not set'}, not {n.FRONTEND_ROOT}"
    assert "/login.html" not in conf, \
        f"{n.FRONTEND_CONF} still names /login.html (the source's): a built dist/ has only " \
        "index.html; fall back to /index.html"
    assert TRY_FILES.search(conf), \
        f"{n.FRONTEND_CONF} has no `try_files $uri $uri/ /index.html;`: /login would be a 404"


@check("ch10.frontend.image", f"Image {n.FRONTEND_IMAGE} exists, labelled for the lab",
       points=1, layer="live",
       hint=f"docker build --label \"$LAB_LABEL\" -t {n.FRONTEND_IMAGE} {n.FRONTEND_DIR} "
            "(the label lets `lab env down ch10` remove it)")
def test_frontend_image(state, lab):
    img = state.image(n.FRONTEND_IMAGE)
    assert img, f"no image {n.FRONTEND_IMAGE}"
    assert img.labels.get(LAB) == lab.chapter, \
        f"image {n.FRONTEND_IMAGE} is not labelled {lab_label(lab.chapter)}"


@check("ch10.frontend.serves", f"A container from {n.FRONTEND_IMAGE} serves /, /login (the "
       "page) and /assets/app.js", points=3, layer="behaviour",
       hint=f"The grader runs {n.FRONTEND_IMAGE} with port 80 published and GETs /, /login and "
            "/assets/app.js: / and /login must answer 200 with dist/index.html, the script "
            "with itself. Try `docker run --rm -p 8088:80 frontend:v1` and "
            "`curl -i localhost:8088/login`.")
def test_frontend_serves(state, docker_client, grader_labels, details):
    assert state.image(n.FRONTEND_IMAGE), f"no image {n.FRONTEND_IMAGE}"
    with throwaway(docker_client, n.FRONTEND_IMAGE, labels=grader_labels, port="80/tcp") as (ctr, port):
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/", timeout=20, container=ctr)
        got = {path: http("GET", base + path) for path in n.FRONTEND_PATHS}
    details.update({path: f"{r.status} {len(r.body)} bytes" for path, r in got.items()})
    for path in ("/", "/login"):
        r = got[path]
        assert r.status == 200 and n.FRONTEND_MARKER in r.body, \
            f"GET {path} answered {r.status} {r.body.strip()[:80]!r}, not dist/index.html"
    script = got["/assets/app.js"]
    assert script.status == 200 and n.FRONTEND_MARKER not in script.body and script.body.strip(), \
        f"GET /assets/app.js answered {script.status} {script.body.strip()[:60]!r}, not the script"
