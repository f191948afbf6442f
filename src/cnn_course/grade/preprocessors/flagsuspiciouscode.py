"""Flag student code that tampers with the course's checks or writes a metric by hand."""

from __future__ import annotations

import ast
import re

from traitlets import List, Unicode

from cnn_course.grade.cells import grade_id, is_locked
from cnn_course.grade.findings import position
from cnn_course.grade.preprocessors.base import PreflightPreprocessor
from cnn_course.messages import msg

# Nodes a value may contain and still be a number typed by hand.
_LITERAL = (
    ast.Constant,
    ast.UnaryOp,
    ast.BinOp,
    ast.Tuple,
    ast.List,
    ast.Dict,
    ast.unaryop,
    ast.operator,
    ast.expr_context,
)


def _parse(source: str) -> ast.Module | None:
    """The cell as Python, IPython magics translated first; None if it does not parse."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or a transform error: parse the raw source
        pass
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _root(node: ast.AST) -> str | None:
    """The name at the root of ``a.b[c].d``."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_literal(node: ast.AST) -> bool:
    return all(isinstance(n, _LITERAL) for n in ast.walk(node))


class FlagSuspiciousCode(PreflightPreprocessor):
    """Report assignments into the course's modules, importlib, sys.modules and hand-set metrics.

    Only flags: the score still comes from the hidden tests, which reload the
    checks. Lines that also appear in the release are never flagged.
    """

    packages = List(
        ["cnn_course"],
        help="Packages whose modules (under any imported name) a student must not modify.",
    ).tag(config=True)

    metric_pattern = Unicode(
        r"(?i)(^|_)(acc|accuracy|exactitud|precision|precisión|score|nota)($|_)",
        help="Variable names (or string keys) of metrics a student must compute, not type in.",
    ).tag(config=True)

    def check(self, nb, resources):
        index = self.index(resources)
        release_lines = {
            ln.strip()
            for cell in resources["preflight"]["release"].cells
            for ln in cell.source.splitlines()
        }
        trees = [(pos, cell, _parse(cell.source)) for pos, cell in enumerate(nb.cells)]
        roots = set(self.packages)
        for _, cell, tree in trees:
            if cell.cell_type == "code" and tree is not None:
                roots |= self._aliases(tree)
        for pos, cell, tree in trees:
            gid = grade_id(cell)
            # nbgrader replaces locked cells with the release's: their code never runs.
            if cell.cell_type != "code" or (gid in index.cells and is_locked(index.cells[gid])):
                continue
            lines = cell.source.splitlines()
            seen = set()
            for reason, lineno in self._reasons(tree, cell.source, roots):
                line = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
                if reason in seen or line in release_lines:
                    continue
                seen.add(reason)
                self.report(
                    resources,
                    "suspicious_code",
                    cell=gid or position(pos),
                    position=f"«{gid}» ({position(pos)})" if gid else position(pos),
                    reason=msg(f"grade.reason.{reason}"),
                    line=line[:80],
                    code=reason,
                )
        return nb, resources

    def _aliases(self, tree: ast.Module) -> set[str]:
        """Names bound to the course's packages or their modules by import statements."""
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] in self.packages:
                        names.add(a.asname or a.name.split(".")[0])
            elif (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.split(".")[0] in self.packages
            ):
                names |= {a.asname or a.name for a in node.names}
        return names

    def _reasons(self, tree: ast.Module | None, source: str, roots: set[str]):
        """(reason, line number) for each suspicious statement of one cell."""
        if tree is None:  # unparsable: fall back to plain text for the two clearest signs
            for n, line in enumerate(source.splitlines(), start=1):
                if "sys.modules" in line:
                    yield "sys_modules", n
                if "importlib" in line:
                    yield "importlib", n
            return
        metric = re.compile(self.metric_pattern)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
                targets = (
                    node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
                )
                value = getattr(node, "value", None)
                for target in targets:
                    if isinstance(target, ast.Attribute | ast.Subscript) and _root(target) in roots:
                        yield "assign_checks", node.lineno
                    elif (
                        value is not None
                        and _is_literal(value)
                        and self._metric_target(target, metric)
                    ):
                        yield "fake_metric", node.lineno
            elif isinstance(node, ast.Call):
                func = node.func
                if (
                    isinstance(func, ast.Name)
                    and func.id in ("setattr", "delattr")
                    and node.args
                    and _root(node.args[0]) in roots
                ):
                    yield "setattr_checks", node.lineno
                if isinstance(func, ast.Name) and func.id == "__import__":
                    yield "importlib", node.lineno
            elif isinstance(node, ast.Import | ast.ImportFrom):
                modules = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                if any(m.split(".")[0] == "importlib" for m in modules):
                    yield "importlib", node.lineno
                if (
                    isinstance(node, ast.ImportFrom)
                    and node.module == "sys"
                    and any(a.name == "modules" for a in node.names)
                ):
                    yield "sys_modules", node.lineno
            elif (
                isinstance(node, ast.Attribute)
                and node.attr == "modules"
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                yield "sys_modules", node.lineno

    @staticmethod
    def _metric_target(target: ast.AST, metric: re.Pattern) -> bool:
        if isinstance(target, ast.Name):
            return bool(metric.search(target.id))
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            return isinstance(target.slice.value, str) and bool(metric.search(target.slice.value))
        if isinstance(target, ast.Attribute):
            return bool(metric.search(target.attr))
        if isinstance(target, ast.Tuple | ast.List):
            return any(FlagSuspiciousCode._metric_target(t, metric) for t in target.elts)
        return False
