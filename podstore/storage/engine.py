"""The chunk pipeline: stream in -> chunks -> ids -> compress -> encrypt -> blob store, and back.

CONTRACT (agreed with core/; the storage issue fills in the bodies, the signatures stay):

- `PodKeys` carries the two 32-byte secrets of a pod and its compression policy.
- Chunk id = BLAKE3(key=dedup_key, data=BLAKE3(plaintext chunk)). So a client that knows
  only the plain BLAKE3 of a chunk (resumable-upload handshake) lets the server derive the
  id without the data, via `chunk_id_for_plain_hash`.
- `ChunkEngine.write` consumes an async byte stream and returns a `WriteResult`; content
  smaller than `inline_threshold` comes back as an inline manifest (sealed, never clear).
- `ChunkEngine.read` returns an async iterator of plaintext for [start, end).
- Every chunk blob is stored under `ChunkRef.name` (hex id).
- `ChunkEngine.store_chunk` stores one chunk whose plain BLAKE3 the client declared.
- Content hash: of inline content, BLAKE3(key=dedup_key, data=plaintext); of chunked content,
  BLAKE3(key=dedup_key) over the chunk list (`chunk_list_hash`). Chunk ids commit to their
  plaintext, so this commits to the whole content, and a version assembled from chunks that
  arrived in any order, on any node or in an earlier session gets it without reading them.

A chunk found already stored is not written again. If its mtime is older than
`refresh_age`, it is touched so that garbage collection (whose grace period must exceed
`refresh_age` plus the longest upload) cannot free it before the new version commits.
"""

from __future__ import annotations

import asyncio
import mmap
import os
import struct
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import blake3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from podstore.storage import buffers, frame
from podstore.storage.blobstore import BlobStore
from podstore.storage.chunker import Buffer, ChunkParams, Cut, StreamChunker
from podstore.storage.errors import BlobNotFound, ChecksumMismatch, CorruptData
from podstore.storage.frame import Compression
from podstore.storage.manifest import ChunkRef, Manifest
from podstore.storage.tuning import tune_malloc

__all__ = [
    "ChunkEngine",
    "ChunkParams",
    "Compression",
    "PodKeys",
    "StoredChunk",
    "WriteResult",
    "chunk_id_for_plain_hash",
    "chunk_list_hash",
]

T = TypeVar("T")

# A read yields chunks in pieces of at most this: the HTTP server queues several body
# messages per response (granian: 4 in its channel, 1 waiting, 1 being written), which with
# whole chunks held up to ~80 MB during a download; 512 KiB pieces cost throughput.
READ_PIECE = 1024 * 1024


@dataclass(frozen=True)
class PodKeys:
    data_key: bytes  # AES-256-GCM key for chunk and inline encryption
    dedup_key: bytes  # BLAKE3 key for chunk ids and content hashes
    compression: Compression = "fast"


@dataclass(frozen=True)
class StoredChunk:
    id: bytes
    size: int  # plaintext bytes
    stored_size: int  # bytes in the blob store (frame included)
    new: bool  # False when the blob was already there (dedup)


@dataclass(frozen=True)
class WriteResult:
    manifest: Manifest
    chunks: tuple[StoredChunk, ...]

    @property
    def new_bytes(self) -> int:
        return sum(c.stored_size for c in self.chunks if c.new)


def chunk_id_for_plain_hash(dedup_key: bytes, plain_hash: bytes) -> bytes:
    return blake3.blake3(plain_hash, key=dedup_key).digest()


_CHUNK_LIST = b"podstore chunk list v1\0"
_SIZE = struct.Struct("<Q")


def chunk_list_hash(dedup_key: bytes, chunks: Iterable[ChunkRef]) -> bytes:
    """The content hash of chunked content: its chunk ids and plaintext sizes, in order."""
    hasher = blake3.blake3(_CHUNK_LIST, key=dedup_key)
    for ref in chunks:
        hasher.update(ref.id)
        hasher.update(_SIZE.pack(ref.size))
    return hasher.digest()


def _joined(parts: Sequence[Buffer]) -> Buffer:
    """The parts as one buffer: the only part, or a copy in this thread's JOINED buffer
    (valid until the thread's next call)."""
    if len(parts) == 1:
        return parts[0]
    size = sum(len(p) for p in parts)
    view = buffers.thread_buffer(buffers.JOINED, size)
    at = 0
    for part in parts:
        view[at : at + len(part)] = part
        at += len(part)
    return view[:size]


class _KnownChunks:
    """A small LRU of chunk names recently confirmed present, with their stored size."""

    def __init__(self, capacity: int, max_age: float) -> None:
        self._items: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._capacity = capacity
        self._max_age = max_age
        self._lock = threading.Lock()

    def get(self, name: str) -> int | None:
        with self._lock:
            item = self._items.get(name)
            if item is None:
                return None
            if time.monotonic() - item[1] > self._max_age:
                del self._items[name]
                return None
            self._items.move_to_end(name)
            return item[0]

    def add(self, name: str, stored_size: int) -> None:
        with self._lock:
            self._items[name] = (stored_size, time.monotonic())
            self._items.move_to_end(name)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def discard(self, name: str) -> None:
        with self._lock:
            self._items.pop(name, None)


class ChunkEngine:
    def __init__(
        self,
        blobs: BlobStore,
        params: ChunkParams = ChunkParams(),
        *,
        inline_threshold: int = 64 * 1024,
        workers: int | None = None,
        in_flight: int | None = None,
        readahead: int | None = None,
        refresh_age: float = 3600.0,
        known_capacity: int = 4096,
        tune_allocator: bool = True,
    ) -> None:
        if not 0 <= inline_threshold <= params.min_size:
            raise ValueError("inline_threshold must be between 0 and min_size")
        self.blobs = blobs
        self.params = params
        self.inline_threshold = inline_threshold
        cpus = os.cpu_count() or 1
        # a chunk write waits on the disk (O_DIRECT write, fsyncs) longer than it computes,
        # so the pool is larger than the CPUs; each thread keeps a frame buffer as large as
        # the largest chunk, so it is no larger than that needs (on 2 cores 6 threads and a
        # window of 6 wrote at the same MB/s and CPU per GiB as 4, with ~15 MB more RSS)
        self.workers = workers or max(4, cpus + 2)
        self.in_flight = in_flight or max(4, cpus + 2)
        self.readahead = readahead or max(4, cpus)
        self.refresh_age = refresh_age
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="podstore-chunk")
        self._known = _KnownChunks(known_capacity, refresh_age)
        self._aeads: dict[bytes, AESGCM] = {}
        self._aead_lock = threading.Lock()
        self._closed = False
        if tune_allocator:
            tune_malloc()

    # -- helpers -------------------------------------------------------------------------

    def _aead(self, key: bytes) -> AESGCM:
        aead = self._aeads.get(key)
        if aead is None:
            with self._aead_lock:
                if len(self._aeads) >= 256:
                    self._aeads.clear()
                aead = self._aeads[key] = AESGCM(key)
        return aead

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        if self._closed:
            raise RuntimeError("ChunkEngine is closed")
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def _submit(self, fn: Callable[..., T], *args: object) -> asyncio.Future[T]:
        if self._closed:
            raise RuntimeError("ChunkEngine is closed")
        return asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    # -- inline content ------------------------------------------------------------------

    def seal_inline(self, plain: Buffer, keys: PodKeys, content_hash: bytes) -> bytes:
        return frame.seal(
            plain,
            self._aead(keys.data_key),
            content_hash,
            kind=frame.KIND_INLINE,
            compression=keys.compression,
        )

    def write_small(self, plain: bytes, keys: PodKeys) -> WriteResult:
        """Content below the inline threshold, sealed into an inline manifest (no chunks)."""
        if len(plain) >= self.inline_threshold:
            raise ValueError("write_small takes content below the inline threshold")
        content_hash = blake3.blake3(plain, key=keys.dedup_key).digest()
        sealed = self.seal_inline(plain, keys, content_hash)
        return WriteResult(Manifest(size=len(plain), content_hash=content_hash, inline=sealed), ())

    def open_inline(self, manifest: Manifest, keys: PodKeys) -> bytes:
        if manifest.inline is None:
            raise ValueError("not an inline manifest")
        plain = frame.open_frame(
            manifest.inline,
            self._aead(keys.data_key),
            manifest.content_hash,
            kind=frame.KIND_INLINE,
        )
        if len(plain) != manifest.size:
            raise CorruptData("inline content has the wrong size")
        return plain

    # -- storing chunks ------------------------------------------------------------------

    def _present_size(self, name: str) -> int | None:
        """Stored size if a complete blob is already there (touched if old), else None."""
        known = self._known.get(name)
        if known is not None:
            return known
        try:
            info = self.blobs.stat(name)
            header = frame.parse_header(self.blobs.get_range(name, 0, frame.HEADER_SIZE))
        except (BlobNotFound, CorruptData):
            return None
        if info.size != frame.HEADER_SIZE + header.body_len:
            return None  # a torn or truncated blob: write it again
        if time.time() - info.mtime > self.refresh_age:
            self.blobs.touch(name)
        self._known.add(name, info.size)
        return info.size

    def _store_with_id(
        self, parts: Sequence[Buffer], chunk_id: bytes, keys: PodKeys
    ) -> StoredChunk:
        """Store the chunk made of `parts` (its bytes in order) under `chunk_id`."""
        name = chunk_id.hex()
        size = sum(len(p) for p in parts)
        present = self._present_size(name)
        if present is not None:
            return StoredChunk(chunk_id, size, present, new=False)
        sealed = frame.seal_parts_reusing(
            parts, keys.data_key, chunk_id, compression=keys.compression
        )
        if sealed is None:  # it may compress: zstd wants it in one piece
            sealed = frame.seal_reusing(
                _joined(parts), self._aead(keys.data_key), chunk_id, compression=keys.compression
            )
        self.blobs.put(name, sealed)
        self._known.add(name, len(sealed))
        return StoredChunk(chunk_id, size, len(sealed), new=True)

    def _store_hashed(self, plain: Buffer, keys: PodKeys) -> tuple[bytes, StoredChunk]:
        plain_hash = blake3.blake3(plain).digest()
        chunk_id = chunk_id_for_plain_hash(keys.dedup_key, plain_hash)
        return plain_hash, self._store_with_id((plain,), chunk_id, keys)

    def _store(self, plain: Buffer, keys: PodKeys) -> StoredChunk:
        return self._store_hashed(plain, keys)[1]

    def _store_checked(
        self, parts: Sequence[Buffer], keys: PodKeys, expected: bytes
    ) -> StoredChunk:
        hasher = blake3.blake3()
        for part in parts:
            hasher.update(part)
        if hasher.digest() != expected:
            raise ChecksumMismatch("chunk does not match its declared BLAKE3")
        chunk_id = chunk_id_for_plain_hash(keys.dedup_key, expected)
        return self._store_with_id(parts, chunk_id, keys)

    async def store_chunk(
        self, plain: Buffer | Sequence[Buffer], keys: PodKeys, expected_plain_hash: bytes
    ) -> StoredChunk:
        """Store one chunk a client sent with its plain BLAKE3 (upload handshake).

        The chunk may come as the consecutive parts it arrived in: they are hashed and
        encrypted part by part, and joined (into a buffer the thread reuses) only for zstd.
        """
        parts = (plain,) if isinstance(plain, bytes | bytearray | memoryview) else plain
        return await self._run(self._store_checked, parts, keys, expected_plain_hash)

    async def store_cut(self, plain: Buffer, keys: PodKeys) -> tuple[bytes, StoredChunk]:
        """Store one chunk the server cut itself (tus): its plain BLAKE3, and the chunk."""
        return await self._run(self._store_hashed, plain, keys)

    async def stored_chunks(self, ids: Iterable[bytes]) -> set[bytes]:
        """Which of these chunks are stored (each now safe from GC for the grace period).

        One job, on the event loop's default executor rather than the engine's threads, so
        that the chunk list of a new upload is not answered after the chunks of others.
        """
        if self._closed:
            raise RuntimeError("ChunkEngine is closed")
        wanted = list(ids)

        def check() -> set[bytes]:
            return {i for i in wanted if self._present_size(i.hex()) is not None}

        return await asyncio.to_thread(check)

    # -- write ---------------------------------------------------------------------------

    async def write(self, source: AsyncIterable[bytes], keys: PodKeys) -> WriteResult:
        """Store a stream as chunks. A block is cut on the pool while the next one arrives
        (awaiting each cut before reading on, a 1 GiB upload waited 0.9 s of its 2.3 s)."""
        chunker = StreamChunker(self.params)
        pending: deque[asyncio.Future[StoredChunk]] = deque()
        stored: list[StoredChunk] = []
        blocks: deque[tuple[int, mmap.mmap]] = deque()  # (chunks dispatched so far, block)
        dispatched = 0
        cutting: asyncio.Future[Cut] | None = None

        async def finish_oldest() -> None:
            stored.append(await pending.popleft())
            while blocks and blocks[0][0] <= len(stored):
                chunker.release(blocks.popleft()[1])

        async def collect() -> None:
            """Wait for the running cut, if any, and send its chunks to be stored."""
            nonlocal cutting, dispatched
            if cutting is None:
                return
            job, cutting = cutting, None
            block, views = chunker.finish(await job)
            for view in views:
                while len(pending) >= self.in_flight:
                    await finish_oldest()
                pending.append(self._submit(self._store, view, keys))
            dispatched += len(views)
            blocks.append((dispatched, block))

        def start(final: bool) -> None:
            nonlocal cutting
            cutting = self._submit(chunker.cut, chunker.detach(final))

        async def cut_now(final: bool) -> None:
            start(final)
            await collect()

        try:
            async for piece in source:
                chunker.push(piece)
                if chunker.ready:
                    await collect()  # the carry of one cut starts the next
                    while chunker.buffered >= 2 * chunker.block_size:
                        await cut_now(False)  # more arrived than one cut takes: catch up
                    if chunker.ready:
                        start(False)
            await collect()
            if chunker.total < self.inline_threshold:
                return await self._run(self.write_small, chunker.drain(), keys)
            while chunker.ready:
                await cut_now(False)
            await cut_now(True)
            while pending:
                await finish_oldest()
        finally:
            if cutting is not None:
                cutting.cancel()
            for future in pending:
                future.cancel()
        refs = []
        offset = 0
        for chunk in stored:
            refs.append(ChunkRef(chunk.id, offset, chunk.size))
            offset += chunk.size
        content_hash = chunk_list_hash(keys.dedup_key, refs)
        manifest = Manifest(size=offset, content_hash=content_hash, chunks=tuple(refs))
        return WriteResult(manifest, tuple(stored))

    # -- read ----------------------------------------------------------------------------

    def _fetch(self, ref: ChunkRef, keys: PodKeys, lo: int, hi: int, once: bool) -> list[bytes]:
        """Bytes `lo:hi` of a chunk, in pieces of at most READ_PIECE."""
        sealed = self.blobs.get_in_thread_buffer(ref.name, once=once)
        if frame.parse_header(sealed).plain_len != ref.size:
            raise CorruptData(f"chunk {ref.name} has the wrong size")
        return frame.open_chunk_pieces(
            sealed, self._aead(keys.data_key), ref.id, lo, hi, READ_PIECE, in_place=True
        )

    def read(
        self, manifest: Manifest, keys: PodKeys, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        end = manifest.size if end is None else min(end, manifest.size)
        if start < 0 or end < 0:
            raise ValueError("start and end must be >= 0")
        return self._read(manifest, keys, start, end)

    async def _read(
        self, manifest: Manifest, keys: PodKeys, start: int, end: int
    ) -> AsyncIterator[bytes]:
        if start >= end:
            return
        if manifest.inline is not None:
            # below the inline threshold: opening costs less than a hop to the thread pool
            yield self.open_inline(manifest, keys)[start:end]
            return
        touched = list(manifest.chunks_in_range(start, end))
        # a stream rather than a few chunks a client may come back for (a header, a seek)
        once = len(touched) > self.readahead
        refs = iter(touched)
        pending: deque[asyncio.Future[list[bytes]]] = deque()

        def fetch(ref: ChunkRef) -> asyncio.Future[list[bytes]]:
            lo = max(start - ref.offset, 0)
            hi = min(end - ref.offset, ref.size)
            return self._submit(self._fetch, ref, keys, lo, hi, once)

        try:
            for ref in refs:
                pending.append(fetch(ref))
                if len(pending) >= self.readahead:
                    break
            while pending:
                pieces = await pending.popleft()
                nxt = next(refs, None)
                if nxt is not None:
                    pending.append(fetch(nxt))
                for piece in pieces:
                    yield piece
        finally:
            for future in pending:
                future.cancel()

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await asyncio.get_running_loop().run_in_executor(None, self._pool.shutdown)
