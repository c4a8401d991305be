"""A browser-like client of the web UI: signed up through the form, holding its cookies.

The web UI's tests run on SQLite only: the pages hold no SQL of their own, and the contract
suite drives the web UI on both databases."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.server import PASSWORD, Server

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
