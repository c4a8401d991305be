"""Request bodies: every body is bounded and timed.

`limits.RequestLimits` puts a `Budget` in each HTTP request's scope: the body may have at
most `limit` bytes (the settings' `max_json_body` unless the route says otherwise) and may
not stall for more than the idle timeout. A route that takes more states it when it reads:
`read_body(request, limit)` for a body read whole, `body_of(request, limit)` for one that
streams on (no limit for file content, which the core bounds by the user's quota).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request
from starlette.types import Message, Receive

from podstore.core.errors import Invalid, PayloadTooLarge

BUDGET = "podstore.body"  # the scope key of the request's Budget
_CUT = {"type": "http.disconnect"}


@dataclass(frozen=True)
class Refusal:
    """A request refused by the HTTP layer, before or while its body is read."""

    status: int
    title: str
    detail: str


class Budget:
    """The size limit and idle timeout of one request body, checked as it arrives."""

    def __init__(
        self, receive: Receive, declared: int | None, limit: int | None, idle_seconds: float
    ) -> None:
        self._receive = receive
        self.declared = declared
        self.limit = limit
        self.idle_seconds = idle_seconds
        self.received = 0
        self.complete = False
        self.refusal: Refusal | None = None

    def _too_large(self) -> PayloadTooLarge:
        detail = f"a request body here may have at most {self.limit} bytes"
        self.refusal = Refusal(413, "Payload too large", detail)
        return PayloadTooLarge(detail)

    async def receive(self) -> Message:
        if self.complete:  # after the body only a disconnect can come: no timeout on that wait
            return await self._receive()
        if self.refusal is not None:
            return _CUT
        over = self.limit is not None and (self.declared or 0) > self.limit
        if over:
            raise self._too_large()
        try:
            async with asyncio.timeout(self.idle_seconds):
                message = await self._receive()
        except TimeoutError:
            detail = f"no part of the request body arrived for {self.idle_seconds:g} s"
            self.refusal = Refusal(408, "Request timeout", detail)
            return _CUT  # the route sees a client that went away, and nothing is kept
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.complete = not message.get("more_body", False)
            if self.limit is not None and self.received > self.limit:
                raise self._too_large()
        return message


def budget_of(request: Request) -> Budget:
    budget = request.scope.get(BUDGET)
    if not isinstance(budget, Budget):
        raise RuntimeError("every HTTP front end must run behind limits.RequestLimits")
    return budget


async def body_of(request: Request, limit: int | None = None) -> AsyncIterator[bytes]:
    """The body as it arrives, at most `limit` bytes (413); None streams file content, which
    the core bounds. A client that goes away mid-body is the client's error."""
    budget_of(request).limit = limit
    try:
        async for piece in request.stream():
            if piece:
                yield piece
    except ClientDisconnect:
        raise Invalid("the client went away before the body was sent") from None


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 above `limit` bytes (before reading, if declared)."""
    pieces = [piece async for piece in body_of(request, limit)]
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)
