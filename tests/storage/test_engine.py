"""ChunkEngine: round trips, ranges, inline content, dedup, bounded streaming, store_chunk."""

from __future__ import annotations

import os
import random
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import blake3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podstore.storage import frame
from podstore.storage.blobstore import BlobStore, Buffer
from podstore.storage.chunker import cut_all
from podstore.storage.engine import (
    READ_PIECE,
    ChunkEngine,
    ChunkParams,
    chunk_id_for_plain_hash,
)
from podstore.storage.errors import ChecksumMismatch, CorruptData
from podstore.storage.local import LocalBlobStore
from podstore.storage.manifest import Manifest
from podstore.storage.memory import MemoryBlobStore
from podstore.storage.wrappers import WrappedBlobStore
from tests.storage.conftest import SMALL, collect, new_keys, pieces, run

DATA = random.Random(1).randbytes(300_000)
BOUNDARIES = [offset + length for offset, length in cut_all(DATA, SMALL)]

Factory = Callable[..., ChunkEngine]


def expected_content_hash(data: bytes, manifest: Manifest, keys) -> bytes:  # type: ignore[no-untyped-def]
    """The documented content hash, computed independently of the engine."""
    if manifest.inline is not None or not data:
        return blake3.blake3(data, key=keys.dedup_key).digest()
    listed = b"".join(
        chunk_id_for_plain_hash(keys.dedup_key, blake3.blake3(data[o : o + n]).digest())
        + n.to_bytes(8, "little")
        for o, n in cut_all(data, SMALL)
    )
    return blake3.blake3(b"podstore chunk list v1\0" + listed, key=keys.dedup_key).digest()


def write(engine: ChunkEngine, data: bytes, keys, piece: int = 65536):  # type: ignore[no-untyped-def]
    return run(engine.write(pieces(data, piece), keys))


def read(engine: ChunkEngine, manifest: Manifest, keys, start=0, end=None) -> bytes:  # type: ignore[no-untyped-def]
    return run(collect(engine.read(manifest, keys, start, end)))


sizes = st.one_of(
    st.sampled_from([0, 1, 511, 512, 513, 1024, 16384, 16385, *BOUNDARIES[:6], len(DATA)]),
    st.integers(0, len(DATA)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(size=sizes, piece=st.integers(1, 100_000), bounds=st.tuples(st.integers(), st.integers()))
def test_round_trip_and_ranges(engine_factory: Factory, size: int, piece: int, bounds) -> None:  # type: ignore[no-untyped-def]
    engine = engine_factory(MemoryBlobStore())
    keys = new_keys()
    data = DATA[:size]
    result = write(engine, data, keys, piece)
    manifest = Manifest.from_bytes(result.manifest.to_bytes())
    assert manifest.size == size
    assert manifest.content_hash == expected_content_hash(data, manifest, keys)
    assert read(engine, manifest, keys) == data
    start, end = sorted(b % (size + 1) for b in bounds)
    assert read(engine, manifest, keys, start, end) == data[start:end]
    assert read(engine, manifest, keys, start) == data[start:]
    if size >= engine.inline_threshold:
        assert [c.size for c in manifest.chunks] == [n for _, n in cut_all(data, SMALL)]


def test_inline_content_is_sealed(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs, ChunkParams(), inline_threshold=64 * 1024)
    keys = new_keys()
    text = b"my very private diary entry, written in plain words. " * 600
    assert len(text) < 64 * 1024
    result = write(engine, text, keys)
    inline = result.manifest.inline
    assert inline is not None and result.manifest.chunks == ()
    assert b"private diary" not in result.manifest.to_bytes()
    assert list(blobs.list()) == []
    assert read(engine, result.manifest, keys) == text
    assert read(engine, result.manifest, keys, 10, 20) == text[10:20]
    with pytest.raises(CorruptData):
        read(engine, result.manifest, new_keys())
    tampered = bytearray(inline)
    tampered[-3] ^= 1
    bad = Manifest(result.manifest.size, result.manifest.content_hash, inline=bytes(tampered))
    with pytest.raises(CorruptData):
        read(engine, bad, keys)


def test_empty_content(engine_factory: Factory) -> None:
    engine = engine_factory(MemoryBlobStore())
    keys = new_keys()
    result = write(engine, b"", keys)
    assert result.manifest.size == 0
    assert read(engine, result.manifest, keys) == b""


def test_no_plaintext_reaches_the_store(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs)
    text = b"".join(b"account %06d owes %d euros\n" % (i, i * 7) for i in range(20_000))
    keys = new_keys(compression="off")
    write(engine, text, keys)
    for name in blobs.list():
        assert b"owes" not in blobs.get(name)


def test_hundred_mib_round_trip(tmp_path: Path, engine_factory: Factory) -> None:
    engine = engine_factory(LocalBlobStore(tmp_path), ChunkParams())
    keys = new_keys()
    data = random.Random(100).randbytes(100 << 20)
    result = write(engine, data, keys, 1 << 20)
    assert result.manifest.size == len(data)
    assert 20 <= len(result.manifest.chunks) <= 100
    assert all(c.size <= ChunkParams().max_size for c in result.manifest.chunks)
    digest = blake3.blake3()
    parts = run(_parts(engine.read(result.manifest, keys)))
    for part in parts:
        digest.update(part)
    assert digest.digest() == blake3.blake3(data).digest()
    # what an HTTP server queues per response stays small: bytes (granian takes nothing
    # else), at most READ_PIECE each
    assert {type(part) for part in parts} == {bytes}
    assert max(len(part) for part in parts) == READ_PIECE
    start = 37 << 20
    ranged = run(_parts(engine.read(result.manifest, keys, start, start + 5_000_000)))
    assert b"".join(ranged) == data[start : start + 5_000_000]
    assert max(len(part) for part in ranged) <= READ_PIECE


async def _parts(stream: AsyncIterator[bytes]) -> list[bytes]:
    return [part async for part in stream]


def test_range_reads_only_touched_chunks(engine_factory: Factory) -> None:
    fetched: list[str] = []

    class Recording(WrappedBlobStore):
        def get(self, name: str) -> bytes:
            fetched.append(name)
            return super().get(name)

        def get_in_thread_buffer(self, name: str, *, once: bool = False) -> Buffer:
            fetched.append(name)
            return super().get_in_thread_buffer(name, once=once)

    engine = engine_factory(Recording(MemoryBlobStore()))
    keys = new_keys()
    manifest = write(engine, DATA, keys).manifest
    third = manifest.chunks[3]
    assert (
        read(engine, manifest, keys, third.offset + 1, third.offset + 10)
        == DATA[third.offset + 1 : third.offset + 10]
    )
    assert fetched == [third.name]


def test_only_a_stream_asks_for_its_chunks_to_be_read_once(engine_factory: Factory) -> None:
    """A read through more chunks than the readahead is a stream: the store may keep its
    chunks out of its cache; a short range (a header, a seek) may come back, so it may not."""
    asked: list[tuple[str, bool]] = []

    class Recording(WrappedBlobStore):
        def get_in_thread_buffer(self, name: str, *, once: bool = False) -> Buffer:
            asked.append((name, once))
            return super().get_in_thread_buffer(name, once=once)

    engine = engine_factory(Recording(MemoryBlobStore()), readahead=2)
    keys = new_keys()
    manifest = write(engine, DATA, keys).manifest
    chunks = manifest.chunks
    assert len(chunks) > 3
    assert read(engine, manifest, keys) == DATA
    assert asked == [(c.name, True) for c in chunks]
    asked.clear()
    end = chunks[1].offset + chunks[1].size
    assert read(engine, manifest, keys, 0, end) == DATA[:end]  # two chunks: no stream
    assert asked == [(c.name, False) for c in chunks[:2]]
    asked.clear()
    end = chunks[2].offset + 1
    assert read(engine, manifest, keys, 1, end) == DATA[1:end]  # three chunks: a stream
    assert asked == [(c.name, True) for c in chunks[:3]]


def test_same_content_stored_once(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs)
    keys = new_keys()
    first = write(engine, DATA, keys)
    count = len(list(blobs.list()))
    assert first.new_bytes > 0 and count == len(set(first.manifest.chunk_names))
    second = write(engine_factory(blobs), DATA, keys, 4097)  # fresh engine, other pieces
    assert second.manifest.chunks == first.manifest.chunks
    assert second.manifest.content_hash == first.manifest.content_hash
    assert second.new_bytes == 0 and not any(c.new for c in second.chunks)
    assert len(list(blobs.list())) == count


def test_dedup_stays_inside_a_pod(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs)
    a = write(engine, DATA, new_keys())
    b = write(engine, DATA, new_keys())
    assert not set(a.manifest.chunk_names) & set(b.manifest.chunk_names)
    assert b.new_bytes > 0


def test_one_byte_insert_in_64_mib_stores_at_most_two_chunks(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs, ChunkParams())
    keys = new_keys()
    data = random.Random(64).randbytes(64 << 20)
    first = write(engine, data, keys, 1 << 20)
    edited = data[: 32 << 20] + b"!" + data[32 << 20 :]
    second = write(engine, edited, keys, 1 << 20)
    new = [c for c in second.chunks if c.new]
    assert 1 <= len(new) <= 2
    assert second.manifest.content_hash != first.manifest.content_hash
    assert len(list(blobs.list())) == len(first.chunks) + len(new)
    assert read(engine, second.manifest, keys) == edited


def test_wrong_keys_never_return_data(engine_factory: Factory) -> None:
    engine = engine_factory(MemoryBlobStore())
    keys = new_keys()
    manifest = write(engine, DATA, keys).manifest
    with pytest.raises(CorruptData):
        read(engine, manifest, new_keys())


def test_chunk_ids_follow_the_contract(engine_factory: Factory) -> None:
    engine = engine_factory(MemoryBlobStore())
    keys = new_keys()
    manifest = write(engine, DATA, keys).manifest
    for ref in manifest.chunks:
        plain = DATA[ref.offset : ref.offset + ref.size]
        plain_hash = blake3.blake3(plain).digest()
        assert ref.id == chunk_id_for_plain_hash(keys.dedup_key, plain_hash)
        assert ref.id == blake3.blake3(plain_hash, key=keys.dedup_key).digest()


def test_store_chunk_checks_the_declared_hash(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs)
    keys = new_keys()
    plain = os.urandom(5000)
    plain_hash = blake3.blake3(plain).digest()
    with pytest.raises(ChecksumMismatch):
        run(engine.store_chunk(plain, keys, blake3.blake3(b"other").digest()))
    assert list(blobs.list()) == []
    stored = run(engine.store_chunk(plain, keys, plain_hash))
    assert stored.new and stored.id == chunk_id_for_plain_hash(keys.dedup_key, plain_hash)
    assert frame.checksum_ok(blobs.get(stored.id.hex()))
    other = chunk_id_for_plain_hash(keys.dedup_key, blake3.blake3(b"other").digest())
    assert run(engine.stored_chunks([stored.id, other])) == {stored.id}
    again = run(engine.store_chunk(plain, keys, plain_hash))
    assert not again.new and again.stored_size == stored.stored_size
    from podstore.storage.manifest import ChunkRef

    content_hash = blake3.blake3(plain, key=keys.dedup_key).digest()
    manifest = Manifest(5000, content_hash, chunks=(ChunkRef(stored.id, 0, 5000),))
    assert read(engine, manifest, keys) == plain


class _Slow(WrappedBlobStore):
    """Counts concurrent puts and plaintext bytes accepted, to check bounded streaming."""

    def __init__(self, inner: BlobStore) -> None:
        super().__init__(inner)
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()
        self.gate = threading.Event()
        self.stored = 0

    def put(self, name: str, data: bytes) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        self.gate.wait(0.002)
        super().put(name, data)
        with self.lock:
            self.active -= 1
            self.stored += len(data) - frame.OVERHEAD


def test_write_streams_with_bounded_memory(engine_factory: Factory) -> None:
    blobs = _Slow(MemoryBlobStore())
    engine = engine_factory(blobs, workers=3)
    keys = new_keys(compression="off")
    lag = 0

    async def source() -> AsyncIterator[bytes]:
        nonlocal lag
        produced = 0
        rng = random.Random(5)
        for _ in range(400):
            lag = max(lag, produced - blobs.stored)
            piece = rng.randbytes(8192)
            produced += len(piece)
            yield piece

    result = run(engine.write(source(), keys))
    assert result.manifest.size == 400 * 8192
    assert blobs.peak <= engine.workers
    # the source is pulled no further ahead than the chunks in flight, the block being cut
    # and less than two blocks waiting behind it (the socket is read while a block is cut)
    block = SMALL.max_size + SMALL.max_size // 4
    assert lag <= engine.in_flight * SMALL.max_size + 3 * block + 8192, lag


@pytest.mark.parametrize("kind", ["noise", "text"])
def test_store_chunk_from_parts(engine_factory: Factory, kind: str) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs)
    keys = new_keys()
    plain = os.urandom(700_000) if kind == "noise" else b"some text, again and again " * 26_000
    plain_hash = blake3.blake3(plain).digest()
    view = memoryview(plain)
    parts = [view[:1], view[1:300_001], view[300_001:]]
    bad = [view[:1], memoryview(bytes(300_000)), view[300_001:]]
    with pytest.raises(ChecksumMismatch):
        run(engine.store_chunk(bad, keys, plain_hash))
    stored = run(engine.store_chunk(parts, keys, plain_hash))
    assert stored.new and stored.size == len(plain)
    compressed = frame.parse_header(blobs.get(stored.id.hex())).codec == frame.CODEC_ZSTD
    assert compressed == (kind == "text")
    from podstore.storage.manifest import ChunkRef

    manifest = Manifest(len(plain), bytes(32), chunks=(ChunkRef(stored.id, 0, len(plain)),))
    assert read(engine, manifest, keys) == plain
