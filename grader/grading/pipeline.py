"""One submission, start to end: copy it, restore its locked cells, bring up its
sandbox, execute its notebooks there, run the checks on what they left, grade its
answers, tear the sandbox down (always), and write ``result.json``.

The folders under the course's ``student_dir(chapter, student)``: ``input/`` (the
submission as graded: locked cells restored; answers are read from here, never from
anything the sandbox wrote), ``executed/`` (the notebooks as papermill left them),
``result.json``. The sandbox works on a third copy, ``work/``, removed at the end.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.chapters import Chapter
from grader.errors import LabError
from grader.grading import cells, checking, kernel
from grader.grading.sandbox import Sandbox
from grader.grading.submissions import SKIP, Submission

SCHEMA = "container-labs/grade-result/v1"


@dataclass
class CourseOps:
    """The course side of grading (``grader.course``, see the contract in docs/grading.md);
    a field each so a test can put a double in."""

    restore: object
    answers: object
    score: object
    record: object
    write_student: object
    write_class: object
    ensure_released: object = lambda course, chapter: None

    @classmethod
    def real(cls) -> CourseOps:
        from grader.course import answers, locked, record, release, reports
        return cls(locked.restore, answers.grade, record.score, record.record,
                   reports.write_student, reports.write_class, release.ensure_released)


@dataclass
class Context:
    """What every submission of a batch shares."""

    client: object
    chapter: Chapter
    course: object
    ops: CourseOps
    batch: str
    params: dict
    limits: kernel.Limits
    lib: Path
    tarball: Path | None
    swarm: bool
    extra: dict = field(default_factory=dict)


def notebook_params(chapter: Chapter) -> dict:
    """The notebooks' parameters inside the sandbox: its engine is the node's."""
    return {"LAB": chapter.id, "LAB_NETWORK": chapter.network or f"{chapter.id}-lab",
            "DOCKER_HOST": "tcp://127.0.0.1:2375"}


def copy_submission(src: Path, dest: Path) -> list[str]:
    """Copy the submission's files; symbolic links are not copied (they could point the
    host-side checks at the grader's own files). Returns a line per link left out."""
    dropped: list[str] = []
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in SKIP for part in rel.parts):
            continue
        if path.is_symlink():
            dropped.append(f"symbolic link {rel.as_posix()} not graded")
        elif path.is_dir():
            (dest / rel).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel)
    return dropped


def write_json(path: Path, doc: dict) -> None:
    """Atomically: a killed run leaves the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
    os.replace(tmp, path)


def new_result(chapter: str, student: str, digest: str) -> dict:
    return {"schema": SCHEMA, "chapter": chapter, "student": student, "input_digest": digest,
            "status": "graded", "reason": "", "problems": [], "notebooks": [], "answers": [],
            "checks": [], "score": {"earned": 0, "possible": 0},
            "timings": {"environment": 0.0, "run": 0.0, "checks": 0.0, "teardown": 0.0},
            "graded_at": ""}


def _fail(result: dict, reason: str) -> None:
    if result["status"] != "failed":
        result["status"], result["reason"] = "failed", reason


def grade(ctx: Context, sub: Submission, digest: str, on_step=lambda step: None) -> dict:
    """Grade ``sub``; always returns the result written to ``result.json``."""
    ch = ctx.chapter.id
    sdir = Path(ctx.course.student_dir(ch, sub.student))
    sdir.mkdir(parents=True, exist_ok=True)
    result = new_result(ch, sub.student, digest)
    result["problems"] = list(sub.problems)
    if sub.fatal:
        _fail(result, "; ".join(sub.problems))
    else:
        _grade_in_sandbox(ctx, sub, sdir, result, on_step)
    result["score"] = dict(ctx.ops.score(result))
    result["graded_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    write_json(sdir / "result.json", result)
    return result


def _grade_in_sandbox(ctx: Context, sub: Submission, sdir: Path, result: dict, on_step) -> None:
    from docker.errors import DockerException

    ch = ctx.chapter.id
    inp, executed, work = sdir / "input", sdir / "executed", sdir / "work"
    result["problems"] += copy_submission(sub.folder, inp)
    names = [nb.name for nb in sub.notebooks]
    edited = {name: list(ctx.ops.restore(ctx.course, ch, inp / name)) for name in names}
    copy_submission(inp, work)
    shutil.rmtree(executed, ignore_errors=True)
    executed.mkdir()
    box = Sandbox(ctx.client, ctx.chapter, ctx.batch, sub.student, work.resolve())
    timings = result["timings"]
    run = None
    try:
        on_step("environment")
        start = time.monotonic()
        box.up(ctx.tarball, swarm=ctx.swarm)
        timings["environment"] = round(time.monotonic() - start, 2)
        timings.update({k: v for k, v in box.timings.items() if k != "teardown"})
        on_step("run")
        run = kernel.run(ctx.client, box, names, notebook_params(ctx.chapter), limits=ctx.limits,
                         out=executed.resolve(), lib=ctx.lib)
        timings["run"] = run.seconds
        if names:
            timings["kernel_start"] = cells.kernel_start(executed / names[0])
        for name in names:
            result["notebooks"].append({
                "name": name, "executed": f"executed/{name}", "edited_locked_cells": edited[name],
                "cells": cells.outcomes(executed / name, killed=run.timed_out, notebook=inp / name)})
        if run.timed_out:
            result["problems"].append(f"the notebooks did not finish in {ctx.limits.total_timeout} s: "
                                      "stopped; the checks look at what they left")
        on_step("checks")
        start = time.monotonic()
        result["checks"], error = checking.run(ch, work, box.docker_host, ctx.params,
                                               only=ctx.extra.get("only"), dial_via=box.dialer.id)
        timings["checks"] = round(time.monotonic() - start, 2)
        if error:
            _fail(result, error)
        result["answers"] = list(ctx.ops.answers(ctx.course, ch, [inp / n for n in names]))
    except LabError as err:
        _fail(result, str(err))
    except (DockerException, OSError) as err:
        _fail(result, f"the engine failed: {type(err).__name__}: {str(err)[:300]}")
    finally:
        on_step("teardown")
        left = box.down()
        timings["teardown"] = box.timings.get("teardown", 0.0)
        shutil.rmtree(work, ignore_errors=True)
        if left:
            _fail(result, "teardown left: " + "; ".join(left))
    if not result["notebooks"]:
        result["notebooks"] = [{"name": n, "executed": "", "edited_locked_cells": edited[n],
                                "cells": []} for n in names]
