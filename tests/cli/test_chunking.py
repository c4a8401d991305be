"""Cutting a local file for the upload handshake: on two cores, the same chunks as on one;
hashing along another copy's cuts; cutting from a chunk boundary on."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import blake3
from hypothesis import given, settings
from hypothesis import strategies as st

from podstore.cli.chunking import cuts, hashed_along, hashed_chunks
from podstore.storage.chunker import ChunkParams, cut_all

SMALL = ChunkParams(min_size=1024, avg_size=4096, max_size=16384)
DATA = random.Random(7).randbytes(3 << 20)
# long runs of one byte: no content-defined cut, only the size limit cuts them
FLAT = b"".join(bytes([i]) * random.Random(i).randint(1, 60_000) for i in range(200))


@settings(max_examples=80, deadline=None)
@given(
    source=st.sampled_from([DATA, FLAT]),
    size=st.integers(0, 3 << 20),
    split_from=st.sampled_from([0, 1, 50_000, 1 << 40]),
    seam=st.sampled_from([1, 2048, 40_000, 1 << 30]),
)
def test_cut_from_both_ends_equals_one_cut(
    source: bytes, size: int, split_from: int, seam: int
) -> None:
    view = memoryview(source[:size])
    expected = [length for _, length in cut_all(view, SMALL)]
    assert list(cuts(view, SMALL, split_from, seam)) == expected


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(0, 200_000),
    sizes=st.lists(st.integers(-1, 70_000), max_size=12),
    start=st.integers(0, 50_000),
)
def test_hashing_along_given_cuts(
    tmp_path_factory: Any, size: int, sizes: list[int], start: int
) -> None:
    """Whole chunks of the given sizes from `start`, as far as the file holds them."""
    local = tmp_path_factory.mktemp("along") / "f.bin"
    local.write_bytes(DATA[:size])
    expected = []
    offset = start
    for length in sizes:
        if length <= 0 or offset + length > size:
            break
        expected.append((length, blake3.blake3(DATA[offset : offset + length]).hexdigest()))
        offset += length
    assert hashed_along(local, sizes, start) == expected


def test_cutting_from_a_chunk_boundary_equals_cutting_the_whole(tmp_path: Path) -> None:
    local = tmp_path / "f.bin"
    local.write_bytes(DATA)
    params = {"min_size": SMALL.min_size, "avg_size": SMALL.avg_size, "max_size": SMALL.max_size}
    whole = list(hashed_chunks(local, params))
    for k in (0, 1, len(whole) // 2, len(whole) - 1, len(whole)):
        start = sum(length for length, _ in whole[:k])
        assert list(hashed_chunks(local, params, start)) == whole[k:]
