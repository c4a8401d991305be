"""The access log and metrics of `frontends/http/observe.py`, over a small ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from podstore.frontends.http.observe import (
    ACCESS,
    REGISTRY,
    JsonFormatter,
    JsonLineHandler,
    ObserveMiddleware,
    access_line,
    direct_access_handler,
)


async def echo(request: Request) -> Response:
    return Response(await request.body() + b"!", status_code=201)


APP = ObserveMiddleware(Starlette(routes=[Route("/echo/{rest:path}", echo, methods=["PUT"])]))


def put(path: str, body: bytes) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return await client.put(path, content=body)

    return asyncio.run(run())


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """The `podstore` logger as `configure_logging` sets it up, writing into a string."""
    root = logging.getLogger("podstore")
    saved = root.handlers[:], root.level, root.propagate
    out = io.StringIO()
    root.handlers[:] = [JsonLineHandler(out)]
    root.setLevel(logging.INFO)
    root.propagate = False
    try:
        yield out
    finally:
        root.handlers[:], root.level, root.propagate = saved


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_line_written_directly_is_the_formatters() -> None:
    fields = {"method": "GET", "path": '/a "b"\\ü', "status": 200, "ms": 1.5, "in": 0, "out": 9}
    record = logging.getLogger(ACCESS).makeRecord(
        ACCESS, logging.INFO, __file__, 0, "request", (), None, extra={"fields": fields}
    )
    assert access_line(record.created, fields) == JsonFormatter().format(record)


@contextlib.contextmanager
def alone() -> Iterator[None]:
    """Only our handler on `podstore` (pytest adds its own capturing ones for each test)."""
    root = logging.getLogger("podstore")
    saved = root.handlers[:]
    root.handlers[:] = [h for h in saved if isinstance(h, JsonLineHandler)]
    try:
        yield
    finally:
        root.handlers[:] = saved


def test_each_request_writes_one_access_line(stream: io.StringIO) -> None:
    before = REGISTRY.get_sample_value("podstore_bytes_in_total") or 0.0
    with alone():
        assert direct_access_handler() is not None
        assert put("/echo/x%20y", b"hello").status_code == 201
    [line] = lines(stream)
    assert {k: line[k] for k in ("level", "logger", "msg", "method", "path", "status")} == {
        "level": "info",
        "logger": ACCESS,
        "msg": "request",
        "method": "PUT",
        "path": "/echo/x y",
        "status": 201,
    }
    assert (line["in"], line["out"]) == (5, 6)
    assert REGISTRY.get_sample_value("podstore_bytes_in_total") == before + 5


def test_a_filter_or_another_handler_gets_the_record(stream: io.StringIO) -> None:
    access = logging.getLogger(ACCESS)
    seen: list[logging.LogRecord] = []

    def keep(record: logging.LogRecord) -> bool:
        seen.append(record)
        return True

    access.addFilter(keep)
    try:
        with alone():
            assert direct_access_handler() is None
            put("/echo/filtered", b"")
    finally:
        access.removeFilter(keep)
    assert [record.getMessage() for record in seen] == ["request"]
    [line] = lines(stream)
    assert (line["path"], line["status"]) == ("/echo/filtered", 201)


def test_no_line_below_the_level(stream: io.StringIO) -> None:
    logging.getLogger("podstore").setLevel(logging.WARNING)
    with alone():
        assert direct_access_handler() is None
        put("/echo/quiet", b"")
    assert stream.getvalue() == ""
