"""A browser-like client of the web UI: signed up through the form, holding its cookies;
and for the browser tests, one server per module and a page of a real Chromium.

The web UI's tests run on SQLite only: the pages hold no SQL of their own, and the contract
suite drives the web UI on both databases."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.server import PASSWORD, Server, server_env
from tests.frontends.web.chromium import ARGS, CHROMIUM, DESKTOP

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture(scope="module")
def database_url() -> None:
    return None


class WebUser(httpx.Client):
    name: str
    csrf: str
    token: str

    def form(self, url: str, **fields: str | list[str]) -> httpx.Response:
        """A form post as our page sends it: the CSRF field and a same-origin Origin."""
        origin = {"Origin": str(self.base_url).rstrip("/")}
        return self.post(url, data={"csrf": self.csrf, **fields}, headers=origin)


def web_user(server: Server, pod: str | None = "home") -> WebUser:
    user = WebUser(base_url=server.url, timeout=60)
    user.name = f"web-{uuid.uuid4().hex[:10]}"
    signed = user.post(
        "/signup", data={"name": user.name, "password": PASSWORD, "password2": PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    found = CSRF.search(signed.text)
    assert found
    user.csrf, user.token = found.group(1), user.cookies["podstore_token"]
    if pod:
        assert user.form("/pods/new", name=pod).status_code == 303
    return user


@pytest.fixture
def web(server: Server) -> Iterator[WebUser]:
    user = web_user(server)
    try:
        yield user
    finally:
        user.close()


# -- a real Chromium (the browser tests) -----------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("web")
    # small tus chunks, so a 50 MiB upload takes many requests and can be cut between them
    env = server_env(root / "data", None, PODSTORE_MAX_REQUEST_BYTES=str(4 * 1024 * 1024))
    server = Server(root / "data", env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("no /usr/bin/chromium: `make test` installs it as root")
    with playwright_api.sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object, site: Server) -> Iterator[Any]:
    context = browser.new_context(base_url=site.url, viewport=DESKTOP, accept_downloads=True)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("dialog", lambda dialog: problems.append(f"a dialog opened: {dialog.message}"))
    try:
        yield tab
    finally:
        context.close()
    assert problems == []
