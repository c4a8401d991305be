"""Receiving the body of a handshake chunk request: chunks are stored as they complete.

A body holds one or more consecutive declared chunks. Each chunk is collected as views of
the arriving pieces (no copy on the event loop), and as soon as it is complete its
verification (BLAKE3 against the declared hash), encryption and write start on the engine's
threads while the rest of the body is still arriving. So receiving, hashing and encrypting
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

Store = Callable[[Row[Any], list[memoryview]], Awaitable[StoredChunk]]


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
    parts: list[memoryview] = []
    filled = 0
    received = 0
    error: Exception | None = None
    try:
        async for piece in source:
            view = memoryview(piece)
            received += len(view)
            while view:
                if position >= len(rows):
                    raise Invalid(f"the body holds more than whole chunks from chunk {index} on")
                size = rows[position].size
                part = view[: size - filled]
                parts.append(part)
                filled += len(part)
                view = view[len(part) :]
                if filled == size:
                    while len(pending) >= in_flight:
                        await settle_oldest()
                    pending.append(
                        (rows[position], asyncio.ensure_future(store(rows[position], parts)))
                    )
                    position += 1
                    parts, filled = [], 0
        if parts or position == 0:
            raise Invalid(
                f"the body must hold whole chunks from chunk {index} on (got {received} bytes)"
            )
    except Exception as exc:
        error = exc
    while pending:
        await settle_oldest()
    return outcomes, error
