"""Streaming multipart parsing: any split of the body gives the same parts."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podstore.core.errors import Invalid
from podstore.frontends.http.multipart import stream_parts


def encode(files: dict[str, bytes], fields: dict[str, str]) -> tuple[bytes, str]:
    request = httpx.Request(
        "POST",
        "http://x/",
        data=fields,
        files=[("f", (name, data)) for name, data in files.items()],
    )
    return request.read(), request.headers["content-type"]


async def pieces(body: bytes, cuts: list[int]) -> AsyncIterator[bytes]:
    last = 0
    for cut in [*sorted(set(cuts)), len(body)]:
        if cut > last:
            yield body[last:cut]
            last = cut


async def collect(_field: str, name: str | None, data: AsyncIterable[bytes]) -> tuple[str, bytes]:
    return str(name), b"".join([piece async for piece in data])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300_000), max_size=30))
def test_any_split_gives_the_same_parts(cuts: list[int]) -> None:
    files = {"a.txt": b"alpha" * 100, "b.bin": os.urandom(200_000), "empty": b""}
    body, kind = encode(files, {"note": "hello"})
    fields, results = asyncio.run(stream_parts(pieces(body, cuts), kind, collect))
    assert fields == {"note": "hello"}
    assert dict(results) == files


def test_not_multipart_is_invalid() -> None:
    with pytest.raises(Invalid):
        asyncio.run(stream_parts(pieces(b"x", []), "application/json", collect))


def test_a_consumer_error_surfaces() -> None:
    body, kind = encode({"big.bin": os.urandom(1_000_000)}, {})

    async def failing(_field: str, _name: str | None, data: AsyncIterable[bytes]) -> Any:
        async for _ in data:
            raise Invalid("disk full, say")

    with pytest.raises(Invalid, match="disk full"):
        asyncio.run(stream_parts(pieces(body, list(range(0, len(body), 4096))), kind, failing))


def test_a_truncated_body_is_an_error() -> None:
    body, kind = encode({"a.bin": os.urandom(100_000)}, {})
    with pytest.raises(Invalid):
        asyncio.run(stream_parts(pieces(body[: len(body) // 2], []), kind, collect))


BOUNDARY = "multipart/form-data; boundary=xyz"
FILE_PART = b'Content-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\ndata\r\n'


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"garbage", BOUNDARY),
        (b"--abc\r\n" + FILE_PART + b"--abc--\r\n", BOUNDARY),  # another boundary
        (b"--xyz\r\nContent-Disposition form-data\r\n\r\ndata\r\n--xyz--\r\n", BOUNDARY),
        (b"--xyz\r\n" + FILE_PART + b"--xyz--\r\n", "multipart/form-data; boundary=" + "b" * 80),
    ],
    ids=["garbage", "wrong-boundary", "header-without-colon", "boundary-too-long"],
)
def test_a_malformed_body_is_invalid(body: bytes, kind: str) -> None:
    with pytest.raises(Invalid):
        asyncio.run(stream_parts(pieces(body, []), kind, collect))


@pytest.mark.parametrize("filename", [b"", b"a/b", b"\xff.txt", b"new\nline", b".."])
def test_a_file_part_needs_a_valid_name(filename: bytes) -> None:
    part = b'Content-Disposition: form-data; name="f"; filename="' + filename + b'"\r\n\r\nx\r\n'
    with pytest.raises(Invalid):
        asyncio.run(
            stream_parts(pieces(b"--xyz\r\n" + part + b"--xyz--\r\n", []), BOUNDARY, collect)
        )


def test_form_fields_are_bounded_in_all() -> None:
    body, kind = encode({"a.txt": b"x"}, {f"field{i}": "v" * 1000 for i in range(100)})
    with pytest.raises(Invalid, match="in all"):
        asyncio.run(stream_parts(pieces(body, []), kind, collect))
