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
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Literal

from podstore.storage.blobstore import BlobStore
from podstore.storage.manifest import Manifest

Compression = Literal["off", "fast", "strong"]


@dataclass(frozen=True)
class PodKeys:
    data_key: bytes  # AES-256-GCM key for chunk and inline encryption
    dedup_key: bytes  # BLAKE3 key for chunk ids and content hashes
    compression: Compression = "fast"


@dataclass(frozen=True)
class ChunkParams:
    min_size: int = 512 * 1024
    avg_size: int = 2 * 1024 * 1024
    max_size: int = 8 * 1024 * 1024


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
    raise NotImplementedError


class ChunkEngine:
    def __init__(
        self,
        blobs: BlobStore,
        params: ChunkParams = ChunkParams(),
        *,
        inline_threshold: int = 64 * 1024,
        workers: int | None = None,
    ) -> None:
        raise NotImplementedError

    async def write(self, source: AsyncIterable[bytes], keys: PodKeys) -> WriteResult:
        raise NotImplementedError

    def read(
        self, manifest: Manifest, keys: PodKeys, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError
