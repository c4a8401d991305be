"""The same-origin check shared by the web UI's forms and cookie WebSockets: our own pages
pass, behind a proxy too (their origin is `public_url`), other sites' pages do not."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.requests import Request

from podstore.frontends.http import csrf


def request(headers: dict[str, str], public_url: str | None = None) -> Request:
    core = SimpleNamespace(settings=SimpleNamespace(public_url=public_url))
    app = SimpleNamespace(state=SimpleNamespace(core=core))
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "POST", "headers": raw, "app": app})


@pytest.mark.parametrize(
    ("headers", "public_url", "cross"),
    [
        ({"Host": "127.0.0.1:9090"}, None, False),  # no Origin: not a browser's cross-site form
        ({"Host": "127.0.0.1:9090", "Origin": "http://127.0.0.1:9090"}, None, False),
        ({"Host": "127.0.0.1:9090", "Origin": "http://evil.example"}, None, True),
        ({"Host": "127.0.0.1:9090", "Origin": "null"}, None, True),
        ({"Host": "127.0.0.1:9090", "Sec-Fetch-Site": "cross-site"}, None, True),
        # behind a proxy that rewrites Host to the backend's address
        (
            {"Host": "127.0.0.1:9090", "Origin": "https://files.example.org"},
            "https://files.example.org/",
            False,
        ),
        (
            {"Host": "127.0.0.1:9090", "Origin": "https://evil.example"},
            "https://files.example.org",
            True,
        ),
    ],
)
def test_cross_site(headers: dict[str, str], public_url: str | None, cross: bool) -> None:
    assert csrf.cross_site(request(headers, public_url)) is cross
