"""The core imports nothing but the standard library (import-linter checks a list of known frameworks; this checks
every import of every core module against Python's own list of standard modules)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import whaticket_core

CORE = Path(whaticket_core.__file__).parent


def _third_party_imports(path: Path, root: Path = CORE) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top not in {"whaticket_core", "__future__"}:
                found.append(f"{path.relative_to(root)}: {name}")
    return found


def test_core_modules_import_only_the_standard_library() -> None:
    offenders = [hit for path in sorted(CORE.rglob("*.py")) for hit in _third_party_imports(path)]
    assert offenders == []


def test_the_checker_sees_a_third_party_import(tmp_path: Path) -> None:
    # Guards the guard: the same checker flags a framework import.
    module = tmp_path / "probe.py"
    module.write_text("import litestar\nfrom whaticket_core.domain import errors\n")
    assert _third_party_imports(module, tmp_path) == ["probe.py: litestar"]
