"""``lab start``, ``lab run``, ``lab check``, ``lab dump`` and ``lab selftest``: working
through a chapter and checking it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli.apps import Chapter, _err, _out, _progress, app
from grader.errors import LabError


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
