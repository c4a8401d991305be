"""Request bodies: streamed on to the core, or read whole up to a limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect, Request

from podstore.core.errors import Invalid, PayloadTooLarge


async def body_of(request: Request) -> AsyncIterator[bytes]:
    """The body as it arrives; a client that goes away mid-body is the client's error."""
    try:
        async for piece in request.stream():
            if piece:
                yield piece
    except ClientDisconnect:
        raise Invalid("the client went away before the body was sent") from None


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 above `limit` bytes (before reading, if declared)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"a request body may have at most {limit} bytes")
    pieces: list[bytes] = []
    size = 0
    async for piece in body_of(request):
        size += len(piece)
        if size > limit:
            raise PayloadTooLarge(f"a request body may have at most {limit} bytes")
        pieces.append(piece)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)
