"""Request limits enforced for every HTTP front end before and while a route runs: headers
(431), a path that is not strict UTF-8 without control characters (400), and a body that is
too large (413) or stalls (408). Refusals are answered in the front end's own envelope."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from podstore.core.errors import Invalid
from podstore.core.names import decode_text
from podstore.frontends.http.bodies import BUDGET, Budget, Refusal

MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 256
# (status, title, detail) -> the front end's error response
Render = Callable[[int, str, str], Response]


def head_refusal(scope: Scope, max_bytes: int, max_count: int) -> Refusal | None:
    """Why the request line and headers are refused, if they are; else None. A valid path
    replaces the server's decoding (which turns invalid UTF-8 into U+FFFD) in the scope."""
    headers = scope.get("headers", ())
    if len(headers) > max_count or sum(len(k) + len(v) for k, v in headers) > max_bytes:
        detail = f"at most {max_count} headers of {max_bytes} bytes in all"
        return Refusal(431, "Request headers too large", detail)
    raw = scope.get("raw_path")
    if raw is not None:
        try:
            scope["path"] = decode_text(unquote_to_bytes(raw), "the URL path")
        except Invalid as exc:
            return Refusal(400, "Invalid request", exc.detail)
    return None


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        render: Render,
        max_body: int,
        idle_seconds: float,
        max_header_bytes: int = MAX_HEADER_BYTES,
        max_headers: int = MAX_HEADERS,
    ) -> None:
        self.app = app
        self.render = render
        self.max_body = max_body
        self.idle_seconds = idle_seconds
        self.max_header_bytes = max_header_bytes
        self.max_headers = max_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = head_refusal(scope, self.max_header_bytes, self.max_headers)
        if refusal is not None and scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1009 if refusal.status == 431 else 1008})
        elif refusal is not None:
            await self._answer(refusal, scope, receive, send)
        elif scope["type"] == "websocket":
            await self.app(scope, receive, send)
        else:
            budget = Budget(receive, declared_length(scope), self.max_body, self.idle_seconds)
            scope[BUDGET] = budget
            try:
                await self._bounded(budget, scope, receive, send)
            finally:
                # granian goes on reading a refused body while anything still holds `receive`
                # (the scope outlives the request in objects that referred to it)
                scope.pop(BUDGET, None)

    async def _bounded(self, budget: Budget, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the route; once its body is refused, the refusal is the answer (unless the
        route already answered with that status, in its own words)."""
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not started and message["type"] == "http.response.start":
                refusal = budget.refusal
                if refusal is not None and message["status"] != refusal.status:
                    return
                started = True
                if _body_left(scope, budget):  # answered before reading it all: no reuse
                    headers = [*message.get("headers", []), (b"connection", b"close")]
                    message = {**message, "headers": headers}
            if started:
                await send(message)

        try:
            await self.app(scope, budget.receive, guarded_send)
        except Exception:
            if budget.refusal is None or started:
                raise
        if budget.refusal is not None and not started:
            await self._answer(budget.refusal, scope, receive, send)

    async def _answer(self, refusal: Refusal, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.render(refusal.status, refusal.title, refusal.detail)
        if refusal.status in (408, 413):  # the rest of the body is not read
            response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _body_left(scope: Scope, budget: Budget) -> bool:
    """Whether the request has body bytes the route has not read (the connection then cannot
    carry another request: say so, or a client may send its next one into a closing socket)."""
    if budget.complete:
        return False
    if budget.declared:
        return True
    return any(name == b"transfer-encoding" for name, _ in scope["headers"])
