"""Receiving the body of a handshake chunk request: chunks are stored as they complete.

A body holds one or more consecutive declared chunks. Each is copied from the arriving pieces
into its own buffer, and as soon as it is complete its verification (BLAKE3 against the
declared hash), encryption and write start on the engine's threads, and the content hasher is
fed, while the rest of the body is still arriving. So receiving, hashing and encrypting
overlap within one request, as they do in a streaming PUT, and the whole body is never held.
At most `in_flight` complete chunks of a request wait for the engine.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.engine import Row

from podstore.core.errors import Invalid
from podstore.storage.engine import StoredChunk

Store = Callable[[Row[Any], bytearray], Awaitable[StoredChunk]]


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def body_rows(rows: Sequence[Row[Any]], index: int, length: int | None) -> list[Row[Any]]:
    """The chunks a body of `length` bytes from chunk `index` holds (all, if not declared)."""
    if length is None:
        return list(rows)
    out: list[Row[Any]] = []
    total = 0
    for r in rows:
        if total >= length:
            break
        out.append(r)
        total += r.size
    if total != length or not out:
        first = rows[0].size if rows else 0
        raise Invalid(
            f"the body must hold whole chunks from chunk {index} on "
            f"(chunk {index} has {first} bytes; got {length})"
        )
    return out


Outcome = tuple[Row[Any], StoredChunk | Exception]


async def receive_chunks(
    source: AsyncIterable[bytes],
    rows: Sequence[Row[Any]],
    index: int,
    store: Store,
    in_flight: int,
) -> tuple[list[Outcome], Exception | None]:
    """Cut `source` into the chunks `rows` declare and `store` each as soon as it is whole.

    Returns the outcome of every chunk handed to `store`, and the error that ended the body
    early or found it malformed, if any: chunks stored before it are still accounted for.
    """
    pending: deque[tuple[Row[Any], asyncio.Future[StoredChunk]]] = deque()
    outcomes: list[Outcome] = []

    async def settle_oldest() -> None:
        row, future = pending.popleft()
        try:
            outcomes.append((row, await future))
        except Exception as exc:
            outcomes.append((row, exc))

    position = 0
    buf: bytearray | None = None
    into = memoryview(b"")
    filled = 0
    received = 0
    error: Exception | None = None
    try:
        async for piece in source:
            view = memoryview(piece)
            received += len(view)
            while view:
                if buf is None:
                    if position >= len(rows):
                        raise Invalid(
                            f"the body holds more than whole chunks from chunk {index} on"
                        )
                    buf = bytearray(rows[position].size)
                    into = memoryview(buf)
                    filled = 0
                take = min(len(view), len(buf) - filled)
                into[filled : filled + take] = view[:take]
                filled += take
                view = view[take:]
                if filled == len(buf):
                    while len(pending) >= in_flight:
                        await settle_oldest()
                    pending.append(
                        (rows[position], asyncio.ensure_future(store(rows[position], buf)))
                    )
                    position += 1
                    buf, into = None, memoryview(b"")
        if buf is not None or position == 0:
            raise Invalid(
                f"the body must hold whole chunks from chunk {index} on (got {received} bytes)"
            )
    except Exception as exc:
        error = exc
    while pending:
        await settle_oldest()
    return outcomes, error
