"""Fails when a function of assets/, enablement/ or config/ imports from the project.

An import placed inside a function hides a dependency from import-linter and usually dodges a
cycle that should be broken by moving code to where it belongs. Three places may do it, because
Django or the command line loads them after every app: `AppConfig.ready`, migrations and management
commands.

Run by `make lint`: python scripts/check_function_imports.py
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from check_sizes import PACKAGES, ROOT, modules, report


def _project_module(node: ast.Import | ast.ImportFrom) -> str | None:
    if isinstance(node, ast.ImportFrom):
        if node.level:  # a relative import is always the project's
            return "." * node.level + (node.module or "")
        names = [node.module or ""]
    else:
        names = [alias.name for alias in node.names]
    for name in names:
        if name.split(".")[0] in PACKAGES:
            return name
    return None


def _allowed(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "migrations" in parts or ("management" in parts and "commands" in parts)


def problems(path: Path) -> list[str]:
    name = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(), filename=name)
    found = []

    def visit(node: ast.AST, function: str | None, in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                # AppConfig.ready runs once every app is loaded: the one place for wiring imports.
                ready = in_class and child.name == "ready" and path.name == "apps.py"
                visit(child, None if ready else (function or child.name), False)
            elif isinstance(child, ast.ClassDef):
                visit(child, function, True)
            else:
                if function and isinstance(child, ast.Import | ast.ImportFrom):
                    module = _project_module(child)
                    if module:
                        found.append(f"{name}:{child.lineno}: {function}() imports {module}")
                visit(child, function, in_class)

    visit(tree, None, False)
    return found


def main() -> int:
    return report([problem for path in modules(_allowed) for problem in problems(path)])


if __name__ == "__main__":
    sys.exit(main())
