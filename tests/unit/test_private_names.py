"""The package's own rules on names and imports (issue 26): no private name (a leading
underscore) is taken from another module, and no import hides inside `except Exception`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "include" / "council_social").rglob("*.py"),
                  *(ROOT / "dags").glob("*.py"), *(ROOT / "plugins").glob("*.py")])


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def crossings(tree: ast.AST) -> list[str]:
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("council_social"):
            for alias in node.names:
                if private(alias.name):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name.split(".")[0] for a in node.names
                        if a.name.startswith("council_social")}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and private(node.attr)
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def imports_under_broad_except(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        broad = [h for h in node.handlers
                 if h.type is None or (isinstance(h.type, ast.Name)
                                       and h.type.id in ("Exception", "BaseException"))]
        if not broad:
            continue
        for statement in node.body:
            for inner in ast.walk(statement):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    found.append(f"line {inner.lineno}: an import inside try/except Exception")
    return found


def problems(check) -> list[str]:
    return [f"{path.relative_to(ROOT)} {found}" for path in SOURCES
            for found in check(ast.parse(path.read_text()))]


def test_no_private_name_crosses_a_module():
    assert problems(crossings) == []


def test_no_import_is_hidden_by_a_broad_except():
    assert problems(imports_under_broad_except) == []


def test_the_checks_see_what_they_look_for():
    code = ("import council_social.airflow as af\n"
            "from council_social.cli import _Parser\n"
            "af._connection('x')\n"
            "try:\n    import yaml\nexcept Exception:\n    pass\n")
    tree = ast.parse(code)
    assert len(crossings(tree)) == 2
    assert len(imports_under_broad_except(tree)) == 1
