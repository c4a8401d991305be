"""The express lane answers exactly as FastAPI answers the same routes.

Two in-process apps over one Core: the native app behind the lane, as the server builds it,
and the native app alone, so every request below is served by the lane in one and by FastAPI
in the other.
Status, content type and body must match, for successes and for every kind of error.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from starlette.responses import Response

from podstore.frontends.native.app import create_app, with_express_lane
from podstore.frontends.native.express import ExpressLane, ExpressRoute
from podstore.server.serve import running_core
from podstore.settings import AntosSettings, Settings

PASSWORD = "correct horse battery staple"


@asynccontextmanager
async def _clients(data: Path) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    settings = Settings(data_dir=data, argon2_memory_kib=1024, argon2_time_cost=1)
    async with AsyncExitStack() as stack:
        core = await stack.enter_async_context(running_core(settings))
        express, plain = with_express_lane(create_app(core), core), create_app(core)
        clients = []
        for app in (express, plain):
            transport = httpx.ASGITransport(app=app)
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url="http://pod/api/v1")
                )
            )
        yield clients[0], clients[1]


async def _user(client: httpx.AsyncClient) -> dict[str, str]:
    name = f"u-{uuid.uuid4().hex[:8]}"
    assert (await client.post("/signup", json={"name": name, "password": PASSWORD})).is_success
    login = await client.post("/login", json={"name": name, "password": PASSWORD})
    client.cookies.clear()  # the login cookie would make every later request this user's
    return {"Authorization": f"Bearer {login.json()['token']}"}


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?")
COMPARED_HEADERS = (
    "content-type",
    "content-length",
    "content-range",
    "content-disposition",
    "accept-ranges",
    "x-content-type-options",
    "content-security-policy",
    "www-authenticate",
)


def _seen(response: httpx.Response, pod: str) -> tuple[int, dict[str, str], Any]:
    """What a client sees, with this app's own pod name, ids and times made neutral."""

    def neutral(text: str) -> str:
        return ISO_TIME.sub("<time>", UUID.sub("<id>", text.replace(pod, "home")))

    headers = {name: neutral(response.headers.get(name, "-")) for name in COMPARED_HEADERS}
    headers["etag"] = "yes" if response.headers.get("etag") else "no"
    body: Any = response.content
    if "json" in headers["content-type"]:
        body = json.loads(neutral(response.text))
    return response.status_code, headers, body


F = "/pods/home/files"
REQUESTS: list[tuple[str, str, str, bytes, dict[str, str]]] = [
    # (who, method, path, body, headers); each runs on both apps in turn, so state moves in
    # step; "{etag}" stands for the ETag this app gave last
    ("owner", "PUT", "/pods/home/kv/t/plain", b"v1", {}),
    ("owner", "PUT", "/pods/home/kv/t/plain", b"v2", {}),  # replaced: 200, created false
    ("owner", "GET", "/pods/home/kv/t/plain", b"", {}),
    ("owner", "HEAD", "/pods/home/kv/t/plain", b"", {}),
    ("owner", "PUT", "/pods/home/kv/t/a/b%2Fc/%C3%A9t%C3%A9", b"", {}),  # path key, no value
    ("owner", "GET", "/pods/home/kv/t/a/b%2Fc/%C3%A9t%C3%A9", b"", {}),
    ("owner", "GET", "/pods/home/kv/t/missing", b"", {}),  # 404
    ("owner", "HEAD", "/pods/home/kv/t/missing", b"", {}),  # 404
    ("owner", "GET", "/pods/home/kv/nosuchtable/k", b"", {}),  # 404
    ("owner", "GET", "/pods/nosuchpod/kv/t/k", b"", {}),  # 404
    ("owner", "PUT", "/pods/home/kv/t/big", b"x" * (16 * 1024 * 1024 + 1), {}),  # 413
    ("anonymous", "GET", "/pods/home/kv/t/plain", b"", {}),  # 401
    ("bad token", "PUT", "/pods/home/kv/t/plain", b"v3", {}),  # 401
    ("stranger", "GET", "/pods/home/kv/t/plain", b"", {}),  # 404, not 403: nothing to probe
    ("owner", "DELETE", "/pods/home/kv/t/plain", b"", {}),
    ("owner", "DELETE", "/pods/home/kv/t/plain", b"", {}),  # 404
    ("owner", "POST", "/pods/home/kv/t/plain", b"", {}),  # not a lane route: 405 from FastAPI
    ("owner", "PUT", f"{F}/docs/n%C3%B6te.txt", b"hello world", {"Content-Type": "text/plain"}),
    ("owner", "PUT", f"{F}/docs/n%C3%B6te.txt", b"hello again", {}),  # a new version: 200
    ("owner", "GET", f"{F}/docs/n%C3%B6te.txt", b"", {}),
    ("owner", "GET", f"{F}/docs/n%C3%B6te.txt?download=1", b"", {}),
    ("owner", "GET", f"{F}/docs/n%C3%B6te.txt", b"", {"Range": "bytes=6-"}),
    ("owner", "GET", f"{F}/docs/n%C3%B6te.txt", b"", {"Range": "bytes=50-60"}),  # 416
    ("owner", "GET", f"{F}/docs/n%C3%B6te.txt", b"", {"If-None-Match": "{etag}"}),  # 304
    ("owner", "HEAD", f"{F}/docs/n%C3%B6te.txt", b"", {}),
    ("owner", "PUT", f"{F}/docs/n%C3%B6te.txt", b"x", {"If-Match": '"stale"'}),  # 412
    ("owner", "PUT", f"{F}/docs/n%C3%B6te.txt", b"third", {"If-Match": "{etag}"}),
    ("owner", "GET", f"{F}/docs/n%C3%B6te.txt?version=nosuchversion", b"", {}),  # 404
    ("owner", "GET", f"{F}/docs", b"", {}),  # a folder has no content
    ("owner", "PUT", f"{F}/docs", b"x", {}),  # a folder is not a file: 409
    ("owner", "PUT", f"{F}/a/../../escape", b"x", {}),  # 400
    ("stranger", "GET", f"{F}/docs/n%C3%B6te.txt", b"", {}),  # 404
    ("anonymous", "PUT", f"{F}/new.txt", b"x", {}),  # 401
]


@pytest.fixture
def pairs(tmp_path: Path) -> Iterator[list[tuple[Any, Any]]]:
    async def run() -> list[tuple[Any, Any]]:
        async with _clients(tmp_path / "data") as (express, plain):
            owner, stranger = await _user(express), await _user(express)
            headers = {
                "owner": owner,
                "stranger": stranger,
                "anonymous": {},
                "bad token": {"Authorization": "Bearer nope"},
            }
            etags: dict[int, str] = {}
            for client in (express, plain):  # each app makes its own pod and table
                pod = f"home-{id(client)}"
                assert (await client.post("/pods", json={"name": pod}, headers=owner)).is_success
                table = await client.post(f"/pods/{pod}/kv", json={"name": "t"}, headers=owner)
                assert table.status_code == 201
            seen = []
            for who, method, path, body, extra in REQUESTS:
                answers = []
                for client in (express, plain):
                    pod = f"home-{id(client)}"
                    real = path.replace("/pods/home/", f"/pods/{pod}/")
                    sent = {
                        k: v.replace("{etag}", etags.get(id(client), "")) for k, v in extra.items()
                    }
                    response = await client.request(
                        method, real, content=body, headers=headers[who] | sent
                    )
                    if response.headers.get("etag"):
                        etags[id(client)] = response.headers["etag"]
                    answers.append(_seen(response, pod))
                seen.append((answers[0], answers[1]))
            return seen

    yield asyncio.run(run())


def test_every_answer_matches_fastapis(pairs: list[Any]) -> None:
    assert len(pairs) == len(REQUESTS)
    statuses = []
    for (who, method, path, *_), (express, plain) in zip(REQUESTS, pairs, strict=True):
        assert express == plain, f"{who} {method} {path}"
        statuses.append(express[0])
    # the requests cover what they say they cover
    assert {200, 201, 204, 206, 304, 400, 401, 404, 405, 409, 412, 413, 416} <= set(statuses)


def test_the_lane_decodes_path_keys_like_starlette() -> None:
    seen: dict[str, Any] = {}

    async def endpoint(pod: str, key: str) -> Response:
        seen.update(pod=pod, key=key)
        return Response(b"ok")

    async def fallback(scope: Any, receive: Any, send: Any) -> None:
        await Response(b"fallback", status_code=418)(scope, receive, send)

    lane = ExpressLane(fallback, [ExpressRoute("GET", "/p/{pod}/k/{key:path}", endpoint)])

    async def get(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=lane)
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            return await client.get(path)

    assert asyncio.run(get("/p/home/k/a/b%2Fc/%C3%A9")).content == b"ok"
    assert seen == {"pod": "home", "key": "a/b/c/é"}
    assert asyncio.run(get("/p/home/other")).status_code == 418


def test_an_endpoint_taking_what_the_lane_cannot_give_is_refused() -> None:
    async def endpoint(pod: str, limit: int) -> Response:
        return Response()

    with pytest.raises(TypeError, match="limit"):
        ExpressLane(lambda *_: None, [ExpressRoute("GET", "/p/{pod}", endpoint)])  # type: ignore[arg-type]


def test_an_unexpected_error_in_a_lane_route_is_a_500_problem() -> None:
    async def endpoint(pod: str) -> Response:
        raise RuntimeError("a bug")

    lane = ExpressLane(lambda *_: None, [ExpressRoute("GET", "/p/{pod}", endpoint)])  # type: ignore[arg-type]

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=lane)
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            return await client.get("/p/home")

    answer = asyncio.run(get())
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("prefix", ["/api", "/api/v1", "/dav/"])
def test_a_desktop_prefix_over_the_native_api_is_refused(prefix: str) -> None:
    with pytest.raises(ValidationError, match="native API"):
        AntosSettings(desktop_prefix=prefix)
    assert AntosSettings(desktop_prefix="/apiary").desktop_prefix == "/apiary"
