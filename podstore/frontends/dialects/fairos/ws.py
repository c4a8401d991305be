"""The WebSocket `/ws/v1/`: `{"_id", "event": "/pod/new", "params": {…}}` requests, each
answered `{"_id", "event", "params": <the REST answer's JSON>, "code": <its status>}` by
running the REST route of that path in-process, with the socket's cookie or Bearer token
(and the cookie of a login made over the socket)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.routing import Route
from starlette.types import ASGIApp, Message, Scope
from starlette.websockets import WebSocket, WebSocketDisconnect

from podstore.frontends.dialects.fairos.calls import COOKIE

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
    headers = [(k, v) for k, v in socket["headers"] if k in (b"cookie", b"authorization")]
    if cookie:
        headers = [(k, v) for k, v in headers if k != b"cookie"]
        headers.append((b"cookie", f"{COOKIE}={cookie}".encode()))
    if method != "GET":
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
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
    sent = False
    answer: dict[str, Any] = {"status": 500, "body": b"", "cookie": None}

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            for name, value in message.get("headers", []):
                text = value.decode("latin-1")
                if name.lower() == b"set-cookie" and text.startswith(f"{COOKIE}="):
                    answer["cookie"] = text.split(";")[0].split("=", 1)[1] or None
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    try:
        parsed = json.loads(answer["body"]) if answer["body"] else None
    except ValueError:
        parsed = answer["body"].decode("utf-8", "replace")
    return answer["status"], parsed, answer["cookie"]


async def websocket(socket: WebSocket) -> None:
    await socket.accept()
    app = socket.scope["app"]
    cookie: str | None = None
    try:
        while True:
            text = await socket.receive_text()
            if len(text) > MAX_MESSAGE:
                await socket.close(1009)
                return
            try:
                request = json.loads(text)
                event, params = request["event"], request.get("params") or {}
                assert isinstance(event, str)
            except (ValueError, KeyError, TypeError, AssertionError):
                await socket.send_text(json.dumps({"message": "invalid request", "code": 400}))
                continue
            path = "/v1" + event if not event.startswith("/v") else event
            method = _method(app, path)
            if method is None:
                reply = {
                    "_id": request.get("_id"),
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
                reply = {"_id": request.get("_id"), "event": event, "params": body, "code": status}
            await socket.send_text(json.dumps(reply))
    except WebSocketDisconnect:
        return
