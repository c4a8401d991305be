"""Imports point downward only (DESIGN.md §1): api -> core -> meta, storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent / "podstore"
FORBIDDEN = {
    "api": ("podstore.meta", "podstore.storage"),
    "core": ("podstore.api", "podstore.cli", "fastapi", "starlette", "granian"),
    "meta": ("podstore.api", "podstore.core", "podstore.cli", "podstore.storage"),
    "storage": ("podstore.api", "podstore.core", "podstore.cli", "podstore.meta"),
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_downward(layer: str) -> None:
    modules = sorted((ROOT / layer).rglob("*.py"))
    assert modules
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules
        for name in sorted(imports(path))
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offenders == []
