"""Checks from inside a notebook: ``check("ch10.pull-run")`` shows the same table as
``lab check``, as HTML. ``%load_ext grader.notebook`` adds ``%lab_check ID``."""

from __future__ import annotations

from pathlib import Path


class Report:
    """Results that render as an HTML table in Jupyter and as text elsewhere."""

    def __init__(self, results, title: str):
        self.results = results
        self.title = title

    def _repr_html_(self) -> str:
        from grader import report
        return report.to_html(self.results, self.title)

    def __repr__(self) -> str:
        lines = [self.title]
        for r in self.results:
            lines.append(f"  {r.status:5} {r.check.id}  {r.earned}/{r.check.points}"
                         + (f"  — {r.message}; {r.check.hint}" if r.status in ("fail", "error") else ""))
            lines += [f"        NOT RESTORED: {what}" for what in r.not_restored]
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return all(r.status in ("pass", "n/a") for r in self.results)


def check(what: str, lab_dir: str | Path | None = None) -> Report:
    """Run the checks of a chapter (``"ch10"``) or a step (``"ch10.pull-run"``).

    ``lab_dir`` defaults to the notebook's folder, where the student's files are.
    """
    from grader import chapters, runner

    chapter = chapters.get(what.split(".", 1)[0])
    only = [what] if "." in what else None
    folder = Path(lab_dir) if lab_dir else Path.cwd()
    results = runner.run(chapter, folder.resolve(), only=only)
    return Report(results, f"lab check {what}")


def load_ipython_extension(ipython) -> None:
    """``%lab_check ch10.pull-run``."""
    from IPython.core.magic import register_line_magic

    @register_line_magic
    def lab_check(line: str):
        return check(line.strip() or "ch10")
