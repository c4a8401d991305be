"""Content-defined chunking (FastCDC) of a byte stream that arrives in pieces.

Pieces are collected until at least `block_size` bytes are buffered; the block is then cut,
every chunk but the last is emitted, and the last one is carried into the next block, because
its end may be the end of the buffer rather than a content-defined cut point. A FastCDC cut
depends only on the bytes since the previous cut, so the result equals cutting the whole
stream at once.

A cut can run on another thread while pieces keep arriving: `detach` (on the receiving
thread) hands the carry and the pieces buffered so far to a `Cut`, `cut` fills and cuts it
anywhere, and `finish` (on the receiving thread again) takes back what the block had no
room for and the new carry. One cut at a time per chunker: the next needs this one's carry.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass, field

from pyfastcdc import FastCDC

Buffer = bytes | bytearray | memoryview


@dataclass(frozen=True)
class ChunkParams:
    """Target chunk sizes; `avg_size` is the real average aimed for.

    The pipeline's buffers (cut blocks, frame buffers, zstd output) are sized by the largest
    chunk: with 8 MiB, 5-12% of chunks were above 4 MiB, and an upload held ~25 MB more for
    them (chunks cut at 4 MiB instead are 4-12%; nothing else changed measurably).
    Chunks stored with larger sizes before stay readable and may come in uploads.
    """

    min_size: int = 512 * 1024
    avg_size: int = 2 * 1024 * 1024
    max_size: int = 4 * 1024 * 1024


def make_cdc(params: ChunkParams) -> FastCDC:
    """pyfastcdc's real average is `avg_size + min_size`; we pass `avg_size - min_size`."""
    avg = max(params.avg_size - params.min_size, params.min_size)
    return FastCDC(avg, min_size=params.min_size, max_size=params.max_size)


@dataclass
class Cut:
    """One block's cut, between `detach` and `finish`."""

    carry: Buffer
    pieces: list[Buffer]
    size: int  # bytes to put in the block
    final: bool
    block: mmap.mmap | None = None  # a recycled block, or None for a new one
    views: list[memoryview] = field(default_factory=list)
    rest: list[Buffer] = field(default_factory=list)  # pieces the block had no room for


class StreamChunker:
    """Buffers pieces and cuts them into chunks; blocks are recycled through `release`."""

    def __init__(self, params: ChunkParams, block_size: int | None = None) -> None:
        self._cdc = make_cdc(params)
        self.max_size = params.max_size
        # a block holds a largest chunk and a quarter more: the memory an upload holds is a
        # few blocks (16 MiB blocks held ~20 MB more at the same CPU per GiB). Blocks are
        # anonymous maps (a freed bytearray left a hole its size in a malloc arena), and
        # every released one waits for reuse: a block is mapped only when none is free, so
        # no more exist than were ever in use at once. Fresh maps' page faults slowed the
        # cuts, which run one after another, by about a tenth (keeping one free block, a
        # 1 GiB upload mapped 35 blocks; keeping all, 6)
        default_block = params.max_size + params.max_size // 4
        self.block_size = max(block_size or default_block, params.max_size + 1)
        self._pieces: list[Buffer] = []
        self._buffered = 0
        self._carry: Buffer = b""
        self._free: list[mmap.mmap] = []
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

    def release(self, block: mmap.mmap) -> None:
        """Give back a block from `take` once nothing reads its chunk views any more."""
        if len(block) == self.block_size:
            self._free.append(block)

    def detach(self, final: bool) -> Cut:
        """Hand what is buffered to a cut of one block (everything, with `final`)."""
        size = self.buffered if final else self.block_size
        block = self._free.pop() if self._free and size == self.block_size else None
        job = Cut(self._carry, self._pieces, size, final, block)
        self._pieces, self._buffered, self._carry = [], 0, b""
        return job

    def cut(self, job: Cut) -> Cut:
        """Fill the block and cut it; touches nothing but `job`, so any thread may run it."""
        block = job.block if job.block is not None else mmap.mmap(-1, max(job.size, 1))
        filled = len(job.carry)
        block[:filled] = job.carry
        for piece in job.pieces:
            room = job.size - filled
            if room <= 0:
                job.rest.append(piece)
            elif len(piece) <= room:
                block[filled : filled + len(piece)] = piece
                filled += len(piece)
            else:
                view = memoryview(piece)
                block[filled : job.size] = view[:room]
                filled = job.size
                job.rest.append(view[room:])
        job.pieces = []  # copied: they may go before the cut is scanned
        view = memoryview(block)[:filled]
        cuts = [(c.offset, c.length) for c in self._cdc.cut_buf(view)] if filled else []
        job.carry = b""
        if not job.final and cuts:
            offset, _ = cuts.pop()
            # copied: the block it came from is recycled while the carry waits
            job.carry = bytes(view[offset:])
        job.block = block
        job.views = [view[offset : offset + length] for offset, length in cuts]
        return job

    def finish(self, job: Cut) -> tuple[mmap.mmap, list[memoryview]]:
        """Take back the carry and the pieces `job` left: (its block, its chunks in order)."""
        assert job.block is not None, "finish before cut"
        self._carry = job.carry
        if job.rest:
            self._pieces = job.rest + self._pieces
            self._buffered += sum(len(p) for p in job.rest)
        return job.block, job.views

    def drain(self) -> bytes:
        """Everything buffered, uncut (for content too small to chunk)."""
        data = b"".join([self._carry, *self._pieces])
        self._pieces, self._buffered, self._carry = [], 0, b""
        return data

    def take(self, final: bool) -> tuple[mmap.mmap, list[memoryview]]:
        """Cut what is buffered: (the block, views of the emitted chunks in order).

        Without `final`, one block is cut and its last chunk stays buffered; with `final`,
        everything buffered is cut. The views point into the returned block.
        """
        return self.finish(self.cut(self.detach(final)))


def cut_all(data: Buffer, params: ChunkParams) -> list[tuple[int, int]]:
    """(offset, length) of every chunk of `data` cut as one buffer (reference for tests)."""
    return [(c.offset, c.length) for c in make_cdc(params).cut_buf(data)]
