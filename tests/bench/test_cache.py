"""`bench.cache.evict` leaves a folder's files on disk, unchanged, and out of the page cache."""

from __future__ import annotations

import mmap
import os
import sys
from pathlib import Path

import pytest

from bench.cache import evict
from tests.fixtures.pagecache import in_memory, resident_pages

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="mincore and posix_fadvise: Linux"
)
PAGES = 256


@pytest.fixture
def on_disk(tmp_path: Path) -> Path:
    if in_memory(tmp_path):
        pytest.skip("the temporary folder is in memory: it has no disk to read from")
    return tmp_path


def test_evicted_files_are_read_from_disk_and_unchanged(on_disk: Path) -> None:
    content = os.urandom(PAGES * mmap.PAGESIZE)
    nested = on_disk / "a" / "b"
    nested.mkdir(parents=True)
    files = [on_disk / "top.bin", nested / "deep.bin"]
    for file in files:
        file.write_bytes(content)  # through the page cache, dirty
    assert [resident_pages(file) for file in files] == [PAGES, PAGES]

    assert evict(on_disk) == len(files)

    assert [resident_pages(file) for file in files] == [0, 0]
    assert all(file.read_bytes() == content for file in files)
    assert [resident_pages(file) for file in files] == [PAGES, PAGES]


def test_what_cannot_be_opened_is_skipped(on_disk: Path) -> None:
    (on_disk / "data.bin").write_bytes(b"x" * PAGES * mmap.PAGESIZE)
    (on_disk / "link").symlink_to(on_disk / "data.bin")
    (on_disk / "dangling").symlink_to(on_disk / "nowhere")
    os.mkfifo(on_disk / "fifo")  # opened without O_NONBLOCK, it would wait for a writer
    assert evict(on_disk) == 1
    assert resident_pages(on_disk / "data.bin") == 0
    assert evict(on_disk / "missing") == 0
