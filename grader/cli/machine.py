"""``lab chapters``, ``lab doctor``, ``lab env ...`` and ``lab images ...``: what this machine
has and the chapters' environments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli.apps import Chapter, _out, app, env_app, images_app
from grader.errors import LabError


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
