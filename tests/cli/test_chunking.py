"""Cutting a local file for the upload handshake: on two cores, the same chunks as on one."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from podstore.cli.chunking import cuts
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
