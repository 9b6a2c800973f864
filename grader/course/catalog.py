"""The checks a chapter declares, read from its modules without importing them.

The gradebook needs every check's id and points before any student is recorded (a
submission that could not be graded still gets a zero for each), and an answer item
takes its title and hint from the answer check of the same id. The ``@check(...)``
decorators in ``checks/chNN/test_*.py`` are read with the notebook cell reader
(module constants, f-strings), so nothing of the check modules runs.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

from grader.cellreader import Reader, Unreadable


@dataclass(frozen=True)
class Declared:
    """One ``@check`` of a chapter, as written in its module."""

    id: str
    title: str
    points: int
    hint: str
    layer: str
    module: str


def declared(chapter: str) -> list[Declared]:
    """Every check declared in ``checks/<chapter>/test_*.py``, in module order."""
    from grader.chapters import CHECKS
    return list(_declared(CHECKS / chapter))


@functools.cache
def _declared(folder: Path) -> tuple[Declared, ...]:
    found = []
    for module in sorted(folder.glob("test_*.py")):
        found += _module_checks(module)
    return tuple(found)


def _module_checks(module: Path) -> list[Declared]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    reader = Reader()
    for stmt in tree.body:  # module constants: names, f-strings, concatenations
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            reader.run(ast.unparse(stmt), strict=False)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for deco in node.decorator_list:
            if not (isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "check"):
                continue
            fields = dict(zip(("id", "title"), deco.args, strict=False))
            fields.update({k.arg: k.value for k in deco.keywords if k.arg})
            values = {}
            for name, expr in fields.items():
                reader.run(f"_field_ = {ast.unparse(expr)}", strict=False)
                values[name] = reader.env.get("_field_")
            if not isinstance(values.get("id"), str):
                continue  # not a literal declaration: the result names it when it runs
            text = {k: v if isinstance(v, str) else "" for k, v in values.items()}
            points = values.get("points")
            out.append(Declared(
                values["id"], text.get("title", ""),
                points if isinstance(points, int) and not isinstance(points, Unreadable) else 0,
                " ".join(text.get("hint", "").split()), text.get("layer", ""), module.name))
    return out


def by_id(chapter: str) -> dict[str, Declared]:
    return {d.id: d for d in declared(chapter)}
