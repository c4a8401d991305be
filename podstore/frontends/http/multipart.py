"""Streaming multipart/form-data: each file part flows straight into a consumer, never a
temp file. The push parser's callbacks queue events; the loop hands data on with
back-pressure through a small bounded queue per part."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from podstore.core.errors import Invalid
from podstore.core.names import decode_name

MAX_FIELDS = 64 * 1024  # bytes of all the non-file fields of a form together
# the parser logs every malformed body as a warning: a client's mistake, answered with 400
logging.getLogger("python_multipart").setLevel(logging.ERROR)
FileConsumer = Callable[[str, str | None, AsyncIterable[bytes]], Awaitable[Any]]


async def _drain(queue: asyncio.Queue[bytes | None]) -> AsyncIterator[bytes]:
    while (piece := await queue.get()) is not None:
        yield piece


def boundary_of(content_type: str) -> bytes:
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise Invalid("expected multipart/form-data with a boundary")
    return params[b"boundary"]


async def stream_parts(
    body: AsyncIterable[bytes],
    content_type: str,
    consume: FileConsumer,
    fields: dict[str, str] | None = None,
) -> tuple[dict[str, str], list[Any]]:
    """Feed each file part to `consume(field, filename, data)`; return (fields, results).
    `fields`, if given, is filled as the fields arrive (a consumer sees those sent before
    its file)."""
    events: list[tuple[str, Any]] = []
    header: dict[str, bytes] = {"field": b"", "value": b""}
    headers: dict[bytes, bytes] = {}

    def on_header_end() -> None:
        headers[header["field"].lower()] = header["value"]
        header["field"] = header["value"] = b""

    def on_part_begin() -> None:
        headers.clear()
        events.append(("begin", None))

    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_header_field": lambda d, s, e: header.__setitem__("field", header["field"] + d[s:e]),
        "on_header_value": lambda d, s, e: header.__setitem__("value", header["value"] + d[s:e]),
        "on_header_end": on_header_end,
        "on_headers_finished": lambda: events.append(("headers", dict(headers))),
        "on_part_data": lambda d, s, e: events.append(("data", bytes(d[s:e]))),
        "on_part_end": lambda: events.append(("end", None)),
    }
    try:
        parser = MultipartParser(boundary_of(content_type), callbacks)
    except FormParserError as exc:
        raise Invalid(f"the multipart boundary is not usable: {exc}") from None
    fields = {} if fields is None else fields
    results: list[Any] = []
    queue: asyncio.Queue[bytes | None] | None = None
    task: asyncio.Task[Any] | None = None
    field_name, field_value, field_bytes = "", b"", 0
    try:
        async for piece in body:
            _write(parser, piece)
            for kind, value in events:
                if kind == "headers":
                    _, params = parse_options_header(value.get(b"content-disposition", b""))
                    field_name = params.get(b"name", b"").decode("utf-8", "replace")
                    filename = params.get(b"filename")
                    if filename is not None:
                        name = decode_name(filename)
                        queue = asyncio.Queue(maxsize=8)
                        task = asyncio.ensure_future(consume(field_name, name, _drain(queue)))
                    field_value = b""
                elif kind == "data":
                    if queue is not None:
                        await _put_or_fail(queue, value, task)
                    else:
                        field_value += value
                        field_bytes += len(value)
                        if field_bytes > MAX_FIELDS:
                            raise Invalid(f"the form's fields may hold {MAX_FIELDS} bytes in all")
                elif kind == "end":
                    if queue is not None and task is not None:
                        await _put_or_fail(queue, None, task)
                        results.append(await task)
                        queue = task = None
                    else:
                        fields[field_name] = field_value.decode("utf-8", "replace")
            events.clear()
        _write(parser, None)
    finally:
        if task is not None and not task.done():
            task.cancel()
    if queue is not None:
        raise Invalid("the multipart body ended in the middle of a part")
    return fields, results


def _write(parser: MultipartParser, piece: bytes | None) -> None:
    """Feed the parser (None: the body ended); a malformed body is the client's error."""
    try:
        if piece is None:
            parser.finalize()
        else:
            parser.write(piece)
    except FormParserError as exc:
        raise Invalid(f"the multipart body is malformed: {exc}") from None


async def _put_or_fail(
    queue: asyncio.Queue[bytes | None], item: bytes | None, task: asyncio.Task[Any] | None
) -> None:
    """Put with back-pressure, but surface the consumer's error if it stopped reading."""
    put = asyncio.ensure_future(queue.put(item))
    if task is None:
        await put
        return
    done, _ = await asyncio.wait({put, task}, return_when=asyncio.FIRST_COMPLETED)
    if put not in done:
        put.cancel()
        task.result()  # raises the consumer's error
        raise Invalid("the upload stopped reading its data")
