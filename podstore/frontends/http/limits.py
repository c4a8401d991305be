"""Request limits enforced before any route runs."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_HEADER_BYTES = 64 * 1024


class HeaderLimitMiddleware:
    """Refuse requests whose headers add up to more than `max_bytes` with 431."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            total = sum(len(k) + len(v) for k, v in scope.get("headers", ()))
            if total > self.max_bytes:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1009})
                    return
                body = json.dumps(
                    {
                        "type": "https://podstore.dev/problems/headers-too-large",
                        "title": "Request headers too large",
                        "status": 431,
                        "detail": f"the headers may add up to {self.max_bytes} bytes",
                    }
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 431,
                        "headers": [
                            (b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
