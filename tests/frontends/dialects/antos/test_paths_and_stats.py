"""The AntOS dialect's pure parts: VFS paths onto scopes, stat bits from roles and grants,
data URLs, API routes behind any number of slashes."""

from __future__ import annotations

import pytest

from podstore.core.records import NodeInfo, ScopeInfo
from podstore.frontends.dialects.antos.app import api_path
from podstore.frontends.dialects.antos.errors import AntosError, BadPath
from podstore.frontends.dialects.antos.paths import parse
from podstore.frontends.dialects.antos.stat import node_stat
from podstore.frontends.dialects.antos.vfs import decode_data_url


@pytest.mark.parametrize(
    ("text", "scheme", "scope", "parts"),
    [
        ("home://", "home", "home", ()),
        ("home:///docs", "home", "home", ("docs",)),
        ("home:/docs//a.txt", "home", "home", ("docs", "a.txt")),
        ("desktop://x", "desktop", "home", (".antos", "desktop", "x")),
        ("pod://share:ab12/a/b", "pod", "share:ab12", ("a", "b")),
        ("shared://tok.en", "shared", "tok.en", ()),
        ("shared://", "shared", "", ()),
        ("os://packages/Files", "os", "", ("packages", "Files")),
    ],
)
def test_vfs_paths_map_onto_scopes(
    text: str, scheme: str, scope: str, parts: tuple[str, ...]
) -> None:
    path = parse(text, "home")
    assert (path.scheme, path.scope, path.parts) == (scheme, scope, parts)


@pytest.mark.parametrize(
    "text",
    ["ftp://x", "gdv://", "home:", "home", "home://a/../b", "home://./a", "pod://", 7, None,
     "shared://a/b", "home://a\x01b"],
)  # fmt: skip
def test_what_is_not_a_vfs_path(text: object) -> None:
    with pytest.raises(BadPath):
        parse(text, "home")


def test_children_are_spelled_as_antos_spells_them() -> None:
    assert parse("home://", "home").child("a") == "home://a"
    assert parse("home://docs/", "home").child("a") == "home://docs/a"
    assert parse("home://docs", "home").child("a") == "home://docs/a"


def node(kind: str) -> NodeInfo:
    return NodeInfo("n", "a.txt", kind, 3, 0.0, 0.0, "text/plain", None, None)


@pytest.mark.parametrize(
    ("viewer", "level", "read_only", "kind", "mode"),
    [
        ("owner", "manage", False, "dir", " (700)"),
        ("owner", "manage", False, "file", " (600)"),
        ("guest", "read", False, "file", " (640)"),
        ("guest", "write", False, "dir", " (770)"),
        ("guest", "delete", True, "file", " (440)"),
    ],
)
def test_bits_say_what_roles_and_grants_allow(
    viewer: str, level: str, read_only: bool, kind: str, mode: str
) -> None:
    scope = ScopeInfo("pod", "home", "owner", level, "member", read_only)
    stat = node_stat(node(kind), scope, viewer)
    assert stat["permissions"] == mode
    assert stat["mime"] == ("dir" if kind == "dir" else "text/plain")


def test_data_urls() -> None:
    assert decode_data_url("") == b""
    assert decode_data_url("data:text/plain;base64,aGk=") == b"hi"
    assert decode_data_url("data:application/vnd.a+json;base64,e30=") == b"{}"
    for bad in ("hi", "data:text/plain,hi", "data:text/plain;base64,a$b=", None, 3):
        with pytest.raises(AntosError, match="Wrong data format"):
            decode_data_url(bad)


def test_api_routes_behind_any_slashes() -> None:
    assert api_path("//VFS/scandir") == "/VFS/scandir"
    assert api_path("/user") == "/user"
    assert api_path("///system/packages") == "/system/packages"
    assert api_path("/api/v1/pods") is None
    assert api_path("/VFSx/get") is None
