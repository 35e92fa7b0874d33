"""The lint's own checks (scripts/, run by `make lint`) find what they are there to find."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture
def scripts(monkeypatch, tmp_path):
    """The two checks, looking at a project made in tmp_path instead of this one."""
    monkeypatch.syspath_prepend(str(SCRIPTS))
    sizes = importlib.import_module("check_sizes")
    imports = importlib.import_module("check_function_imports")
    for module in (sizes, imports):
        monkeypatch.setattr(module, "ROOT", tmp_path)
    yield sizes, imports
    for name in ("check_sizes", "check_function_imports"):
        sys.modules.pop(name, None)


def _module(root: Path, name: str, source: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


def test_an_import_inside_a_function_is_found_except_where_django_loads_late(scripts, tmp_path):
    _, imports = scripts
    hidden = _module(tmp_path, "enablement/deals/history.py", "def f():\n    from enablement import people\n")
    wiring = _module(
        tmp_path, "enablement/apps.py", "class C:\n    def ready(self):\n        from enablement import x\n"
    )
    command = _module(tmp_path, "enablement/management/commands/go.py", "def f():\n    import enablement\n")
    outside = _module(tmp_path, "enablement/ok.py", "def f():\n    import json\n")
    assert imports.problems(hidden) == ["enablement/deals/history.py:2: f() imports enablement"]
    assert imports.problems(wiring) == imports.problems(outside) == []
    assert [p.name for p in imports.modules(imports._allowed)] == ["apps.py", "history.py", "ok.py"]
    assert command not in imports.modules(imports._allowed)


def test_a_module_or_function_past_its_size_is_found(scripts, tmp_path):
    sizes, _ = scripts
    body = "".join(f"    x{n} = {n}\n" for n in range(sizes.MAX_FUNCTION_LINES))
    long_function = _module(tmp_path, "assets/long.py", "def f():\n" + body)
    long_module = _module(tmp_path, "config/big.py", "x = 1\n" * (sizes.MAX_MODULE_LINES + 1))
    assert sizes.problems(long_function) == [
        f"assets/long.py:1: f() has {sizes.MAX_FUNCTION_LINES + 1} lines (at most 60)"
    ]
    assert sizes.problems(long_module) == ["config/big.py: 311 lines (at most 310); make it a package"]
    assert sizes.report([]) == 0 and sizes.report(["x"]) == 1
