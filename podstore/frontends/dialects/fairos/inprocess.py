"""A REST route of the FairOS app run in-process for a WebSocket event: the socket's cookie
or Bearer token (or the cookie of a login made over the socket), a body fed from an async
iterator, and the answer's body handed on piece by piece as it is written."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Scope

from podstore.frontends.dialects.fairos.calls import COOKIE

OnStart = Callable[[int, dict[str, str]], Awaitable[None]]
OnBody = Callable[[bytes], Awaitable[None]]


@dataclass
class Answer:
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    cookie: str | None = None  # a session cookie the route set


def auth_headers(socket: Scope, cookie: str | None) -> list[tuple[bytes, bytes]]:
    headers = [(k, v) for k, v in socket["headers"] if k in (b"cookie", b"authorization")]
    if cookie:
        headers = [(k, v) for k, v in headers if k != b"cookie"]
        headers.append((b"cookie", f"{COOKIE}={cookie}".encode()))
    return headers


async def run_route(
    app: ASGIApp,
    socket: Scope,
    method: str,
    path: str,
    *,
    query: bytes,
    headers: list[tuple[bytes, bytes]],
    body: AsyncIterator[bytes],
    on_start: OnStart,
    on_body: OnBody,
) -> Answer:
    scope = {
        **{k: socket[k] for k in ("client", "server", "app") if k in socket},
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
    }
    answer = Answer()
    finished = False
    answered = asyncio.Event()

    async def receive() -> Message:
        nonlocal finished
        if finished:  # the client stays until the whole answer is written
            await answered.wait()
            return {"type": "http.disconnect"}
        piece = await anext(body, None)
        if piece is None:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            for name, value in message.get("headers", []):
                key, text = name.decode("latin-1").lower(), value.decode("latin-1")
                answer.headers[key] = text
                if key == "set-cookie" and text.startswith(f"{COOKIE}="):
                    answer.cookie = text.split(";")[0].split("=", 1)[1] or None
            await on_start(answer.status, answer.headers)
        elif message["type"] == "http.response.body":
            if message.get("body"):
                await on_body(message["body"])
            if not message.get("more_body"):
                answered.set()

    try:
        await app(scope, receive, send)
    finally:
        answered.set()
    return answer


async def once(data: bytes) -> AsyncIterator[bytes]:
    if data:
        yield data


async def ignore_start(_status: int, _headers: dict[str, str]) -> None:
    return None


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")
