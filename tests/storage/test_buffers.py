"""Per-thread aligned buffers, and blobs written with O_DIRECT where they were sealed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from podstore.storage import buffers, frame
from podstore.storage.local import LocalBlobStore


@pytest.mark.parametrize("size", [1, 4095, 4096, 4097, 2 * 1024 * 1024 + 17])
def test_a_view_at_the_start_of_a_thread_buffer_is_padded_in_place(size: int) -> None:
    whole = buffers.thread_buffer(buffers.FRAME, size)
    data = os.urandom(size)
    whole[:size] = data
    whole[size : size + 10] = b"x" * min(10, len(whole) - size)
    padded = buffers.padded_in_place(whole[:size])
    assert padded is not None
    assert len(padded) == buffers.round_up(size) and len(padded) % buffers.ALIGN == 0
    assert bytes(padded[:size]) == data
    assert not any(padded[size:])


def test_anything_else_is_not_written_in_place() -> None:
    whole = buffers.thread_buffer(buffers.FRAME, 8192)
    assert buffers.padded_in_place(whole[4096:8000]) is None  # not where a buffer starts
    assert buffers.padded_in_place(whole[1:100]) is None
    assert buffers.padded_in_place(memoryview(b"read-only bytes")) is None
    assert buffers.padded_in_place(memoryview(bytearray(8192))) is None


@pytest.mark.parametrize("size", [200_000, 3 * 1024 * 1024 + 5])
def test_sealed_frames_reach_the_local_store_intact(tmp_path: Path, size: int) -> None:
    store = LocalBlobStore(tmp_path)
    aead = AESGCM(os.urandom(32))
    plain = os.urandom(size)
    sealed = frame.seal_reusing(plain, aead, bytes(32))
    expected = bytes(sealed)
    store.put("ab" * 32, sealed)
    assert store.get("ab" * 32) == expected
    assert frame.open_frame(store.get("ab" * 32), aead, bytes(32)) == plain
    assert store.stat("ab" * 32).size == len(expected)
