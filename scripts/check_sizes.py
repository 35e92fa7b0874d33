"""Fails when a module of assets/, enablement/ or config/ grows past about 300 lines or a function past
60 (migrations aside): a module that long becomes a package, a function that long becomes several.

Run by `make lint`: python scripts/check_sizes.py
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assets", "enablement", "config")
MAX_MODULE_LINES = 310  # "about 300"
MAX_FUNCTION_LINES = 60


def problems(path: Path) -> list[str]:
    name = path.relative_to(ROOT).as_posix()
    source = path.read_text()
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{name}: {lines} lines (at most {MAX_MODULE_LINES}); make it a package")
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(
                    f"{name}:{node.lineno}: {node.name}() has {length} lines (at most {MAX_FUNCTION_LINES})"
                )
    return found


def report(found: list[str]) -> int:
    """Print what was found, one per line on stderr; the exit status of a check."""
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


def modules(skip: Callable[[Path], bool]) -> list[Path]:
    """The Python modules of the project's packages, in order, but those `skip` says."""
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py")) if not skip(path)]


def main() -> int:
    return report(
        [problem for path in modules(lambda p: "migrations" in p.parts) for problem in problems(path)]
    )


if __name__ == "__main__":
    sys.exit(main())
