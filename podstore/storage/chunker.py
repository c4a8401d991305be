"""Content-defined chunking (FastCDC) of a byte stream that arrives in pieces.

Pieces are collected until at least `block_size` bytes are buffered; the block is then cut,
every chunk but the last is emitted, and the last one is carried into the next block, because
its end may be the end of the buffer rather than a content-defined cut point. A FastCDC cut
depends only on the bytes since the previous cut, so the result equals cutting the whole
stream at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyfastcdc import FastCDC

Buffer = bytes | bytearray | memoryview


@dataclass(frozen=True)
class ChunkParams:
    """Target chunk sizes; `avg_size` is the real average aimed for."""

    min_size: int = 512 * 1024
    avg_size: int = 2 * 1024 * 1024
    max_size: int = 8 * 1024 * 1024


def make_cdc(params: ChunkParams) -> FastCDC:
    """pyfastcdc's real average is `avg_size + min_size`; we pass `avg_size - min_size`."""
    avg = max(params.avg_size - params.min_size, params.min_size)
    return FastCDC(avg, min_size=params.min_size, max_size=params.max_size)


class StreamChunker:
    def __init__(self, params: ChunkParams, block_size: int | None = None) -> None:
        self._cdc = make_cdc(params)
        self.max_size = params.max_size
        self.block_size = max(block_size or 2 * params.max_size, params.max_size + 1)
        self._pieces: list[Buffer] = []
        self._buffered = 0
        self._carry = b""
        self.total = 0

    @property
    def buffered(self) -> int:
        return len(self._carry) + self._buffered

    @property
    def ready(self) -> bool:
        """True when enough is buffered for `take(final=False)` to emit chunks."""
        return self.buffered >= self.block_size

    def push(self, piece: Buffer) -> None:
        if piece:
            self._pieces.append(piece)
            self._buffered += len(piece)
            self.total += len(piece)

    def take(self, final: bool) -> tuple[bytes, list[memoryview]]:
        """Cut what is buffered: (the block, views of the emitted chunks in order).

        Without `final`, the last chunk stays buffered. The views point into the block.
        """
        block = b"".join([self._carry, *self._pieces]) if self._pieces else self._carry
        self._pieces.clear()
        self._buffered = 0
        if not block:
            self._carry = b""
            return block, []
        cuts = [(c.offset, c.length) for c in self._cdc.cut_buf(block)]
        if not final:
            offset, _ = cuts.pop()
            self._carry = block[offset:]
        else:
            self._carry = b""
        view = memoryview(block)
        return block, [view[offset : offset + length] for offset, length in cuts]


def cut_all(data: Buffer, params: ChunkParams) -> list[tuple[int, int]]:
    """(offset, length) of every chunk of `data` cut as one buffer (reference for tests)."""
    return [(c.offset, c.length) for c in make_cdc(params).cut_buf(data)]
