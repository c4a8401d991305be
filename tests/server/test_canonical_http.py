"""The canonical-case HTTP/1.1 server: Go's header names, keep-alive, streamed bodies both
ways, HEAD, a malformed request answered 400, a slow head timed out."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from podstore.server.canonical_http import CanonicalHttpServer, canonical
from tests.fixtures.ports import free_port


async def echo(request: Request) -> Response:
    body = b""
    async for piece in request.stream():
        body += piece
    response = Response(body, headers={"x-seen-length": str(len(body))})
    response.set_cookie("fairOS-dfs", "token")
    return response


async def stream(_request: Request) -> StreamingResponse:
    async def pieces() -> object:
        for n in range(3):
            yield f"piece {n}\n".encode()

    return StreamingResponse(pieces())


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    app = Starlette(routes=[Route("/echo", echo, methods=["POST", "HEAD", "GET"]),
                            Route("/stream", stream)])  # fmt: skip
    number = free_port()
    loop = asyncio.new_event_loop()
    server = CanonicalHttpServer(app, "127.0.0.1", number, head_timeout=1, idle_timeout=1)
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", number), timeout=1).close()
            break
        except OSError:
            threading.Event().wait(0.02)
    yield number
    loop.call_soon_threadsafe(server.stop)
    thread.join(5)


def exchange(port: int, data: bytes, until: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        got = b""
        while until not in got or not until:
            piece = sock.recv(65536)
            if not piece:
                break
            got += piece
        return got


def test_canonical_names() -> None:
    assert canonical(b"set-cookie") == b"Set-Cookie"
    assert canonical(b"x-seen-length") == b"X-Seen-Length"
    assert canonical(b"www-authenticate") == b"Www-Authenticate"


def test_names_on_the_wire_and_keep_alive(port: int) -> None:
    one = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    two = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye"
    answer = exchange(port, one + two)
    assert answer.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert b"\r\nSet-Cookie: fairOS-dfs=token" in answer
    assert b"\r\nContent-Length: 5" in answer and b"set-cookie" not in answer
    assert answer.endswith(b"bye") and b"X-Seen-Length: 5" in answer


def test_streamed_body_and_head(port: int) -> None:
    answer = exchange(port, b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in answer and b"piece 2" in answer
    head = exchange(port, b"HEAD /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and head.endswith(b"\r\n\r\n")


def test_malformed_and_slow_requests(port: int) -> None:
    assert exchange(port, b"NOT HTTP AT ALL\r\n\r\n").startswith(b"HTTP/1.1 400")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\n")  # and never the rest: closed after 1 s
        assert sock.recv(100) == b""
