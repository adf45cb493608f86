"""Greps the code (by its syntax tree): no text is ever spliced into a query string.

Values are bound as parameters and identifiers come from allowlists; the places where that is
easiest to get wrong are DuckDB's ``query()`` / ``sql()`` / ``query_table()`` and relation
expressions (``filter``, ``project``, ``aggregate``, ``order`` …), and pandas' ``query()`` /
``eval()``, which evaluate their string. None of them may receive an f-string, a ``+`` or
``%`` concatenation or a ``.format()`` result — directly or through a local variable.
``execute()`` with dynamic SQL is ruff's S608 (enabled in ruff.toml); here the pages and the
shared UI code are checked to hold no SQL at all, so widget values cannot reach a query there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app.py", "store", "kpi", "loaders", "ui", "pages", "data")
STRING_EVALUATING = {
    "query",
    "sql",
    "query_table",
    "from_query",
    "query_df",
    "filter",
    "project",
    "aggregate",
    "order",
    "select",
    "eval",
}
SQL_WORDS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", " FROM ", "CREATE ", "COPY ", "ATTACH ")


def _python_files() -> Iterator[Path]:
    for entry in PACKAGES:
        path = ROOT / entry
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def _is_spliced(node: ast.AST) -> bool:
    """An f-string with values, a string concatenation or %-format, or ``str.format()``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    )


def _spliced_names(function: ast.AST) -> set[str]:
    """Local names assigned a spliced string anywhere in ``function``."""
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_spliced(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)  # sql += ...
    return names


def violations(source: str, filename: str = "<code>") -> list[str]:
    """``file:line call`` for every string-evaluating call that receives spliced text."""
    tree = ast.parse(source, filename=filename)
    found: list[str] = []
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]
    for scope in scopes:
        spliced = _spliced_names(scope) if scope is not tree else set()
        body = scope.body if isinstance(scope, ast.FunctionDef) else tree.body
        for statement in body:
            for node in ast.walk(statement):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in STRING_EVALUATING
                ):
                    continue
                candidates = list(node.args[:1]) + [
                    k.value for k in node.keywords if k.arg in ("query", "expr", "sql", "condition")
                ]
                for argument in candidates:
                    if _is_spliced(argument) or (
                        isinstance(argument, ast.Name) and argument.id in spliced
                    ):
                        found.append(f"{filename}:{node.lineno} .{node.func.attr}()")
    return sorted(set(found))


def test_no_spliced_text_reaches_a_string_evaluating_call() -> None:
    found: list[str] = []
    for path in _python_files():
        found += violations(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == [], "text spliced into a query/expression string:\n" + "\n".join(found)


def test_pages_and_ui_hold_no_sql() -> None:
    """Widget values live in pages/ and ui/; if no SQL is written there, none can be spliced."""
    offenders = []
    for path in _python_files():
        relative = path.relative_to(ROOT)
        if relative.parts[0] not in ("pages", "ui") and relative.name != "app.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("execute", "executemany", "sql", "query_table"):
                    offenders.append(f"{relative}:{node.lineno} .{node.func.attr}()")
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.upper()
                if text.lstrip().startswith(SQL_WORDS[:4]) and " FROM " in text + " ":
                    offenders.append(f"{relative}:{node.lineno} SQL text")
    assert offenders == []


@pytest.mark.parametrize(
    "code",
    [
        "def f(con, name):\n    return con.query(f\"SELECT * FROM t WHERE name = '{name}'\")\n",
        "def f(con, name):\n    return con.sql('SELECT * FROM t WHERE a = ' + name)\n",
        "def f(rel, v):\n    return rel.filter(\"title = '%s'\" % v)\n",
        "def f(rel, v):\n    return rel.project('{} AS x'.format(v))\n",
        "def f(df, v):\n    return df.query(f'title == \"{v}\"')\n",
        "def f(con, v):\n    q = f'SELECT {v}'\n    return con.query(q)\n",
        "def f(con, v):\n    return con.query_table(f'{v}')\n",
        "def f(df, v):\n    return df.eval(expr=f'a + {v}')\n",
    ],
)
def test_the_check_catches_spliced_text(code: str) -> None:
    assert violations(code), code


@pytest.mark.parametrize(
    "code",
    [
        "def f(con, v):\n    return con.execute('SELECT * FROM t WHERE a = ?', [v])\n",
        "SQL = 'SELECT 1'\ndef f(con):\n    return con.query(SQL)\n",
        "def f(df):\n    return df.filter(items=['a', 'b'])\n",
        "def f(rel):\n    return rel.filter('a > 1')\n",
    ],
)
def test_the_check_accepts_bound_values(code: str) -> None:
    assert violations(code) == []
