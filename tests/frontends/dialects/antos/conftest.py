"""A real podstore process with the AntOS dialect serving a small stand-in AntOS build
(its `os://` and the desktop at /antos), and a client that talks as the desktop does: full
URLs, so `//VFS/…` and raw `home://` paths reach the server as written."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.server import Server, User, server_env

PACKAGES = {
    "Files": {"app": "Files", "name": "Files manager", "category": "System", "mimes": ["dir"]},
    "SystemServices": {"app": "SystemServices", "name": "System services", "services": []},
}
WALLPAPER = bytes(range(256)) * 40


def make_build(root: Path) -> Path:
    """What `make main` of antos-frontend leaves, in miniature."""
    (root / "index.html").parent.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text("<!DOCTYPE html><title>AntOS webOS</title>")
    for name, meta in PACKAGES.items():
        folder = root / "packages" / name
        folder.mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps(meta))
        (folder / "main.js").write_text(f"console.log('{name}');")
        (folder / "main.css").write_text("afx-app-window { color: red; }")
        (folder / "scheme.html").write_text("<afx-app-window></afx-app-window>")
    (root / "packages" / "README").write_text("not a package")
    os.symlink("/etc", root / "packages" / "escape")
    wallpaper = root / "resources" / "themes" / "system" / "wp"
    wallpaper.mkdir(parents=True)
    (wallpaper / "wp3.jpg").write_bytes(WALLPAPER)
    icons = root / "resources" / "themes" / "system" / "icons"
    icons.mkdir(parents=True)
    (icons / "antos-32x32.png").write_bytes(b"\x89PNG\r\n\x1a\nicon")
    return root


@pytest.fixture(scope="module")
def antos_server(
    database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("antos")
    build = make_build(root / "build")
    env = server_env(
        root / "data",
        database_url,
        PODSTORE_FRONTENDS__ANTOS__OS_DIR=str(build),
        PODSTORE_FRONTENDS__ANTOS__DESKTOP_PREFIX="/antos",
    )
    srv = Server(root / "data", env)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


class Desktop:
    """The AntOS desktop's side of the wire: JSON posts and raw GETs, with its cookie."""

    native: User  # the signed-in user's native API client, where a test needs one

    def __init__(self, server: Server, base: str = "/") -> None:
        self.server = server
        self.base = server.url + base  # the page's URL: calls go to base + "/VFS/…"
        self.http = httpx.Client(timeout=60)

    def url(self, path: str) -> str:
        return self.base + path

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        if body is not None:
            kwargs["json"] = body
        return self.http.post(self.url(path), **kwargs)

    def call(self, path: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        """A JSON call; AntOS answers 200 with its envelope, whatever happened."""
        response = self.post(path, body, **kwargs)
        assert response.status_code == 200, (response.status_code, response.text)
        answer: dict[str, Any] = response.json()
        return answer

    def result(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        answer = self.call(path, body, **kwargs)
        assert answer.get("error") is False, answer
        return answer["result"]

    def error(self, path: str, body: Any = None, **kwargs: Any) -> str:
        answer = self.call(path, body, **kwargs)
        assert "result" not in answer and isinstance(answer.get("error"), str), answer
        message: str = answer["error"]
        return message

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(self.url(path), **kwargs)

    def login(self, name: str, password: str) -> dict[str, Any]:
        info: dict[str, Any] = self.result("/user/login", {"username": name, "password": password})
        return info

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def desktop(antos_server: Server) -> Iterator[Desktop]:
    """A desktop signed in as a fresh user (`desktop.user`)."""
    user = antos_server.new_user("antos")
    client = Desktop(antos_server)
    client.native = user
    client.login(user.name, user.password)
    try:
        yield client
    finally:
        client.close()
        user.close()
