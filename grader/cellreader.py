"""Reading notebook cells the way the kernel would run them, without running them.

``lab check`` grades an answer cell statically, while the notebook's nbgrader test cell
grades what the kernel holds after running the cells before it. :class:`Reader`
follows those cells statement by statement and works out the value of each name where
that needs no code to run: literals, string concatenation and formatting (``+``,
f-strings, ``" ".join([...])``, ``.format``), annotated, chained and tuple
assignments, names set earlier, ``raise`` (the rest of the cell does not run) and
IPython's ``!``/``%`` lines (as IPython transforms them). Anything else (a function
call, an ``if`` block, a ``!`` shell line's output…) is :class:`Unreadable`, with why.
"""

from __future__ import annotations

import ast
import operator


class Unreadable:
    """An answer ``lab check`` cannot know without running code; ``why`` says how it
    was set (``a function call``, ``an if block``, ``a ! shell line``…)."""

    def __init__(self, why: str):
        self.why = why

    def __repr__(self) -> str:
        return f"Unreadable({self.why!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Unreadable) and other.why == self.why

    __hash__ = None


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow}
_UNOPS = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
_CONVERT = {"str": str, "int": int, "float": float, "bool": bool}
_MAX_TEXT = 100_000  # larger values are not answers: do not build them


class _Unknown(Exception):
    """The value depends on something only running the code would tell."""


class _Raises(Exception):
    """The kernel would raise here: the rest of the cell does not run."""


def kernel_source(source: str, strict: bool) -> str | None:
    """The Python the kernel runs for ``source``: IPython's ``!``/``%`` lines become
    calls (``get_ipython().system(...)``). None when the cell is not Python at all."""
    try:
        ast.parse(source)
        return source
    except SyntaxError as err:
        first = err
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        transformed = TransformerManager().transform_cell(source)
        ast.parse(transformed)
        return transformed
    except SyntaxError:
        if strict:
            raise AssertionError(
                f"the answer cell is not valid Python (line {first.lineno})") from None
        return None  # the kernel would report the error and assign nothing


def _ipython_call(node) -> tuple[str, list] | None:
    """``("system", args)`` for ``get_ipython().system(...)`` and the like."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        inner = node.func.value
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and \
                inner.func.id == "get_ipython":
            return node.func.attr, node.args
    return None


def _bound_names(node) -> list[str]:
    """The notebook-level names a statement binds, wherever inside it: not the locals of
    a function or comprehension, but a function's ``global`` names and walruses."""
    found: list[str] = []

    def visit(n) -> None:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(n.name)
            found.extend(name for m in ast.walk(n) if isinstance(m, ast.Global)
                         for name in m.names)
            return
        if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                          ast.GeneratorExp)):
            found.extend(m.target.id for m in ast.walk(n) if isinstance(m, ast.NamedExpr))
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            found.append(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            found.extend((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and n.name:
            found.append(n.name)
        for child in ast.iter_child_nodes(n):
            visit(child)

    visit(node)
    return found


class Reader:
    """Follows top-level statements, keeping what each name would hold."""

    def __init__(self):
        self.env: dict = {}
        self.assigned: set[str] = set()  # names bound by assignments (what answers are)

    def answers(self) -> dict:
        return {k: v for k, v in self.env.items() if k in self.assigned}

    def run(self, source: str, *, strict: bool) -> None:
        code = kernel_source(source, strict)
        if code is None:
            return
        for stmt in ast.parse(code).body:
            try:
                self._statement(stmt)
            except _Raises:
                return  # the kernel stops the cell here

    # statements

    def _set(self, name: str, value, *, answer: bool = True) -> None:
        self.env[name] = value
        if answer:
            self.assigned.add(name)

    def _forget(self, node, why: str) -> None:
        """The names ``node`` binds hold what only running it would tell. Imports,
        functions and classes are not answers, unless they replace one."""
        own: set[str] = set()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            own = {node.name}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            own = {(a.asname or a.name).split(".")[0] for a in node.names}
        for name in _bound_names(node):
            self._set(name, Unreadable(why), answer=name not in own or name in self.assigned)

    def _statement(self, stmt) -> None:
        if isinstance(stmt, ast.Assign):
            value = self._value(stmt.value)
            for target in stmt.targets:
                self._bind(target, value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None and isinstance(stmt.target, ast.Name):
                self._bind(stmt.target, self._value(stmt.value))
        elif isinstance(stmt, ast.AugAssign):
            if isinstance(stmt.target, ast.Name):
                name = stmt.target.id
                if name not in self.env:
                    raise _Raises()  # NameError in the kernel
                fake = ast.BinOp(ast.Name(name, ast.Load()), stmt.op, stmt.value)
                self._bind(stmt.target, self._value(fake))
        elif isinstance(stmt, ast.Raise):
            raise _Raises()
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    if target.id not in self.env:
                        raise _Raises()
                    del self.env[target.id]
        elif isinstance(stmt, ast.Expr):
            self._expression(stmt.value)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._forget(stmt, "an import")
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._forget(stmt, f"the function {stmt.name}()")
        elif isinstance(stmt, ast.ClassDef):
            self._forget(stmt, f"the class {stmt.name}")
        elif isinstance(stmt, (ast.Pass, ast.Assert, ast.Global, ast.Nonlocal)):
            pass
        else:  # if, for, while, with, try, match: which branch runs is not known
            kind = type(stmt).__name__.lower()
            self._forget(stmt, f"an `{kind}` block")

    def _expression(self, node) -> None:
        """A bare expression: IPython's cell magics that run Python (``%%capture``,
        ``%%time``) are followed; a walrus binds a name."""
        call = _ipython_call(node)
        if call and call[0] in ("run_cell_magic", "run_line_magic"):
            args = call[1]
            magic = args[0].value if args and isinstance(args[0], ast.Constant) else ""
            body = args[-1].value if args and isinstance(args[-1], ast.Constant) else None
            if magic in ("capture", "time") and isinstance(body, str):  # run in the kernel
                for stmt in ast.parse(kernel_source(body, False) or "").body:
                    self._statement(stmt)
            return
        for n in ast.walk(node):
            if isinstance(n, ast.NamedExpr):
                self._set(n.target.id, Unreadable("a := inside an expression"))

    def _bind(self, target, value) -> None:
        if isinstance(target, ast.Name):
            self._set(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            names = target.elts
            if isinstance(value, Unreadable):
                for t in names:
                    for name in _bound_names(t):
                        self._set(name, value)
                return
            try:
                items = list(value)
            except TypeError:
                raise _Raises() from None
            star = next((i for i, t in enumerate(names) if isinstance(t, ast.Starred)), None)
            if star is None:
                if len(items) != len(names):
                    raise _Raises()  # ValueError: too many / not enough values
                for t, v in zip(names, items, strict=True):
                    self._bind(t, v)
                return
            after = len(names) - star - 1
            if len(items) < star + after:
                raise _Raises()
            for t, v in zip(names[:star], items[:star], strict=True):
                self._bind(t, v)
            self._bind(names[star].value, items[star:len(items) - after])
            for t, v in zip(names[star + 1:], items[len(items) - after:], strict=True):
                self._bind(t, v)
        # attributes and subscripts change objects, not names: nothing to record

    def _value(self, node):
        """The value of an expression, or :class:`Unreadable`; _Raises when the kernel
        would raise evaluating it."""
        try:
            return self._eval(node)
        except _Unknown as err:
            return Unreadable(str(err))

    # expressions

    def _eval(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = []
            for e in node.elts:
                if isinstance(e, ast.Starred):
                    items += list(self._eval(e.value))
                else:
                    items.append(self._eval(e))
            return {ast.Tuple: tuple, ast.List: list, ast.Set: set}[type(node)](items)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise _Unknown("a dict with ** inside")
            return {self._eval(k): self._eval(v) for k, v in zip(node.keys, node.values,
                                                                 strict=True)}
        if isinstance(node, ast.Name):
            if node.id not in self.env:
                raise _Unknown(f"a name ({node.id}) the notebook does not assign")
            value = self.env[node.id]
            if isinstance(value, Unreadable):
                raise _Unknown(f"{node.id}, which comes from {value.why}")
            return value
        if isinstance(node, ast.JoinedStr):
            return "".join(self._format(v) for v in node.values)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
            return self._safe(_UNOPS[type(node.op)], self._eval(node.operand))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = self._eval(node.left), self._eval(node.right)
            if isinstance(node.op, ast.Pow) and isinstance(right, (int, float)) and (
                    abs(right) > 64 or (isinstance(left, int) and
                                        left.bit_length() * abs(right) > 100_000)):
                raise _Unknown("a large power")
            if isinstance(node.op, ast.Mult) and any(isinstance(x, int) and x > _MAX_TEXT
                                                     for x in (left, right)):
                raise _Unknown("a very long repetition")
            return self._safe(_BINOPS[type(node.op)], left, right)
        if isinstance(node, ast.Subscript):
            return self._safe(operator.getitem, self._eval(node.value), self._eval(node.slice))
        if isinstance(node, ast.Slice):
            return slice(*(self._eval(p) if p is not None else None
                           for p in (node.lower, node.upper, node.step)))
        if isinstance(node, ast.IfExp):
            return self._eval(node.body if self._eval(node.test) else node.orelse)
        if isinstance(node, ast.Call):
            return self._call(node)
        if _ipython_call(node) is not None:
            raise _Unknown("a ! or % line")
        raise _Unknown(f"an expression ({type(node).__name__})")

    def _format(self, part) -> str:
        if isinstance(part, ast.Constant):
            return part.value
        value = self._eval(part.value)
        value = {115: str, 114: repr, 97: ascii}.get(part.conversion, lambda v: v)(value)
        spec = self._eval(part.format_spec) if part.format_spec is not None else ""
        return self._safe(format, value, spec)

    def _call(self, node):
        call = _ipython_call(node)
        if call is not None:
            raise _Unknown("a ! shell line" if call[0] in ("getoutput", "system")
                           else "a % magic")
        if node.keywords and not (isinstance(node.func, ast.Attribute)
                                  and node.func.attr == "format"):
            raise _Unknown("a function call")
        if isinstance(node.func, ast.Name) and node.func.id in _CONVERT \
                and node.func.id not in self.env and len(node.args) <= 1:
            return self._safe(_CONVERT[node.func.id], *(self._eval(a) for a in node.args))
        name = ast.unparse(node.func)
        if isinstance(node.func, ast.Attribute):
            try:
                owner = self._eval(node.func.value)
            except _Unknown:
                raise _Unknown(f"a function call ({name}(...))") from None
            method = node.func.attr
            if method == "format" and isinstance(owner, str) and "__" in owner:
                raise _Unknown("a format string that looks into objects")
            if isinstance(owner, str) and method in ("join", "format", "strip", "lower",
                                                     "upper", "replace"):
                args = [self._eval(a) for a in node.args]
                kwargs = {k.arg: self._eval(k.value) for k in node.keywords if k.arg}
                if method == "join":
                    args = [list(args[0])] if len(args) == 1 else args
                    if not all(isinstance(a, str) for a in (args[0] if args else [])):
                        raise _Raises()
                return self._safe(getattr(owner, method), *args, **kwargs)
        raise _Unknown(f"a function call ({name}(...))")

    @staticmethod
    def _safe(fn, *args, **kwargs):
        try:
            value = fn(*args, **kwargs)
        except Exception:  # noqa: BLE001  TypeError, ZeroDivisionError...: the kernel raises too
            raise _Raises() from None
        if isinstance(value, str) and len(value) > _MAX_TEXT:
            raise _Unknown("a very long text")
        return value
