"""docs/operations.md lists every environment variable the code reads, in one table."""

from __future__ import annotations

import ast
import re

from portal.config import ROOT

DOC = ROOT / "docs" / "operations.md"
HEADING = "## Environment variables"


def _is_environ(node: ast.AST) -> bool:
    """``os.environ``, or a local name bound to it (``env = os.environ``)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id in ("env", "environ")


def _constant(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def variables_read(source: str) -> set[str]:
    """Names read with ``os.environ[...]``, ``os.environ.get/pop/setdefault(...)`` or
    ``os.getenv(...)``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        name = None
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            name = _constant(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            func = node.func
            reads_environ = func.attr in ("get", "pop", "setdefault") and _is_environ(func.value)
            getenv = func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os"
            if reads_environ or getenv:
                name = _constant(node.args[0])
        if name:
            found.add(name)
    return found


def code_variables() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        for name in variables_read(path.read_text()):
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def documented_variables(text: str) -> set[str]:
    """Names in the first column of the table under ``## Environment variables``."""
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("| ---"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)", line.split("|")[1]))
    return names


def test_the_scanner_sees_every_way_of_reading():
    source = ('import os\nenv = os.environ\na = os.environ["A"]\nb = os.environ.get(\n  "B", "x")\n'
              'c = env.get("C")\nd = env["D"]\ne = os.getenv("E")\nf = config.get("NOT_ENV")\n')
    assert variables_read(source) == {"A", "B", "C", "D", "E"}


def test_every_variable_the_code_reads_is_documented():
    documented = documented_variables(DOC.read_text())
    code = code_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "LOG_FORMAT", "METRICS_TOKEN"} <= set(code)
    missing = {name: where for name, where in code.items() if name not in documented}
    assert not missing, f"add these to the table in docs/operations.md: {missing}"
    stale = documented - set(code)
    assert not stale, f"documented but read nowhere in portal/: {sorted(stale)}"
