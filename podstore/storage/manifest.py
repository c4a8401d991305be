"""What a stored file version is made of: the ordered chunks, or the sealed inline bytes.

The metadata store keeps a manifest as opaque bytes (`Manifest.to_bytes`); only this
module knows the layout, which starts with a format version so it can evolve.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from podstore.storage.errors import CorruptData

CHUNK_ID_SIZE = 32
_FORMAT = 1
_HEADER = struct.Struct(">BBQ32sI")  # format, flags, size, content hash, chunk count
_CHUNK = struct.Struct(">32sI")  # chunk id, plaintext size
_INLINE = 1


@dataclass(frozen=True)
class ChunkRef:
    id: bytes
    offset: int
    size: int

    @property
    def name(self) -> str:
        """The blob name the chunk is stored under."""
        return self.id.hex()


@dataclass(frozen=True)
class Manifest:
    """A version's content: `chunks` in order, or `inline` sealed bytes for small files.

    `content_hash` is keyed with the pod's dedup key: BLAKE3 of the plaintext for inline
    content, of the chunk list for chunked content (`engine.chunk_list_hash`).
    """

    size: int
    content_hash: bytes
    chunks: tuple[ChunkRef, ...] = ()
    inline: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.inline is not None and self.chunks:
            raise ValueError("a manifest is either inline or chunked")
        expected = 0
        for ref in self.chunks:
            if ref.offset != expected or len(ref.id) != CHUNK_ID_SIZE:
                raise ValueError("chunk refs must be contiguous with 32-byte ids")
            expected += ref.size
        if self.chunks and expected != self.size:
            raise ValueError("chunk sizes do not add up to the content size")

    @property
    def chunk_names(self) -> list[str]:
        return [ref.name for ref in self.chunks]

    def chunks_in_range(self, start: int, end: int) -> Iterator[ChunkRef]:
        """The chunks overlapping the byte range [start, end)."""
        for ref in self.chunks:
            if ref.offset >= end:
                break
            if ref.offset + ref.size > start:
                yield ref

    def to_bytes(self) -> bytes:
        flags = _INLINE if self.inline is not None else 0
        head = _HEADER.pack(_FORMAT, flags, self.size, self.content_hash, len(self.chunks))
        if self.inline is not None:
            return head + self.inline
        return head + b"".join(_CHUNK.pack(ref.id, ref.size) for ref in self.chunks)

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        if len(raw) < _HEADER.size:
            raise CorruptData("manifest too short")
        fmt, flags, size, content_hash, count = _HEADER.unpack_from(raw)
        if fmt != _FORMAT:
            raise CorruptData(f"unknown manifest format {fmt}")
        body = memoryview(raw)[_HEADER.size :]
        if flags & _INLINE:
            return cls(size=size, content_hash=content_hash, inline=bytes(body))
        if len(body) != count * _CHUNK.size:
            raise CorruptData("manifest chunk table has the wrong length")
        refs = []
        offset = 0
        for chunk_id, chunk_size in _CHUNK.iter_unpack(body):
            refs.append(ChunkRef(chunk_id, offset, chunk_size))
            offset += chunk_size
        return cls(size=size, content_hash=content_hash, chunks=tuple(refs))
