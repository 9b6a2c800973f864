"""A class: every submission of a chapter graded by a pool of workers, resumably.

Before anything, the labelled leftovers of a ``lab grade`` that was killed are removed
(:func:`grader.grading.leftovers.recover`). A submission whose ``result.json`` says
"graded" with the same input digest is not graded again (unless ``force``): it is only
recorded in the gradebook again (recording is idempotent), so a run killed between the
result and the gradebook ends with the same gradebook as an uninterrupted one. A
submission that failed to grade is always tried again.
"""

from __future__ import annotations

import json
import tempfile
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.chapters import Chapter
from grader.errors import LabError
from grader.grading import digest, kernel, leftovers, pipeline, sandbox, submissions

# chapters whose checks can run against a sandbox; the others say why not
GRADEABLE = {"ch10": True, "ch14": True}
NOT_GRADEABLE = {
    "ch15": "a Kubernetes chapter: grading needs a cluster per submission (not built yet)",
    "ch16": "a Kubernetes chapter: grading needs a cluster per submission (not built yet)",
}


@dataclass
class Outcome:
    student: str
    result: dict
    skipped: bool


def previous(course, chapter: str, student: str) -> dict | None:
    path = Path(course.student_dir(chapter, student)) / "result.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def prepare_images(client, names: list[str], progress: bool) -> None:
    """Build the images a sandbox needs that are missing (node, kernel, ``names``)."""
    from grader import images
    from grader.providers.dindimages import NODE_IMAGE

    wanted = images.resolve([NODE_IMAGE, kernel.IMAGE, *names])
    need = images.missing(wanted, client)
    if need:
        images.build([s.name for s in need], client=client, progress=progress)


def run(chapter: Chapter, subs_path: Path, course, *, workers: int = 1, student: str | None = None,
        force: bool = False, params: dict | None = None, limits: kernel.Limits | None = None,
        ops: pipeline.CourseOps | None = None, client=None, on_event: Callable | None = None,
        progress: bool = False, only: list[str] | None = None,
        images: list[str] | None = None) -> list[Outcome]:
    """Grade the submissions of ``chapter`` under ``subs_path`` into ``course``.

    ``on_event(student, what, detail)`` follows each submission: "queued", "skipped",
    "environment", "run", "checks", "teardown", "done". LabError (one line) for what
    stops the whole batch: an unknown student, no submissions, the engine down.
    ``only`` (check ids) and ``images`` (instead of the chapter's) keep the pipeline's
    own tests small; grading a class uses neither."""
    from grader import engine

    if chapter.id not in GRADEABLE:
        raise LabError(f"{chapter.id}: {NOT_GRADEABLE.get(chapter.id, 'not gradeable')}")
    params = dict(params or {})
    limits = limits or kernel.Limits()
    ops = ops or pipeline.CourseOps.real()
    event = on_event or (lambda *a: None)
    subs = submissions.discover(subs_path, chapter.id)
    if student:
        subs = [s for s in subs if s.student == student]
        if not subs:
            raise LabError(f"no submission of {student!r} in {subs_path}")
    client = client or engine.client(timeout=120)
    leftovers.recover(client)
    images = sandbox.images_for(chapter) if images is None else list(images)
    prepare_images(client, images, progress)
    ops.ensure_released(course, chapter.id)   # before the digests: they cover the release
    keys = _opt(course, "keys_dir", chapter.id)
    released = _opt(course, "released_dir", chapter.id)
    todo, outcomes = [], {}
    for sub in subs:
        d = digest.input_digest(sub.folder, chapter.id, params, keys=keys, released=released,
                                limits=limits.as_dict())
        old = previous(course, chapter.id, sub.student)
        if (not force and old and old.get("input_digest") == d and old.get("status") == "graded"):
            ops.record(course, chapter.id, old)
            outcomes[sub.student] = Outcome(sub.student, old, True)
            event(sub.student, "skipped", old)
        else:
            todo.append((sub, d))
            event(sub.student, "queued", None)
    batch_id = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="clabs-grade-lib-") as tmp, \
            sandbox.batch_tarball(client, images) as tarball:
        ctx = pipeline.Context(client, chapter, course, ops, batch_id, params, limits,
                               kernel.stage_library(Path(tmp) / "lib"), tarball,
                               swarm="swarm" in chapter.reads, extra={"only": only or []})

        course_lock = threading.Lock()   # the gradebook is one SQLite file

        def one(item):
            sub, d = item
            try:
                result = pipeline.grade(ctx, sub, d,
                                        on_step=lambda step: event(sub.student, step, None))
            except Exception as err:  # noqa: BLE001  one submission's trouble stops no other
                result = pipeline.new_result(chapter.id, sub.student, d)
                result.update(status="failed", reason=f"grader error: {type(err).__name__}: "
                                                      f"{str(err)[:300]}")
                sdir = Path(course.student_dir(chapter.id, sub.student))
                sdir.mkdir(parents=True, exist_ok=True)
                pipeline.write_json(sdir / "result.json", result)
            with course_lock:
                ops.record(course, chapter.id, result)
                ops.write_student(course, chapter.id, result)
            event(sub.student, "done", result)
            return Outcome(sub.student, result, False)

        with ThreadPoolExecutor(max(1, workers)) as pool:
            for outcome in pool.map(one, todo):
                outcomes[outcome.student] = outcome
    ops.write_class(course, chapter.id)
    return [outcomes[s.student] for s in subs]


def _opt(course, method: str, chapter: str) -> Path | None:
    try:
        return Path(getattr(course, method)(chapter))
    except (AttributeError, LabError):
        return None
