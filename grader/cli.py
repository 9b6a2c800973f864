"""The ``lab`` command: environments, images, notebooks, checks.

Exit codes everywhere: 0 success, 1 checks (or a notebook) failed, 2 usage or
environment error (one line on stderr saying what to do), 130 interrupted.
Heavy modules are imported inside commands so ``lab --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from grader.errors import LabError

app = typer.Typer(
    help="Hands-on Docker, Swarm and Kubernetes labs, and their grader.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
env_app = typer.Typer(help="Prepare, inspect and tear down a chapter's environment.",
                      no_args_is_help=True)
images_app = typer.Typer(help="Build, save and load the lab images (no registry needed).",
                         no_args_is_help=True)
course_app = typer.Typer(help="An nbgrader course for class grading: make it, export its "
                                "grades.", no_args_is_help=True)
app.add_typer(env_app, name="env")
app.add_typer(images_app, name="images")
app.add_typer(course_app, name="course")

Chapter = Annotated[str, typer.Argument(help="chapter: ch10, ch14, ch15 or ch16")]


def _out():
    from rich.console import Console
    return Console(highlight=False)


def _err():
    from rich.console import Console
    return Console(stderr=True, highlight=False)


def _progress(transient: bool = True):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=_err(),
                    transient=transient, disable=not sys.stderr.isatty())


@app.command()
def chapters():
    """List the chapters and whether each is ready."""
    from rich.table import Table

    from grader.chapters import CHAPTERS
    t = Table("chapter", "title", "environment", "ready")
    for c in CHAPTERS.values():
        t.add_row(c.id, c.title, c.provider, "yes" if c.ready else f"no: {c.not_ready_reason}")
    _out().print(t)


@app.command()
def doctor(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False):
    """What this machine can do: Docker engine, swarm, Compose, kind, kubectl, context."""
    import json

    from grader import doctor as doc
    facts = doc.gather()
    if as_json:
        print(json.dumps(facts, indent=2))
    else:
        from rich.table import Table
        t = Table("what", "finding", "", title="lab doctor", title_justify="left")
        for what, finding, ok in doc.rows(facts):
            t.add_row(what, finding, "[green]✔[/]" if ok else "[yellow]✘[/]")
        _out().print(t)
    raise typer.Exit(0 if facts["docker"]["reachable"] else 2)


@env_app.command("up")
def env_up(chapter: Chapter,
           provider: Annotated[str | None, typer.Option(
               help="ch14: swarm (a single-node swarm on this engine, the default) or "
                    "swarm-dind (a multi-node swarm of docker-in-docker nodes); ch15/ch16: "
                    "kind (a kind cluster, the default) or existing (your current kube "
                    "context: only the chapter's namespace is created)")] = None):
    """Build missing images and create what the chapter needs (labelled)."""
    from grader import chapters, providers
    ch = chapters.get(chapter)
    if provider:
        providers.check_family(ch, provider)
        prov = providers.load(provider)(ch)
    else:
        prov = providers.for_chapter(ch)
    done = prov.up(progress=True)
    if provider:  # remembered once it is up: run/check/start then use it
        providers.choose(ch, provider)
    for line in done or ["already up"]:
        _out().print(f"{ch.id}: {line}")


@env_app.command("down")
def env_down(chapter: Chapter):
    """Remove everything labelled for the chapter, and nothing else."""
    from grader import chapters, providers
    ch = chapters.get(chapter)
    gone = providers.for_chapter(ch).down()
    providers.choose(ch, None)
    _out().print(f"{ch.id}: removed {gone}")


@env_app.command("status")
def env_status(chapter: Annotated[str | None, typer.Argument(help="one chapter")] = None,
               as_json: Annotated[bool, typer.Option("--json")] = False):
    """Show each ready chapter's network, containers and missing images."""
    import json

    from rich.table import Table

    from grader import chapters, providers
    chs = [chapters.get(chapter)] if chapter else [c for c in chapters.CHAPTERS.values() if c.ready]
    states = []
    for c in chs:
        try:
            states.append(providers.for_chapter(c).status())
        except LabError as err:  # one chapter's environment unreachable: say so, go on
            states.append(providers.Status(c.id, providers.chosen(c), False, "unknown",
                                           error=str(err)))
    if all(s.error for s in states):  # nothing could be read: one line, exit 2
        raise LabError(states[0].error)
    if as_json:
        print(json.dumps([s.as_dict() for s in states], indent=2))
        return
    t = Table("chapter", "provider", "up", "summary", "objects", "missing images")
    for s in states:
        objs = ", ".join(f"{n} ({st})" for n, st in sorted(s.objects.items())) or "none"
        t.add_row(s.chapter, s.provider, "[green]yes[/]" if s.up else "[yellow]no[/]",
                  s.summary + (f" [red]{s.error}[/]" if s.error else ""), objs,
                  ", ".join(s.missing_images) or "none")
    _out().print(t)


@images_app.command("build")
def images_build(names: Annotated[list[str] | None, typer.Argument(
                     help="images to build (default: all), e.g. redis or clabs/redis:7.0")] = None,
                 force: Annotated[bool, typer.Option(help="rebuild without the cache")] = False):
    """Build the lab images locally, base layer included (debootstrap when offline)."""
    from rich.table import Table

    from grader import images
    results = images.build(names or None, progress=True, force=force)
    t = Table("image", "size", "seconds", "")
    for r in results:
        t.add_row(r.name, f"{r.size / 1e6:.0f} MB", f"{r.seconds:.1f}", "cached" if r.cached else "built")
    _out().print(t)


@images_app.command("save")
def images_save(file: Annotated[Path, typer.Argument(help="tarball to write")]):
    """Write every lab image into one tarball (for a classroom without a registry)."""
    from grader import images
    images.save(file)
    _out().print(f"saved lab images to {file}")


@images_app.command("load")
def images_load(file: Annotated[Path, typer.Argument(help="tarball made by `lab images save`")]):
    """Load lab images from a tarball made by `lab images save`."""
    from grader import images
    loaded = images.load(file)
    _out().print(f"loaded {len(loaded)} image(s) from {file}")


@app.command()
def start(chapter: Chapter,
          no_browser: Annotated[bool, typer.Option("--no-browser", help="print the URL only")] = False,
          port: Annotated[int, typer.Option(help="JupyterLab port (0: a free one)")] = 0):
    """Prepare the environment and open the student's JupyterLab on the chapter's first
    notebook (no instructor tools)."""
    from grader import chapters, launch, providers, workspace
    ch = chapters.get(chapter)
    prov = providers.for_chapter(ch)
    for line in prov.up(progress=True):
        _err().print(f"{ch.id}: {line}")
    providers.activate(prov)  # JupyterLab's kernels inherit DOCKER_HOST / KUBECONFIG
    ws, _ = workspace.create(ch)
    launch.jupyter(ws, no_browser=no_browser, port=port, say=_err().print)


@app.command()
def run(chapter: Chapter,
        solution: Annotated[bool, typer.Option("--solution", help="run the reference solution")] = False,
        notebook: Annotated[Path | None, typer.Option(help="run this notebook instead")] = None):
    """Execute the chapter's notebooks with papermill against the environment."""
    from rich.table import Table

    from grader import chapters, execute, providers
    ch = chapters.get(chapter)
    prov = providers.for_chapter(ch)
    providers.activate(prov)
    notebooks, cwd, note = execute.plan(ch, solution=solution, notebook=notebook)
    if note:
        _err().print(note)
    prov.up(progress=True)
    with _progress(transient=True) as bar:
        task = bar.add_task("notebooks", total=len(notebooks))

        def started(nb):
            bar.update(task, description=nb.name, completed=notebooks.index(nb))

        results = execute.run(notebooks, cwd, prov.params(), on_start=started)
    t = Table("notebook", "seconds", "result", title=f"lab run {ch.id} in {cwd}", title_justify="left")
    for r in results:
        t.add_row(r.notebook.name, f"{r.seconds:.1f}", "[green]ok[/]" if r.ok else f"[red]{r.error}[/]")
    for nb in notebooks[len(results):]:
        t.add_row(nb.name, "", "[dim]not run[/]")
    _out().print(t)
    raise typer.Exit(0 if all(r.ok for r in results) and len(results) == len(notebooks) else 1)


@app.command()
def check(chapter: Chapter,
          only: Annotated[list[str] | None, typer.Option(
              "--only", help="a check id or step (ch10.multistage); repeatable")] = None,
          as_json: Annotated[bool, typer.Option("--json", help="print JSON only")] = False,
          junit: Annotated[Path | None, typer.Option(help="also write JUnit XML here")] = None,
          lab_dir: Annotated[Path | None, typer.Option(
              help="the student's lab folder (default: the chapter's workspace)")] = None,
          layer: Annotated[list[str] | None, typer.Option(
              "--layer", help="only checks of this layer: static, live or behaviour "
                              "(repeatable); static+live is fast enough for every edit")] = None,
          param: Annotated[list[str] | None, typer.Option(
              "--param", help="KEY=VALUE for behaviour checks, e.g. update_delay=10 "
                              "(ch14: seconds between the grader's update batches)")] = None,
          from_dump: Annotated[Path | None, typer.Option(
              "--from-dump", help="grade this dump (from `lab dump`, or `kubectl get ... -o "
                                  "json`) instead of the live environment")] = None,
          namespace: Annotated[str | None, typer.Option(
              help="Kubernetes namespace to grade (default: the chapter's)")] = None):
    """Run the chapter's checks and show what passes, with hints for what does not."""
    from grader import chapters, report, runner, workspace
    from grader.checks import summary
    ch = chapters.get(chapter)
    folder = (lab_dir or workspace.path(ch.id)).expanduser().resolve()
    if not folder.is_dir():
        raise LabError(f"no lab folder at {folder}: run `lab start {ch.id}` first, "
                       "or pass --lab-dir")
    bad = [p for p in param or [] if "=" not in p or not p.split("=", 1)[0]]
    if bad:
        raise LabError(f"--param {bad[0]!r}: write it as KEY=VALUE, e.g. update_delay=10")
    params = dict(p.split("=", 1) for p in param or [])
    from grader.checks import LAYERS
    unknown = [x for x in layer or [] if x not in LAYERS]
    if unknown:
        raise LabError(f"--layer {unknown[0]!r}: the layers are {', '.join(LAYERS)}")
    if from_dump is None and set(layer or LAYERS) != {"static"}:
        _connect(ch)  # static checks read only the student's files
    with _progress(transient=True) as bar:
        task = bar.add_task(f"checking {ch.id}", total=None)

        def show(ev):  # the runner's event stream: what is being checked now
            if ev.kind == "collected":
                bar.update(task, total=ev.total)
            elif ev.kind == "start" and ev.check:
                bar.update(task, description=f"{ev.check.id}: {ev.check.title}")
            elif ev.kind == "done":
                bar.update(task, completed=ev.index)

        results = runner.run(ch, folder, only=only, params=params, layers=layer,
                             on_event=show, dump=from_dump, namespace=namespace)
    if junit:
        junit.write_text(report.to_junit(results, ch.id))
    if as_json:
        print(report.to_json(results, ch.id, folder))
    else:
        where = f"{folder}; dump {from_dump}" if from_dump else str(folder)
        _out().print(report.table(results, f"lab check {ch.id}  ({where})", results.declared))
    raise typer.Exit(summary(results)["exit_code"])


def _connect(ch) -> None:
    """Point this process at the chapter's environment and make sure it answers: one
    clear line now, instead of every check erroring."""
    from grader import engine, providers
    prov = providers.for_chapter(ch)
    providers.activate(prov)
    if prov.family == "kube":
        from grader.kube import client
        client.api_client()
    else:
        engine.client(timeout=10)


@app.command()
def dump(chapter: Chapter,
         file: Annotated[Path, typer.Argument(help="where to write the dump (JSON; - for stdout)")],
         namespace: Annotated[str | None, typer.Option(
             help="Kubernetes namespace to read (default: the chapter's)")] = None):
    """Write what the chapter's checks read (engine, swarm, cluster state) to a file,
    to be graded later with `lab check CH --from-dump FILE`."""
    from grader import chapters, snapshots
    from grader.state import dumpfile
    ch = chapters.get(chapter)
    _connect(ch)
    snaps = snapshots.take(ch, namespace=namespace)
    dumpfile.write(file, snaps)
    if str(file) != "-":
        _err().print(f"{ch.id}: wrote {snapshots.describe(snaps)} to {file}")


@app.command()
def selftest(chapter: Chapter,
             provider: Annotated[str | None, typer.Option(
                 help="the environment provider (default: the chapter's)")] = None,
             keep: Annotated[bool, typer.Option(
                 "--keep", help="leave the environment up afterwards")] = False):
    """Prove a chapter on this machine: env up, run the solution, check everything,
    env down, and print a report."""
    from grader import selftest as st
    raise typer.Exit(st.command(chapter, provider, keep))


CourseDir = Annotated[Path | None, typer.Option(
    "--course", help="the course folder (default: the one around the current folder, "
                     "else ./course)")]


@course_app.command("init")
def course_init(folder: Annotated[Path, typer.Argument(help="the course folder to make")],
                course_id: Annotated[str, typer.Option(
                    "--id", help="nbgrader's course id")] = "container-labs"):
    """Make an nbgrader course: every chapter's source, answer keys (yours to edit),
    a gradebook. Run again to add chapters; nothing you changed is overwritten."""
    from grader.course.layout import Course
    course = Course.init(folder, course_id)
    _out().print(f"course {course.course_id} at {course.root}: source/, keys/ (the answer "
                 "keys: edit them there), gradebook.db; next: lab release CH --course "
                 f"{folder}")


@app.command()
def release(chapter: Chapter, course: CourseDir = None):
    """nbgrader's generate step for a chapter: release/CH without solutions or keys."""
    from grader import chapters
    from grader.course import layout
    from grader.course import release as rel
    ch = chapters.get(chapter, need_ready=False)
    c = layout.course_option(course)
    out = rel.release(c, ch.id)
    _out().print(f"{ch.id}: released to {out} ({len(list(out.glob('*.ipynb')))} notebooks; "
                 "no solutions, no answer keys)")


@course_app.command("report")
def course_report(chapter: Chapter, course: CourseDir = None):
    """Write every student's feedback and the class's CSV, JSON and HTML report again
    from the results of `lab grade`."""
    from grader import chapters
    from grader.course import layout, record, reports
    from grader.course.reports.items import load
    ch = chapters.get(chapter, need_ready=False)
    c = layout.course_option(course)
    files = c.result_files(ch.id)
    if not files:
        raise LabError(f"{ch.id}: no results in {c.results_dir(ch.id)}: run `lab grade "
                       f"{ch.id} SUBMISSIONS --course {c.root}` first")
    for f in files:  # the gradebook first: nbgrader's feedback reads its scores
        result = load(f)
        if result.get("schema") == record.SCHEMA:  # not one the grader could not read
            record.record(c, ch.id, result)
        reports.write_student(c, ch.id, result)
    written = reports.write_class(c, ch.id)
    import json

    from rich.table import Table
    from rich.text import Text
    data = json.loads(next(p for p in written if p.suffix == ".json").read_text())
    t = Table("student", "status", "points", title=f"{ch.id} · {c.root}", title_justify="left")
    for s in data["students"]:  # Text: a student id is no rich markup
        t.add_row(Text(s["student"]), Text(s["status"]),
                  f"{s['score']['earned']}/{s['score']['possible']}",
                  style=None if s["status"] == "graded" else "yellow")
    _out().print(t)
    for out in written:
        _out().print(f"{ch.id}: wrote {out}")


@app.command()
def grade(chapter: Chapter,
          submissions: Annotated[Path, typer.Argument(
              help="nbgrader's submitted/ folder (or its course), or one folder per student")],
          course: Annotated[Path | None, typer.Option(
              "--course", help="the course folder (default: the one holding SUBMISSIONS, "
                               "else ./course)")] = None,
          workers: Annotated[int, typer.Option(help="submissions graded at once")] = 1,
          student: Annotated[str | None, typer.Option(help="grade only this student")] = None,
          force: Annotated[bool, typer.Option(
              "--force", help="grade again submissions already graded")] = False,
          param: Annotated[list[str] | None, typer.Option(
              "--param", help="KEY=VALUE for behaviour checks (repeatable)")] = None,
          cell_timeout: Annotated[int, typer.Option(help="seconds for one cell")] = 600,
          timeout: Annotated[int, typer.Option(
              help="seconds for all of one submission's notebooks")] = 3600):
    """Grade a class: each submission run in a sandbox of its own, checked, recorded.
    Exit 0 when every submission was graded, 1 when some could not be."""
    from grader.grading import command
    raise typer.Exit(command.command(chapter, submissions, course=course, workers=workers,
                                     student=student, force=force, param=param,
                                     cell_timeout=cell_timeout, timeout=timeout))


def _explain(err: Exception) -> str:
    """One line for an unexpected error; engine trouble named as such."""
    mod = type(err).__module__ or ""
    text = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
    if mod.startswith(("docker", "requests", "urllib3")) or isinstance(err, ConnectionError):
        from grader import engine
        return (f"the Docker engine at {engine.endpoint()} failed: {type(err).__name__}: {text}"
                " — is it still running?")
    return f"unexpected {type(err).__name__}: {text} (set LAB_DEBUG=1 to see the traceback)"


def main() -> None:
    """Entry point: run the app, turning errors into one line and an exit code."""
    import click

    try:
        code = app(standalone_mode=False)
    except LabError as err:
        print(f"lab: {err}", file=sys.stderr)
        sys.exit(err.code)
    except click.exceptions.Abort:
        print("lab: interrupted", file=sys.stderr)
        sys.exit(130)
    except KeyboardInterrupt:
        print("lab: interrupted", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(2 if err.exit_code == 2 else err.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as err:  # never a traceback for a user; LAB_DEBUG=1 shows it
        import os
        if os.environ.get("LAB_DEBUG"):
            raise
        print(f"lab: {_explain(err)}", file=sys.stderr)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
