"""Imports point downward only (DESIGN.md §1).

server -> frontends -> core -> meta, storage. A front end sees the core only through its
public face (the Core facade, records, errors, the actor) and `frontends/http`; no front
end imports another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent / "podstore"
HTTP = ("fastapi", "starlette", "granian")
FORBIDDEN = {
    "frontends": ("podstore.meta", "podstore.storage", "podstore.server", "podstore.cli"),
    "core": ("podstore.frontends", "podstore.server", "podstore.cli", *HTTP),
    "meta": ("podstore.frontends", "podstore.core", "podstore.cli", "podstore.storage"),
    "storage": ("podstore.frontends", "podstore.core", "podstore.cli", "podstore.meta"),
    "cli": ("podstore.frontends", "podstore.meta"),
}
# what a front end may import from the core
CORE_FACE = (
    "podstore.core.service",
    "podstore.core.records",
    "podstore.core.errors",
    "podstore.core.context",
    "podstore.core.names",
)
FRONT_ENDS = sorted(
    p.name for p in (ROOT / "frontends").iterdir() if p.is_dir() and p.name != "__pycache__"
)


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_downward(layer: str) -> None:
    modules = sorted((ROOT / layer).rglob("*.py"))
    assert modules
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules
        for name in sorted(imports(path))
        if any(under(name, bad) for bad in FORBIDDEN[layer])
    ]
    assert offenders == []


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_end_sees_only_the_core_face_and_http(front_end: str) -> None:
    own = f"podstore.frontends.{front_end}"
    offenders = []
    for path in sorted((ROOT / "frontends" / front_end).rglob("*.py")):
        for name in sorted(imports(path)):
            if under(name, "podstore.core") and not any(under(name, ok) for ok in CORE_FACE):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
            if (
                under(name, "podstore.frontends")
                and not under(name, own)
                and not under(name, "podstore.frontends.http")
            ):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
