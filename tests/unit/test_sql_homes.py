"""The README's "Where SQL goes", for the views, the reports, the archive and the cases: only
views/queries.py, reports/repo.py, archive/repo.py and the cases/repo/ package build SQL; the
panels, routers, report modules and capability modules call them."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "include" / "council_social"
SQL_HOMES = {"views/queries.py", "reports/repo.py", "archive/repo.py"}  # and cases/repo/*.py
# A table definition whose server default and index predicate are SQL text, not a query.
TABLES = {"cases/reply_tables.py"}
# What builds or runs a statement; a table definition (reports/tables.py) is not a query.
BUILDERS = {"text", "select", "insert", "update", "delete", "literal_column"}
RUNNERS = {"exec_driver_sql", "execute"}


def sql_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"imports {a.name} from {node.module}" for a in node.names if a.name in BUILDERS]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in RUNNERS:
            found.append(f"calls .{node.func.attr}() on line {node.lineno}")
    return found


MODULES = [pytest.param(path, id=f"{folder}/{path.name}")
           for folder in ("views", "reports", "archive", "cases")
           for path in sorted((PACKAGE / folder).glob("*.py"))
           if f"{folder}/{path.name}" not in SQL_HOMES | TABLES]


@pytest.mark.parametrize("path", MODULES)
def test_no_sql_outside_the_repo_modules(path):
    assert sql_in(path) == []


def test_the_check_sees_a_query():
    # The rule's own check must fire on what it forbids.
    assert sql_in(PACKAGE / "views" / "queries.py") and sql_in(PACKAGE / "reports" / "repo.py")
    assert sql_in(PACKAGE / "archive" / "repo.py")
    assert all(sql_in(path) for path in (PACKAGE / "cases" / "repo").glob("*.py")
               if path.name != "__init__.py")
