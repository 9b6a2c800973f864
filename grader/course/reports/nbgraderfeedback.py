"""nbgrader's own feedback: the student's executed notebooks as HTML with the scores of
the gradebook, by nbgrader's ``generate_feedback`` (it converts, it runs nothing).

The notebooks the sandbox executed go where nbgrader expects autograded ones
(``autograded/<student>/<chapter>/``); the HTML comes out in nbgrader's
``feedback/<student>/<chapter>/``. Everything in an executed notebook is untrusted
(the sandbox wrote it): nbconvert sanitizes outputs (``HTMLExporter.sanitize_html``);
Markdown and raw cells are taken from the release where the grade id matches a locked
cell, and any other has its HTML shown as text (nbgrader's classic template does not
sanitize Markdown); and every page gets a Content-Security-Policy that allows no
script at all (nbgrader's template would load MathJax from a CDN; a report opened
offline must not fetch anything).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from grader.course.layout import Course, safe_name

CSP = ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
       "style-src 'unsafe-inline'; img-src data:; font-src data:\">")

MAX_NOTEBOOK_BYTES = 20_000_000  # a larger executed notebook is no page anyone reads
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.DOTALL | re.IGNORECASE)


def executed_notebooks(course: Course, chapter: str, result: dict) -> list[Path]:
    """The executed notebooks result.json names, inside the student's folder only."""
    folder = course.student_dir(chapter, str(result.get("student") or "")).resolve()
    out = []
    for nb in result.get("notebooks") or []:
        rel = nb.get("executed") if isinstance(nb, dict) else None
        if not isinstance(rel, str) or not rel.endswith(".ipynb"):
            continue
        path = (folder / rel).resolve()
        if path.is_relative_to(folder) and path.is_file() and \
                path.stat().st_size <= MAX_NOTEBOOK_BYTES:
            out.append(path)
    return out


def defused(notebook: Path, released: Path) -> str:
    """The executed notebook with its Markdown and raw cells made harmless."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    trusted = {}
    if released.is_file():
        for cell in json.loads(released.read_text(encoding="utf-8")).get("cells") or []:
            meta = (cell.get("metadata") or {}).get("nbgrader") or {}
            if meta.get("locked") and meta.get("grade_id"):
                trusted[meta["grade_id"]] = cell.get("source")
    for cell in nb.get("cells") or []:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("markdown", "raw"):
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        gid = (meta.get("nbgrader") or {}).get("grade_id") if isinstance(
            meta.get("nbgrader"), dict) else None
        if gid in trusted:
            cell["source"] = trusted[gid]
        else:
            src = cell.get("source") or ""
            src = "".join(src) if isinstance(src, list) else str(src)
            cell["cell_type"], cell["source"] = "markdown", src.replace("&", "&amp;").replace(
                "<", "&lt;").replace(">", "&gt;")
            cell.pop("attachments", None)
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return json.dumps(nb)


def write(course: Course, chapter: str, result: dict) -> list[Path]:
    """nbgrader's feedback pages of the student (none when no notebook was executed or
    the student is not in the gradebook yet)."""
    from nbgrader.api import MissingEntry
    from nbgrader.utils import capture_log, temp_attrs
    from traitlets.config import Config

    from grader.course import nbg

    student = safe_name(str(result.get("student") or ""), "student")
    notebooks = executed_notebooks(course, chapter, result)
    if not notebooks:
        return []
    with nbg.gradebook(course) as gb:
        try:
            gb.find_submission(chapter, student)
        except MissingEntry:
            return []
    autograded = course.root / "autograded" / student / chapter
    feedback = course.root / "feedback" / student / chapter
    with course.lock("gradebook"):
        shutil.rmtree(autograded, ignore_errors=True)
        shutil.rmtree(feedback, ignore_errors=True)
        autograded.mkdir(parents=True)
        for nb in notebooks:
            released = course.released_dir(chapter) / nb.name
            try:
                text = defused(nb, released)
            except (ValueError, TypeError, AttributeError):
                continue  # not a notebook (a killed run): our own page says what happened
            (autograded / nb.name).write_text(text, encoding="utf-8")
        if not any(autograded.glob("*.ipynb")):
            return []
        api = nbg.api(course)
        extra = Config()
        extra.HTMLExporter.template_name = "feedback"
        extra.HTMLExporter.sanitize_html = True
        from nbgrader.converters import GenerateFeedback
        with temp_attrs(api.coursedir, assignment_id=chapter, student_id=student):
            app = GenerateFeedback(coursedir=api.coursedir, parent=api)
            app.update_config(extra)
            app.force = True
            outcome = capture_log(app)
    if not outcome["success"]:
        return []
    pages = sorted(feedback.glob("*.html"))
    for page in pages:
        # the template's own scripts (MathJax from a CDN): gone, the CSP forbids any other
        text = _SCRIPT.sub("", page.read_text(encoding="utf-8"))
        at = text.find("<head>")
        page.write_text(text[:at + 6] + CSP + text[at + 6:] if at >= 0 else CSP + text,
                        encoding="utf-8")
    return pages
