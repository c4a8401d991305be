"""Blob stores and engines for the storage tests; s3 variants run against SeaweedFS."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from podstore.storage.blobstore import BlobStore
from podstore.storage.engine import ChunkEngine, ChunkParams, PodKeys
from podstore.storage.erasure import ErasureBlobStore
from podstore.storage.local import LocalBlobStore
from podstore.storage.memory import MemoryBlobStore
from podstore.storage.s3 import S3BlobStore

T = TypeVar("T")

SMALL = ChunkParams(min_size=1024, avg_size=4096, max_size=16384)
STORE_KINDS = [
    "memory",
    "local",
    pytest.param("s3", marks=pytest.mark.s3),
    "erasure-local",
    pytest.param("erasure-s3", marks=pytest.mark.s3),
]


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro

    return asyncio.run(main())


def new_keys(compression: str = "fast") -> PodKeys:
    return PodKeys(os.urandom(32), os.urandom(32), compression)  # type: ignore[arg-type]


async def pieces(data: bytes, size: int = 65536) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


async def collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([part async for part in stream])


def s3_store(s3_server, bucket: str, prefix: str = "") -> S3BlobStore:  # type: ignore[no-untyped-def]
    return S3BlobStore(
        s3_server.endpoint_url,
        bucket,
        access_key=s3_server.access_key,
        secret_key=s3_server.secret_key,
        prefix=prefix,
    )


def erasure_local(root: Path, k: int = 4, m: int = 2) -> ErasureBlobStore:
    return ErasureBlobStore([LocalBlobStore(root / f"c{i}") for i in range(k + m)], k, m)


def make_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> BlobStore:
    if kind == "memory":
        return MemoryBlobStore()
    if kind == "local":
        return LocalBlobStore(tmp_path / "blobs")
    if kind == "erasure-local":
        return erasure_local(tmp_path)
    # one bucket for the session (SeaweedFS takes ~1 s to set up a bucket's first write)
    server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    prefix = uuid.uuid4().hex
    if kind == "s3":
        return s3_store(server, bucket, prefix)
    children = [s3_store(server, bucket, prefix=f"{prefix}/c{i}") for i in range(3)]
    return ErasureBlobStore(children, 2, 1)


@pytest.fixture(scope="session")
def s3_bucket(s3_server) -> str:  # type: ignore[no-untyped-def]
    return str(s3_server.new_bucket())


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    blobs = make_store(request.param, tmp_path, request)
    yield blobs
    blobs.close()


@pytest.fixture
def engine_factory() -> Iterator[Callable[..., ChunkEngine]]:
    engines: list[ChunkEngine] = []

    def make(blobs: BlobStore, params: ChunkParams = SMALL, **kwargs: object) -> ChunkEngine:
        kwargs.setdefault("inline_threshold", min(512, params.min_size))
        engine = ChunkEngine(blobs, params, **kwargs)  # type: ignore[arg-type]
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        run(engine.close())
