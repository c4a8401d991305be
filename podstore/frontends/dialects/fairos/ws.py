"""The WebSocket `/ws/v1/`: `{"_id", "event": "/pod/new", "params": {…}}` requests, each
answered `{"_id", "event", "params": <the REST answer's JSON>, "code": <its status>}` by
running the REST route of that path in-process, with the socket's cookie or Bearer token
(and the cookie of a login made over the socket); the file events carry content in binary
messages (ws_streams)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.routing import Route
from starlette.types import ASGIApp, Scope
from starlette.websockets import WebSocket, WebSocketDisconnect

from podstore.frontends.dialects.fairos import ws_streams
from podstore.frontends.dialects.fairos.inprocess import (
    auth_headers,
    ignore_start,
    once,
    parse_json,
    run_route,
)

MAX_MESSAGE = 1024 * 1024


def _method(app: Any, path: str) -> str | None:
    """The method the REST route at `path` takes (GET, POST or DELETE), or None."""
    for route in app.router.routes:
        if isinstance(route, Route) and route.path == path and route.methods:
            return next(m for m in ("POST", "GET", "DELETE") if m in route.methods)
    return None


async def _call(
    app: ASGIApp, socket: Scope, method: str, path: str, params: Any, cookie: str | None
) -> tuple[int, Any, str | None]:
    body = b"" if method == "GET" else json.dumps(params).encode()
    query = urlencode(params).encode() if method == "GET" and isinstance(params, dict) else b""
    headers = auth_headers(socket, cookie)
    if method != "GET":
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    answer_body = bytearray()

    async def keep(piece: bytes) -> None:
        answer_body.extend(piece)

    answer = await run_route(
        app,
        socket,
        method,
        path,
        query=query,
        headers=headers,
        body=once(body),
        on_start=ignore_start,
        on_body=keep,
    )
    return answer.status, parse_json(bytes(answer_body)), answer.cookie


async def _text(socket: WebSocket) -> str | None:
    """The next text message; None for a binary one outside a file event."""
    message = await socket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    return text if isinstance(text, str) else None


async def websocket(socket: WebSocket) -> None:
    await socket.accept()
    app = socket.scope["app"]
    cookie: str | None = None
    try:
        while True:
            text = await _text(socket)
            if text is not None and len(text) > MAX_MESSAGE:
                await socket.close(1009)
                return
            try:
                assert text is not None
                request = json.loads(text)
                event, params = request["event"], request.get("params") or {}
                assert isinstance(event, str) and isinstance(params, dict)
            except (ValueError, KeyError, TypeError, AssertionError):
                await socket.send_text(json.dumps({"message": "invalid request", "code": 400}))
                continue
            request_id = request.get("_id")
            bare = event.removeprefix("/v1")
            if bare in ws_streams.EVENTS:
                run = ws_streams.upload if "upload" in bare else ws_streams.download
                await run(socket, request_id, bare, params, cookie)
                continue
            path = "/v1" + event if not event.startswith("/v") else event
            method = _method(app, path)
            if method is None:
                reply = {
                    "_id": request_id,
                    "event": event,
                    "params": {"message": "unknown event"},
                    "code": 404,
                }
            else:
                status, body, new_cookie = await _call(
                    app, socket.scope, method, path, params, cookie
                )
                if new_cookie is not None or path.endswith("/logout"):
                    cookie = new_cookie
                reply = {"_id": request_id, "event": event, "params": body, "code": status}
            await socket.send_text(json.dumps(reply))
    except WebSocketDisconnect:
        return
