"""Compressed responses (`frontends/http/compress.py`): the middleware over small ASGI apps,
then listings, WebDAV multistatus and downloads of a real server, read as raw bytes."""

from __future__ import annotations

import asyncio
import gzip
import json
import xml.etree.ElementTree as ET
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
import zstandard
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from podstore.frontends.http.compress import (
    MINIMUM,
    OFF_LOOP,
    CompressedResponses,
    _Stream,
    chosen_encoding,
)
from tests.fixtures.server import Server, User

BODY = json.dumps([{"name": f"file-{i:05d}.txt", "size": i} for i in range(400)]).encode()


def decoded(encoding: str, raw: bytes) -> bytes:
    if encoding == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    return gzip.decompress(raw)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", "zstd"),
        ("gzip, deflate", "gzip"),
        ("zstd;q=0, gzip;q=0.5", "gzip"),
        ("ZSTD", "zstd"),
        ("*", "zstd"),
        ("*;q=0, gzip", "gzip"),
        ("identity", None),
        ("deflate, br", None),
        ("gzip;q=0", None),
        ("gzip;q=abc", None),
        ("", None),
    ],
)
def test_the_encoding_follows_accept_encoding(header: str, expected: str | None) -> None:
    assert chosen_encoding(header) == expected


def _app() -> CompressedResponses:
    async def whole(request: Request) -> Response:
        size = int(request.query_params.get("size", len(BODY)))
        kind = request.query_params.get("type", "application/json")
        headers = dict(request.query_params.items())
        headers.pop("size", None), headers.pop("type", None)
        status = int(headers.pop("status", 200))
        return Response((BODY * (size // len(BODY) + 1))[:size], status, headers, kind)

    async def streamed(request: Request) -> StreamingResponse:
        async def pieces() -> AsyncIterator[bytes]:
            for start in range(0, len(BODY), 1000):
                yield BODY[start : start + 1000]

        return StreamingResponse(pieces(), media_type="application/json")

    routes = [Route("/whole", whole, methods=["GET", "HEAD"]), Route("/streamed", streamed)]
    return CompressedResponses(Starlette(routes=routes))


APP = _app()


def fetch(path: str, encoding: str, method: str = "GET") -> tuple[httpx.Headers, bytes]:
    """The response's headers and its body as sent (undecoded), from `APP` in process."""

    async def run() -> tuple[httpx.Headers, bytes]:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            headers = {"accept-encoding": encoding}
            async with client.stream(method, path, headers=headers) as response:
                return response.headers, b"".join([p async for p in response.aiter_raw()])

    return asyncio.run(run())


@pytest.mark.parametrize("encoding", ["zstd", "gzip"])
@pytest.mark.parametrize("size", [MINIMUM, len(BODY), OFF_LOOP + 1])
def test_a_whole_body_is_compressed(encoding: str, size: int) -> None:
    headers, raw = fetch(f"/whole?size={size}", encoding)
    assert headers["content-encoding"] == encoding
    assert "accept-encoding" in headers["vary"].lower()
    assert int(headers["content-length"]) == len(raw) < size
    assert decoded(encoding, raw) == (BODY * (size // len(BODY) + 1))[:size]


def test_a_streamed_body_is_compressed() -> None:
    for encoding in ("zstd", "gzip"):
        headers, raw = fetch("/streamed", encoding)
        assert headers["content-encoding"] == encoding and "content-length" not in headers
        assert decoded(encoding, raw) == BODY


@pytest.mark.parametrize("encoding", ["zstd", "gzip"])
def test_each_streamed_piece_is_readable_when_it_is_sent(encoding: str) -> None:
    stream = _Stream(encoding)
    unpack = (
        zstandard.ZstdDecompressor().decompressobj()
        if encoding == "zstd"
        else zlib.decompressobj(16 + zlib.MAX_WBITS)
    )
    for start in range(0, 5000, 1000):
        assert (
            unpack.decompress(stream.piece(BODY[start : start + 1000]))
            == BODY[start : start + 1000]
        )
    assert unpack.decompress(stream.end()) == b""


@pytest.mark.parametrize(
    "query",
    [
        "size=100",  # too small to gain
        "type=application/octet-stream",
        "type=image/png",
        "type=text/event-stream",
        "etag=%22v1%22",  # a download: its bytes and validators are the file's
        "accept-ranges=bytes",
        "content-disposition=attachment",
        "content-encoding=br",
        "cache-control=no-transform",
        "status=206&content-range=bytes%200-9/10",
        "status=204&size=0",
    ],
)
def test_what_is_left_as_it_is(query: str) -> None:
    headers, raw = fetch(f"/whole?{query}", "zstd")
    assert headers.get("content-encoding") in (None, "br")
    assert raw == fetch(f"/whole?{query}", "identity")[1]


def test_no_encoding_asked_for_none_given() -> None:
    for header in ("identity", "br"):
        headers, raw = fetch("/whole", header)
        assert raw == BODY and "content-encoding" not in headers


def test_head_is_answered_as_it_is() -> None:
    headers, raw = fetch("/whole", "zstd", "HEAD")
    assert "content-encoding" not in headers and raw == b""
    assert headers["content-length"] == str(len(BODY))


# against a real server


def _raw(user: User | httpx.Client, method: str, url: str, encoding: str) -> httpx.Response:
    request = user.build_request(method, url, headers={"accept-encoding": encoding})
    response = user.send(request, stream=True)
    response._content = b"".join(response.iter_raw())  # the bytes on the wire, undecoded
    response.close()
    return response


def test_a_listing_is_sent_compressed(strict_user: User) -> None:
    strict_user.post("/pods/home/mkdir/many").raise_for_status()
    for i in range(120):
        strict_user.put(f"/pods/home/files/many/entry-{i:03d}.txt", content=b"x").raise_for_status()
    plain = _raw(strict_user, "GET", "/pods/home/list/many", "identity")
    assert "content-encoding" not in plain.headers
    entries = json.loads(plain.content)["entries"]
    assert [e["name"] for e in entries] == [f"entry-{i:03d}.txt" for i in range(120)]
    for encoding in ("zstd", "gzip"):
        packed = _raw(strict_user, "GET", "/pods/home/list/many", encoding)
        assert packed.headers["content-encoding"] == encoding
        assert len(packed.content) < len(plain.content) / 3
        assert json.loads(decoded(encoding, packed.content))["entries"] == entries


def test_a_download_is_sent_as_stored(strict_user: User) -> None:
    stored = json.dumps({"rows": list(range(3000))}).encode()
    strict_user.put("/pods/home/files/data.json", content=stored).raise_for_status()
    for encoding in ("zstd", "gzip"):
        got = _raw(strict_user, "GET", "/pods/home/files/data.json", encoding)
        assert "content-encoding" not in got.headers and got.content == stored
        part = strict_user.get(
            "/pods/home/files/data.json",
            headers={"accept-encoding": encoding, "range": "bytes=2-9"},
        )
        assert (part.status_code, part.content) == (206, stored[2:10])


def test_a_webdav_multistatus_is_sent_compressed(strict_server: Server, strict_user: User) -> None:
    strict_user.post("/pods/home/mkdir/dav").raise_for_status()
    for i in range(40):
        strict_user.put(f"/pods/home/files/dav/f{i:02d}", content=b"y").raise_for_status()
    with httpx.Client(auth=(strict_user.name, strict_user.password), timeout=30) as dav:
        url = f"{strict_server.url}/dav/home/dav/"
        request = dav.build_request(
            "PROPFIND", url, headers={"Depth": "1", "accept-encoding": "gzip"}
        )
        response = dav.send(request, stream=True)
        raw = b"".join(response.iter_raw())
        response.close()
    assert response.status_code == 207 and response.headers["content-encoding"] == "gzip"
    names = {e.text for e in ET.fromstring(gzip.decompress(raw)).iter("{DAV:}href")}
    assert len(names) == 41
