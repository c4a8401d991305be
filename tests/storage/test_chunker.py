"""Streaming FastCDC cuts exactly where cutting the whole buffer would."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podstore.storage.chunker import ChunkParams, StreamChunker, cut_all

SMALL = ChunkParams(min_size=1024, avg_size=4096, max_size=16384)
DATA = os.urandom(400_000)


def pieces_of(data: bytes, piece_sizes: list[int]) -> Iterator[bytes]:
    """`data` in pieces of the given sizes, then of 4 KiB."""
    pos = 0
    sizes = iter(piece_sizes)
    while pos < len(data):
        size = next(sizes, 4096)
        yield data[pos : pos + size]
        pos += size


def stream_cuts(data: bytes, piece_sizes: list[int], params: ChunkParams) -> list[tuple[int, int]]:
    chunker = StreamChunker(params)
    cuts: list[tuple[int, int]] = []
    offset = 0

    def emit(final: bool) -> None:
        nonlocal offset
        for view in chunker.take(final)[1]:
            assert bytes(view) == data[offset : offset + len(view)]
            cuts.append((offset, len(view)))
            offset += len(view)

    for piece in pieces_of(data, piece_sizes):
        chunker.push(piece)
        while chunker.ready:
            emit(False)
    emit(True)
    return cuts


@pytest.mark.parametrize("overlapped", [False, True], ids=["cut-then-read", "cut-while-reading"])
@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(0, len(DATA)),
    pieces=st.lists(st.integers(1, 70_000), min_size=1, max_size=50),
)
def test_stream_equals_whole_buffer(overlapped: bool, size: int, pieces: list[int]) -> None:
    data = DATA[:size]
    cutter = overlapped_cuts if overlapped else stream_cuts
    assert cutter(data, pieces, SMALL) == cut_all(data, SMALL)


def test_chunk_sizes_respect_bounds_and_average() -> None:
    params = ChunkParams()
    data = random.Random(7).randbytes(64 << 20)
    cuts = cut_all(data, params)
    sizes = [length for _, length in cuts]
    assert sum(sizes) == len(data)
    assert all(params.min_size <= s <= params.max_size for s in sizes[:-1])
    mean = len(data) / len(sizes)
    assert 0.6 * params.avg_size <= mean <= 1.5 * params.avg_size, mean


def test_empty_stream_has_no_chunks() -> None:
    chunker = StreamChunker(SMALL)
    assert chunker.take(True)[1] == []


def test_final_take_cuts_everything_buffered() -> None:
    chunker = StreamChunker(SMALL)
    chunker.push(DATA)
    chunker.push(DATA[:100])
    data = DATA + DATA[:100]
    views = chunker.take(True)[1]
    assert b"".join(views) == data
    assert [len(v) for v in views] == [n for _, n in cut_all(data, SMALL)]
    assert chunker.buffered == 0


def test_released_blocks_are_reused() -> None:
    chunker = StreamChunker(SMALL)
    chunker.push(DATA[: 3 * chunker.block_size])
    first, _ = chunker.take(False)
    chunker.release(first)
    second, _ = chunker.take(False)
    assert second is first


def test_no_more_blocks_are_mapped_than_were_in_use_at_once() -> None:
    chunker = StreamChunker(SMALL)
    chunker.push(DATA[: 7 * chunker.block_size])
    held = [chunker.take(False)[0] for _ in range(3)]  # three cuts' chunks still stored
    for block in held:
        chunker.release(block)
    again = [chunker.take(False)[0] for _ in range(3)]
    assert {id(b) for b in again} == {id(b) for b in held}


def overlapped_cuts(
    data: bytes, piece_sizes: list[int], params: ChunkParams
) -> list[tuple[int, int]]:
    """Cut as `ChunkEngine.write` does: pieces keep arriving between `detach` and `finish`."""
    chunker = StreamChunker(params)
    cuts: list[tuple[int, int]] = []
    offset = 0
    job = None

    def collect() -> None:
        nonlocal job, offset
        if job is not None:
            for view in chunker.finish(chunker.cut(job))[1]:
                assert bytes(view) == data[offset : offset + len(view)]
                cuts.append((offset, len(view)))
                offset += len(view)
            job = None

    for piece in pieces_of(data, piece_sizes):
        chunker.push(piece)
        if chunker.ready:
            collect()
            while chunker.buffered >= 2 * chunker.block_size:
                job = chunker.detach(False)
                collect()
            if chunker.ready:
                job = chunker.detach(False)  # cut "later", after more pieces arrive
    collect()
    while chunker.ready:
        job = chunker.detach(False)
        collect()
    job = chunker.detach(True)
    collect()
    return cuts
